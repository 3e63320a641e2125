"""The People view's page: her people and the unnamed groups, read with their face crops off
the UI thread (``people_page``, a job), and the widget that lists them."""

from __future__ import annotations

import os
from collections.abc import Iterator

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QVBoxLayout, QWidget

from ..services import faces, images
from ..services.library import open_library
from .face_naming import NameField, why_no_faces

CROP = 64  # px, a face's crop in a row
CROPS = 6  # crops per row
GROUPS = 60  # unnamed groups shown (the biggest)
DECODE_PX = 768  # the photo's longest side the crops are cut from
CROPS_AT_ONCE = 24  # crops sent to the view together, as they are cut
SPLIT_CROPS = 40  # a group this small has a crop for every face (Right shows them one by one)


def _crop(pixels: QImage, box, side: int = CROP) -> QImage:
    """The face with a margin, square, ``side`` pixels."""
    w, h = pixels.width(), pixels.height()
    cx, cy = (box.x + box.w / 2) * w, (box.y + box.h / 2) * h
    half = max(box.w * w, box.h * h) * 0.65
    rect = QRect(round(cx - half), round(cy - half), round(2 * half), round(2 * half)).intersected(pixels.rect())
    return pixels.copy(rect).scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                                    Qt.TransformationMode.SmoothTransformation)


def people_page(db_path: str, profile_name: str, have: frozenset = frozenset()) -> Iterator[dict]:
    """Her people and the unnamed groups (a job: off the UI thread), then the crops of their
    faces a few at a time, but for those the view has already (``have``: (face id, box) each)."""
    with open_library(db_path) as store:
        profile = store.profiles.get(profile_name)
        people = faces.people_with_faces(store, profile, CROPS)
        note = None
        try:
            groups = faces.unknown_clusters(store, profile)[:GROUPS]
        except (ImportError, RuntimeError) as exc:  # grouping needs dlib (FacesUnavailable: its one line)
            groups, note = [], f"unnamed faces are not grouped: {exc}"
        suggested = faces.group_suggestions(store, profile, groups)
        # The crops of a group's first faces; a small group's all (it can be split, face by face).
        wanted = [f for _, _, _, shown in people for f in shown] + [
            f for group in groups for f in (group if len(group) <= SPLIT_CROPS else group[:CROPS])]
        photos = {i: store.photos.get(i) for i in {f.photo_id for f in wanted}}
        names = {i: os.path.basename(photo.path) for i, photo in photos.items() if photo is not None}
        yield {"stage": "rows", "profile": profile_name, "people": people, "groups": groups, "suggested": suggested,
               "names": names, "note": note or why_no_faces(store)}
        pictures: dict[int, QImage | None] = {}
        crops: dict[tuple, QImage] = {}
        for face in wanted:
            if (face.id, face.box) in have:
                continue
            if face.photo_id not in pictures:
                photo = photos[face.photo_id]
                try:
                    data, width, height = images.full_size(photo.pixels_path, photo.orientation, DECODE_PX)
                    pictures = {face.photo_id: QImage(data, width, height, 3 * width,
                                                      QImage.Format.Format_RGB888).copy()}  # one photo kept at a time
                except Exception:  # noqa: BLE001 - a photo gone or unreadable: its faces show no crop
                    pictures = {face.photo_id: None}
            if pictures[face.photo_id] is not None:
                crops[(face.id, face.box)] = _crop(pictures[face.photo_id], face.box)
            if len(crops) >= CROPS_AT_ONCE:
                yield {"stage": "crops", "crops": crops}
                crops = {}
        if crops:
            yield {"stage": "crops", "crops": crops}


class PeopleView(QWidget):
    def __init__(self, vocabulary):
        super().__init__()
        self.setObjectName("people-view")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        self.header = QLabel()
        self.header.setObjectName("people-header")
        self.header.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("people-list")
        self.list.setIconSize(QSize(CROPS * (CROP + 4), CROP))
        self.list.setSpacing(2)
        row = QHBoxLayout()
        self.prompt = QLabel("Name:")
        self.prompt.setObjectName("people-prompt")
        self.field = NameField(vocabulary, "people-name", "Type a name for the chosen group, Enter")
        row.addWidget(self.prompt)
        row.addWidget(self.field, 1)
        layout.addWidget(self.header)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)


def strip(images_: list[QImage]) -> QPixmap:
    pixmap = QPixmap(CROPS * (CROP + 4), CROP)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    for number, image in enumerate(images_[:CROPS]):
        painter.drawImage(number * (CROP + 4) + (CROP - image.width()) // 2, (CROP - image.height()) // 2, image)
    painter.end()
    return pixmap
