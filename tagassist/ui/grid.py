"""The thumbnail grid's model: photos as rows, thumbnails loaded lazily by the worker pool."""

from __future__ import annotations

import os
from collections import OrderedDict

from PySide6.QtCore import QAbstractListModel, QModelIndex, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPixmap

from ..store import GridRow
from .workers import ThumbnailLoader

CELL = QSize(176, 150)
THUMB = 160
ICON = QSize(THUMB, THUMB * 2 // 3)  # the box every thumbnail is fitted into, portrait or not
PIXMAP_CACHE = 3000  # about 300 MB of 160 px pixmaps at most


class PhotoGridModel(QAbstractListModel):
    PhotoRole = Qt.ItemDataRole.UserRole + 1
    TagCountRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, loader: ThumbnailLoader, parent=None):
        super().__init__(parent)
        self.photos: list[GridRow] = []
        self.tag_counts: list[int] = []
        self.rows_by_hash: dict[str, list[int]] = {}
        self.row_by_id: dict[int, int] = {}
        self.loader = loader
        self.loader.loaded.connect(self._on_loaded)
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._requested: set[str] = set()
        self._placeholder = self._make_placeholder()

    @staticmethod
    def _make_placeholder() -> QPixmap:
        pixmap = QPixmap(ICON)
        pixmap.fill(QColor(60, 60, 60))
        return pixmap

    def set_photos(self, rows: list[GridRow]) -> None:
        self.beginResetModel()
        self.loader.clear_pending()
        self._requested.clear()
        self.photos = rows
        self.tag_counts = [r.tag_count for r in rows]
        self.rows_by_hash: dict[str, list[int]] = {}
        self.row_by_id = {p.id: row for row, p in enumerate(self.photos)}
        for row, photo in enumerate(self.photos):
            self.rows_by_hash.setdefault(photo.content_hash, []).append(row)
        self.endResetModel()

    def set_tag_count(self, photo_id: int, count: int) -> None:
        row = self.row_by_id.get(photo_id)
        if row is not None:
            self.tag_counts[row] = count
            index = self.index(row)
            self.dataChanged.emit(index, index)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self.photos)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        photo = self.photos[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            mark = "\u2713 " if self.tag_counts[index.row()] else ""
            return mark + os.path.basename(photo.path)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbnail(photo)
        if role == Qt.ItemDataRole.ToolTipRole:
            reason = f"\n{photo.status}: {photo.error}" if photo.status != "ok" else ""
            return f"{photo.path}\n{self.tag_counts[index.row()]} tags{reason}"
        if role == self.PhotoRole:
            return photo
        if role == self.TagCountRole:
            return self.tag_counts[index.row()]
        return None

    def _thumbnail(self, photo: GridRow):
        key = photo.content_hash
        if not key or photo.status in ("error", "missing"):
            return self._placeholder
        if key in self._pixmaps:
            self._pixmaps.move_to_end(key)
            return self._pixmaps[key]
        if key not in self._requested:  # only rows that are painted ask: the grid is virtual
            self._requested.add(key)
            self.loader.request(key, photo.path, key, photo.orientation)
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
        for row in self.rows_by_hash.get(key, []):
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])
