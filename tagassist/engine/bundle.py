"""Model bundles: a directory with ``model.safetensors`` and ``config.json``.

safetensors holds tensors only (no pickle, nothing to execute on load). A bundle's sha256
covers both files and is recorded in the store; loading verifies it, so a corrupt or swapped
bundle is refused. Bundles are written to a temporary directory and renamed into place: a
crash never leaves a half-written bundle under its final name. torch is imported only where
tensors are asked for: suggesting reads a bundle as numpy arrays (``arrays=True``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

WEIGHTS = "model.safetensors"
CONFIG = "config.json"
FORMAT = 1


class BundleError(ValueError):
    """The bundle cannot be used; the message is one line for the user."""


def bundle_sha256(directory: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    for name in (CONFIG, WEIGHTS):
        with open(Path(directory) / name, "rb") as f:
            hashlib.file_digest(f, lambda: digest)  # one digest over both files, in order
    return digest.hexdigest()


def save_bundle(target: str | os.PathLike, tensors: dict[str, torch.Tensor], config: dict) -> str:
    """Write the bundle atomically at ``target`` (which must not exist); returns its sha256."""
    from safetensors.torch import save_file

    target = Path(target)
    if target.exists():
        raise BundleError(f"{target} exists already")
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        save_file({k: v.detach().contiguous().cpu() for k, v in tensors.items()}, str(temp / WEIGHTS))
        (temp / CONFIG).write_text(json.dumps({"format": FORMAT, **config}, indent=2, sort_keys=True))
        for name in (WEIGHTS, CONFIG):
            with open(temp / name, "rb") as f:
                os.fsync(f.fileno())
        sha = bundle_sha256(temp)
        os.rename(temp, target)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return sha


def load_bundle(directory: str | os.PathLike, expected_sha256: str | None, *,
                arrays: bool = False) -> tuple[dict, dict]:
    """(tensors, config) of a bundle whose checksum matches; raises BundleError otherwise.
    ``arrays``: the tensors as numpy arrays, without importing torch."""
    if arrays:
        from safetensors.numpy import load_file
    else:
        from safetensors.torch import load_file
    directory = Path(directory)
    try:
        actual = bundle_sha256(directory)
    except OSError as exc:
        raise BundleError(f"model bundle {directory} cannot be read: {exc.strerror or exc}") from exc
    if expected_sha256 is not None and actual != expected_sha256:
        raise BundleError(f"model bundle {directory.name} is corrupt or was changed (checksum mismatch)")
    try:
        config = json.loads((directory / CONFIG).read_text())
        tensors = load_file(str(directory / WEIGHTS))
    except Exception as exc:  # any broken file (safetensors has its own error type) is refused
        raise BundleError(f"model bundle {directory.name} cannot be loaded: {type(exc).__name__}: {exc}") from exc
    if not isinstance(config, dict):
        raise BundleError(f"model bundle {directory.name} has an unreadable config")
    if config.get("format") != FORMAT:
        raise BundleError(f"model bundle {directory.name} has format {config.get('format')}, expected {FORMAT}")
    return tensors, config
