import pickle

import numpy as np
import pytest
import torch

from mixpath_bench.data import cifar10, cutout, embedded_images, random_crop, random_flip, split_indices
from mixpath_bench.data.augment import BatchAugmentPreprocessor
from mixpath_bench.errors import DatasetError


def write_cifar(folder, n_per_batch=20, seed=0):
    """A tiny `cifar-10-batches-py` folder in the real format (pickled dicts of bytes keys)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {b"batch_label": name.encode(), b"labels": rng.integers(0, 10, n_per_batch).tolist(),
                 b"data": rng.integers(0, 256, (n_per_batch, 3072), dtype=np.uint8),
                 b"filenames": [b"x.png"] * n_per_batch}
        with open(folder / name, "wb") as fh:
            pickle.dump(batch, fh, protocol=2)
    return folder


def test_cifar_splits(tmp_path):
    root = write_cifar(tmp_path / "cifar-10-batches-py")
    train = cifar10(str(tmp_path), "train", val_size=30)
    val = cifar10(str(root), "val", val_size=30)
    test = cifar10(str(root), "test")
    assert (len(train), len(val), len(test)) == (70, 30, 20)
    item = train[0]
    assert item["inputs"].dtype == torch.uint8 and item["inputs"].shape == (3, 32, 32)
    joined = torch.cat([train.images, val.images]).view(100, -1)
    allimg = cifar10(str(root), "trainval").images.view(100, -1)
    assert sorted(map(tuple, joined.tolist())) == sorted(map(tuple, allimg.tolist()))


def test_cifar_errors(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        cifar10(str(tmp_path / "nope"))
    root = write_cifar(tmp_path / "c")
    (root / "data_batch_3").unlink()
    with pytest.raises(DatasetError, match="data_batch_3 is missing"):
        cifar10(str(root))
    (root / "test_batch").write_bytes(b"\x80\x02garbage")
    with pytest.raises(DatasetError, match="corrupt"):
        cifar10(str(root), "test")
    with pytest.raises(DatasetError, match="unknown split"):
        cifar10(str(root), "validation")


def test_cifar_refuses_arbitrary_pickles(tmp_path):
    root = write_cifar(tmp_path / "c")
    with open(root / "test_batch", "wb") as fh:
        pickle.dump({b"data": __import__("os").getcwd}, fh)
    with pytest.raises(DatasetError, match="refusing to unpickle"):
        cifar10(str(root), "test")


def test_split_indices_partition():
    tr, va = split_indices(50, "train", 10), split_indices(50, "val", 10)
    assert len(set(tr) | set(va)) == 50 and not set(tr) & set(va)


@pytest.mark.parametrize("name,total", [("mnist5k", 5000), ("digits", 1797)])
def test_embedded_real_data(name, total):
    parts = {s: embedded_images(name, s, size=16) for s in ("train", "val", "test")}
    assert sum(len(p) for p in parts.values()) == total
    x = parts["train"].images
    assert x.shape[1:] == (1, 16, 16) and x.dtype == torch.uint8 and x.float().std() > 30
    assert len(set(parts["train"].labels.tolist())) == 10


def test_crop_shifts_content():
    x = torch.arange(36.0).view(1, 1, 6, 6) + 1
    gen = torch.Generator().manual_seed(0)
    out = random_crop(x.repeat(50, 1, 1, 1), 2, gen)
    assert out.shape == (50, 1, 6, 6)
    for o in out:
        nz = o[0] != 0
        rows, cols = nz.any(1).nonzero().flatten(), nz.any(0).nonzero().flatten()
        block = o[0][rows][:, cols]
        r0, c0 = int((block[0, 0] - 1) // 6), int((block[0, 0] - 1) % 6)
        torch.testing.assert_close(block, x[0, 0, r0:r0 + len(rows), c0:c0 + len(cols)])


def test_flip_and_cutout():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(64, 3, 8, 8)
    f = random_flip(x, gen)
    flipped = [(torch.equal(a, b.flip(2)), torch.equal(a, b)) for a, b in zip(f, x)]
    assert all(u or v for u, v in flipped) and 10 < sum(u for u, _ in flipped) < 54
    c = cutout(torch.ones(200, 2, 32, 32), 16, gen)
    zeros = (c == 0).sum((1, 2, 3)) / 2
    assert zeros.max() == 256 and zeros.min() >= 64  # corner-clipped holes are smaller
    assert torch.equal(c[:, 0], c[:, 1])


def test_preprocessor_is_deterministic_per_iteration():
    pre = BatchAugmentPreprocessor(mean=[0.0], std=[1.0], crop_padding=2, flip=True, cutout=4)
    batch = {"inputs": torch.randint(0, 255, (4, 1, 8, 8), dtype=torch.uint8), "data_samples": torch.arange(4)}
    a, b = pre(dict(batch), training=True), pre(dict(batch), training=True)
    assert torch.equal(a["inputs"], b["inputs"])
    ev = pre(dict(batch), training=False)
    torch.testing.assert_close(ev["inputs"], batch["inputs"].float())
