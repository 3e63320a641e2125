"""What the encoder registry and every encoder factory share: the one error a factory raises
when it cannot build its encoder here, and the checksum of a weight file."""

from __future__ import annotations

import hashlib
from pathlib import Path


class EncoderUnavailable(RuntimeError):
    """The encoder cannot be built here; the message is one line for the user."""


def file_sha256(path: str | Path) -> str:
    """The sha256 of a file, read in chunks (weight files run to hundreds of MB)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
