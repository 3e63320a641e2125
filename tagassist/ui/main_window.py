"""The main window's layout: filters and folders on the left, the thumbnail grid in the
middle, preview, EXIF and the tag editor on the right. Behaviour lives in controller.py."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QToolBar,
    QToolButton,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from ..services.marks import LABELS
from .face_boxes import FaceLabel
from .grid import CELL, ThumbnailDelegate
from .tag_editor import TagEditor


class MainWindow(QMainWindow):
    folder_dropped = Signal(str)

    def __init__(self):
        super().__init__()
        self.setWindowTitle("tagassist")
        self.setObjectName("main-window")
        self.resize(1400, 860)
        self.setAcceptDrops(True)

        self._build_menus()
        toolbar = QToolBar("Library")
        toolbar.setObjectName("library-toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(toolbar)
        self.add_folder_action = QAction("Add folder\u2026", self)
        self.rescan_action = QAction("Rescan", self)
        self.index_action = QAction("Index", self)
        self.retrain_action = QAction("Retrain on my tags", self)
        # Letters typed in the window start a tag, so no shortcut is a bare letter.
        self.next_untagged_action = QAction("Next untagged", self)
        self.next_untagged_action.setShortcut(QKeySequence("Ctrl+N"))
        self.next_untagged_action.setToolTip("Next untagged photo (Ctrl+N)")
        for action in (self.add_folder_action, self.rescan_action, self.index_action, self.retrain_action,
                       self.next_untagged_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        self.undo_action = QAction("Undo", self)
        self.redo_action = QAction("Redo", self)
        toolbar.addAction(self.undo_action)
        toolbar.addAction(self.redo_action)
        toolbar.addSeparator()
        toolbar.addWidget(QLabel(" Photographer: "))
        self.profile_box = QComboBox()
        self.profile_box.setObjectName("profiles")
        self.profile_box.setMinimumWidth(120)
        toolbar.addWidget(self.profile_box)
        toolbar.addSeparator()
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText("Search keywords, file names, dates, cameras (Ctrl+F)")
        self.search.setMinimumWidth(300)
        toolbar.addWidget(self.search)
        self.search_action = QAction("Search", self)
        self.search_action.setShortcut(QKeySequence.StandardKey.Find)
        self.search_action.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.addAction(self.search_action)
        # The menus hold the toolbar's commands too: a newcomer looks for them there first.
        self.file_menu.insertActions(self.file_menu.actions()[0], [self.add_folder_action, self.rescan_action])
        self.tools_menu.insertActions(self.tools_menu.actions()[0], [self.index_action, self.retrain_action])
        self.photo_menu.insertAction(self.photo_menu.actions()[1], self.next_untagged_action)

        self.sidebar = Sidebar()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setHeaderHidden(True)

        self.grid = PhotoGrid()
        self.grid.setObjectName("grid")
        self.grid.setTabKeyNavigation(False)  # Tab leaves the grid for the tag field
        self.sidebar.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab goes grid <-> tag field (tagging.py)
        self.empty_hint = QLabel("Add a folder of photos to begin: drag it here, or use \u201cAdd folder\u2026\u201d.")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        self.preview = FaceLabel()  # the faces drawn on it with Ctrl+B (faces.py)
        self.preview.setObjectName("preview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumHeight(220)
        self.exif = QLabel()
        self.exif.setObjectName("exif")
        self.exif.setWordWrap(True)
        self.exif.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.editor = TagEditor()
        right_layout.addWidget(self.preview)
        right_layout.addWidget(self.exif)
        right_layout.addWidget(self.editor, 1)

        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.empty_hint)
        middle_layout.addWidget(self.grid, 1)

        splitter = QSplitter()
        splitter.addWidget(self.sidebar)
        splitter.addWidget(middle)
        splitter.addWidget(right)
        splitter.setSizes([220, 700, 480])
        splitter.setStretchFactor(1, 1)
        self.setCentralWidget(splitter)

        self.activity = QLabel("Ready")
        self.activity.setObjectName("activity")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        self.jobs_button = QToolButton()
        self.jobs_button.setObjectName("jobs")
        self.jobs_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.jobs_button.setMenu(QMenu(self.jobs_button))
        self.jobs_button.setVisible(False)
        self.statusBar().addWidget(self.activity, 1)
        self.statusBar().addPermanentWidget(self.jobs_button)
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.cancel_button)

    def _build_menus(self) -> None:
        def action(menu, text, shortcut=None):
            item = QAction(text, self)
            if shortcut:
                item.setShortcut(QKeySequence(shortcut))
            menu.addAction(item)
            return item

        bar = self.menuBar()
        self.file_menu = file_menu = bar.addMenu("&File")
        self.import_keywords_action = action(file_menu, "Import keywords from files")
        self.export_selection_action = action(file_menu, "Write keywords to files (selected photos)", "Ctrl+S")
        self.export_all_action = action(file_menu, "Write keywords to files (all tagged photos)")
        self.settings_action = action(file_menu, "Settings\u2026", "Ctrl+,")
        file_menu.addSeparator()
        self.quit_action = action(file_menu, "Quit", "Ctrl+Q")
        self.photo_menu = photo_menu = bar.addMenu("&Photo")
        self.viewer_action = action(photo_menu, "View full size", "Space")
        self.accept_top_action = action(photo_menu, "Accept the top suggestion")
        self.type_tag_action = action(photo_menu, "Type a keyword", "Ctrl+K")  # Lightroom's key for it
        self.keywords_action = action(photo_menu, "Keyword manager\u2026", "Ctrl+Shift+K")
        self.sidebar_action = action(photo_menu, "Filters and keyword tree", "Ctrl+L")
        # Stars, labels and the flags: Lightroom's 0-9, X, P and U, with Ctrl (digits accept suggestions).
        marks_menu = photo_menu.addMenu("Rating and label")
        self.rating_actions = [action(marks_menu, "\u2605" * n or "No stars", f"Ctrl+{n}") for n in range(6)]
        self.reject_action = action(marks_menu, "Rejected", "Ctrl+X")
        self.pick_action = action(marks_menu, "Picked", "Ctrl+P")
        self.unflag_action = action(marks_menu, "Unflagged (neither picked nor rejected)", "Ctrl+U")
        marks_menu.addSeparator()
        self.label_actions = {label: action(marks_menu, f"{label} label", f"Ctrl+{key}")
                              for key, label in enumerate(LABELS[:4], start=6)}
        self.tools_menu = tools_menu = bar.addMenu("&Tools")
        self.models_action = action(tools_menu, "Models\u2026")
        # The toolbar's "Retrain on my tags" trains the personalized model (seconds); this also
        # fine-tunes the visual encoder on the photos and re-indexes (minutes, best on a GPU).
        self.deep_retrain_action = action(tools_menu, "Retrain deeply (also tune the visual encoder)")
        people_menu = bar.addMenu("Photog&rapher")  # Alt+H stays Help's
        self.new_profile_action = action(people_menu, "New photographer\u2026")
        help_menu = bar.addMenu("&Help")
        self.shortcuts_action = action(help_menu, "Keyboard shortcuts", "F1")
        self.log_action = action(help_menu, "Show log")
        help_menu.addSeparator()
        self.about_action = action(help_menu, "About tagassist")

    def show_progress(self, text: str, done: int | None = None, total: int | None = None, cancellable: bool = True):
        self.activity.setText(text)
        busy = done is not None
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy and cancellable)
        if busy:
            self.progress.setRange(0, max(total or 0, 0))
            self.progress.setValue(done or 0)

    def show_jobs(self, names: list[tuple[str, object]]) -> None:
        """The background jobs as a list in the status bar: (name, cancel callable) each."""
        menu = self.jobs_button.menu()
        menu.clear()
        for name, cancel in names:
            menu.addAction(f"Cancel {name}", cancel)
        self.jobs_button.setText(f"{len(names)} background job{'s' * (len(names) != 1)}")
        self.jobs_button.setVisible(bool(names))

    def dragEnterEvent(self, event):  # noqa: N802 - Qt's name
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event):  # noqa: N802
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.folder_dropped.emit(url.toLocalFile())


class Sidebar(QTreeWidget):
    """The filters and the keyword tree. A drop says which item went where (keyword_tree.py
    turns it into a move); no item moves itself, as the tree is filled again from the library."""

    dropped = Signal(object, object)  # the dragged item, the item it was dropped on (or None)

    def dropEvent(self, event):  # noqa: N802 - Qt's name
        target = self.itemAt(event.position().toPoint())
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        self.dropped.emit(self.currentItem(), target)  # pressing an item to drag it makes it current


class PhotoGrid(QTableView):
    """The thumbnail grid: fixed-size cells, as many columns as the width allows."""

    def __init__(self):
        super().__init__()
        for header, size in ((self.horizontalHeader(), CELL.width()), (self.verticalHeader(), CELL.height())):
            header.setVisible(False)
            header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            header.setDefaultSectionSize(size)
            header.setMinimumSectionSize(size)
        self.setShowGrid(False)
        self.setItemDelegate(ThumbnailDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWordWrap(False)

    def resizeEvent(self, event):  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        model = self.model()
        if model is None or not hasattr(model, "set_columns"):
            return
        columns = max(1, self.viewport().width() // CELL.width())
        if columns == model.columns:
            return  # nothing moves (a scroll bar came or went): the selection is left alone
        # New columns reset the model, which drops the selection: the same photos are selected
        # again, every one of them, so the next key tags exactly what it would have tagged.
        selected, current = self.selected_positions(), model.position(self.currentIndex())
        model.set_columns(columns)
        self.select_positions(selected, current)

    # Photos run in reading order, as on a contact sheet, not in the table's columns.
    def moveCursor(self, action, modifiers):  # noqa: N802 - Qt's name
        """Right at a row's end goes on to the next row's first photo and Left at a row's start
        back to the last one of the row before; Down where the short last row has no photo
        under this one goes to the last photo; Home and End (Ctrl or not) to the first and the
        last photo."""
        model, cursor = self.model(), QAbstractItemView.CursorAction
        position = model.position(self.currentIndex()) if hasattr(model, "index_of") else None
        if position is not None:
            count, columns = len(model.photos), model.columns
            if action in (cursor.MoveHome, cursor.MoveEnd):
                return model.index_of(0 if action == cursor.MoveHome else count - 1)
            step = {cursor.MoveRight: 1, cursor.MoveLeft: -1}.get(action)
            if step and 0 <= position + step < count:
                return model.index_of(position + step)
            below_is_empty = position + columns >= count and position // columns < (count - 1) // columns
            if action == cursor.MoveDown and below_is_empty:
                return model.index_of(count - 1)
        return super().moveCursor(action, modifiers)

    def setSelection(self, rect, command):  # noqa: N802 - Qt's name
        """A Shift+click or Shift+arrow selects every photo from the anchor to the one reached
        (``rect`` runs from the anchor's cell to it), not the rectangle of cells between them,
        which over two rows took photos from either side of the shoot."""
        model = self.model()
        ends = [self._photo_at(point) for point in (rect.topLeft(), rect.bottomRight())]
        if None in ends:  # a drag begun outside the photos: the cells it covers
            super().setSelection(rect, command)
            return
        first, last = sorted(ends)
        columns, selection = model.columns, QItemSelection()
        top, bottom = first // columns, last // columns
        if top == bottom:
            selection.select(model.index_of(first), model.index_of(last))
        else:  # three blocks of cells at most, however many rows: the first row's tail, the
            # full rows, the last row's head
            selection.select(model.index_of(first), model.index(top, columns - 1))
            if bottom > top + 1:
                selection.select(model.index(top + 1, 0), model.index(bottom - 1, columns - 1))
            selection.select(model.index(bottom, 0), model.index_of(last))
        self.selectionModel().select(selection, command)

    def _photo_at(self, point) -> int | None:
        """The number of the photo under ``point`` (an empty cell after the last: the last)."""
        model, index = self.model(), self.indexAt(point)
        if not index.isValid() or not hasattr(model, "index_of"):
            return None
        position = model.position(index)
        return len(model.photos) - 1 if position is None else position

    def selected_positions(self) -> list[int]:
        """The selected photos' numbers in the model's list, in order."""
        model = self.model()
        return sorted(p for p in map(model.position, self.selectionModel().selectedIndexes()) if p is not None)

    def select_positions(self, positions: list[int], current: int | None = None) -> None:
        """Select exactly these photos, ``current`` (else the first) the current one, whatever
        keys are held. Never the view's setCurrentIndex: it reads the modifiers held at that
        moment, and with Ctrl still down after Ctrl+N or Ctrl+Z it takes the photo out of the
        selection, as a Ctrl+click does, so the next number key would tag nothing."""
        model = self.model()
        flag = QItemSelectionModel.SelectionFlag
        selection = QItemSelection()
        run: list[int] = []  # consecutive photos on one row of cells, selected as one range
        for position in sorted(set(positions)) + [-1]:
            if run and (position != run[-1] + 1 or position // model.columns != run[0] // model.columns):
                selection.select(model.index_of(run[0]), model.index_of(run[-1]))
                run = []
            run.append(position)
        if current is None and positions:
            current = min(positions)
        selections = self.selectionModel()
        if current is not None:
            selections.setCurrentIndex(model.index_of(current), flag.NoUpdate)
        selections.select(selection, flag.ClearAndSelect)
