"""Photos as training batches: decoded once at a fixed short side (uint8 tensors in memory),
then cropped per step, randomly for training and in the centre for validation."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from PIL import Image

from tagassist.library import ImageProblem, decode_rgb

from .control import checkpoint


def load_images(photos, side: int, should_stop: Callable[[], bool] = lambda: False,
                on_photo: Callable[[int], None] = lambda done: None) -> tuple[list[torch.Tensor], list[int]]:
    """Each photo at ``side`` pixels on its short side (uint8, C x H x W), and the indices of
    the photos that could be read (unreadable ones are skipped). A stop is looked at before
    each photo (one decode, well under a second), and ``on_photo`` hears how many are done."""
    images, kept = [], []
    for i, photo in enumerate(photos):
        checkpoint(should_stop)
        if i:
            on_photo(i)
        try:
            image = decode_rgb(photo.path, photo.orientation, 4 * side)
        except ImageProblem:
            continue
        w, h = image.size
        scale = side / min(w, h)
        image = image.resize((max(side, round(w * scale)), max(side, round(h * scale))), Image.Resampling.BILINEAR)
        images.append(torch.from_numpy(np.asarray(image).copy()).permute(2, 0, 1))
        kept.append(i)
    return images, kept


def normalise(batch: torch.Tensor, mean, std) -> torch.Tensor:
    return (batch.float() / 255.0 - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)


def random_crops(images, rows, rng: np.random.Generator, size: int, mean, std, *,
                 augment: bool = False) -> torch.Tensor:
    """A random square per photo; ``augment`` adds a horizontal flip and +-10 % brightness."""
    crops = []
    for row in rows:
        image = images[row]
        top = rng.integers(0, image.shape[1] - size + 1)
        left = rng.integers(0, image.shape[2] - size + 1)
        crop = image[:, top : top + size, left : left + size]
        if augment:
            crop = crop.float()
            if rng.random() < 0.5:
                crop = crop.flip(2)
            crop = (crop * rng.uniform(0.9, 1.1)).clamp(0, 255)
        crops.append(crop)
    return normalise(torch.stack(crops), mean, std)


def centre_crops(images, rows, size: int, mean, std) -> torch.Tensor:
    crops = []
    for row in rows:
        image = images[row]
        top, left = (image.shape[1] - size) // 2, (image.shape[2] - size) // 2
        crops.append(image[:, top : top + size, left : left + size])
    return normalise(torch.stack(crops), mean, std)
