"""The thumbnail grid: photos laid out as a table with as many columns as fit across.

A QTableView with fixed row heights lays out any number of rows at once (unlike QListView,
whose icon and wrapping modes visit every item before the first paint: 3 s for 100,000
photos). Thumbnails are loaded lazily by the worker pool for the cells that are painted.
"""

from __future__ import annotations

import os
from collections import OrderedDict

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from ..records import GridRow
from .workers import ThumbnailLoader

CELL = QSize(176, 150)
THUMB = 160
ICON = QSize(THUMB, THUMB * 2 // 3)  # the box every thumbnail is fitted into, portrait or not
PIXMAP_CACHE = 3000  # about 300 MB of 160 px pixmaps at most


class PhotoGridModel(QAbstractTableModel):
    PhotoRole = Qt.ItemDataRole.UserRole + 1
    ReasonRole = Qt.ItemDataRole.UserRole + 2  # a review's reason for a candidate (review.py)

    def __init__(self, loader: ThumbnailLoader, parent=None):
        super().__init__(parent)
        self.photos: list[GridRow] = []
        self.tag_counts: list[int] = []
        self.rows_by_hash: dict[str, list[int]] = {}
        self.row_by_id: dict[int, int] = {}
        self.captions: dict[int, tuple[float, str]] = {}  # photo id -> a review's score and reason
        self.columns = 4
        self.loader = loader
        self.loader.loaded.connect(self._on_loaded)
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._requested: set[str] = set()
        self._placeholder = QPixmap(ICON)
        self._placeholder.fill(QColor(60, 60, 60))

    # -- positions: photo number <-> table cell ----------------------------------------
    def index_of(self, position: int) -> QModelIndex:
        return self.index(position // self.columns, position % self.columns)

    def position(self, index: QModelIndex) -> int | None:
        if not index.isValid():
            return None
        position = index.row() * self.columns + index.column()
        return position if position < len(self.photos) else None

    def set_columns(self, columns: int) -> None:
        columns = max(1, columns)
        if columns != self.columns:
            self.beginResetModel()
            self.columns = columns
            self.endResetModel()

    def set_photos(self, rows: list[GridRow]) -> None:
        self.beginResetModel()
        self.loader.clear_pending()
        self._requested.clear()
        self.photos = rows
        self.tag_counts = [r.tag_count for r in rows]
        self.rows_by_hash = {}
        self.row_by_id = {p.id: position for position, p in enumerate(rows)}
        for position, photo in enumerate(rows):
            self.rows_by_hash.setdefault(photo.content_hash, []).append(position)
        self.endResetModel()

    def set_captions(self, captions: dict[int, tuple[float, str]]) -> None:
        """Each candidate's score and reason, shown under its thumbnail while a review lasts."""
        self.captions = captions

    def set_tag_count(self, photo_id: int, count: int) -> None:
        position = self.row_by_id.get(photo_id)
        if position is not None:
            self.tag_counts[position] = count
            index = self.index_of(position)
            self.dataChanged.emit(index, index)

    # -- the Qt model ------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else -(-len(self.photos) // self.columns)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self.columns

    def flags(self, index):
        if self.position(index) is None:
            return Qt.ItemFlag.NoItemFlags  # the empty cells after the last photo
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        position = self.position(index)
        if position is None:
            return None
        photo = self.photos[position]
        caption = self.captions.get(photo.id)
        if role == Qt.ItemDataRole.DisplayRole:
            mark = "\u2713 " if self.tag_counts[position] else ""
            return (f"{caption[0]:.2f} \u00b7 " if caption else "") + mark + os.path.basename(photo.path)
        if role == self.ReasonRole:
            return caption[1] if caption else None
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbnail(photo)
        if role == Qt.ItemDataRole.ToolTipRole:
            reason = f"\n{photo.status}: {photo.error}" if photo.status != "ok" else ""
            said = f"{caption[0]:.2f}: {caption[1]}\n" if caption else ""
            return f"{said}{photo.path}\n{self.tag_counts[position]} tags{reason}"
        if role == self.PhotoRole:
            return photo
        return None

    def _thumbnail(self, photo: GridRow) -> QPixmap:
        key = photo.content_hash
        if not key or photo.status in ("error", "missing"):
            return self._placeholder
        if key in self._pixmaps:
            self._pixmaps.move_to_end(key)
            return self._pixmaps[key]
        if key not in self._requested:  # only painted cells ask: the grid is virtual
            self._requested.add(key)
            self.loader.request(key, photo.pixels_path, key, photo.orientation)
        return self._placeholder

    def _on_loaded(self, key, image: QImage) -> None:
        if image.isNull() or not isinstance(key, str):  # other keys are the preview's
            return
        pixmap = QPixmap.fromImage(image.scaled(ICON, Qt.AspectRatioMode.KeepAspectRatio,
                                                Qt.TransformationMode.SmoothTransformation))
        self._pixmaps[key] = pixmap
        while len(self._pixmaps) > PIXMAP_CACHE:
            evicted, _ = self._pixmaps.popitem(last=False)
            self._requested.discard(evicted)
        for position in self.rows_by_hash.get(key, []):
            index = self.index_of(position)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


class ThumbnailDelegate(QStyledItemDelegate):
    """A thumbnail centred in its cell with the file name under it, like an icon view."""

    def paint(self, painter, option, index) -> None:
        if index.data(Qt.ItemDataRole.DisplayRole) is None:
            return
        painter.save()
        rect = option.rect.adjusted(3, 3, -3, -3)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, option.palette.highlight())
        pixmap: QPixmap = index.data(Qt.ItemDataRole.DecorationRole)
        target = QRect(0, 0, pixmap.width(), pixmap.height())
        target.moveCenter(rect.center())
        target.moveTop(rect.top() + 4 + (ICON.height() - pixmap.height()) // 2)
        painter.drawPixmap(target, pixmap)
        text_rect = QRect(rect.left(), rect.top() + ICON.height() + 8, rect.width(), rect.height() - ICON.height() - 8)
        selected = option.state & QStyle.StateFlag.State_Selected
        painter.setPen(option.palette.color(option.palette.ColorRole.HighlightedText if selected
                                            else option.palette.ColorRole.Text))
        text = option.fontMetrics.elidedText(index.data(Qt.ItemDataRole.DisplayRole), Qt.TextElideMode.ElideMiddle,
                                             rect.width() - 4)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, text)
        reason = index.data(PhotoGridModel.ReasonRole)
        if reason:  # a review's candidate: why, in small type under its name
            font = painter.font()
            font.setPointSizeF(font.pointSizeF() * 0.8)
            painter.setFont(font)
            line = option.fontMetrics.height()
            painter.drawText(text_rect.adjusted(0, line, 0, 0),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                             painter.fontMetrics().elidedText(reason, Qt.TextElideMode.ElideRight, rect.width() - 4))
        painter.restore()

    def sizeHint(self, option, index) -> QSize:  # noqa: N802
        return CELL
