"""The desktop window, built and shown offscreen: the GUI part of ``tagassist self-test``."""

from __future__ import annotations

import os
import time


def build_main_window(db_path: str, profile: str, timeout_s: float = 20.0) -> tuple[int, str]:
    """(photos in the grid once it has loaded, Qt platform name)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
    from PySide6.QtWidgets import QApplication

    from .app import build

    app = QApplication.instance() or QApplication(["tagassist"])
    window, controller = build(db_path, profile)
    window.show()
    deadline = time.monotonic() + timeout_s
    while window.grid.model().rowCount() == 0 and time.monotonic() < deadline:  # the grid loads off the UI thread
        app.processEvents()
        time.sleep(0.01)
    rows = window.grid.model().rowCount()
    controller.shutdown()
    window.close()
    return rows, app.platformName()
