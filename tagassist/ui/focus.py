"""No focus dead ends: wherever the keys leave the focus, the next key still works without a
click. The search box and the sidebar give the photos their keys back on Escape (Enter in
the search box too; in the sidebar it filters), Tab with the
completion open goes to the photos (the completer would hand it to the field, whose Tab
moves on to the Photographer box), and the window takes the keys back when a dialog closes
(a desktop without a window manager, and some with one, leave no window active)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from .main_window import MainWindow


class FocusKeeper(QObject):
    def __init__(self, window: MainWindow, parent: QObject | None = None):
        super().__init__(parent)
        self.window = window
        window.search.returnPressed.connect(self._to_photos)  # the search runs; arrows move in what it found
        QApplication.instance().installEventFilter(self)

    def close(self) -> None:
        QApplication.instance().removeEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind == QEvent.Type.Hide and isinstance(obj, QDialog) and obj.parentWidget() is not None \
                and obj.parentWidget().window() is self.window:
            QTimer.singleShot(0, self._back_to_window)  # after the dialog has gone
            return False
        if kind != QEvent.Type.KeyPress:
            return False
        key = event.key()
        completer = self.window.editor.field.completer()
        if completer is not None and obj is completer.popup() and key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            completer.popup().hide()
            self._to_photos()
            return True
        if obj is self.window.search and obj is QApplication.focusWidget() and key == Qt.Key.Key_Escape:
            self._to_photos()  # the filter stays; Space now opens the viewer instead of typing a space
            return True
        if obj is self.window.sidebar and obj is QApplication.focusWidget() and obj.state() != obj.State.EditingState:
            if key == Qt.Key.Key_Escape:
                self._to_photos()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and obj.currentItem() is not None:
                obj.itemActivated.emit(obj.currentItem(), 0)  # its filter; not the top suggestion
                return True
        return False

    def _to_photos(self) -> None:
        self.window.grid.setFocus(Qt.FocusReason.OtherFocusReason)

    def _back_to_window(self) -> None:
        if QApplication.activeModalWidget() is not None or QApplication.activePopupWidget() is not None:
            return  # another dialog is open: it keeps the keys
        self.window.activateWindow()
        if self.window.focusWidget() is None:
            self._to_photos()
