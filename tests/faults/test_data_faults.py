"""Bad datasets: CIFAR-10 batches with wrong labels or pixel types, data_root on embedded data, broken images."""
import pickle

import numpy as np
import pytest
import torch
from PIL import Image

from mixpath_bench.data.datasets import cifar10
from mixpath_bench.data.imagenet import CorruptImageError, ImageFolderUInt8
from mixpath_bench.engine import load_config
from mixpath_bench.errors import ConfigError, DatasetError

from ..conftest import ROOT
from .helpers import fingerprint, one_line_error


def write_cifar(folder, data=None, labels=None, n=20):
    """A cifar-10-batches-py folder in the real format (python pickles of a uint8 (N, 3072) array and labels)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8) if data is None else data,
                 b"labels": list(rng.integers(0, 10, n).tolist()) if labels is None else labels}
        (folder / name).write_bytes(pickle.dumps(batch, protocol=2))
    return folder


def test_a_valid_cifar_folder_loads(tmp_path):
    data = cifar10(str(write_cifar(tmp_path / "cifar-10-batches-py")), split="test")
    assert data.images.dtype == torch.uint8 and len(data) == 20 and int(data.labels.max()) < 10


@pytest.mark.parametrize("labels,text", [([0] * 19 + [10], "label 10 of image 19 is outside 0..9"),
                                         ([-1] + [0] * 19, "label -1 of image 0 is outside 0..9"),
                                         ([0.5] * 20, "labels must be a list of integers")])
def test_cifar_labels_are_range_checked(tmp_path, labels, text):
    folder = write_cifar(tmp_path / "cifar-10-batches-py", labels=labels)
    before = fingerprint(folder)
    with pytest.raises(DatasetError) as exc:
        cifar10(str(folder), split="test")
    one_line_error(exc, DatasetError, "test_batch", text)
    assert fingerprint(folder) == before


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16, np.int64])
def test_cifar_pixels_that_are_not_uint8_are_refused(tmp_path, dtype):
    data = (np.random.default_rng(0).random((20, 3072)) * 300).astype(dtype)  # a cast would wrap 256..299
    folder = write_cifar(tmp_path / "cifar-10-batches-py", data=data)
    with pytest.raises(DatasetError) as exc:
        cifar10(str(folder), split="test")
    one_line_error(exc, DatasetError, "test_batch", f"its images are {np.dtype(dtype).name}, not uint8")


def test_data_root_for_embedded_data_is_refused():
    with pytest.raises(ConfigError) as exc:
        load_config(ROOT / "configs/supernet/s4_nb101_mnist5k.py", {"data_root": "/data/cifar10"})
    one_line_error(exc, ConfigError, "data_root = '/data/cifar10' is set but no dataset here reads a folder",
                   "EmbeddedImages")
    cfg = load_config(ROOT / "configs/supernet/s1_cifar10.py", {"data_root": "/data/cifar10"})
    assert cfg.train_dataloader.dataset.root == "/data/cifar10"  # a dataset that reads a folder still takes it


@pytest.fixture
def image_folder(tmp_path):
    """root/val/<class>/*.JPEG with one truncated JPEG and one file that is no image."""
    rng = np.random.default_rng(0)
    for cls in ("a", "b"):
        (tmp_path / "val" / cls).mkdir(parents=True)
        for i in range(3):
            Image.fromarray(rng.integers(0, 256, (40, 40, 3), dtype=np.uint8)).save(tmp_path / "val" / cls / f"{i}.JPEG")
    truncated = tmp_path / "val" / "a" / "1.JPEG"
    truncated.write_bytes(truncated.read_bytes()[:300])
    (tmp_path / "val" / "b" / "2.JPEG").write_bytes(b"not an image")
    return tmp_path


def test_a_corrupt_image_is_named(image_folder):
    before = fingerprint(image_folder)
    data = ImageFolderUInt8(str(image_folder), "val", size=32)
    assert data[0]["inputs"].shape == (3, 32, 32)
    for index, name in ((1, "a/1.JPEG"), (5, "b/2.JPEG")):
        with pytest.raises(CorruptImageError) as exc:
            data[index]
        one_line_error(exc, DatasetError, str(image_folder / "val" / name), "does not decode", "skip_corrupt=True")
    assert fingerprint(image_folder) == before


def test_a_corrupt_image_in_a_dataloader_worker_is_still_one_named_line(image_folder):
    loader = torch.utils.data.DataLoader(ImageFolderUInt8(str(image_folder), "val", size=32), batch_size=2,
                                         num_workers=1)
    with pytest.raises(CorruptImageError) as exc:
        list(loader)
    one_line_error(exc, DatasetError, str(image_folder / "val" / "a" / "1.JPEG"), "does not decode")


def test_skip_corrupt_serves_the_next_image_and_counts(image_folder, capsys):
    data = ImageFolderUInt8(str(image_folder), "val", size=32, skip_corrupt=True)
    labels = [int(data[i]["data_samples"]) for i in range(len(data))]
    assert labels == [0, 0, 0, 1, 1, 0] and data.skipped == 2  # 1 -> 2 (class a), 5 -> wraps to 0 (class a)
    err = capsys.readouterr().err
    assert "skipped image" in err and "a/1.JPEG" in err and "b/2.JPEG" in err
