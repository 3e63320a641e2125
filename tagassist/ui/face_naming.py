"""Naming a face by keys, shared by the faces on the preview and the People view: the name
typed (completed from her vocabulary) becomes her keyword, and each decision is an undoable
command on the tagging undo stack."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QCompleter, QLineEdit

from ..records import HIERARCHY_SEPARATOR, check_tag
from ..services import faces
from ..services.library import Store
from ..services.tagging import restore
from .tag_commands import TagChange


def leaf(keyword: str) -> str:
    return keyword.rsplit(HIERARCHY_SEPARATOR, 1)[-1].strip()


def why_no_faces(store: Store) -> str | None:
    """Why no faces are found in this library on this computer (one line), or None."""
    if not faces.faces_on(store):
        return "faces are off: the library's 'faces' option (File \u203a Settings)"
    return faces.faces_unavailable()


def typed_keyword(store: Store, profile, text: str) -> str:
    """Her keyword for a name typed on a face: as typed with a hierarchy, else her own keyword
    with that last level, else the name written the way she writes people."""
    text = text.strip()
    keyword = text if HIERARCHY_SEPARATOR in text else faces.keyword_for_name(store, profile, text)
    check_tag(keyword)
    return keyword


def keyword_or_say(window, store: Store, profile, text: str) -> str | None:
    """``typed_keyword``, or None with the reason in the window's status bar."""
    try:
        return typed_keyword(store, profile, text)
    except ValueError as exc:
        window.show_progress(str(exc))
        return None


class FaceNaming(TagChange):
    """A face named: the face is hers to call ``keyword`` and its photo carries it; undo puts
    back the photo's keyword and the face's earlier name and rejections."""

    def __init__(self, store: Store, profile, face: faces.StoredFace, keyword: str, on_change):
        replaced = faces.replaced_name(store, profile, face, keyword)  # leaves the photo with the old name
        super().__init__(store, profile, [face.photo_id], add=[keyword], remove=[replaced] if replaced else [],
                         source="typed", on_change=on_change)
        self.setText(f"Name a face {keyword}")
        self.face, self.keyword = face, keyword

    def redo(self) -> None:
        faces.name_face(self.store, self.profile, self.face.id, self.keyword)
        self.on_change()

    def undo(self) -> None:
        with self.store.transaction():
            restore(self.store, self.profile, self.before)
            faces.restore_face(self.store, self.profile, self.face)
        self.on_change()


class FaceRejection(QUndoCommand):
    """Not this name for this face: never suggested for it again (undo takes that back)."""

    def __init__(self, store: Store, profile, face: faces.StoredFace, keyword: str, on_change):
        super().__init__(f"Not {keyword} on a face")
        self.store, self.profile, self.face, self.keyword, self.on_change = store, profile, face, keyword, on_change

    @property
    def names(self) -> list[str]:
        return [self.keyword]

    def redo(self) -> None:
        faces.reject_name(self.store, self.profile, self.face.id, self.keyword)
        self.on_change()

    def undo(self) -> None:
        faces.restore_face(self.store, self.profile, self.face)
        self.on_change()


class NameField(QLineEdit):
    """A name typed with completion from her vocabulary; Escape empties it, then leaves it."""

    named = Signal(str)
    escaped = Signal()

    def __init__(self, vocabulary, object_name: str, placeholder: str):
        super().__init__()
        self.setObjectName(object_name)
        self.setPlaceholderText(placeholder)
        completer = QCompleter(vocabulary, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompleter(completer)
        self.returnPressed.connect(self._typed)
        completer.activated[str].connect(self._picked)
        self._just_typed = ""

    def _typed(self) -> None:
        text = self.text().strip()
        self._just_typed = text
        self.clear()
        self.completer().popup().hide()
        if text:
            self.named.emit(text)

    def _picked(self, text: str) -> None:
        if text.strip() and text.strip() != self._just_typed:  # a click: Enter has named it already
            self.named.emit(text.strip())
        self._just_typed = ""
        QTimer.singleShot(0, self.clear)

    def keyPressEvent(self, event):  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Escape:
            if self.text():
                self.clear()
            else:
                self.escaped.emit()
            event.accept()
            return
        super().keyPressEvent(event)
