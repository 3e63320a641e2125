"""Ratings, colour labels and the pick and reject flags by keys (Photo › Rating and label):
Ctrl+0-5, Ctrl+6-9, Ctrl+X, Ctrl+P and Ctrl+U on the selected photos, one undo step each
(services/marks.py)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ..services.marks import NO_PICK, PICKED, REJECTED
from .main_window import MainWindow
from .session import Session
from .tag_commands import MarkChange
from .tagging import TaggingController


class MarkingController(QObject):
    changed = Signal(list)  # the ids of the photos whose rating, label or flag changed

    def __init__(self, window: MainWindow, session: Session, tagging: TaggingController, parent: QObject | None = None):
        super().__init__(parent)
        self.window, self.session, self.tagging = window, session, tagging
        for stars, action in enumerate(window.rating_actions):
            action.triggered.connect(lambda _=False, n=stars: self.mark(rating=n))
        window.reject_action.triggered.connect(lambda: self.mark(rating=REJECTED))
        window.pick_action.triggered.connect(lambda: self.mark(pick=PICKED))
        window.unflag_action.triggered.connect(lambda: self.mark(pick=NO_PICK))
        for label, action in window.label_actions.items():
            action.triggered.connect(lambda _=False, name=label: self.mark(label=name))

    def mark(self, **change) -> None:
        ids = self.tagging.selected_ids()
        if not ids:
            self.window.show_progress("Select a photo first")
            return
        command = MarkChange(self.session.store, ids, on_change=lambda: self._changed(ids), **change)
        self.tagging.undo.push(command)  # the same undo as the tags: Ctrl+Z takes back the last key
        self.window.show_progress(command.text())

    def _changed(self, photo_ids: list[int]) -> None:
        self.tagging.show_selection()  # the panel's stars and label
        self.changed.emit(photo_ids)
