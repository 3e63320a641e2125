"""How the CLI talks: exit codes, one-line errors, JSON, a progress bar on terminals."""

from __future__ import annotations

import json
import shutil
import sys
import time

from ..paths import display_path

EXIT_OK = 0
EXIT_USER_ERROR = 1  # usage or user error, with a one-line message
EXIT_SOME_FAILED = 2  # finished, but some files failed


class UserError(Exception):
    """A problem the user can fix; printed as one line, exit status 1."""


def emit_json(data) -> None:
    # Non-UTF-8 file names travel as \udcXX escapes: valid JSON, reversible with surrogateescape.
    json.dump(data, sys.stdout, indent=2, ensure_ascii=True)
    sys.stdout.write("\n")


def say(text: str = "") -> None:
    print(display_path(text) if text else "")


class ProgressBar:
    """A single-line bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, label: str, stream=None):
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.started = time.monotonic()
        self._last_draw = 0.0

    def update(self, done: int, total: int, detail: str = "") -> None:
        now = time.monotonic()
        if not self.enabled or (now - self._last_draw < 0.1 and done < total):
            return
        self._last_draw = now
        width = shutil.get_terminal_size((80, 20)).columns
        if total:
            filled = int(24 * done / total)
            bar = f"[{'#' * filled}{'.' * (24 - filled)}] {done}/{total}"
        else:
            bar = f"{done} found"
        rate = done / max(now - self.started, 1e-6)
        text = f"{self.label} {bar} {rate:,.0f}/s {display_path(detail)}"
        self.stream.write("\r" + text[: width - 1].ljust(width - 1))
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * (shutil.get_terminal_size((80, 20)).columns - 1) + "\r")
            self.stream.flush()
