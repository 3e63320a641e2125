"""The full-size viewer walks the grid and zooms by keys (issue 23, 5)."""

import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import press, select


def picture_width(viewer) -> int:
    pixmap = viewer.label.pixmap()
    return 0 if pixmap is None or pixmap.isNull() else pixmap.width()


def test_arrows_show_the_next_and_previous_photo_and_plus_minus_z_zoom(qtbot, app):
    window, controller, _ = app
    photos = controller.model.photos
    select(qtbot, window, controller, os.path.basename(photos[3].path))
    press(qtbot, Qt.Key.Key_Space)
    viewer = controller.viewer
    qtbot.waitUntil(lambda: picture_width(viewer) > 0, timeout=10000)
    assert viewer.windowTitle().startswith(os.path.basename(photos[3].path))

    press(qtbot, Qt.Key.Key_Right)
    assert viewer.windowTitle().startswith(os.path.basename(photos[4].path))
    qtbot.waitUntil(lambda: picture_width(viewer) > 0, timeout=10000)
    press(qtbot, Qt.Key.Key_Left)
    press(qtbot, Qt.Key.Key_Left)
    assert viewer.windowTitle().startswith(os.path.basename(photos[2].path))
    qtbot.waitUntil(lambda: picture_width(viewer) > 0, timeout=10000)

    fitted = picture_width(viewer)
    assert fitted <= viewer.width()
    press(qtbot, Qt.Key.Key_Z)  # 100 %: the decoded photo's own pixels
    assert "100 %" in viewer.windowTitle()
    full = picture_width(viewer)
    press(qtbot, Qt.Key.Key_Plus)
    assert picture_width(viewer) > full and "150 %" in viewer.windowTitle()
    press(qtbot, Qt.Key.Key_Minus)
    press(qtbot, Qt.Key.Key_Minus)
    assert picture_width(viewer) < full and "75 %" in viewer.windowTitle()
    press(qtbot, Qt.Key.Key_Z)  # back to the window's size
    assert picture_width(viewer) == fitted

    press(qtbot, Qt.Key.Key_Escape)  # closed on the photo last seen: the grid's selection followed
    qtbot.waitUntil(lambda: not viewer.isVisible() and QApplication.focusWidget() is window.grid, timeout=5000)
    assert controller.model.position(window.grid.currentIndex()) == 2
    assert controller.tagging.selected_ids() == [photos[2].id]
