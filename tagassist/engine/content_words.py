"""Generic content words from ImageNet predictions, for a profile with no history yet.

``resources/imagenet_content_tags.json`` maps the 1000 ImageNet classes to friendly tags
(dog, beach, food, car, ...); a tag's probability is the summed probability of its classes.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..paths import resources_dir

CONTENT_SUFFIX = ":content"


def content_encoder_id(encoder_id: str) -> str:
    """Where the friendly-tag probabilities of an encoder's ImageNet logits are stored (here,
    not in the indexer, so that suggesting from stored vectors never imports torch)."""
    return encoder_id + CONTENT_SUFFIX


@lru_cache(maxsize=1)
def content_tag_matrix(path: Path | None = None) -> tuple[tuple[str, ...], np.ndarray]:
    """(tag names, a 1000 x len(tags) 0/1 matrix) from the curated map."""
    # The class names ship in resources/, so the engine needs no torchvision to run.
    categories = json.loads((resources_dir() / "imagenet_classes.json").read_text())["classes"]
    index = {name: i for i, name in enumerate(categories)}
    mapping = json.loads((path or resources_dir() / "imagenet_content_tags.json").read_text())
    tags = tuple(t for t in mapping if not t.startswith("_"))
    matrix = np.zeros((len(categories), len(tags)), dtype=np.float32)
    for column, tag in enumerate(tags):
        for item in mapping[tag]:
            if isinstance(item, list):
                first, last = index[item[0]], index[item[1]]
                matrix[first : last + 1, column] = 1.0
            else:
                matrix[index[item], column] = 1.0
    return tags, matrix


def content_probabilities(logits: np.ndarray) -> np.ndarray:
    """(n, 1000) ImageNet logits -> (n, len(tags)) probabilities of the friendly tags."""
    logits = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    return np.clip(probs @ content_tag_matrix()[1], 0.0, 1.0)
