"""ImageNet from the standard folder layout ``root/{train,val}/<class>/<image>``.

Decoding, random-resized crop and flip run in DataLoader workers (PIL); the items are uint8
tensors, so normalisation (and anything else) happens on the device in the data preprocessor.
"""
from __future__ import annotations

from pathlib import Path

import torch
from mmengine.registry import DATASETS
from torch.utils.data import Dataset

from ..errors import DatasetError


class ImageFolderUInt8(Dataset):
    """torchvision ImageFolder whose items are ``dict(inputs=uint8 3xSxS, data_samples=label)``."""

    def __init__(self, root: str, split: str = "train", size: int = 224, train_augment: bool | None = None) -> None:
        from torchvision import datasets, transforms

        folder = Path(root).expanduser() / split
        if not folder.is_dir():
            raise DatasetError(
                f"ImageNet folder {folder} does not exist; expected root/train/<class>/*.JPEG and "
                "root/val/<class>/*.JPEG (val sorted into class folders)")
        augment = split == "train" if train_augment is None else train_augment
        if augment:
            tf = [transforms.RandomResizedCrop(size), transforms.RandomHorizontalFlip()]
        else:
            tf = [transforms.Resize(int(round(size * 256 / 224))), transforms.CenterCrop(size)]
        try:
            self.folder = datasets.ImageFolder(str(folder), transform=transforms.Compose(tf + [transforms.PILToTensor()]))
        except (FileNotFoundError, RuntimeError) as exc:
            raise DatasetError(f"ImageNet folder {folder} has no images in class sub-folders ({exc})") from None
        self.metainfo = {"classes": tuple(self.folder.classes)}

    def __len__(self) -> int:
        return len(self.folder)

    def __getitem__(self, index: int) -> dict:
        image, label = self.folder[index]
        if image.shape[0] == 1:
            image = image.expand(3, -1, -1)
        return {"inputs": image, "data_samples": torch.tensor(label)}


DATASETS.register_module(name="ImageNet", module=ImageFolderUInt8)
