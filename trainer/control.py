"""How a retrain is stopped, whoever asks: the one cancel protocol of the trainer process.

Asking. The app's Cancel and ``tagassist train``'s Ctrl+C start the trainer with
``--control-stdin`` and write the line ``cancel`` (``CANCEL``) to its standard input; the end
of that input asks the same, so the trainer also stops when its parent dies or is killed, on
every OS (a Windows console process ignores QProcess.terminate(), and an orphan is reparented,
so signals cannot do this portably). SIGTERM asks too, and on Linux the kernel sends it when
the parent dies. ``StopRequest.listening`` installs all of these; the request itself is the
``should_stop`` callable every stage of a retrain takes.

Stopping. Every loop of a retrain (the epochs, self-training, the ranker's replay, choosing
the signals' weights, re-indexing) calls ``checkpoint(should_stop)`` between its steps: the
one place that raises ``Stopped``. Nothing is written or activated and the previous model
stays active; ``python -m trainer`` then exits with ``EXIT_STOPPED``.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

CANCEL = "cancel"  # the line a parent writes to the trainer's standard input
EXIT_STOPPED = 3  # python -m trainer's exit status after a stop


class Stopped(Exception):
    """The user asked training to stop (SIGTERM, Cancel): nothing is written or activated."""


def checkpoint(should_stop: Callable[[], bool]) -> None:
    """Raises Stopped if a stop has been asked for."""
    if should_stop():
        raise Stopped()


class StopRequest:
    """Whether a stop has been asked for: call it (it is a ``should_stop``)."""

    def __init__(self) -> None:
        self.asked = False  # set from a signal handler or the watching thread: a plain flag, no lock

    def __call__(self) -> bool:
        return self.asked

    def ask(self) -> None:
        self.asked = True

    @contextmanager
    def listening(self, control_stdin: bool) -> Iterator[StopRequest]:
        """While inside: SIGTERM asks for a stop, and with ``control_stdin`` a ``cancel`` line on
        stdin or its end (the parent is gone) does too."""
        previous = signal.signal(signal.SIGTERM, lambda *_: self.ask())
        if control_stdin:
            watch_parent(self.ask)
        try:
            yield self
        finally:
            signal.signal(signal.SIGTERM, previous)


def watch_parent(on_cancel: Callable[[], None]) -> None:
    """Calls ``on_cancel`` on a ``cancel`` line on stdin, or when stdin closes."""

    def read() -> None:
        for line in sys.stdin:
            if line.strip() == CANCEL:
                break
        on_cancel()

    threading.Thread(target=read, name="parent-watch", daemon=True).start()
    _die_with_parent_on_linux()


def _die_with_parent_on_linux() -> None:
    """Belt and braces: the kernel sends SIGTERM (a clean stop, see above) when the parent dies."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import os

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before prctl
        os.kill(os.getpid(), signal.SIGTERM)
