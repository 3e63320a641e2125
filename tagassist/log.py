"""Logging to a rotating file in the data directory (the app's Help > Show log reads it)."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from .paths import data_dir


def log_path() -> Path:
    return data_dir() / "tagassist.log"


def setup_logging(level: int = logging.INFO) -> Path:
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=2, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)
    return path
