"""Dialogs (layout only): settings, first run, models, log, full-size viewer."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
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
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ..engine.encoders import ENCODERS
from ..options import DEVICES, RAW_JPEG, SIDECAR_STYLES, THEMES
from ..settings import Settings


def _choices(options: dict[str, str], current: str) -> QComboBox:
    """A combo box of one of tagassist/options.py's choices: its words shown, its value as data."""
    box = QComboBox()
    for value, label in options.items():
        box.addItem(label, value)
    box.setCurrentIndex(max(0, box.findData(current)))
    return box


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent=None, *, raw_jpeg_pairs: bool = True):
        super().__init__(parent)
        self.setWindowTitle("Settings")
        form = QFormLayout(self)
        self.device = _choices(DEVICES, settings.device)
        self.encoder = QComboBox()
        self.encoder.addItems([name for name in ENCODERS if name != "cnn-permlp"])
        self.encoder.setCurrentText(settings.encoder)
        self.thumbnail_dir = QLineEdit(settings.thumbnail_dir)
        self.thumbnail_dir.setPlaceholderText("the user cache folder")
        browse = QPushButton("Choose\u2026")
        browse.clicked.connect(self._choose_dir)
        row = QHBoxLayout()
        row.addWidget(self.thumbnail_dir, 1)
        row.addWidget(browse)
        self.cache_mb = QSpinBox()
        self.cache_mb.setRange(100, 100_000)
        self.cache_mb.setSuffix(" MB")
        self.cache_mb.setValue(settings.thumbnail_cache_mb)
        self.count = QSpinBox()
        self.count.setRange(1, 9)
        self.count.setValue(settings.suggestion_count)
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.0, 0.95)
        self.threshold.setSingleStep(0.05)
        self.threshold.setValue(settings.confidence_threshold)
        self.write_on_accept = QCheckBox("Write keywords into XMP sidecars as soon as they change")
        self.write_on_accept.setChecked(settings.write_on_accept)
        self.sidecar_style = _choices(SIDECAR_STYLES, settings.sidecar_style)
        self.raw_jpeg = _choices(RAW_JPEG, "pair" if raw_jpeg_pairs else "separate")
        self.theme = _choices(THEMES, settings.theme)
        form.addRow("Inference device", self.device)
        form.addRow("Visual encoder", self.encoder)
        form.addRow("Thumbnail folder", row)
        form.addRow("Thumbnail cache size", self.cache_mb)
        form.addRow("Suggestions shown", self.count)
        form.addRow("Hide suggestions scoring below", self.threshold)
        form.addRow("Keywords in files", self.write_on_accept)
        form.addRow("Write keywords for", self.sidecar_style)
        form.addRow("RAW + JPEG of one shot", self.raw_jpeg)
        form.addRow("Theme", self.theme)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.base = settings

    def _choose_dir(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Thumbnail folder")
        if folder:
            self.thumbnail_dir.setText(folder)

    def result_settings(self) -> Settings:
        return Settings(
            device=self.device.currentData(), encoder=self.encoder.currentText(),
            thumbnail_dir=self.thumbnail_dir.text().strip(), thumbnail_cache_mb=self.cache_mb.value(),
            suggestion_count=self.count.value(), confidence_threshold=round(self.threshold.value(), 2),
            theme=self.theme.currentData(), write_on_accept=self.write_on_accept.isChecked(),
            sidecar_style=self.sidecar_style.currentData(), profile=self.base.profile,
        )


    def raw_jpeg_pairs(self) -> bool:
        return self.raw_jpeg.currentData() == "pair"


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
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _choose(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "A folder of photos")
        if folder:
            self.folder.setText(folder)


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


class Viewer(QDialog):
    """The photo at full window size; Space or Escape closes it."""

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(1200, 820)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("Loading\u2026")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setStyleSheet("background: #111; color: #ccc;")
        layout.addWidget(self.label)
        QShortcut(QKeySequence(Qt.Key.Key_Space), self, self.close)
        self._image: QImage | None = None

    def show_image(self, image: QImage) -> None:
        self._image = image
        self._fit()

    def show_error(self, message: str) -> None:
        self.label.setText(message)

    def _fit(self) -> None:
        if self._image is not None and not self._image.isNull():
            self.label.setPixmap(QPixmap.fromImage(self._image).scaled(
                self.label.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        self._fit()
