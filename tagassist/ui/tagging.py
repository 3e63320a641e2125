"""Tagging from the keyboard: the right panel for the selection, and every key that tags.

Keyboard rules (as Lightroom's keyword entry): letters typed anywhere in the main window go
to the tag field, so typing "sunset" never fires a shortcut; digits accept (Shift: reject)
the suggestion with that number, and a number keeps meaning the suggestion it showed when
pressed; Enter accepts the top one; Escape leaves the field for the grid.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QPixmap, QUndoStack
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QTextEdit,
    QWidget,
)

from ..records import Photo, check_tag
from ..services.marks import PICKED
from .grid import PhotoGridModel
from .main_window import MainWindow
from .session import OnSession, Session
from .suggestions import SuggestionService, keep_numbers
from .tag_commands import TagChange
from .workers import ThumbnailLoader

# Shift+1..9 on a US keyboard arrive as these characters.
_SHIFTED_DIGITS = "!@#$%^&*("
_TYPING_WIDGETS = (QLineEdit, QAbstractSpinBox, QTextEdit)


class TaggingController(OnSession, QObject):
    tags_changed = Signal(list)  # the ids of the photos whose tags changed

    def __init__(self, window: MainWindow, session: Session, model: PhotoGridModel, loader: ThumbnailLoader,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.window, self.session, self.model, self.loader = window, session, model, loader
        self.undo = QUndoStack(self)
        self.preview_key: str | None = None
        self.shown_for: tuple[int, ...] = ()  # the selection the suggestion list belongs to
        self.empty_note = "No photos here."
        self._marks: dict[str, str] = {}
        # Where letters typed on the photos go instead of the tag field (a chosen face's name
        # field, faces.py), and widgets whose keys are their own (the People view, people.py).
        self.type_into: Callable[[], QLineEdit | None] = lambda: None
        self.keys_kept_by: list[QWidget] = []
        self._start_suggestions()
        loader.loaded.connect(self._preview_loaded)
        self._wire()

    def _start_suggestions(self) -> None:
        """A suggestion service for the current profile (one per profile, in its own thread)."""
        self.suggestions = SuggestionService(self.session.db_path, self.profile.name, self)
        self.suggestions.ready.connect(self._suggestions_ready)
        self.suggestions.failed.connect(self.window.editor.status.setText)

    def profile_changed(self) -> None:
        self.undo.clear()
        self.suggestions.shutdown()
        self._start_suggestions()
        self.shown_for = ()

    def _wire(self) -> None:
        w = self.window
        w.grid.selectionModel().selectionChanged.connect(lambda *_: self.show_selection())
        w.editor.accept_requested.connect(self.accept)
        w.editor.reject_requested.connect(self.reject)
        w.editor.remove_requested.connect(self.remove)
        w.editor.tag_typed.connect(self.type_tag)
        w.accept_top_action.triggered.connect(lambda: self.accept(0))
        w.type_tag_action.triggered.connect(self.focus_tag_field)
        w.undo_action.triggered.connect(self.undo.undo)
        w.redo_action.triggered.connect(self.undo.redo)
        self.undo.canUndoChanged.connect(w.undo_action.setEnabled)
        self.undo.canRedoChanged.connect(w.redo_action.setEnabled)
        w.undo_action.setEnabled(False)
        w.redo_action.setEnabled(False)
        QApplication.instance().installEventFilter(self)

    def close(self) -> None:
        QApplication.instance().removeEventFilter(self)
        self.suggestions.shutdown()

    # -- keys --------------------------------------------------------------------------
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        # Only the first receiver (the focus widget) decides: a key the tag field ignores,
        # such as its Enter, then travels to its parents and must not accept a suggestion.
        if event.type() != QEvent.Type.KeyPress or obj is not QApplication.focusWidget():
            return False
        if obj.window() is not self.window:
            return False  # dialogs, the viewer and the completer's popup keep their keys
        if any(widget is obj or widget.isAncestorOf(obj) for widget in self.keys_kept_by):
            return False
        if event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and obj in (self.window.grid, self.window.editor.field):
            # Tab goes back and forth between the photos and the tag field, nowhere else
            (self.window.editor.field if obj is self.window.grid else self.window.grid).setFocus(
                Qt.FocusReason.TabFocusReason)
            return True
        if isinstance(obj, _TYPING_WIDGETS) or (isinstance(obj, QComboBox) and obj.isEditable()):
            return self._typing_key(obj, event)
        return self._command_key(obj, event)

    def _typing_key(self, widget, event: QKeyEvent) -> bool:
        field = self.window.editor.field
        if widget is field and event.key() == Qt.Key.Key_Escape:
            if field.text():
                field.clear()
            else:
                self.window.grid.setFocus()
            return True
        return False

    def _command_key(self, widget, event: QKeyEvent) -> bool:
        modifiers = event.modifiers() & ~(Qt.KeyboardModifier.KeypadModifier | Qt.KeyboardModifier.ShiftModifier)
        if modifiers:  # Ctrl, Alt, Meta: shortcuts, not tagging
            return False
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if isinstance(widget, (QAbstractButton, QComboBox)):
                return False  # Enter presses the button
            self.accept(0)
            return True
        number = self._number_key(event)
        if number is not None:
            shifted = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier) or event.text() in _SHIFTED_DIGITS
            (self.reject if shifted else self.accept)(number - 1)
            return True
        text = event.text()
        if text and text.isprintable() and not text.isspace():
            # The letter starts a tag (or a chosen face's name): it goes to the field, with completion.
            field = self.type_into() or self.window.editor.field
            field.setFocus(Qt.FocusReason.ShortcutFocusReason)
            QApplication.sendEvent(field, QKeyEvent(event.type(), event.key(), event.modifiers(), text))
            return True
        return False

    @staticmethod
    def _number_key(event: QKeyEvent) -> int | None:
        if Qt.Key.Key_1 <= event.key() <= Qt.Key.Key_9:
            return event.key() - Qt.Key.Key_0
        if event.text() and event.text() in _SHIFTED_DIGITS:
            return _SHIFTED_DIGITS.index(event.text()) + 1
        return None

    def focus_tag_field(self) -> None:
        self.window.editor.field.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- the selection -----------------------------------------------------------------
    def selected_ids(self) -> list[int]:
        indexes = self.window.grid.selectionModel().selectedIndexes()
        positions = sorted(p for p in map(self.model.position, indexes) if p is not None)
        return [self.model.photos[p].id for p in positions]

    def selected_photos(self) -> list[Photo]:
        """Full records of the selection (the grid holds lean rows only)."""
        return [photo for photo in map(self.store.photos.get, self.selected_ids()) if photo is not None]

    def show_selection(self) -> None:
        ids = tuple(self.selected_ids())
        editor = self.window.editor
        first = self.store.photos.get(ids[0]) if ids else None
        if first is None:
            self.shown_for = ()
            self.suggestions.cancel()  # a list still on its way was for photos no longer selected
            editor.show_tags([])
            editor.show_suggestions([], 0, note=self.empty_note if not self.model.photos else "")
            self.window.exif.setText("")
            self.window.preview.clear()
            return
        self.preview_key = first.content_hash
        self.loader.request(("preview", first.content_hash), first.pixels_path, first.content_hash, first.orientation)
        self.window.exif.setText(exif_text(first) if len(ids) == 1 else f"{len(ids)} photos selected")
        tags, rejected = self.store.history.selection_tags(self.profile, ids)  # bulk: a 5,000-photo selection too
        editor.show_tags([(t, tags[t][0], tags[t][1]) for t in sorted(tags)], len(ids))
        marks = {t: "accepted" for t, (_, n) in tags.items() if n == len(ids)}
        marks.update({t: "rejected" for t, n in rejected.items() if n == len(ids)})
        if ids == self.shown_for:  # the same photos: the list stays, its marks follow the tags now
            if editor.suggestions:
                editor.show_suggestions(editor.suggestions, len(ids), marks)
        else:  # other photos: nothing a number key could pick until their own list arrives
            self.shown_for = ids
            editor.show_suggestions([], len(ids), note="Finding suggestions\u2026")
        self._marks = marks
        self.suggestions.request(list(ids), self.session.settings.suggestion_count)

    def _suggestions_ready(self, request: int, suggestions: list) -> None:
        if request != self.suggestions.last_request:
            return  # a newer request is on its way
        editor = self.window.editor
        shown = [s for s in suggestions if s.score >= self.session.settings.confidence_threshold]
        if any(s.tag in self._marks for s in editor.suggestions):
            # the photographer has acted on this list: every number keeps its suggestion
            shown = keep_numbers(editor.suggestions, shown, self.session.settings.suggestion_count)
        editor.show_suggestions(shown, len(self.shown_for), self._marks)

    def _preview_loaded(self, key, image) -> None:
        if not (isinstance(key, tuple) and key == ("preview", self.preview_key)):
            return
        if image.isNull():  # no pixels (a RAW without a preview, a broken file): never the last photo's
            self.window.preview.clear()
            self.window.preview.setText("No picture to show for this photo")
            return
        self.window.preview.setPixmap(QPixmap.fromImage(image).scaled(
            380, 260, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))

    # -- tagging -----------------------------------------------------------------------
    def _apply(self, **change) -> None:
        ids = self.selected_ids()
        if not ids:
            self.window.show_progress("Select a photo first")
            return
        self.undo.push(TagChange(self.store, self.profile, ids, on_change=lambda: self._changed(ids), **change))
        self.window.editor.learn(list(change.get("add", ())))

    def accept(self, index: int) -> None:
        editor = self.window.editor
        if 0 <= index < len(editor.suggestions):
            suggestion = editor.suggestions[index]
            if editor.marks.get(suggestion.tag) == "accepted":
                self.window.show_progress(f"{suggestion.tag} is already on the selected photos")
                return
            self._apply(add=[suggestion.tag], source="accepted", score=suggestion.score,
                        model_version=self._model_version())

    def reject(self, index: int) -> None:
        editor = self.window.editor
        if 0 <= index < len(editor.suggestions):
            suggestion = editor.suggestions[index]
            if editor.marks.get(suggestion.tag) != "rejected":
                self._apply(reject=[suggestion.tag], score=suggestion.score, model_version=self._model_version())

    def remove(self, tag: str) -> None:
        self._apply(remove=[tag])

    def type_tag(self, tag: str) -> None:
        try:
            check_tag(tag)
        except ValueError as exc:
            self.window.show_progress(str(exc))
            return
        self._apply(add=[tag], source="typed")
        # Back to the grid, so digits pick suggestions again (letters still reach the field).
        # After the completer's popup has closed: closing it gives the focus back to the field.
        completer = self.window.editor.field.completer()
        if completer is not None:
            completer.popup().hide()
        QTimer.singleShot(0, lambda: self.window.grid.setFocus(Qt.FocusReason.OtherFocusReason))

    def _model_version(self) -> str | None:
        """The active model's version, recorded with an accept or reject (the trainer learns
        from which model's suggestions they were)."""
        return self.store.models.active_version(self.profile)

    def changed(self, photo_ids: list[int]) -> None:
        """Tags changed on these photos elsewhere (a review's decision): the grid, the panel
        and the suggestions follow, as after a key here."""
        self._changed(photo_ids)

    def _changed(self, photo_ids: list[int]) -> None:
        for photo_id, count in self.store.history.tag_counts(self.profile, photo_ids).items():
            self.model.set_tag_count(photo_id, count)
        self.suggestions.refresh(photo_ids)  # their history changed: updated in place
        self.show_selection()
        self.tags_changed.emit(photo_ids)


