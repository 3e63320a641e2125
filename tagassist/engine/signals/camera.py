"""Camera habits: the tags she uses on photos from this camera (a drone, a film scanner)."""

from __future__ import annotations

from ..timeplace import camera_of
from .base import Scene, Scored, Signal, register


@register
class CameraHabit(Signal):
    name, weight, position = "camera", 0.2, 8

    def score(self, scene: Scene) -> Scored:
        h, camera = scene.history, camera_of(scene.photo)
        return Scored(h.habit(h.camera, h.camera_index.get(camera, -1) if camera else -1), camera)

    def reason(self, scene: Scene, i: int, tag: str) -> str | None:
        return f"you often use it on photos from your {scene.scored(self.name).detail}" if i < scene.known else None
