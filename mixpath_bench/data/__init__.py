"""Datasets (CIFAR-10, ImageNet folders, embedded real digits) and on-device batch augmentation."""
from .augment import BatchAugmentPreprocessor, cutout, random_crop, random_flip
from .datasets import (ImageTensorDataset, ResidentImageDataset, batch_collate, cifar10, embedded_images,
                       split_indices)
from .imagenet import ImageFolderUInt8

__all__ = ["BatchAugmentPreprocessor", "ImageTensorDataset", "ResidentImageDataset", "batch_collate",
           "ImageFolderUInt8", "cifar10", "embedded_images", "split_indices", "random_crop", "random_flip", "cutout"]
