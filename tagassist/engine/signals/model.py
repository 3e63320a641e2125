"""The trained model, when the profile has one: its probability for each of her tags, as much
as a visual model can know it."""

from __future__ import annotations

import numpy as np

from .base import Scene, Scored, Signal, register


def model_support(occasions: np.ndarray, shoot: np.ndarray) -> np.ndarray:
    """How much the trained model may count for each tag: a visual model can recognise what
    recurs (a forest, a dog, architecture), not which trip or event a photo belongs to. A tag
    of one occasion (Rome2023, a place visited once) gets the model's support only where the
    photo's own shoot has it; from three occasions on, fully."""
    support = np.clip((occasions - 1.0) / 2.0, 0.0, 1.0)
    return np.where(shoot > 0, 1.0, support)


@register
class Model(Signal):
    name, weight, position = "model", 0.9, 0
    ranked = False  # its weight among the signals is chosen when it is trained, on held-out photos

    def score(self, scene: Scene) -> Scored:
        h = scene.history
        model = {}
        if scene.model_scorer and scene.vector is not None:
            model = {t: p for t, p in scene.model_scorer(scene.vector).items() if t in h.tag_index}
        row = np.zeros(len(h.tags))
        for tag, probability in model.items():
            row[h.tag_index[tag]] = probability
        row = np.nan_to_num(row, nan=0.0, posinf=1.0, neginf=0.0)  # a broken model adds nothing
        if model:
            row *= model_support(h.occasions, scene.scored("shoot").values) * h.place_support(scene.photo)
        return Scored(row)

    def reason(self, scene: Scene, i: int, tag: str) -> str:
        return "your trained model ranks it high for this photo"
