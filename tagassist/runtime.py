"""How this process runs: from a source install or frozen (PyInstaller), with a display or
without, and how it starts tagassist's own trainer process.

A source install runs the trainer as ``python -m trainer``. A frozen app has no Python to run
``-m`` with, so its console executable ``tagassist-cli`` doubles as the trainer: given
``--run-trainer`` as its first argument it hands the rest to the trainer's ``main``
(``tagassist.launcher.cli_main``). Nothing here imports the rest of tagassist, so every layer
may ask.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

TRAINER_FLAG = "--run-trainer"
CLI_NAME = "tagassist-cli"


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def cli_executable() -> Path:
    """The frozen app's console executable, beside whichever executable is running."""
    suffix = ".exe" if sys.platform == "win32" else ""
    return Path(sys.executable).with_name(CLI_NAME + suffix)


def trainer_command(*args: str) -> list[str]:
    """The argv that runs ``trainer ARGS`` in a child process."""
    if is_frozen():
        return [str(cli_executable()), TRAINER_FLAG, *args]
    return [sys.executable, "-m", "trainer", *args]


def display_available() -> bool:
    """Whether a desktop app can open here (Windows and macOS always have a display)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
