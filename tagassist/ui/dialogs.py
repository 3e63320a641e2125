"""Dialogs (layout only): settings, first run, models, log, keyboard shortcuts (the full-size
viewer: viewer.py)."""

from __future__ import annotations

import html
import os
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..options import Option, in_dialog
from ..settings import Settings


def _choices(options: dict[str, str], current: str) -> QComboBox:
    """A combo box of one of tagassist/options.py's choices: its words shown, its value as data."""
    box = QComboBox()
    for value, label in options.items():
        box.addItem(label, value)
    box.setCurrentIndex(max(0, box.findData(current)))
    return box


class SettingsDialog(QDialog):
    """Every option of tagassist/options.py the dialog edits (the app's and the library's),
    each as its type asks: a list of its choices, a tick, a number within its bounds, a
    folder. ``choices`` gives those the registry cannot know (the encoders installed)."""

    def __init__(self, settings: Settings, library: dict[str, object], parent=None, *,
                 choices: dict[str, list[str]] | None = None):
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.base = settings
        form = QFormLayout(self)
        self.editors: dict[str, QWidget] = {}
        self.options = in_dialog()
        for option in self.options:
            value = library[option.name] if option.scope == "library" else getattr(settings, option.name)
            given = (choices or {}).get(option.name)
            editor, row = self._editor(option, value, {name: name for name in given} if given else option.choices)
            editor.setToolTip(option.help)
            self.editors[option.name] = editor
            form.addRow(option.title, row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _editor(self, option: Option, value, choices: dict[str, str] | None) -> tuple[QWidget, QWidget | QLayout]:
        """(the widget holding the value, what the form shows for it)."""
        if choices is not None:
            editor = _choices(choices, value)
        elif option.type is bool:
            editor = QCheckBox(option.help)
            editor.setChecked(value)
        elif option.type in (int, float):
            editor = QSpinBox() if option.type is int else QDoubleSpinBox()
            editor.setRange(*option.bounds)
            editor.setSingleStep(option.step)
            editor.setSuffix(option.unit)
            editor.setValue(value)
        else:  # a folder
            editor = QLineEdit(value)
            editor.setPlaceholderText(option.empty)
            browse = QPushButton("Choose\u2026")
            browse.clicked.connect(lambda: self._choose_dir(editor, option.title))
            row = QHBoxLayout()
            row.addWidget(editor, 1)
            row.addWidget(browse)
            return editor, row
        return editor, editor

    def _choose_dir(self, editor: QLineEdit, title: str) -> None:
        folder = QFileDialog.getExistingDirectory(self, title)
        if folder:
            editor.setText(folder)

    def value(self, name: str):
        """The value the dialog holds for option ``name``."""
        editor = self.editors[name]
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QDoubleSpinBox):
            return round(editor.value(), 2)
        if isinstance(editor, QSpinBox):
            return editor.value()
        return editor.text().strip()

    def result_settings(self) -> Settings:
        """The app's settings as the dialog leaves them (the others, such as the photographer,
        as they were)."""
        return replace(self.base, **{o.name: self.value(o.name) for o in self.options if o.scope == "app"})

    def library_values(self) -> dict[str, object]:
        """The library's options as the dialog leaves them."""
        return {o.name: self.value(o.name) for o in self.options if o.scope == "library"}


class FirstRunDialog(QDialog):
    """Asks for a photographer's name and a first folder of photos."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Welcome to tagassist")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("tagassist learns how <b>you</b> tag your photos.<br>"
                                "Tell it who you are and where your photos are."))
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Maya")
        self.folder = QLineEdit()
        browse = QPushButton("Choose\u2026")
        browse.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        form.addRow("Your name", self.name)
        form.addRow("A folder of photos", row)
        layout.addLayout(form)
        self.problem = QLabel()  # a folder that is not there, said before the app opens empty
        self.problem.setVisible(False)
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _choose(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "A folder of photos")
        if folder:
            self.folder.setText(folder)

    def chosen_folder(self) -> str:
        """The folder typed or chosen ('~' is the home folder), '' for none."""
        text = self.folder.text().strip()
        return os.path.expanduser(text) if text else ""

    def accept(self) -> None:
        folder = self.chosen_folder()
        if folder and not os.path.isdir(folder):
            self.problem.setText(f"No such folder: {folder}")
            self.problem.setVisible(True)
            self.folder.setFocus()
            return
        super().accept()


class ModelsDialog(QDialog):
    """Trained models with their held-out quality; activate one or roll back."""

    activate_requested = Signal(str)
    rollback_requested = Signal()

    def __init__(self, rows: list, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Models")
        self.resize(720, 320)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(len(rows), 5)
        self.table.setObjectName("models")
        self.table.setHorizontalHeaderLabels(["Active", "Version", "F1@5 before", "F1@5 after", "Photos"])
        for row, r in enumerate(rows):  # services.models.ModelRow, newest first, version 0 last
            m = r.metrics
            if r.version == "0":
                cells = ["\u2713" if r.active else "", "0", "untrained engine", "", ""]
            elif r.problem:
                cells = ["", r.version, "cannot be used", r.problem, ""]
            else:
                cells = ["\u2713" if r.active else "", r.version, f"{m.get('before_f1_at_5', 0):.0%}",
                         f"{m.get('after_f1_at_5', 0):.0%}", str(m.get("train_photos", ""))]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        activate = QPushButton("Activate selected")
        activate.clicked.connect(self._activate)
        rollback = QPushButton("Roll back")
        rollback.clicked.connect(self.rollback_requested)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        for button in (activate, rollback):
            buttons.addWidget(button)
        buttons.addStretch()
        buttons.addWidget(close)
        layout.addLayout(buttons)
        if len(rows) <= 1:
            layout.insertWidget(0, QLabel("No trained models yet: use \u201cRetrain on my tags\u201d."))

    def _activate(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.activate_requested.emit(self.table.item(row, 1).text())


class LogDialog(QDialog):
    def __init__(self, text: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Log")
        self.resize(900, 500)
        layout = QVBoxLayout(self)
        view = QPlainTextEdit(text)
        view.setReadOnly(True)
        view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        layout.addWidget(view)
        view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())


class ShortcutsDialog(QDialog):
    """Help › Keyboard shortcuts: the keys as a table that scrolls, never taller than the screen
    (as a message box it was 1,124 px tall: on a 1,000 px screen its last rows and OK were off it)."""

    def __init__(self, rows: tuple[tuple[str, str], ...], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(self)
        self.view = QTextBrowser()
        self.view.setHtml("<table>" + "".join(
            f"<tr><td><b>{html.escape(keys)}</b>&nbsp;&nbsp;</td><td>{html.escape(does)}</td></tr>"
            for keys, does in rows) + "</table>")
        layout.addWidget(self.view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        screen = (parent.screen() if parent is not None else self.screen()).availableGeometry()
        self.resize(min(640, screen.width()), min(700, screen.height() * 9 // 10))
