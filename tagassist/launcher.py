"""Entry points, and how tagassist starts its own trainer process, from a source install or
from the frozen (PyInstaller) app.

A source install runs the trainer as ``python -m trainer``. A frozen app has no Python to run
``-m`` with, so its console executable ``tagassist-cli`` doubles as the trainer: given
``--run-trainer`` as its first argument it hands the rest to the trainer's ``main``.
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


def cli_main() -> int:
    """The console entry: the tagassist CLI, or the trainer when asked with --run-trainer."""
    if sys.argv[1:2] == [TRAINER_FLAG]:
        from trainer.__main__ import main as trainer_main  # only here: the core never needs trainer

        return trainer_main(sys.argv[2:])
    from .cli import main

    return main()


def app_main() -> int:
    """The windowed entry: the desktop app; ``--self-test`` checks the installation headless."""
    from .cli import main

    if "--self-test" in sys.argv[1:]:
        return main(["self-test", "--gui"])
    return main(["gui", *sys.argv[1:]])


def display_available() -> bool:
    """Whether a desktop app can open here (Windows and macOS always have a display)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
