"""The keyword manager (Photo › Keyword manager, Ctrl+Shift+K): every keyword with its counts
and aliases; rename or move, merge, delete, add an alias, undo; import and export her keyword
list (Lightroom Classic's, digiKam's tag paths). The edits run off the UI thread through
services.keywords and services.keyword_lists, exactly as ``tagassist keywords`` runs them."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ..services import jobs, keyword_lists, keywords
from .workers import Job

LIST_FORMATS = {"Lightroom Classic keyword list (*.txt)": "lightroom", "digiKam tag paths (*.txt)": "digikam"}


class KeywordManagerDialog(QDialog):
    edit_requested = Signal(str, object)  # a services.keywords function name and its arguments (a tuple)
    import_requested = Signal(str)  # a keyword list file to import
    export_requested = Signal(str, str)  # a file to write, and its format (lightroom or digikam)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Keyword manager")
        self.resize(760, 520)
        layout = QVBoxLayout(self)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter keywords")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter)
        self.filter.installEventFilter(self)  # Down or Enter: into the rows it left
        layout.addWidget(self.filter)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("keywords")
        self.table.setHorizontalHeaderLabels(["Keyword", "Photos", "With those under it", "Also known as"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        layout.addWidget(self.table, 1)
        self.status = QLabel("Changes reach your history and training at once, and your files at the next"
                             " \u201cWrite keywords to files\u201d.")
        keys = QLabel("<small>Keys: type to filter, Down to the list; F2 rename or move, Ctrl+M merge, Ctrl+L alias,"
                      " Delete, Ctrl+Z undo; a level such as Places|Italy moves what is under it</small>")
        keys.setWordWrap(True)
        layout.addWidget(keys)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        self.buttons = []
        for text, key, slot in (("Rename or move\u2026", "F2", self._rename),
                                ("Merge into\u2026", "Ctrl+M", self._merge), ("Add alias\u2026", "Ctrl+L", self._alias),
                                ("Delete", "Delete", self._delete),
                                ("Undo last edit", "Ctrl+Z", lambda: self.edit_requested.emit("undo", ()))):
            button = QPushButton(text)
            button.setToolTip(key)
            button.clicked.connect(slot)
            QShortcut(QKeySequence(key), self, slot)  # from the filter and the list alike
            buttons.addWidget(button)
            self.buttons.append(button)
        buttons.addStretch()
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        lists = QHBoxLayout()  # her keyword list in from, and out to, Lightroom Classic or digiKam
        self.list_buttons = []
        for text, key, slot in (("&Import keyword list\u2026", "Ctrl+I", self._import),
                                ("E&xport keyword list\u2026", "Ctrl+E", self._export)):
            button = QPushButton(text)
            button.setToolTip(f"{key}: Lightroom Classic's keyword list or digiKam's tag paths")
            button.clicked.connect(slot)
            QShortcut(QKeySequence(key), self, slot)
            lists.addWidget(button)
            self.list_buttons.append(button)
        lists.addStretch()
        layout.addLayout(lists)

    def show_rows(self, rows: list[keywords.KeywordRow]) -> None:
        self.table.setRowCount(len(rows))
        for row, k in enumerate(rows):
            photos = "category" if k.category else "none yet (imported)" if k.listed and not k.under else k.photos
            for column, value in enumerate((k.keyword, photos, k.under, ", ".join(k.aliases))):
                item = QTableWidgetItem(str(value))
                if column in (1, 2):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self._filter(self.filter.text())

    def selected(self) -> list[str]:
        """The selected keywords; with none, the row the keys are on (its focus frame)."""
        rows = sorted({item.row() for item in self.table.selectedItems()})
        current = self.table.currentRow()
        if not rows and current >= 0 and not self.table.isRowHidden(current):
            rows = [current]
        return [self.table.item(row, 0).text() for row in rows]

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if obj is self.filter and event.type() == QEvent.Type.KeyPress and event.key() in (
                Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            visible = [row for row in range(self.table.rowCount()) if not self.table.isRowHidden(row)]
            if visible:
                self.table.selectRow(visible[0])
                self.table.setFocus()
            return True
        return False

    def _filter(self, text: str) -> None:
        for row in range(self.table.rowCount()):
            self.table.setRowHidden(row, text.lower() not in self.table.item(row, 0).text().lower())

    def _ask(self, title: str, label: str, text: str = "") -> str | None:
        value, ok = QInputDialog.getText(self, title, label, text=text)
        return value.strip() if ok and value.strip() else None

    def _need_one(self) -> str | None:
        chosen = self.selected()
        if len(chosen) != 1:
            self.status.setText("Select one keyword first.")
            return None
        return chosen[0]

    def _rename(self) -> None:
        old = self._need_one()
        new = old and self._ask("Rename or move", "New name (Places|Europe|Italy moves it, with what is under it):",
                                old)
        if new and new != old:
            self.edit_requested.emit("rename", (old, new))

    def _merge(self) -> None:
        chosen = self.selected()
        if not chosen:
            self.status.setText("Select the keywords to merge first.")
            return
        into = self._ask("Merge into", f"Merge {', '.join(chosen)} into:")
        if into:
            self.edit_requested.emit("merge", (chosen, into))

    def _alias(self) -> None:
        keyword = self._need_one()
        alias = keyword and self._ask("Add alias", f"Another name for {keyword} (typed or imported, it becomes"
                                                   f" {keyword}; photos with it now are merged):")
        if alias:
            self.edit_requested.emit("alias", ([alias], keyword))

    def _import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import keyword list", "",
                                              "Keyword lists (*.txt);;All files (*)")
        if path:
            self.status.setText(f"Importing {path}\u2026")
            self.import_requested.emit(path)

    def _export(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(self, "Export keyword list", "Keywords.txt",
                                                   ";;".join(LIST_FORMATS))
        if path:
            self.export_requested.emit(path, LIST_FORMATS.get(chosen, "lightroom"))

    def _delete(self) -> None:
        chosen = self.selected()
        for name in chosen:
            self.edit_requested.emit("delete", (name,))


def touched(results: list[dict]) -> list[str]:
    """Every keyword an edit (or its undo) renamed, merged, deleted or aliased, from either side."""
    names, stack = [], [result.get(key) for result in results
                        for key in ("from", "to", "keyword", "alias", "aliases", "keywords")]
    while stack:  # a name, a list of names, or a list of (old, new) pairs
        value = stack.pop()
        if isinstance(value, str):
            names.append(value)
        elif isinstance(value, (list, tuple)):
            stack += value
    return names


class KeywordManager(QObject):
    """Opens the dialog and runs its edits as jobs; ``changed`` after every edit."""

    changed = Signal(str, list)  # what the edit did, in words, and every keyword name it touched

    def __init__(self, window, session, runner, parent=None):
        super().__init__(parent)
        self.window, self.session, self.runner = window, session, runner
        self.dialog: KeywordManagerDialog | None = None
        window.keywords_action.triggered.connect(self.open)

    def open(self) -> None:
        self.dialog = KeywordManagerDialog(self.window)
        self.dialog.edit_requested.connect(self.edit)
        self.dialog.import_requested.connect(self.import_list)
        self.dialog.export_requested.connect(self.export_list)
        self._load()
        self.dialog.open()

    def _load(self) -> None:
        job = Job("Reading keywords", jobs.keyword_rows, self.session.db_path, self.session.profile.name)
        job.signals.result.connect(lambda rows: self.dialog and self.dialog.show_rows(rows))
        self.runner.start(job)

    def edit(self, action: str, arguments: tuple) -> None:
        job = Job("Changing keywords", jobs.edit_keywords, self.session.db_path, self.session.profile.name, action,
                  *arguments)
        job.signals.result.connect(self._done)
        job.signals.error.connect(self._failed)
        self.runner.start(job)

    def import_list(self, path: str) -> None:
        job = Job("Importing keywords", jobs.import_keyword_list, self.session.db_path, self.session.profile.name,
                  path)
        job.signals.result.connect(self._imported)
        job.signals.error.connect(self._failed)
        self.runner.start(job)

    def export_list(self, path: str, fmt: str) -> None:
        job = Job("Exporting keywords", jobs.export_keyword_list, self.session.db_path, self.session.profile.name,
                  path, fmt)
        job.signals.result.connect(self._exported)
        job.signals.error.connect(self._failed)
        self.runner.start(job)

    def _failed(self, message: str) -> None:
        """Why an edit was not done, where she looks: the dialog's line while it is open, else
        the status bar (an edit from the keyword tree, F2 or its menu, said nothing)."""
        message = message.strip("'\"")
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.status.setText(message)
        else:
            self.window.show_progress(message)

    def _imported(self, result: dict) -> None:
        said = keyword_lists.describe_import(result)
        if self.dialog is not None:
            self.dialog.status.setText(said + ". They are offered when you type a tag; no photo was changed.")
            self._load()
        self.changed.emit(said, [])  # the app reads its vocabulary again: the new keywords complete

    def _exported(self, written: dict) -> None:
        if self.dialog is not None:
            left_out = len(written.get("left_out", []))
            self.dialog.status.setText(f"{written['keywords']} keywords written to {written['file']}"
                                       + (f" ({left_out} with '/' in a name left out)" if left_out else ""))

    def _done(self, results: list[dict]) -> None:
        said = "; ".join(keywords.describe(r) for r in results)
        if self.dialog is not None:
            self.dialog.status.setText(said + ". \u201cUndo last edit\u201d puts it back.")
            self._load()
        self.changed.emit(said, touched(results))
