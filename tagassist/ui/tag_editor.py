"""The tag editor (layout only): the photo's tags as removable chips, ranked suggestions with
score bars and reasons, and a field with completion from the profile's own vocabulary."""

from __future__ import annotations

import html

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from ..services.suggesting import GroupSuggestion


class TagEditor(QWidget):
    accept_requested = Signal(int)  # index into the shown suggestions
    reject_requested = Signal(int)
    remove_requested = Signal(str)
    tag_typed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.suggestions: list[GroupSuggestion] = []
        self.marks: dict[str, str] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        layout.addWidget(QLabel("<b>Tags</b> <small>(click one to remove it)</small>"))
        self.chips = QListWidget()
        self.chips.setObjectName("chips")
        self.chips.setFlow(QListView.Flow.LeftToRight)
        self.chips.setWrapping(True)
        self.chips.setResizeMode(QListView.ResizeMode.Adjust)
        self.chips.setSpacing(3)
        self.chips.setMaximumHeight(96)
        self.chips.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.chips.setStyleSheet(
            "QListWidget::item { border: 1px solid palette(mid); border-radius: 9px; padding: 2px 8px; }")
        self.chips.itemClicked.connect(lambda item: self.remove_requested.emit(item.data(Qt.ItemDataRole.UserRole)))
        layout.addWidget(self.chips)

        self.field = QLineEdit()
        self.field.setObjectName("tag-field")
        self.field.setPlaceholderText("Type a tag and press Enter (Places|Italy|Rome for a hierarchy)")
        self.vocabulary = QStringListModel(self)
        completer = QCompleter(self.vocabulary, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.field.setCompleter(completer)
        self.field.returnPressed.connect(self._typed)
        # A completion picked (Enter on it, or a click) is the tag: added, and the field left empty
        # once the field's own slot has put the completion's text in it.
        completer.activated[str].connect(self._completion_picked)
        self._just_typed = ""
        layout.addWidget(self.field)

        header = QHBoxLayout()
        header.addWidget(QLabel("<b>Suggestions</b>"))
        header.addStretch()
        header.addWidget(QLabel("<small>1-9 accept, Shift+1-9 reject, right-click reject</small>"))
        layout.addLayout(header)
        self.list = QListWidget()
        self.list.setObjectName("suggestions")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.itemClicked.connect(lambda item: self.accept_requested.emit(self.list.row(item)))
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._right_click)
        layout.addWidget(self.list, 1)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

    def _typed(self) -> None:
        text = self.field.text().strip()
        self._just_typed = text
        if text:
            self.tag_typed.emit(text)
        self.field.clear()

    def _completion_picked(self, text: str) -> None:
        if text.strip() and text.strip() != self._just_typed:  # a click: Enter has added it already
            self.tag_typed.emit(text.strip())
        self._just_typed = ""
        QTimer.singleShot(0, self.field.clear)

    def _right_click(self, position) -> None:
        item = self.list.itemAt(position)
        if item is not None:
            self.reject_requested.emit(self.list.row(item))

    def show_tags(self, tags: list[tuple[str, str, int]], selected: int = 1) -> None:
        """tags: (name, source, on how many of the selected photos) each."""
        self.chips.clear()
        for name, source, count in tags:
            partial = count < selected
            item = QListWidgetItem(f"{name} ({count}/{selected})  \u00d7" if partial else f"{name}  \u00d7")
            item.setData(Qt.ItemDataRole.UserRole, name)
            if partial:  # Lightroom marks these with an asterisk; here the count says how many
                font = item.font()
                font.setItalic(True)
                item.setFont(font)
                item.setToolTip(f"{name} is on {count} of the {selected} selected photos; click to remove it from"
                                " them, type it to add it to all")
            else:
                item.setToolTip(f"{name} ({source}); click to remove")
            self.chips.addItem(item)

    def show_suggestions(self, suggestions: list[GroupSuggestion], selected: int,
                         marks: dict[str, str] | None = None, note: str | None = None) -> None:
        """marks: tag -> 'accepted' or 'rejected' for suggestions already acted on; they keep
        their number, so the keys mean what they meant when the list was first shown."""
        self.suggestions = suggestions
        self.marks = dict(marks or {})
        # The rows are made once and refilled: building nine row widgets took 19 ms, twice per
        # accept, with a large library's suggestions on their way.
        while self.list.count() < len(suggestions):
            row = _SuggestionRow(self.list.count() + 1)
            item = QListWidgetItem()
            item.setSizeHint(row.sizeHint())
            self.list.addItem(item)
            self.list.setItemWidget(item, row)
        for number in range(1, self.list.count() + 1):
            item = self.list.item(number - 1)
            shown = number <= len(suggestions)
            item.setHidden(not shown)
            if shown:
                suggestion = suggestions[number - 1]
                self.list.itemWidget(item).fill(suggestion, selected, self.marks.get(suggestion.tag))
                item.setToolTip(f"{suggestion.reason}\nclick or press {number} to accept;"
                                f" right-click or Shift+{number} to reject")
        self.status.setText(note if note is not None else
                            "" if suggestions else "No suggestions yet: tag a few photos and they will come.")

    def set_vocabulary(self, names: list[str]) -> None:
        self.vocabulary.setStringList(names)

    def learn(self, names: list[str]) -> None:
        """Names just typed join the completion at once (the full list comes with the next
        reload: counting a 100,000-photo history on every keystroke would stall typing)."""
        known = set(self.vocabulary.stringList())
        new = [n for n in names if n not in known]
        if new:
            self.vocabulary.setStringList(self.vocabulary.stringList() + new)


class _SuggestionRow(QWidget):
    """One suggestion: its key, the tag, a score bar, and the reason underneath."""

    MARKS = {"accepted": "\u2713 added", "rejected": "\u2717 rejected"}

    def __init__(self, number: int):
        super().__init__()
        self.setObjectName(f"suggestion-{number}")
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 2, 4, 2)
        grid.setVerticalSpacing(0)
        key = QLabel(f"<b>{number}</b>")
        key.setFixedWidth(16)
        self.tag = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setTextVisible(False)
        self.bar.setFixedSize(70, 10)
        self.score = QLabel()
        # The reason in the text colour, only smaller: grey on grey was hard to read.
        self.reason = QLabel()
        self.reason.setObjectName("reason")
        grid.addWidget(key, 0, 0)
        grid.addWidget(self.tag, 0, 1)
        grid.addWidget(self.bar, 0, 2)
        grid.addWidget(self.score, 0, 3)
        grid.addWidget(self.reason, 1, 1, 1, 3)
        grid.setColumnStretch(1, 1)

    def fill(self, suggestion: GroupSuggestion, selected: int, mark: str | None = None) -> None:
        applies = f" <small>({suggestion.applies_to}/{selected})</small>" if selected > 1 else ""
        done = f" <small><b>{self.MARKS[mark]}</b></small>" if mark else ""
        name = html.escape(suggestion.tag)
        self.tag.setText(f"<s>{name}</s>{done}" if mark == "rejected" else f"{name}{applies}{done}")
        self.bar.setValue(round(100 * suggestion.score))
        self.score.setText(f"{suggestion.score:.2f}")
        self.reason.setText(f"<small>{html.escape(suggestion.reason)}</small>")
