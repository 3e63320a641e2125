"""Start-up: create the services once and pass them in (no singletons), show the window."""

from __future__ import annotations

import logging
import sys
import traceback

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from ..log import setup_logging
from ..paths import resources_dir
from ..services import identity, images
from ..services.library import open_library
from ..settings import Settings
from .controller import LibraryController
from .dialogs import FirstRunDialog
from .main_window import MainWindow
from .theme import apply_theme
from .workers import JobRunner, ThumbnailLoader

log = logging.getLogger(__name__)


def build(db_path: str, profile: str | None, folders: list[str] = (), settings: Settings | None = None,
          ) -> tuple[MainWindow, LibraryController]:
    """The window and its controller over one library; services are created here, once."""
    settings = settings or Settings()
    store = open_library(db_path)
    window = MainWindow()
    thumbnails = images.thumbnail_cache(settings.thumbnail_dir)
    controller = LibraryController(window, store, profile or settings.profile or "default", JobRunner(parent=window),
                                   ThumbnailLoader(thumbnails, parent=window), settings)
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


def _first_run(folders: list[str], settings: Settings, db_path: str | None = None) -> tuple[list[str], Settings]:
    """On the very first start with nothing to open, ask for a name and a folder; a library
    the CLI has already tagged in (``db_path``) becomes hers."""
    if Settings.exists() or folders:
        return folders, settings
    dialog = FirstRunDialog()
    if dialog.exec():
        settings.profile = dialog.name.text().strip() or "default"
        if dialog.chosen_folder():
            folders = [dialog.chosen_folder()]
        if db_path is not None:
            with open_library(db_path) as store:
                identity.name_first_photographer(store, settings.profile)
    settings.save()
    return folders, settings


def run(db_path: str, profile: str | None, folders: list[str] = ()) -> int:
    setup_logging()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("tagassist")
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "tagassist.png")))
    settings = Settings.load()
    apply_theme(settings.theme)
    folders, settings = _first_run(list(folders), settings, db_path)
    window, controller = build(db_path, profile or settings.profile, folders, settings)
    _install_crash_dialog(window)
    controller.prune_thumbnails()
    window.show()
    code = app.exec()
    controller.shutdown()
    return code
