"""User settings, declared once with their defaults, persisted as JSON (no Qt here)."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from .paths import data_dir


@dataclass
class Settings:
    device: str = "auto"  # auto, cpu, cuda or mps
    encoder: str = "efficientnet-lite0"
    thumbnail_dir: str = ""  # empty: the user cache directory
    thumbnail_cache_mb: int = 2000
    suggestion_count: int = 9
    confidence_threshold: float = 0.0  # suggestions scoring below are not shown
    theme: str = "system"  # system, light or dark
    write_on_accept: bool = False  # write keywords into sidecars as soon as they change
    sidecar_style: str = "lightroom"  # new sidecars: IMG.xmp (lightroom) or IMG.CR2.xmp (darktable, digikam)
    library: str = ""  # the database the app opens (empty: the default one)
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
            value = saved.get(f.name, getattr(defaults, f.name))
            values[f.name] = value if isinstance(value, type(getattr(defaults, f.name))) else getattr(defaults, f.name)
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
