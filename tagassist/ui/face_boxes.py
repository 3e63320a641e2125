"""A picture with its faces drawn on it (issue 27, 4): the preview and the viewer show a
photo in a ``FaceLabel``, which draws each face's box (normalized, in the upright picture)
over the pixmap with its caption, the chosen face thicker; a click on a box chooses it."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QLabel


@dataclass(frozen=True)
class FaceMark:
    """One face as drawn: its box (x, y, w, h in 0..1), its caption, and how sure the caption is."""

    box: tuple[float, float, float, float]
    caption: str  # "Anna", "Anna? 0.91" or ""
    kind: str  # 'named', 'suggested' or 'unknown'


COLOURS = {"named": QColor(80, 220, 120), "suggested": QColor(250, 200, 60), "unknown": QColor(235, 235, 235)}
CHOSEN = QColor(60, 170, 255)


class FaceLabel(QLabel):
    face_clicked = Signal(int)  # the face's number in the marks, left to right

    def __init__(self, *args):
        super().__init__(*args)
        self.marks: list[FaceMark] = []
        self.chosen: int | None = None

    def set_faces(self, marks: list[FaceMark], chosen: int | None = None) -> None:
        self.marks, self.chosen = list(marks), chosen
        self.update()

    def picture_rect(self) -> QRectF | None:
        """Where the pixmap is drawn in the label (centred, as the label aligns it)."""
        pixmap = self.pixmap()
        if pixmap is None or pixmap.isNull():
            return None
        size = pixmap.deviceIndependentSize()
        area = QRectF(self.contentsRect())
        return QRectF(area.x() + (area.width() - size.width()) / 2, area.y() + (area.height() - size.height()) / 2,
                      size.width(), size.height())

    def box_rect(self, number: int) -> QRectF | None:
        picture = self.picture_rect()
        if picture is None or not 0 <= number < len(self.marks):
            return None
        x, y, w, h = self.marks[number].box
        return QRectF(picture.x() + x * picture.width(), picture.y() + y * picture.height(),
                      w * picture.width(), h * picture.height())

    def paintEvent(self, event):  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if not self.marks or self.picture_rect() is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetrics(painter.font())
        for number, mark in enumerate(self.marks):
            rect = self.box_rect(number)
            chosen = number == self.chosen
            colour = CHOSEN if chosen else COLOURS.get(mark.kind, COLOURS["unknown"])
            painter.setPen(QPen(QColor(0, 0, 0, 160), 4 if chosen else 3))
            painter.drawRect(rect)
            painter.setPen(QPen(colour, 3 if chosen else 1.5))
            painter.drawRect(rect)
            if mark.caption:
                width = metrics.horizontalAdvance(mark.caption) + 8
                tag = QRectF(rect.x(), rect.bottom() + 2, width, metrics.height() + 2)
                painter.fillRect(tag, QColor(0, 0, 0, 170))
                painter.setPen(colour)
                painter.drawText(tag.translated(4, 0), Qt.AlignmentFlag.AlignVCenter, mark.caption)
        painter.end()

    def face_at(self, point: QPointF) -> int | None:
        hits = [n for n in range(len(self.marks)) if self.box_rect(n).contains(point)]
        return min(hits, key=lambda n: self.box_rect(n).width()) if hits else None  # the smaller of two overlapping

    def mousePressEvent(self, event):  # noqa: N802
        number = self.face_at(event.position())
        if number is not None and event.button() == Qt.MouseButton.LeftButton:
            self.face_clicked.emit(number)
            event.accept()
            return
        super().mousePressEvent(event)
