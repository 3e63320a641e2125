"""No focus dead ends (issue 23, 6): every key goes on working after the search box, the
completion popup and a dialog, without a click."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import press, select, tags_of, type_text

CTRL = Qt.KeyboardModifier.ControlModifier


def test_escape_leaves_the_search_box_so_space_opens_the_viewer(qtbot, app):
    window, controller, _ = app
    select(qtbot, window, controller, "DSCF1000.jpg")
    press(qtbot, Qt.Key.Key_F, CTRL)
    assert QApplication.focusWidget() is window.search
    press(qtbot, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is window.grid
    press(qtbot, Qt.Key.Key_Space)
    assert window.search.text() == ""
    qtbot.waitUntil(lambda: getattr(controller, "viewer", None) is not None and controller.viewer.isVisible(),
                    timeout=5000)
    press(qtbot, Qt.Key.Key_Space)  # Space again closes it, and the window has the keys back
    qtbot.waitUntil(lambda: window.isActiveWindow() and QApplication.focusWidget() is window.grid, timeout=5000)

    press(qtbot, Qt.Key.Key_F, CTRL)  # Enter searches and goes back to the photos: arrows move at once
    type_text(qtbot, "Rome")
    press(qtbot, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is window.grid
    qtbot.waitUntil(lambda: 0 < len(controller.model.photos) < 37, timeout=5000)


def completions_open(qtbot, window, controller):
    """'archite' typed for IMG1206.jpg, the completion popup open; returns the popup."""
    select(qtbot, window, controller, "IMG1206.jpg")
    type_text(qtbot, "archite")
    popup = window.editor.field.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=5000)
    return popup


def test_a_completion_picked_with_enter_adds_the_tag_and_leaves_the_field_empty(qtbot, app):
    window, controller, store = app
    popup = completions_open(qtbot, window, controller)
    press(qtbot, Qt.Key.Key_Down)  # the first completion, highlighted
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not popup.isVisible(), timeout=5000)
    qtbot.wait(50)
    assert window.editor.field.text() == ""
    assert tags_of(store, "IMG1206.jpg")[0] == {"architecture": "typed"}


def test_tab_with_the_completion_open_goes_to_the_photos_not_the_photographer_box(qtbot, app):
    window, controller, _ = app
    popup = completions_open(qtbot, window, controller)
    press(qtbot, Qt.Key.Key_Tab)
    assert not popup.isVisible()
    assert QApplication.focusWidget() is window.grid


def test_f1_works_after_a_dialog_closes_without_a_click(qtbot, app):
    window, controller, _ = app
    press(qtbot, Qt.Key.Key_K, CTRL | Qt.KeyboardModifier.ShiftModifier)  # the keyword manager
    dialog = controller.keywords.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    qtbot.wait(50)
    assert window.isActiveWindow() and QApplication.focusWidget() is window.grid  # where F1 and every key work
    press(qtbot, Qt.Key.Key_F1)
    shortcuts = controller.shortcuts_dialog
    qtbot.waitUntil(shortcuts.isVisible, timeout=5000)
    assert "Ctrl+N" in shortcuts.view.toPlainText()
    press(qtbot, Qt.Key.Key_Escape)  # and from the keys' list, back to the photos
    qtbot.waitUntil(lambda: not shortcuts.isVisible(), timeout=5000)
    qtbot.wait(50)
    assert QApplication.focusWidget() is window.grid
