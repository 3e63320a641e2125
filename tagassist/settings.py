"""The app's settings, persisted as JSON (no Qt here). Their fields are the options of scope
'app' in tagassist/options.py, with the registry's defaults and checks: an option is declared
there once, and this module only keeps the values."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, field, fields, make_dataclass
from pathlib import Path

from .options import OPTIONS, in_scope
from .paths import data_dir


class _Kept:
    """Loading and saving; the fields are added from the registry below."""

    @classmethod
    def path(cls) -> Path:
        return data_dir() / "settings.json"

    @classmethod
    def load(cls):
        """Saved settings; unknown keys are ignored and bad values fall back to defaults."""
        try:
            saved = json.loads(cls.path().read_text())
        except (OSError, ValueError):
            return cls()
        if not isinstance(saved, dict):
            return cls()
        values = {f.name: saved[f.name] for f in fields(cls)
                  if f.name in saved and OPTIONS[f.name].valid(saved[f.name])}
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


Settings = make_dataclass(
    "Settings", [(o.name, o.type, field(default_factory=o.resolve)) for o in in_scope("app")], bases=(_Kept,))
Settings.__module__ = __name__
Settings.__doc__ = "The app's settings: one field per option of scope 'app' (tagassist/options.py)."
