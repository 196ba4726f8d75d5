"""A generated COCO-format detection dataset of simple shapes (circles, squares, triangles).

Written in the real COCO layout - ``<root>/<split>/*.jpg`` and
``<root>/annotations/instances_<split>.json`` - so MMDetection's `CocoDataset` and pycocotools
read it unchanged.  Deterministic for a seed.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

CLASSES = ("circle", "square", "triangle")


def _draw(draw: ImageDraw.ImageDraw, kind: int, box: tuple[int, int, int, int], color: tuple[int, ...]) -> None:
    x0, y0, x1, y1 = box
    if kind == 0:
        draw.ellipse(box, fill=color)
    elif kind == 1:
        draw.rectangle(box, fill=color)
    else:
        draw.polygon([((x0 + x1) // 2, y0), (x1, y1), (x0, y1)], fill=color)


def make_image(rng: np.random.Generator, size: int, max_objects: int) -> tuple[Image.Image, list[dict]]:
    """One noisy image with 1..max_objects non-overlapping shapes, and their COCO annotations."""
    base = rng.integers(40, 120, 3)
    pixels = np.clip(base + rng.normal(0, 12, (size, size, 3)), 0, 255).astype(np.uint8)
    img = Image.fromarray(pixels)
    draw = ImageDraw.Draw(img)
    boxes: list[tuple[int, int, int, int]] = []
    anns = []
    for _ in range(int(rng.integers(1, max_objects + 1))):
        for _attempt in range(20):
            side = int(rng.integers(size // 6, size // 2.5))
            x0, y0 = (int(v) for v in rng.integers(0, size - side, 2))
            box = (x0, y0, x0 + side, y0 + side)
            if all(box[2] <= b[0] or box[0] >= b[2] or box[3] <= b[1] or box[1] >= b[3] for b in boxes):
                break
        else:
            continue
        kind = int(rng.integers(0, len(CLASSES)))
        color = tuple(int(c) for c in rng.integers(150, 256, 3))
        _draw(draw, kind, box, color)
        boxes.append(box)
        w, h = box[2] - box[0], box[3] - box[1]
        anns.append({"bbox": [box[0], box[1], w, h], "area": float(w * h), "category_id": kind + 1, "iscrowd": 0})
    return img, anns


def write_shapes_dataset(root: str | Path, splits: dict[str, int] | None = None, size: int = 128,
                         max_objects: int = 3, seed: int = 0) -> Path:
    """Write the dataset (default: 400 train / 100 val images of size x size pixels)."""
    root = Path(root)
    splits = splits or {"train": 400, "val": 100}
    categories = [{"id": i + 1, "name": n, "supercategory": "shape"} for i, n in enumerate(CLASSES)]
    (root / "annotations").mkdir(parents=True, exist_ok=True)
    for s_index, (split, count) in enumerate(splits.items()):
        rng = np.random.default_rng([seed, s_index])
        (root / split).mkdir(parents=True, exist_ok=True)
        images, annotations = [], []
        for i in range(count):
            img, anns = make_image(rng, size, max_objects)
            name = f"{i:06d}.jpg"
            img.save(root / split / name, quality=95)
            images.append({"id": i + 1, "file_name": name, "width": size, "height": size})
            for a in anns:
                annotations.append({"id": len(annotations) + 1, "image_id": i + 1, **a})
        (root / "annotations" / f"instances_{split}.json").write_text(
            json.dumps({"images": images, "annotations": annotations, "categories": categories}))
    return root
