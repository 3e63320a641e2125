"""The sidebar's keyword tree edits keywords where they are shown: F2 renames or moves one in
place (its whole name, Places|Italy|Rome, so a new parent moves it), dragging one onto another
moves it under that one, and its context menu
(right-click, or the Menu key) finds its photos, renames, merges it into another, gives it an
alias or deletes it, and finds more photos that should carry it (review.py). The edits are the
keyword manager's (undoable there, and in the CLI)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QStyledItemDelegate, QTreeWidgetItem

from .keyword_manager import KeywordManager
from .main_window import MainWindow
from .sidebar import view_key


def keyword_of(item: QTreeWidgetItem | None) -> str | None:
    view = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
    return view.get("tag") if isinstance(view, dict) else None


class _RenameInPlace(QStyledItemDelegate):
    """The editor F2 opens holds the keyword's whole name; Enter asks for the rename instead
    of writing the item's text (the tree is filled again when the edit is done)."""

    def __init__(self, tree: KeywordTree):
        super().__init__(tree.window.sidebar)
        self.tree = tree

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt's name
        return QLineEdit(parent)

    def setEditorData(self, editor, index):  # noqa: N802
        editor.setText(index.data(Qt.ItemDataRole.UserRole)["tag"])
        editor.selectAll()

    def setModelData(self, editor, model, index):  # noqa: N802
        self.tree.rename(index.data(Qt.ItemDataRole.UserRole)["tag"], editor.text().strip())


class KeywordTree(QObject):
    def __init__(self, window: MainWindow, keywords: KeywordManager, show: Callable[[QTreeWidgetItem], None],
                 parent: QObject | None = None, find_more: Callable[[str], None] | None = None):
        super().__init__(parent)
        self.window, self.keywords, self.show, self.find_more = window, keywords, show, find_more
        sidebar = window.sidebar
        sidebar.setItemDelegate(_RenameInPlace(self))
        sidebar.setEditTriggers(sidebar.EditTrigger.EditKeyPressed)  # F2; a click filters
        sidebar.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        sidebar.customContextMenuRequested.connect(self._menu)
        sidebar.itemActivated.connect(lambda item, _: show(item))  # Enter filters, as a click does
        sidebar.installEventFilter(self)
        # Drag a keyword onto another to move it under that one (onto "Tags": to the top level).
        sidebar.setDragDropMode(sidebar.DragDropMode.InternalMove)
        sidebar.dropped.connect(self._dropped)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        # The Menu key and Shift+F10 open the current keyword's menu wherever the platform
        # does not turn them into a context menu event itself.
        if event.type() == QEvent.Type.KeyPress and (event.key() == Qt.Key.Key_Menu or (
                event.key() == Qt.Key.Key_F10 and event.modifiers() == Qt.KeyboardModifier.ShiftModifier)):
            self._menu(None)
            return True
        return False

    def rename(self, old: str, new: str) -> None:
        if new and new != old:
            self.window.sidebar.setProperty("follow", view_key({"tag": new}))
            self.keywords.edit("rename", (old, new))

    def _dropped(self, dragged: QTreeWidgetItem | None, target: QTreeWidgetItem | None) -> None:
        old = keyword_of(dragged)
        parent = keyword_of(target)
        if old is None or target is None or (parent is None and target.text(0) != "Tags"):
            return  # not a keyword, or dropped on a folder, a date, a filter
        if parent is not None and (parent == old or parent.startswith(old + "|")):
            return  # never into itself
        self.rename(old, f"{parent}|{old.split('|')[-1]}" if parent else old.split("|")[-1])

    def _menu(self, position) -> None:
        sidebar = self.window.sidebar
        item = sidebar.currentItem()  # a right-click makes its item the current one; the Menu key uses it
        keyword = keyword_of(item)
        if keyword is None:
            return
        menu = QMenu(sidebar)
        menu.addAction("&Find its photos", lambda: self.show(item))
        if self.find_more is not None:  # review.py: the photos that should carry it too
            menu.addAction(f"Find more &photos for \u2018{keyword}\u2019\tCtrl+Shift+F",
                           lambda: self.find_more(keyword))
        menu.addAction("&Rename\tF2", lambda: sidebar.editItem(item))
        menu.addAction("&Merge into\u2026", lambda: self._ask_then("merge", keyword))
        menu.addAction("Add a&lias\u2026", lambda: self._ask_then("alias", keyword))
        menu.addSeparator()
        menu.addAction("&Delete", lambda: self.keywords.edit("delete", (keyword,)))
        menu.popup(sidebar.viewport().mapToGlobal(sidebar.visualItemRect(item).center()))

    def _ask_then(self, action: str, keyword: str) -> None:
        label = (f"Merge {keyword} into:" if action == "merge" else
                 f"Another name for {keyword} (typed or imported, it becomes {keyword}):")
        value, ok = QInputDialog.getText(self.window, "Merge into" if action == "merge" else "Add alias", label)
        if ok and value.strip():
            self.keywords.edit(action, ([keyword], value.strip()) if action == "merge" else ([value.strip()], keyword))
