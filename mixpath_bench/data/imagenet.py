"""ImageNet from the standard folder layout ``root/{train,val}/<class>/<image>``.

Decoding, random-resized crop and flip run in DataLoader workers (PIL); the items are uint8
tensors, so normalisation (and anything else) happens on the device in the data preprocessor.
A file that does not decode (corrupt, truncated, not an image) stops the run with its path;
``skip_corrupt=True`` instead serves the next image and counts the skipped files.
"""
from __future__ import annotations

import sys
from pathlib import Path

import torch
from mmengine.registry import DATASETS
from torch.utils.data import Dataset

from ..errors import DatasetError


class CorruptImageError(DatasetError):
    """An image file that does not decode; the message names it.

    A DataLoader worker's error reaches the main process as ``type(exc)(traceback text)``, whose
    first line is "Caught ... in DataLoader worker process N"; the message is taken back from the
    traceback's last line so the one-line error still names the file.
    """

    def __init__(self, message: str) -> None:
        if message.startswith("Caught ") and "Traceback" in message:
            last = message.strip().splitlines()[-1]
            message = last.split(": ", 1)[1] if last.startswith(("mixpath_bench.", "CorruptImageError")) else last
        super().__init__(message)


class ImageFolderUInt8(Dataset):
    """torchvision ImageFolder whose items are ``dict(inputs=uint8 3xSxS, data_samples=label)``.

    ``skip_corrupt``: serve the next decodable image instead of stopping at one that does not decode
    (off by default); `skipped` counts the files skipped by this process (one count per worker).
    """

    def __init__(self, root: str, split: str = "train", size: int = 224, train_augment: bool | None = None,
                 skip_corrupt: bool = False) -> None:
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
        self.skip_corrupt, self.skipped = skip_corrupt, 0

    def __len__(self) -> int:
        return len(self.folder)

    def __getitem__(self, index: int) -> dict:
        for attempt in range(len(self.folder)):
            i = (index + attempt) % len(self.folder)
            try:
                image, label = self.folder[i]
                break
            except (OSError, ValueError, SyntaxError) as exc:  # PIL: unidentified, truncated, broken data
                path = self.folder.samples[i][0]
                if not self.skip_corrupt:
                    raise CorruptImageError(f"image {path} does not decode ({exc}); replace or delete it, or "
                                            "set skip_corrupt=True on the dataset to skip such files") from None
                self.skipped += 1
                print(f"warning: skipped image {path} that does not decode ({self.skipped} skipped so far "
                      "in this process)", file=sys.stderr)
        else:
            raise CorruptImageError(f"no image under {self.folder.root} decodes")
        if image.shape[0] == 1:
            image = image.expand(3, -1, -1)
        return {"inputs": image, "data_samples": torch.tensor(label)}


DATASETS.register_module(name="ImageNet", module=ImageFolderUInt8)