def exif_text(photo: Photo) -> str:
    """The right panel's lines about one photo (rich text, every name escaped)."""
    name = html.escape(os.path.basename(photo.path))
    if photo.companion:
        name += f" + {html.escape(os.path.splitext(os.path.basename(photo.companion))[1].lstrip('.').upper())}"
    lines = [f"<b>{name}</b>"]
    if photo.taken_at:
        lines.append(photo.taken_at.replace("T", " "))
    camera = photo.camera
    if camera or photo.lens:
        lines.append(html.escape(" \u00b7 ".join(filter(None, [camera, photo.lens]))))
    focal = photo.focal_length
    exposure = [(f"{focal:.0f} mm" if focal >= 10 else f"{focal:.1f} mm") if focal else None,
                f"f/{photo.f_number:g}" if photo.f_number else None,
                f"{photo.exposure_time} s" if photo.exposure_time else None,
                f"ISO {photo.iso}" if photo.iso else None]
    if any(exposure):
        lines.append(" \u00b7 ".join(filter(None, exposure)))
    if photo.gps_lat is not None:
        lines.append(f"GPS {photo.gps_lat:.5f}, {photo.gps_lon:.5f}")
    marks = ["rejected" if photo.rating == -1 else "\u2605" * photo.rating + "\u2606" * (5 - photo.rating)
             if photo.rating else None, f"{html.escape(photo.label)} label" if photo.label else None,
             "picked" if photo.pick == PICKED and photo.rating != -1 else None]
    if any(marks):
        lines.append(" \u00b7 ".join(filter(None, marks)))
    if photo.status != "ok":
        lines.append(f"<i>{photo.status}: {photo.error}</i>")
    return "<br>".join(lines)
