"""Faces on the preview and in the viewer, and naming them by keys (issue 27, 4).

Ctrl+B shows or hides the face boxes: each face's box with her name for it (her keyword's
last level), else the best suggested name with its score ("Anna? 0.91"). Alt+Right and
Alt+Left choose a face of the photo (a click on a box too); with a face chosen, letters typed
go to the face's name field (completion from her vocabulary) and Enter names it, which also
tags the photo; Alt+Enter says the suggested name is right, Alt+Delete that it is not. Every
decision goes through the tagging undo stack (Ctrl+Z). Where faces are off or cannot be found
on this computer, the menu and the status bar say why in one line.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ..services import faces
from ..services.library import Store, open_library
from .face_boxes import FaceMark
from .face_naming import FaceNaming, FaceRejection, NameField, keyword_or_say, leaf, why_no_faces
from .main_window import MainWindow
from .session import OnSession, Session
from .tagging import TaggingController
from .workers import start_in_thread


class _Reader(QObject):
    """A photo's faces and the names to suggest for them, read off the UI thread (fitting her
    named faces takes seconds in a large library; ``FaceReader`` does it again only after a change)."""

    ready = Signal(int, object)  # request number, the faces (services.faces.faces_of's list)
    failed = Signal(int, str)

    def __init__(self, db_path: str, profile_name: str):
        super().__init__()
        self.db_path, self.profile_name = db_path, profile_name
        self.store: Store | None = None
        self.reader: faces.FaceReader | None = None

    @Slot(int, int)
    def read(self, request: int, photo_id: int) -> None:
        try:
            if self.store is None:
                self.store = open_library(self.db_path)
                self.reader = faces.FaceReader(self.store, self.store.profiles.get(self.profile_name))
            photo = self.store.photos.get(photo_id)
            self.ready.emit(request, self.reader.faces_of(photo) if photo is not None else [])
        except Exception as exc:  # noqa: BLE001 - every failure must reach the user
            self.failed.emit(request, f"Reading the faces failed: {exc}")

    @Slot()
    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None


class FacesController(OnSession, QObject):
    _read = Signal(int, int)
    _close = Signal()

    def __init__(self, window: MainWindow, session: Session, tagging: TaggingController, viewing,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.window, self.session, self.tagging, self.viewing = window, session, tagging, viewing
        self.shown = False
        self.photo_id: int | None = None
        self.faces: list[tuple[faces.StoredFace, list[faces.NameSuggestion]]] = []
        self.chosen: int | None = None
        self.requests = 0
        self.loading = False  # a photo's faces are on their way
        self._then: list = []  # what waits for them (a face chosen, the toggle's message)
        self.people = None  # the People view (people.py): Alt+Enter and Alt+Delete are its group's while it is shown
        self._build()
        self._start_reader()
        window.grid.selectionModel().selectionChanged.connect(lambda *_: self.photo_changed())
        window.preview.face_clicked.connect(self.choose)
        viewing.photo_shown.connect(self._viewer_photo)
        tagging.type_into = self._typing_target
        tagging.tags_changed.connect(self._tags_changed)

    # -- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        w = self.window
        photo_menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "&Photo")
        self.menu = photo_menu.addMenu("Faces")
        self.menu.aboutToShow.connect(self._say_why_in_menu)

        def action(text: str, keys: tuple[str, ...], slot) -> QAction:
            item = QAction(text, w)
            item.setShortcuts([QKeySequence(k) for k in keys])
            item.triggered.connect(slot)
            self.menu.addAction(item)
            return item

        self.toggle_action = action("Show face boxes", ("Ctrl+B",), lambda: self.toggle())
        self.toggle_action.setCheckable(True)
        self.next_action = action("Next face", ("Alt+Right",), lambda: self.step(1))
        self.previous_action = action("Previous face", ("Alt+Left",), lambda: self.step(-1))
        self.accept_action = action("The suggested name is right", ("Alt+Return", "Alt+Enter"), self.accept_best)
        self.reject_action = action("The suggested name is wrong (reject it)", ("Alt+Delete",), self.reject_best)
        self.menu.addSeparator()

        self.bar = QWidget()
        self.bar.setObjectName("face-bar")
        layout = QVBoxLayout(self.bar)
        layout.setContentsMargins(0, 0, 0, 0)
        self.info = QLabel()
        self.info.setObjectName("face-info")
        self.info.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Face:"))
        self.field = NameField(w.editor.vocabulary, "face-name",
                               "Choose a face (Alt+Right or a click), type a name, Enter")
        self.field.named.connect(self.name_typed)
        self.field.escaped.connect(self._field_escaped)
        row.addWidget(self.field, 1)
        layout.addWidget(self.info)
        layout.addLayout(row)
        self.bar.setVisible(False)
        right = w.preview.parentWidget().layout()
        right.insertWidget(right.indexOf(w.preview) + 1, self.bar)

    def _start_reader(self) -> None:
        self.reader = _Reader(self.session.db_path, self.profile.name)
        self._read.connect(self.reader.read)
        self._close.connect(self.reader.close)
        self.reader.ready.connect(self._ready)
        self.reader.failed.connect(self._failed)
        self.thread = start_in_thread(self.reader, "faces", self)

    def profile_changed(self) -> None:
        """Another photographer: her names, her reader."""
        self.shutdown()
        self._start_reader()
        self.photo_changed(force=True)

    def shutdown(self) -> None:
        self._close.emit()
        self.thread.quit()
        self.thread.wait(5000)

    def _say_why_in_menu(self) -> None:
        why = why_no_faces(self.store)
        self.toggle_action.setText(f"Show face boxes ({why})" if why else "Show face boxes")
        self.toggle_action.setStatusTip(why or "")

    # -- showing ------------------------------------------------------------------------------
    def toggle(self, on: bool | None = None) -> None:
        self.shown = (not self.shown) if on is None else on
        self.toggle_action.setChecked(self.shown)
        self.chosen = None
        self.photo_changed(force=True)
        if self.shown:
            self._when_read(self._say_count)
        else:
            self.window.show_progress("Face boxes off (Ctrl+B shows them)")

    def _say_count(self) -> None:
        why = why_no_faces(self.store)
        count = len(self.faces)
        said = f"Face boxes on: {count} face{'s' * (count != 1)} on this photo"
        self.window.show_progress(f"{said} ({why})" if why else said)

    def _when_read(self, then) -> None:
        """``then`` once the photo's faces are here (at once when they are)."""
        if self.loading:
            self._then.append(then)
        else:
            then()

    def photo_changed(self, force: bool = False) -> None:
        ids = self.tagging.selected_ids()
        photo_id = ids[0] if ids else None
        if photo_id != self.photo_id or force:
            self.photo_id, self.chosen = photo_id, None
            self.faces = []  # never another photo's boxes while this one's are read
            self.refresh()

    def refresh(self) -> None:
        """Read the photo's faces again (after a decision, off the UI thread), keeping the chosen face."""
        self.requests += 1
        if not self.shown or self.photo_id is None:
            self.faces, self.loading = [], False
            self._draw()
            self._run_waiting()
            return
        self.loading = True
        self._read.emit(self.requests, self.photo_id)
        self._draw()

    def _ready(self, request: int, found: list) -> None:
        if request != self.requests:
            return  # another photo, or a newer decision's read, follows
        chosen_id = self.faces[self.chosen][0].id if self.chosen is not None and self.chosen < len(self.faces) else None
        self.faces, self.loading = found, False
        ids = [face.id for face, _ in self.faces]
        self.chosen = ids.index(chosen_id) if chosen_id in ids else None
        self._draw()
        self._run_waiting()

    def _failed(self, request: int, message: str) -> None:
        if request == self.requests:
            self.loading = False
            self._then.clear()
            self.window.show_progress(message)

    def _run_waiting(self) -> None:
        waiting, self._then = self._then, []
        for then in waiting:
            then()

    def marks(self) -> list[FaceMark]:
        out = []
        for face, suggestions in self.faces:
            box = (face.box.x, face.box.y, face.box.w, face.box.h)
            if face.name:
                out.append(FaceMark(box, leaf(face.name), "named"))
            elif suggestions:
                out.append(FaceMark(box, f"{leaf(suggestions[0].keyword)}? {suggestions[0].score:.2f}", "suggested"))
            else:
                out.append(FaceMark(box, "", "unknown"))
        return out

    def _draw(self) -> None:
        marks = self.marks()
        self.window.preview.set_faces(marks, self.chosen)
        viewer = self.viewing.viewer
        if viewer is not None:
            viewer.label.set_faces(marks if self.viewing.showing == self.photo_id else [], self.chosen)
        self.bar.setVisible(self.shown and bool(self.faces))
        said = self._describe()
        self.info.setText(said)
        bar = getattr(viewer, "face_bar", None)
        if bar is not None:
            bar.setVisible(self.shown and self.chosen is not None and self.viewing.showing == self.photo_id)
            viewer.face_info.setText(said)

    def _describe(self) -> str:
        if not self.faces:
            return ""
        if self.chosen is None:
            count = len(self.faces)
            return (f"<small>{count} face{'s' * (count != 1)}: Alt+Right chooses one (or click it),"
                    " Ctrl+B hides the boxes</small>")
        face, suggestions = self.faces[self.chosen]
        where = f"Face {self.chosen + 1} of {len(self.faces)}"
        if face.name:
            said = f"<b>{html.escape(face.name)}</b> (named). Type another name to rename it, Alt+Delete: not" \
                   f" {html.escape(leaf(face.name))}"
        elif suggestions:
            best = suggestions[0]
            said = (f"<b>{html.escape(leaf(best.keyword))}</b>? {best.score:.2f}: {html.escape(best.reason)}."
                    f" Alt+Enter: it is {html.escape(leaf(best.keyword))}, Alt+Delete: it is not; or type a name")
        else:
            said = "unknown. Type a name and press Enter"
        return f"<small>{where}: {said} (Escape: done)</small>"

    # -- choosing a face ------------------------------------------------------------------------
    def step(self, by: int, viewer=None) -> None:
        """The next (previous) face of the photo; in the viewer, its name field takes the keys."""
        if not self.shown:
            self.toggle(True)
        if self.loading:  # the first Alt+Right turned the boxes on: it chooses once they are here
            self._then.append(lambda: self.step(by, viewer))
            return
        if not self.faces:
            why = why_no_faces(self.store)
            self.window.show_progress(f"No faces on this photo ({why})" if why else "No faces on this photo")
            return
        if self.chosen is None:
            self.chosen = 0 if by > 0 else len(self.faces) - 1
        else:
            self.chosen = (self.chosen + by) % len(self.faces)
        self._draw()
        if viewer is not None:
            viewer.face_field.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def choose(self, number: int) -> None:
        """A click on a face's box: that face, and (on the preview) its name field to type in."""
        if 0 <= number < len(self.faces):
            self.chosen = number
            self._draw()
            if self.sender() is self.window.preview:
                self.field.setFocus(Qt.FocusReason.MouseFocusReason)
            elif self.viewing.viewer is not None and self.sender() is self.viewing.viewer.label:
                self.viewing.viewer.face_field.setFocus(Qt.FocusReason.MouseFocusReason)

    def _typing_target(self) -> QLineEdit | None:
        """Where letters typed on the photos go: the face's name field while a face is chosen."""
        return self.field if self.shown and self.chosen is not None else None

    def _field_escaped(self, grid: bool = True) -> None:
        self.chosen = None
        self._draw()
        if grid:
            self.window.grid.setFocus()

    # -- naming ---------------------------------------------------------------------------------
    def _chosen_face(self) -> tuple[faces.StoredFace, list[faces.NameSuggestion]] | None:
        if self.chosen is None or not 0 <= self.chosen < len(self.faces):
            self.window.show_progress("Choose a face first: Ctrl+B shows the boxes, Alt+Right chooses one")
            return None
        return self.faces[self.chosen]

    def _on_change(self, photo_id: int):
        return lambda: self.tagging.changed([photo_id])  # which comes back to _tags_changed

    def _tags_changed(self, photo_ids: list[int]) -> None:
        if self.shown and (self.photo_id in photo_ids or not photo_ids):  # none named: any photo may have
            self.refresh()  # a face named or a name rejected: its box says so at once

    def name_typed(self, text: str, viewer=None) -> None:
        chosen = self._chosen_face()
        if chosen is None:
            return
        keyword = keyword_or_say(self.window, self.store, self.profile, text)
        if keyword is None:
            return
        self._name(chosen[0], keyword)
        if viewer is not None:  # the next face without a name takes the next name; none left: the viewer's keys
            (viewer.face_field if self.chosen is not None else viewer).setFocus(Qt.FocusReason.OtherFocusReason)
            return
        QTimer.singleShot(0, lambda: self.window.grid.setFocus(Qt.FocusReason.OtherFocusReason))

    def _name(self, face: faces.StoredFace, keyword: str) -> None:
        self.tagging.undo.push(FaceNaming(self.store, self.profile, face, keyword, self._on_change(face.photo_id)))
        self.window.editor.learn([keyword])
        self.window.show_progress(f"This face is {keyword} (the photo has the keyword too; Ctrl+Z undoes)")
        self._next_unnamed(face.id)

    def _next_unnamed(self, after: int) -> None:
        """On to the next face without a name, so the next name typed is for it; none left: done."""
        ids = [face.id for face, _ in self.faces]
        start = ids.index(after) + 1 if after in ids else 0
        order = list(range(start, len(self.faces))) + list(range(0, start))
        self.chosen = next((n for n in order if self.faces[n][0].name is None and ids[n] != after), None)
        self._draw()

    def accept_best(self) -> None:
        if self.people is not None and self.people.open:  # the People view's group
            self.people.accept_best()
            return
        chosen = self._chosen_face()
        if chosen is None:
            return
        face, suggestions = chosen
        if not suggestions:
            self.window.show_progress("No name to suggest for this face: type one" if face.name is None
                                      else f"This face is {face.name} already")
            return
        self._name(face, suggestions[0].keyword)

    def reject_best(self) -> None:
        if self.people is not None and self.people.open:
            self.people.reject_best()
            return
        chosen = self._chosen_face()
        if chosen is None:
            return
        face, suggestions = chosen
        keyword = face.name or (suggestions[0].keyword if suggestions else None)
        if keyword is None:
            self.window.show_progress("No name on this face to reject")
            return
        self.tagging.undo.push(FaceRejection(self.store, self.profile, face, keyword, self._on_change(face.photo_id)))
        self.window.show_progress(f"Not {keyword}: never suggested for this face again (Ctrl+Z undoes)")

    # -- the viewer -----------------------------------------------------------------------------
    def _viewer_photo(self, viewer, photo_id: int) -> None:
        if not getattr(viewer, "face_keys", False):
            viewer.face_keys = True
            for keys, slot in ((("Ctrl+B",), lambda: self.toggle()), (("Alt+Right",), lambda: self.step(1, viewer)),
                               (("Alt+Left",), lambda: self.step(-1, viewer)),
                               (("Alt+Return", "Alt+Enter"), self.accept_best), (("Alt+Delete",), self.reject_best),
                               (("Ctrl+Z",), self.tagging.undo.undo), (("Ctrl+Shift+Z",), self.tagging.undo.redo)):
                for key in keys:
                    QShortcut(QKeySequence(key), viewer, slot)
            viewer.label.face_clicked.connect(self.choose)
            # The chosen face's name, typed in the viewer too.
            viewer.face_bar = QWidget()
            row = QHBoxLayout(viewer.face_bar)
            row.setContentsMargins(6, 2, 6, 4)
            viewer.face_info = QLabel()
            viewer.face_info.setWordWrap(True)
            viewer.face_field = NameField(self.window.editor.vocabulary, "viewer-face-name", "Type a name, Enter")
            viewer.face_field.named.connect(lambda text: self.name_typed(text, viewer))
            viewer.face_field.escaped.connect(lambda: (self._field_escaped(grid=False), viewer.setFocus()))
            row.addWidget(viewer.face_info, 2)
            row.addWidget(viewer.face_field, 1)
            viewer.face_bar.setVisible(False)
            viewer.layout().addWidget(viewer.face_bar)
        if photo_id != self.photo_id:
            self.photo_id, self.chosen = photo_id, None
            self.refresh()
        else:
            self._draw()
