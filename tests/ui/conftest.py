"""The desktop app on a copy of the indexed sample library, and helpers that drive it."""

import shutil

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QApplication, QMessageBox

from tagassist.store import Store


def open_app(qtbot, db, monkeypatch):
    """The app's window on ``db``, shown, and the texts of the message boxes it will show
    (answered at once, not shown)."""
    from tagassist.ui.app import build

    dialogs = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: dialogs.append(args[2]))
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: dialogs.append(args[2]))
    window, controller = build(str(db), None)
    qtbot.addWidget(window)
    window.show()
    return window, controller, dialogs


@pytest.fixture
def app(qtbot, indexed_sample, tmp_path, monkeypatch):
    db = tmp_path / "lib.sqlite"
    shutil.copy(indexed_sample, db)
    window, controller, dialogs = open_app(qtbot, db, monkeypatch)
    window.activateWindow()  # keys go to the focus widget of the active window, as on a desktop
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.waitUntil(lambda: len(controller.model.photos) == 37, timeout=10000)
    controller.dialogs = dialogs
    yield window, controller, Store(db)
    controller.shutdown()


def select(qtbot, window, controller, *names):
    """Select the named photos as a click and Ctrl+clicks do: the first becomes the current one."""
    selection = window.grid.selectionModel()
    selection.clearSelection()
    for number, name in enumerate(names):
        position = next(r for r, p in enumerate(controller.model.photos) if p.path.endswith(name))
        flag = QItemSelectionModel.SelectionFlag
        selection.setCurrentIndex(controller.model.index_of(position),
                                  flag.ClearAndSelect if number == 0 else flag.Select)
    window.grid.setFocus()
    qtbot.waitUntil(lambda: bool(window.editor.suggestions), timeout=10000)


def show_sample_copy(qtbot, controller, store, sample_copy):
    """The app on ``sample_copy``, a copy of the sample library the test may write into,
    scanned into the app's library."""
    from tagassist.services.scanning import Scanner

    Scanner(store, store.profiles.get()).run([sample_copy])
    controller.view = {"folder": str(sample_copy)}
    controller.reload()
    qtbot.waitUntil(lambda: len(controller.model.photos) == 37
                    and controller.model.photos[0].path.startswith(str(sample_copy)), timeout=10000)


def tags_of(store, name):
    photo = next(p for p, _ in store.photos.list_photos(store.profiles.get()) if p.path.endswith(name))
    return {a.tag: a.source for a in store.history.photo_tags(store.profiles.get(), photo.id)}, photo


def _key_target(qtbot):
    """Where the window system sends a key now: an open popup, else the focus widget."""
    return QApplication.activePopupWidget() or QApplication.focusWidget()


def press(qtbot, key, modifier=None):
    """One key press where a real one goes."""
    from PySide6.QtCore import Qt

    qtbot.keyClick(_key_target(qtbot), key, modifier or Qt.KeyboardModifier.NoModifier)
    qtbot.wait(1)  # what the key started in the event loop (a focus change) happens before the next


def type_text(qtbot, text):
    """Typing, one character at a time, each where the window system would send it."""
    for char in text:
        qtbot.keyClicks(_key_target(qtbot), char)


def shortcuts_shown(qtbot, controller) -> str:
    """F1's list of keys as it shows it, closed again with Escape (back to where the keys were)."""
    from PySide6.QtCore import Qt

    press(qtbot, Qt.Key.Key_F1)
    dialog = controller.shortcuts_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    text = dialog.view.toPlainText()
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    return text
