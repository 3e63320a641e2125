"""User settings, declared once with their defaults, persisted as JSON (no Qt here)."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from .options import DEVICES, SIDECAR_STYLES, THEMES
from .paths import data_dir

_CHOICES = {"device": DEVICES, "theme": THEMES, "sidecar_style": SIDECAR_STYLES}


@dataclass
class Settings:
    device: str = "auto"  # one of options.DEVICES
    encoder: str = "efficientnet-lite0"
    thumbnail_dir: str = ""  # empty: the user cache directory
    thumbnail_cache_mb: int = 2000
    suggestion_count: int = 9
    confidence_threshold: float = 0.0  # suggestions scoring below are not shown
    theme: str = "system"  # one of options.THEMES
    write_on_accept: bool = False  # write keywords into sidecars as soon as they change
    sidecar_style: str = "auto"  # where exports write: one of options.SIDECAR_STYLES
    profile: str = "default"

    @classmethod
    def path(cls) -> Path:
        return data_dir() / "settings.json"

    @classmethod
    def load(cls) -> Settings:
        """Saved settings; unknown keys are ignored and bad values fall back to defaults."""
        try:
            saved = json.loads(cls.path().read_text())
        except (OSError, ValueError):
            return cls()
        defaults = cls()
        values = {}
        for f in fields(cls):
            default = getattr(defaults, f.name)
            value = saved.get(f.name, default)
            allowed = _CHOICES.get(f.name)
            good = isinstance(value, type(default)) and (allowed is None or value in allowed)
            values[f.name] = value if good else default
        return cls(**values)

    def save(self) -> None:
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w") as f:
            json.dump(asdict(self), f, indent=2)
        os.replace(temp, path)

    @classmethod
    def exists(cls) -> bool:
        return cls.path().exists()
