"""The People view (issue 27, 4): Ctrl+Shift+P turns the grid into her people, each with how
many faces she named so and a few of them, then the faces nobody named yet grouped by look,
biggest group first, each a row of face crops.

Keys: Up and Down choose a row; typing a name (completion from her vocabulary) and Enter names
every face of a group (one undo step, each photo tagged too) or renames a person; Enter on a
person shows her photos of them; Ctrl+M merges the chosen person into the one typed next;
Delete forgets a person (after a confirmation: the face data goes, the keyword stays); Escape
goes back to the photos. Grouping the faces and cutting the crops runs off the UI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QImage, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QListWidgetItem,
    QMessageBox,
)

from ..services import faces
from .face_naming import FaceNaming, FaceRejection, keyword_or_say, leaf
from .main_window import MainWindow
from .people_page import PeopleView, people_page, strip
from .session import OnSession, Session
from .tagging import TaggingController
from .workers import Job, JobRunner


class PeopleController(OnSession, QObject):
    def __init__(self, window: MainWindow, session: Session, tagging: TaggingController, runner: JobRunner,
                 menu, show_keyword, parent: QObject | None = None):
        super().__init__(parent)
        self.window, self.session, self.tagging, self.runner = window, session, tagging, runner
        self.show_keyword = show_keyword  # shows her photos with a keyword in the grid
        self.requests = 0
        self.mode = "name"  # what Enter in the name field does: 'name' or 'merge'
        self.page: dict | None = None
        self.expanded: set[frozenset[int]] = set()  # the groups split open, by their faces
        self.crops: dict[int, tuple] = {}  # face id -> (its box, its crop), kept from one page to the next
        self._job: Job | None = None
        self._changed: set[int] = set()
        self.view = PeopleView(window.editor.vocabulary)
        self.view.setVisible(False)
        window.grid.parentWidget().layout().addWidget(self.view, 1)
        tagging.keys_kept_by.append(self.view)
        self.view.list.installEventFilter(self)
        self.view.list.currentRowChanged.connect(lambda _: self._set_mode("name"))  # the prompt follows the row
        self.view.field.named.connect(self.name_typed)
        self.view.field.escaped.connect(self._field_escaped)
        self.action = QAction("People\u2026", window)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.action.triggered.connect(self.toggle)
        menu.addAction(self.action)
        # Photos chosen another way (a filter, a search) are shown in the grid: the view gives it its place back.
        window.sidebar.itemClicked.connect(self._photos_asked)
        window.sidebar.itemActivated.connect(self._photos_asked)
        window.search.textEdited.connect(self._photos_asked)

    def _photos_asked(self, *_) -> None:
        if self.open:
            self.view.setVisible(False)
            self.window.grid.setVisible(True)

    # -- showing --------------------------------------------------------------------------
    @property
    def open(self) -> bool:
        return self.view.isVisible()

    def toggle(self) -> None:
        (self.close if self.open else self.show)()

    def show(self) -> None:
        w = self.window
        w.grid.setVisible(False)
        w.empty_hint.setVisible(False)
        self.view.setVisible(True)
        self.view.header.setText("<b>People</b>: finding them\u2026")
        self.view.list.setFocus()
        self.load()

    def close(self) -> None:
        self.view.setVisible(False)
        self.window.grid.setVisible(True)
        self.window.grid.setFocus()

    def load(self) -> None:
        self.requests += 1
        if self._job is not None:
            self._job.cancel()  # its rows are old: the crops it would still cut are in vain
        job = Job("Finding people", people_page, self.session.db_path, self.profile.name,
                  frozenset((face_id, box) for face_id, (box, _) in self.crops.items()))
        job.signals.request = self.requests
        job.signals.progress.connect(self._step)
        job.signals.error.connect(self._failed)
        self._job = job
        self.runner.start(job)

    def _step(self, step: dict) -> None:
        if self.sender().request != self.requests:
            return  # a newer page follows
        if step["stage"] == "rows":
            self._loaded(step)
            return
        self.crops.update({face_id: (box, image) for (face_id, box), image in step["crops"].items()})
        self._update_icons()

    def _crop_of(self, face) -> QImage | None:
        known = self.crops.get(face.id)
        return known[1] if known is not None and known[0] == face.box else None

    def _icon_faces(self, row) -> list:
        return row[3] if row[0] == "person" else row[1]

    def _update_icons(self) -> None:
        lst = self.view.list
        for i in range(lst.count()):
            item = lst.item(i)
            faces_ = self._icon_faces(item.data(Qt.ItemDataRole.UserRole))
            images_ = [c for c in map(self._crop_of, faces_) if c is not None]
            if images_:
                item.setIcon(strip(images_))

    def _failed(self, message: str) -> None:
        self.view.header.setText(f"<b>People</b>: {message}")

    def _loaded(self, page: dict) -> None:
        if page["profile"] != self.profile.name:
            return  # read for the photographer before a switch
        self.page = page
        # A group split open stays open where its faces still make a group.
        self.expanded = {frozenset(f.id for f in group) for group in page["groups"]
                         if any(frozenset(f.id for f in group) & opened for opened in self.expanded)}
        self._fill(self.view.list.currentRow())
        note = f" <i>({page['note']})</i>" if page["note"] else ""
        self.view.header.setText(
            f"<b>People</b>: {len(page['people'])} named, {len(page['groups'])} unnamed group(s) of faces{note}<br>"
            "<small>Type a name + Enter: name the group (or rename the person) \u00b7 Alt+Enter: the name"
            " suggested for the group, Alt+Delete: not that name \u00b7 Enter on a person: their"
            " photos \u00b7 Right: a group's faces one by one, to name them apart (Left: together again)"
            " \u00b7 Ctrl+M: merge into another person \u00b7 Delete: forget a person \u00b7 Ctrl+Z: undo"
            " \u00b7 Escape: back to the photos</small>")
        self._set_mode("name")

    def _fill(self, keep: int) -> None:
        """The rows: her people, then the groups, a split one followed by its faces."""
        page, lst = self.page, self.view.list
        lst.blockSignals(True)  # the prompt is set once, for the row chosen at the end
        lst.clear()
        for keyword, count, photos, shown in page["people"]:
            item = QListWidgetItem(f"{leaf(keyword)}   \u00b7 {keyword} \u00b7 {count} face{'s' * (count != 1)}"
                                   f" on {photos} photo{'s' * (photos != 1)}")
            item.setData(Qt.ItemDataRole.UserRole, ("person", keyword, count, shown))
            lst.addItem(item)
        for number, (group, suggestion) in enumerate(zip(page["groups"], page["suggested"]), 1):
            key = frozenset(f.id for f in group)
            split = key in self.expanded
            guess = f"   \u00b7 {leaf(suggestion.keyword)}? {suggestion.score:.2f}" if suggestion else ""
            item = QListWidgetItem(f"Unknown {number}{guess}   \u00b7 {len(group)} face{'s' * (len(group) != 1)}"
                                   f" on {len({f.photo_id for f in group})} photo(s)"
                                   + ("   \u25be" if split else "   \u25b8" if len(group) > 1 else ""))
            if suggestion:
                item.setToolTip(f"{suggestion.reason}: Alt+Enter names them {suggestion.keyword}, Alt+Delete: not"
                                f" {leaf(suggestion.keyword)}")
            item.setData(Qt.ItemDataRole.UserRole, ("group", group, key, suggestion))
            lst.addItem(item)
            if split:
                for face in group:
                    row = QListWidgetItem(f"        a face on {page['names'].get(face.photo_id, '')}")
                    row.setData(Qt.ItemDataRole.UserRole, ("face", [face], key))
                    lst.addItem(row)
        self._update_icons()
        lst.blockSignals(False)
        if lst.count():
            lst.setCurrentRow(min(max(keep, 0), lst.count() - 1))
        self._set_mode("name")

    def split(self, row, open_: bool) -> None:
        """Right: a group's faces one by one (each can be named apart); Left: together again."""
        if row is None or row[0] not in ("group", "face") or (open_ and len(row[1]) < 2 and row[0] == "group"):
            return
        key = row[2]
        if open_:
            self.expanded.add(key)
        else:
            self.expanded.discard(key)
        self._fill(self.view.list.currentRow())
        lst = self.view.list
        group_row = next(i for i in range(lst.count()) if lst.item(i).data(Qt.ItemDataRole.UserRole)[0] == "group"
                         and lst.item(i).data(Qt.ItemDataRole.UserRole)[2] == key)
        lst.setCurrentRow(group_row + 1 if open_ else group_row)

    # -- keys -----------------------------------------------------------------------------
    def current(self):
        item = self.view.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if obj is not self.view.list or event.type() != QEvent.Type.KeyPress:
            return False
        key, modifiers = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        row = self.current()
        if key == Qt.Key.Key_Escape:
            self.close()
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not modifiers and row is not None:
            if row[0] == "person":
                self.close()
                self.show_keyword(row[1])
            else:
                self._set_mode("name")
                self.view.field.setFocus()
            return True
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Left) and not modifiers and row is not None:
            self.split(row, key == Qt.Key.Key_Right)
            return True
        if key == Qt.Key.Key_Delete and row is not None:
            self.forget(row)
            return True
        if key == Qt.Key.Key_M and modifiers == Qt.KeyboardModifier.ControlModifier:
            if row is None or row[0] != "person":
                self.window.show_progress("Choose a named person to merge (Up and Down)")
            else:
                self._set_mode("merge")
                self.view.field.setFocus()
            return True
        text = event.text()
        if text and text.isprintable() and not text.isspace() and not modifiers & ~Qt.KeyboardModifier.ShiftModifier:
            self._set_mode("name")
            self.view.field.setFocus()
            QApplication.sendEvent(self.view.field, QKeyEvent(event.type(), event.key(), event.modifiers(), text))
            return True
        return False

    def _set_mode(self, mode: str) -> None:
        self.mode = mode
        row = self.current()
        if mode == "merge" and row is not None:
            self.view.prompt.setText(f"Merge {leaf(row[1])} into:")
        elif row is not None and row[0] == "person":
            self.view.prompt.setText(f"Rename {leaf(row[1])}:")
        elif row is not None and row[0] == "face":
            self.view.prompt.setText("Name this face:")
        else:
            self.view.prompt.setText("Name this group:")

    def _field_escaped(self) -> None:
        self._set_mode("name")
        self.view.list.setFocus()

    # -- decisions --------------------------------------------------------------------------
    def name_typed(self, text: str) -> None:
        row = self.current()
        if row is None:
            return
        keyword = keyword_or_say(self.window, self.store, self.profile, text)
        if keyword is None:
            return
        if row[0] in ("group", "face"):
            self._name_group(row[1], keyword)
        elif keyword != row[1]:
            try:
                moved = faces.merge_people(self.store, self.profile, row[1], keyword)
            except (LookupError, ValueError) as exc:
                self.window.show_progress(str(exc))
                return
            self.window.show_progress(f"{moved} faces of {row[1]} are {keyword} now")
            self.tagging.suggestions.refresh()  # her history may have changed with the people
            self.tagging.show_selection()
            self.tagging.tags_changed.emit([])  # the keyword tree counts again
            self.load()
        self._set_mode("name")
        QTimer.singleShot(0, self.view.list.setFocus)

    def _name_group(self, group: list, keyword: str) -> None:
        # The faces as they are now, not as the page read them: a group named a moment ago is
        # renamed, its old keyword taken off the photos (and put back by undo).
        group = [f for f in (self.store.faces.face(self.profile, face.id) for face in group) if f is not None]
        undo = self.tagging.undo
        undo.beginMacro(f"Name {len(group)} faces {keyword}")
        for face in group:
            undo.push(FaceNaming(self.store, self.profile, face, keyword,
                                 lambda photo_id=face.photo_id: self._photo_changed(photo_id)))
        undo.endMacro()
        lst = self.view.list
        if lst.currentRow() >= 0:  # the group is named: its row goes now, not when the page is read again
            lst.takeItem(lst.currentRow())
        self.window.editor.learn([keyword])
        self.window.show_progress(f"{len(group)} face{'s are' if len(group) != 1 else ' is'} {keyword}, and"
                                  " the photos have the keyword (Ctrl+Z undoes)")

    def _suggested(self):
        row = self.current()
        if row is None or row[0] != "group" or row[3] is None:
            self.window.show_progress("No name suggested here: choose a group with a name and a score, or type one")
            return None
        return row

    def accept_best(self) -> None:
        """Alt+Enter: the group's suggested name is right, for every face of it."""
        row = self._suggested()
        if row is not None:
            self._name_group(row[1], row[3].keyword)

    def reject_best(self) -> None:
        """Alt+Delete: the group's suggested name is wrong, for every face of it (never suggested for them again)."""
        row = self._suggested()
        if row is None:
            return
        keyword, undo = row[3].keyword, self.tagging.undo
        undo.beginMacro(f"Not {keyword} on {len(row[1])} faces")
        for face in row[1]:
            undo.push(FaceRejection(self.store, self.profile, face, keyword,
                                    lambda photo_id=face.photo_id: self._photo_changed(photo_id)))
        undo.endMacro()
        self.window.show_progress(f"Not {keyword}: never suggested for these {len(row[1])} faces again"
                                  " (Ctrl+Z undoes)")

    def _photo_changed(self, photo_id: int) -> None:
        """A face decision changed this photo (done, undone): the grid and the view follow once."""
        if not self._changed:
            QTimer.singleShot(0, self._flush)
        self._changed.add(photo_id)

    def _flush(self) -> None:
        changed, self._changed = sorted(self._changed), set()
        self.tagging.changed(changed)
        if self.open:
            self.load()

    def forget(self, row) -> None:
        if row[0] != "person":
            self.window.show_progress("Only a named person can be forgotten: name the group first")
            return
        keyword, count = row[1], row[2]
        answer = QMessageBox.question(
            self.window, "Forget a person",
            f"Forget {keyword}? The face data of {count} face{'s' * (count != 1)} is deleted from this library, so"
            f" these faces are not recognized again. The keyword {keyword} stays on your photos.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        forgotten = faces.forget_person(self.store, self.profile, keyword)
        undo = self.tagging.undo  # a face decision about them could no longer be undone exactly
        if any(keyword in getattr(undo.command(i), "names", ()) for i in range(undo.count())):
            undo.clear()
        self.window.show_progress(f"{keyword} forgotten: the face data of {forgotten} faces deleted,"
                                  " the keyword kept on the photos")
        self.load()

    def profile_changed(self) -> None:
        if self.open:
            self.load()

    def library_changed(self) -> None:
        """A scan or an index finished: faces may have come (or gone)."""
        if self.open:
            self.load()
