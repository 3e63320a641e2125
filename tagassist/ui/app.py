"""Start-up: create the services once and pass them in (no singletons), show the window."""

from __future__ import annotations

import logging
import os
import sys
import traceback

from PySide6.QtWidgets import QApplication, QMessageBox

from ..library import ThumbnailCache
from ..paths import thumbnail_dir
from ..store import Store
from .controller import LibraryController
from .main_window import MainWindow
from .workers import JobRunner, ThumbnailLoader

log = logging.getLogger(__name__)


def display_available() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def build(db_path: str, profile: str | None, folders: list[str] = ()) -> tuple[MainWindow, LibraryController]:
    """The window and its controller over one library; services are created here, once."""
    store = Store(db_path)
    window = MainWindow()
    controller = LibraryController(window, store, profile or "default", JobRunner(parent=window),
                                   ThumbnailLoader(ThumbnailCache(thumbnail_dir()), parent=window))
    if folders:
        controller.add_folders(list(folders))
    return window, controller


def _install_crash_dialog(window: MainWindow) -> None:
    """An unhandled exception becomes a dialog, not a dead window. Tags are committed as they
    are made, so nothing accepted is lost."""

    def hook(kind, value, tb):
        text = "".join(traceback.format_exception(kind, value, tb))
        log.error("unhandled exception:\n%s", text)
        QMessageBox.critical(window, "tagassist hit a bug",
                             f"{kind.__name__}: {value}\n\nYour tags are saved. Details are in the log.")

    sys.excepthook = hook


def run(db_path: str, profile: str | None, folders: list[str] = ()) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("tagassist")
    window, controller = build(db_path, profile, folders)
    _install_crash_dialog(window)
    window.show()
    code = app.exec()
    controller.shutdown()
    return code
