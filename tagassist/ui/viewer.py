"""The full-size viewer: the photo as large as the window, the next and previous photo of the
grid with the arrow keys (the grid's selection follows, so a key pressed after closing tags
the photo last seen), and zoom: + and - step it, Z switches between fit and 100 %, Ctrl and
the mouse wheel zoom too. Space or Escape closes it. Photos are decoded off the UI thread."""

from __future__ import annotations

import os

from PySide6.QtCore import QItemSelectionModel, QObject, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import QDialog, QScrollArea, QVBoxLayout

from ..services import images
from .face_boxes import FaceLabel
from .grid import PhotoGridModel
from .main_window import MainWindow
from .workers import Job, JobRunner

ZOOMS = (0.125, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)  # of the decoded photo's pixels; None: fit
DECODED_PX = 2400  # the longest side decoded for the viewer


def full_image(path: str, orientation: int | None) -> QImage:
    """The photo decoded for the viewer, as a QImage (safe off the UI thread)."""
    data, width, height = images.full_size(path, orientation, DECODED_PX)
    return QImage(data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


class Viewer(QDialog):
    step_requested = Signal(int)  # +1 the next photo, -1 the previous one

    def __init__(self, parent=None):
        super().__init__(parent)
        self.resize(1200, 820)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea()
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll.setStyleSheet("background: #111; color: #ccc;")
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the arrows are the viewer's, not the scroll bars'
        self.label = FaceLabel("Loading\u2026")  # the faces drawn on it with Ctrl+B (faces.py)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll.setWidget(self.label)
        self.scroll.setWidgetResizable(True)
        layout.addWidget(self.scroll)
        QShortcut(QKeySequence(Qt.Key.Key_Space), self, self.close)
        for keys, step in (((Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_PageDown), 1),
                           ((Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_PageUp), -1)):
            for key in keys:
                QShortcut(QKeySequence(key), self, lambda s=step: self.step_requested.emit(s))
        for keys, zoom in ((("+", "=", "Ctrl++", "Ctrl+="), self.zoom_in), (("-", "Ctrl+-"), self.zoom_out),
                           (("Z",), self.toggle_zoom), (("Ctrl+0",), self.fit)):
            for key in keys:
                QShortcut(QKeySequence(key), self, zoom)
        self._image: QImage | None = None
        self.zoom: float | None = None  # None: the photo fits the window

    def begin(self, title: str) -> None:
        """Another photo is on its way: its name, and no picture of the last one meanwhile."""
        self.setWindowTitle(title)
        self._image = None
        self.label.clear()
        self.label.setText("Loading\u2026")

    def show_image(self, image: QImage) -> None:
        self._image = image
        self._show()

    def show_error(self, message: str) -> None:
        self.label.setText(message)

    # -- zoom ------------------------------------------------------------------------------
    def fit(self) -> None:
        self.zoom = None
        self._show()

    def toggle_zoom(self) -> None:
        self.zoom = 1.0 if self.zoom is None else None
        self._show()

    def zoom_in(self) -> None:
        self.zoom = next((z for z in ZOOMS if z > self._current_zoom() * 1.01), ZOOMS[-1])
        self._show()

    def zoom_out(self) -> None:
        self.zoom = next((z for z in reversed(ZOOMS) if z < self._current_zoom() * 0.99), ZOOMS[0])
        self._show()

    def _current_zoom(self) -> float:
        if self.zoom is not None or self._image is None or self._image.isNull():
            return self.zoom or 1.0
        view = self.scroll.viewport().size()
        return min(view.width() / self._image.width(), view.height() / self._image.height())

    def _show(self) -> None:
        if self._image is None or self._image.isNull():
            return
        pixmap = QPixmap.fromImage(self._image)
        if self.zoom is None:
            self.scroll.setWidgetResizable(True)
            size = self.scroll.viewport().size()
        else:
            self.scroll.setWidgetResizable(False)
            size = self._image.size() * self.zoom
        scaled = pixmap.scaled(size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        self.label.setPixmap(scaled)
        if self.zoom is not None:
            self.label.resize(scaled.size())
        percent = round(100 * self._current_zoom())
        self.setWindowTitle(self.windowTitle().split("  \u2014 ")[0] + f"  \u2014 {percent} %")

    def wheelEvent(self, event):  # noqa: N802 - Qt's name
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            (self.zoom_in if event.angleDelta().y() > 0 else self.zoom_out)()
            return
        super().wheelEvent(event)

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        if self.zoom is None:
            self._show()


class ViewerController(QObject):
    """Opens the viewer on the selected photo and walks the grid with it."""

    photo_shown = Signal(object, int)  # the viewer, the photo it shows now (its faces are drawn on it)

    def __init__(self, window: MainWindow, model: PhotoGridModel, runner: JobRunner, parent: QObject | None = None):
        super().__init__(parent)
        self.window, self.model, self.runner = window, model, runner
        self.viewer: Viewer | None = None
        self._showing: int | None = None  # the photo whose picture the viewer waits for

    def toggle(self) -> None:
        if self.viewer is not None and self.viewer.isVisible():  # Space toggles, wherever the focus went
            self.viewer.close()
            return
        position = self.model.position(self.window.grid.currentIndex())
        if position is None:
            return
        self.viewer = Viewer(self.window)
        self.viewer.step_requested.connect(self.step)
        self.viewer.finished.connect(self._closed)
        self._load(position)
        self.viewer.show()
        self.viewer.activateWindow()

    def step(self, by: int) -> None:
        position = self.model.position(self.window.grid.currentIndex())
        if position is None or not 0 <= position + by < len(self.model.photos):
            return  # the first or the last photo: it stays
        index = self.model.index_of(position + by)
        # That photo alone, as the grid's own arrows would select it (explicit flags: no modifier is read).
        self.window.grid.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.window.grid.scrollTo(index)
        self._load(position + by)

    @property
    def showing(self) -> int | None:
        """The photo the viewer shows (or showed last), None before it opened."""
        return self._showing if self.viewer is not None else None

    def _load(self, position: int) -> None:
        photo = self.model.photos[position]
        self._showing = photo.id
        self.viewer.begin(os.path.basename(photo.path))
        self.photo_shown.emit(self.viewer, photo.id)
        job = Job("Opening photo", full_image, photo.pixels_path, photo.orientation)
        job.signals.photo_id = photo.id
        job.signals.result.connect(self._loaded)
        job.signals.error.connect(self._failed)
        self.runner.start(job)

    def _loaded(self, image: QImage) -> None:
        if self.viewer is not None and self.sender().photo_id == self._showing:  # not a photo stepped past
            self.viewer.show_image(image)

    def _failed(self, message: str) -> None:
        if self.viewer is not None and self.sender().photo_id == self._showing:
            self.viewer.show_error(message)

    def _closed(self) -> None:
        self.window.activateWindow()
        self.window.grid.setFocus()  # arrows work at once
