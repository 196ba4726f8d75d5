import numpy as np
import pytest
import torch
from PIL import Image

from mixpath_bench.data import ImageFolderUInt8
from mixpath_bench.errors import DatasetError


def write_folder(root, split, classes=("n01", "n02"), per_class=3):
    rng = np.random.default_rng(0)
    for c in classes:
        d = root / split / c
        d.mkdir(parents=True)
        for i in range(per_class):
            arr = rng.integers(0, 255, (40 + i, 50, 3), dtype=np.uint8)
            Image.fromarray(arr).save(d / f"{c}_{i}.JPEG")
    Image.fromarray(np.zeros((30, 30), dtype=np.uint8)).save(root / split / classes[0] / "grey.JPEG")


def test_imagenet_folder_items(tmp_path):
    write_folder(tmp_path, "train")
    write_folder(tmp_path, "val")
    train = ImageFolderUInt8(str(tmp_path), "train", size=32)
    val = ImageFolderUInt8(str(tmp_path), "val", size=32)
    assert len(train) == len(val) == 7
    assert train.metainfo["classes"] == ("n01", "n02")
    for ds in (train, val):
        for i in range(len(ds)):
            item = ds[i]
            assert item["inputs"].shape == (3, 32, 32) and item["inputs"].dtype == torch.uint8
    assert {int(val[i]["data_samples"]) for i in range(7)} == {0, 1}


def test_imagenet_folder_errors(tmp_path):
    with pytest.raises(DatasetError, match="root/train/<class>"):
        ImageFolderUInt8(str(tmp_path), "train")
    (tmp_path / "val" / "n01").mkdir(parents=True)
    with pytest.raises(DatasetError, match="no images"):
        ImageFolderUInt8(str(tmp_path), "val")
