"""Watching work that runs on several threads at once."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager


class PeakLoad:
    """How much work was in flight at once, at the most: each piece holds ``amount`` for 20 ms."""

    def __init__(self):
        self.inside = self.most = 0
        self._lock = threading.Lock()

    @contextmanager
    def holding(self, amount: int):
        with self._lock:
            self.inside += amount
            self.most = max(self.most, self.inside)
        try:
            time.sleep(0.02)  # long enough for the others to start, if they may
            yield
        finally:
            with self._lock:
                self.inside -= amount
