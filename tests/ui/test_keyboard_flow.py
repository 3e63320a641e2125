"""Keyboard-first tagging without a wrong tag: every key goes where a real key press goes
(the focus widget of the active window), and the test checks which tags landed where."""

import shutil
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from tagassist.cli import main
from tests.conftest import SAMPLE_LIBRARY
from tests.ui.conftest import press, select, tags_of, type_text

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def keyboard(app):
    """The app without the completer's popup: offscreen Qt has no window manager to hand the
    activation back to the main window when a popup closes, so later keys would go nowhere.
    The popup itself is exercised under Xvfb (tests/ui/test_desktop.py)."""
    window, controller, store = app
    window.editor.field.setCompleter(None)
    return app


def current_photo(window, controller):
    return controller.model.photos[controller.model.position(window.grid.currentIndex())]


def wait_for_list(qtbot, window, at_least=1):
    qtbot.waitUntil(lambda: len(window.editor.suggestions) >= at_least, timeout=10000)


def test_focus_starts_on_the_grid_and_tab_and_ctrl_k_reach_the_tag_field(qtbot, keyboard):
    window, controller, store = keyboard
    assert QApplication.focusWidget() is window.grid
    wait_for_list(qtbot, window)
    top = window.editor.suggestions[0].tag
    press(qtbot, Qt.Key.Key_1)  # works at once, no click first
    assert top in tags_of(store, current_photo(window, controller).path)[0]
    press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.editor.field
    press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.grid
    press(qtbot, Qt.Key.Key_K, CTRL)
    assert QApplication.focusWidget() is window.editor.field
    press(qtbot, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is window.grid


def test_typing_in_the_grid_goes_to_the_tag_field_and_fires_no_shortcut(qtbot, keyboard):
    """The reported accidents: 'sunset' + Enter ran N and accepted the top suggestion;
    'Bruno' added a suggestion. Typed letters and digits belong to the tag."""
    window, controller, store = keyboard
    select(qtbot, window, controller, "IMG1206.jpg")
    type_text(qtbot, "sunset")
    assert window.editor.field.text() == "sunset"
    press(qtbot, Qt.Key.Key_Return)
    assert current_photo(window, controller).path.endswith("IMG1206.jpg")  # no jump to the next untagged
    assert tags_of(store, "IMG1206.jpg")[0] == {"sunset": "typed"}
    assert QApplication.focusWidget() is window.grid  # back in the grid: digits pick suggestions again

    select(qtbot, window, controller, "DSCF1306.jpg")
    type_text(qtbot, "Bruno 2024")  # a space and digits inside a tag are the tag's
    press(qtbot, Qt.Key.Key_Return)
    assert tags_of(store, "DSCF1306.jpg")[0] == {"Bruno 2024": "typed"}

    select(qtbot, window, controller, "DSCF1105.jpg")
    type_text(qtbot, "oops")
    press(qtbot, Qt.Key.Key_Escape)  # first Escape clears, the second leaves the field
    press(qtbot, Qt.Key.Key_Escape)
    assert window.editor.field.text() == "" and QApplication.focusWidget() is window.grid
    assert tags_of(store, "DSCF1105.jpg")[0] == {}


def test_numbers_keep_meaning_what_was_shown(qtbot, keyboard):
    window, controller, store = keyboard
    select(qtbot, window, controller, "DSCF1007.jpg")
    wait_for_list(qtbot, window, 3)
    shown = [s.tag for s in window.editor.suggestions]
    press(qtbot, Qt.Key.Key_1)
    press(qtbot, Qt.Key.Key_2)  # pressed before the refreshed list arrives, and after: the same tag
    qtbot.wait(300)
    assert [s.tag for s in window.editor.suggestions][:3] == shown[:3]
    press(qtbot, Qt.Key.Key_1)  # already added: nothing more happens
    assert set(tags_of(store, "DSCF1007.jpg")[0]) == set(shown[:2])
    press(qtbot, Qt.Key.Key_Z, CTRL)  # undo the second accept; its slot is free again at once
    assert window.editor.marks == {shown[0]: "accepted"}
    press(qtbot, Qt.Key.Key_3)
    assert set(tags_of(store, "DSCF1007.jpg")[0]) == {shown[0], shown[2]}
    press(qtbot, Qt.Key.Key_2)
    assert set(tags_of(store, "DSCF1007.jpg")[0]) == set(shown[:3])


def test_a_number_pressed_before_a_photos_own_suggestions_arrive_adds_nothing(qtbot, keyboard):
    window, controller, store = keyboard
    select(qtbot, window, controller, "DSCF1007.jpg")
    # the next photo, and 1 at once, while its list is still being computed (no event loop between)
    qtbot.keyClick(window.grid, Qt.Key.Key_Right)
    moved_to = current_photo(window, controller).path
    assert window.editor.suggestions == []
    qtbot.keyClick(window.grid, Qt.Key.Key_1)
    assert tags_of(store, moved_to)[0] == tags_of(store, moved_to)[0] and \
        not [t for t, src in tags_of(store, moved_to)[0].items() if src == "accepted"]
    wait_for_list(qtbot, window)


def test_an_empty_filter_clears_the_panel_and_says_all_done(qtbot, keyboard):
    window, controller, store = keyboard
    select(qtbot, window, controller, "DSCF1403.jpg", "IMG1503.jpg")
    untagged = window.sidebar.findItems("Untagged", Qt.MatchFlag.MatchExactly)[0]
    for name in [p.path for p in controller.model.photos if not tags_of(store, p.path)[0]]:
        store.tagging.add_tags(store.profiles.get(), [tags_of(store, name)[1].id], ["done"], "typed")
    window.sidebar.itemClicked.emit(untagged, 0)
    qtbot.waitUntil(lambda: controller.model.photos == [], timeout=5000)
    assert window.editor.status.text() == "All done: every photo here has tags."
    assert window.exif.text() == "" and window.editor.chips.count() == 0 and window.editor.suggestions == []


def test_multi_select_marks_tags_on_some_photos_only(qtbot, keyboard):
    window, controller, store = keyboard
    select(qtbot, window, controller, "DSCF1000.jpg", "DSCF1007.jpg")
    chips = {window.editor.chips.item(i).data(Qt.ItemDataRole.UserRole): window.editor.chips.item(i)
             for i in range(window.editor.chips.count())}
    partial = [name for name, item in chips.items() if item.font().italic()]
    assert partial and all("(1/2)" in chips[name].text() for name in partial)
    chips[partial[0]].setSelected(True)
    window.editor.chips.itemClicked.emit(chips[partial[0]])  # removes it from the photo that had it
    assert partial[0] not in tags_of(store, "DSCF1000.jpg")[0]


def test_arrows_work_right_after_the_viewer_closes_with_space(qtbot, keyboard):
    window, controller, _ = keyboard
    select(qtbot, window, controller, "IMG1200.jpg")
    before = controller.model.position(window.grid.currentIndex())
    window.viewer_action.trigger()
    viewer = controller.viewer
    viewer.activateWindow()
    qtbot.waitUntil(viewer.isActiveWindow, timeout=5000)
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not viewer.isVisible() and window.isActiveWindow(), timeout=5000)
    press(qtbot, Qt.Key.Key_Right)
    assert controller.model.position(window.grid.currentIndex()) == before + 1


def test_search_box_and_folder_tree_with_counts(qtbot, keyboard):
    window, controller, _ = keyboard
    press(qtbot, Qt.Key.Key_F, CTRL)
    assert QApplication.focusWidget() is window.search
    type_text(qtbot, "Pixel")  # a camera: the Google Pixel's photos
    qtbot.waitUntil(lambda: len(controller.model.photos) == 12, timeout=5000)
    window.search.clear()
    type_text(qtbot, "Rome")  # a keyword and a folder name
    qtbot.waitUntil(lambda: len(controller.model.photos) == 9, timeout=5000)
    window.search.clear()
    qtbot.waitUntil(lambda: len(controller.model.photos) == 37, timeout=5000)
    folders = window.sidebar.findItems("Folders", Qt.MatchFlag.MatchExactly)[0]
    root = folders.child(0)
    assert root.text(0) == "sample-library  (37)"
    assert sorted(root.child(i).text(0) for i in range(root.childCount()))[:2] == ["2024-05 Rome  (9)",
                                                                                    "2024-07 Algarve  (6)"]
    window.sidebar.itemClicked.emit(root.child(0), 0)
    qtbot.waitUntil(lambda: len(controller.model.photos) in (4, 6, 7, 9) and len(controller.model.photos) < 37,
                    timeout=5000)


def test_a_twelve_photo_shoot_tagged_by_keyboard_alone(qtbot, keyboard, tmp_path):
    """Ctrl+N, digits, typed tags and undo over a new 12-photo shoot: exactly the intended tags
    on exactly the intended photos, and nothing anywhere else."""
    window, controller, store = keyboard
    shoot = tmp_path / "2025-06 Lisbon"
    shoot.mkdir()
    sources = sorted((SAMPLE_LIBRARY / "2024-05 Rome").glob("*.jpg")) + sorted(
        (SAMPLE_LIBRARY / "2024-07 Algarve").glob("*.jpg"))[:3]
    for number, source in enumerate(sources):
        shutil.copy(source, shoot / f"LIS{number:04d}.jpg")
    assert main(["--db", str(store.path), "scan", str(shoot)]) == 0
    before_elsewhere = {p.path: tags for p, tags in store.photos.list_photos(store.profiles.get())}
    controller.reload()
    qtbot.waitUntil(lambda: len(controller.model.photos) == 49, timeout=10000)
    item = next(i for i in window.sidebar.findItems("2025-06 Lisbon", Qt.MatchFlag.MatchStartsWith
                                                     | Qt.MatchFlag.MatchRecursive))
    window.sidebar.itemClicked.emit(item, 0)
    qtbot.waitUntil(lambda: len(controller.model.photos) == 12, timeout=10000)
    window.grid.setFocus()

    expected: dict[str, set[str]] = {}
    for step in range(12):
        press(qtbot, Qt.Key.Key_N, CTRL)
        photo = current_photo(window, controller).path
        assert photo not in expected, (step, photo, store.photos.list_photos(store.profiles.get(), folder=str(shoot)))
        wait_for_list(qtbot, window, 3)
        shown = [s.tag for s in window.editor.suggestions]
        if step % 3 == 0:  # accept the first two as shown
            press(qtbot, Qt.Key.Key_1)
            press(qtbot, Qt.Key.Key_2)
            expected[photo] = {shown[0], shown[1]}
        elif step % 3 == 1:  # a tag of one's own, then the third suggestion; reject the second
            type_text(qtbot, "Lisbon trip")
            press(qtbot, Qt.Key.Key_Return)
            press(qtbot, Qt.Key.Key_3)
            press(qtbot, Qt.Key.Key_2, SHIFT)
            expected[photo] = {"Lisbon trip", shown[2]}
        else:  # a slip, undone; then the right tag typed
            press(qtbot, Qt.Key.Key_1)
            press(qtbot, Qt.Key.Key_Z, CTRL)
            type_text(qtbot, "tram")
            press(qtbot, Qt.Key.Key_Return)
            expected[photo] = {"tram"}
    press(qtbot, Qt.Key.Key_N, CTRL)
    assert window.activity.text() == "All done: every photo here has tags"
    landed = {p.path: set(tags) for p, tags in store.photos.list_photos(store.profiles.get(), folder=str(shoot))}
    assert landed == expected
    elsewhere = {p.path: tags for p, tags in store.photos.list_photos(store.profiles.get()) if p.path not in expected}
    assert elsewhere == {path: tags for path, tags in before_elsewhere.items() if path not in expected}


def selected_positions(window, controller):
    indexes = window.grid.selectionModel().selectedIndexes()
    return sorted(p for p in map(controller.model.position, indexes) if p is not None)


def selected_names(window, controller):
    return sorted(controller.model.photos[p].path.rsplit("/", 1)[-1] for p in selected_positions(window, controller))


def test_a_number_after_ctrl_n_tags_that_photo_while_the_grid_lays_itself_out_again(qtbot, keyboard):
    """The grid lays itself out again (a scroll bar comes or goes when a list arrives) while Ctrl
    is still down after Ctrl+N, as a hand on Ctrl is. It took the photo Ctrl+N had chosen out of
    the selection, as a Ctrl+click does, and the 1 pressed next said 'Select a photo first' and
    tagged nothing (the twelve-photo test failed so when its list's scroll bar went late, under load)."""
    window, controller, store = keyboard
    select(qtbot, window, controller, "IMG1200.jpg")
    press(qtbot, Qt.Key.Key_N, CTRL)
    chosen = current_photo(window, controller).path
    assert QGuiApplication.keyboardModifiers() & CTRL  # Qt holds Ctrl down until the next key
    assert window.grid.verticalScrollBar().isVisible()
    columns = controller.model.columns
    window.grid.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the viewport widens
    assert controller.model.columns == columns  # the same cells: nothing to do
    assert [controller.model.photos[p].path for p in selected_positions(window, controller)] == [chosen]
    wait_for_list(qtbot, window)
    top = window.editor.suggestions[0].tag
    press(qtbot, Qt.Key.Key_1)
    assert window.activity.text() != "Select a photo first"
    assert tags_of(store, chosen)[0] == {top: "accepted"}


def test_new_columns_keep_every_selected_photo(qtbot, keyboard):
    """A narrower window has fewer columns, and the model is reset for them: all the selected
    photos stay selected (it kept only the current one), Ctrl held or not, and a typed tag goes
    on exactly them."""
    window, controller, store = keyboard
    names = ["DSCF1105.jpg", "DSCF1306.jpg", "IMG1206.jpg"]
    select(qtbot, window, controller, *names)
    current = current_photo(window, controller).path
    columns = controller.model.columns
    press(qtbot, Qt.Key.Key_N, CTRL)  # Ctrl down, as after a Ctrl+click; Ctrl+N then puts one photo back
    select(qtbot, window, controller, *names)
    window.resize(window.width() - 2 * 176, window.height())
    qtbot.waitUntil(lambda: controller.model.columns < columns, timeout=5000)
    assert selected_names(window, controller) == sorted(names)
    assert current_photo(window, controller).path == current
    type_text(qtbot, "harbour")
    press(qtbot, Qt.Key.Key_Return)
    assert {name for name in [p.path.rsplit("/", 1)[-1] for p, tags in store.photos.list_photos(store.profiles.get())
                              if "harbour" in tags]} == set(names)


@pytest.fixture
def held_loads(monkeypatch):
    """Lists loaded on the pool, each held after it was read until the test lets it go."""
    from tagassist.services import jobs

    real, loads = jobs.load_photos, []

    def load_photos(*args):
        read, go_on = threading.Event(), threading.Event()
        loads.append((read, go_on))
        loaded = real(*args)
        read.set()
        assert go_on.wait(20)
        return loaded

    monkeypatch.setattr(jobs, "load_photos", load_photos)
    yield loads
    for _, go_on in loads:
        go_on.set()


def test_a_list_loaded_again_while_tagging_keeps_the_selection_and_the_tags_made_meanwhile(
        qtbot, keyboard, held_loads):
    """A background job ends (indexing, a scan, a keyword import) and the list is loaded again
    while the photographer tags. The keys kept going to the first photo after it, and a photo
    tagged while the list was being read looked untagged, so Ctrl+N went back to it."""
    window, controller, store = keyboard
    names = ["DSCF1007.jpg", "DSCF1105.jpg"]  # untagged, and not the first photo
    select(qtbot, window, controller, *names)
    current = current_photo(window, controller).path
    controller.reload()
    qtbot.waitUntil(lambda: bool(held_loads) and held_loads[0][0].is_set(), timeout=10000)  # read, not shown yet
    type_text(qtbot, "harbour")
    press(qtbot, Qt.Key.Key_Return)
    held_loads[0][1].set()
    qtbot.waitUntil(lambda: not controller.runner.running, timeout=10000)  # its rows are in the grid
    assert selected_names(window, controller) == names
    assert current_photo(window, controller).path == current
    assert [controller.model.tag_counts[p] for p in selected_positions(window, controller)] == [1, 1]
    press(qtbot, Qt.Key.Key_N, CTRL)
    assert not tags_of(store, current_photo(window, controller).path)[0]
    tagged = {p.path.rsplit("/", 1)[-1] for p, tags in store.photos.list_photos(store.profiles.get())
              if "harbour" in tags}
    assert tagged == set(names)


def test_a_list_asked_for_before_the_last_click_is_not_shown_when_it_arrives_late(qtbot, keyboard, held_loads):
    window, controller, _ = keyboard
    controller.reload()  # all 37, held back
    qtbot.waitUntil(lambda: bool(held_loads) and held_loads[0][0].is_set(), timeout=10000)
    item = window.sidebar.findItems("2024-05 Rome", Qt.MatchFlag.MatchStartsWith | Qt.MatchFlag.MatchRecursive)[0]
    window.sidebar.itemClicked.emit(item, 0)
    qtbot.waitUntil(lambda: len(held_loads) == 2, timeout=10000)
    held_loads[1][1].set()
    qtbot.waitUntil(lambda: len(controller.model.photos) == 9, timeout=10000)
    held_loads[0][1].set()
    qtbot.waitUntil(lambda: not controller.runner.running, timeout=10000)
    assert len(controller.model.photos) == 9


def test_a_list_nobody_acted_on_follows_the_new_ranking(qtbot, keyboard):
    """The stable numbers are for a list the photographer is working through; a refresh of an
    untouched list (the index finished, a model changed) shows the new order, best first."""
    window, controller, _ = keyboard
    select(qtbot, window, controller, "DSCF1007.jpg")
    shown = window.editor.suggestions
    reversed_list = list(reversed(shown))
    window.editor.show_suggestions(reversed_list, 1)  # as if an earlier ranking were on screen
    controller.tagging.suggestions.request([current_photo(window, controller).id], 9)
    qtbot.waitUntil(lambda: window.editor.suggestions[0].tag == shown[0].tag, timeout=10000)
    scores = [s.score for s in window.editor.suggestions]
    assert scores == sorted(scores, reverse=True)


def _names(controller, positions):
    return [controller.model.photos[p].path.rsplit("/", 1)[-1] for p in positions]


def test_a_shoot_over_several_rows_is_selected_by_shift_click_and_shift_arrows_in_reading_order(qtbot, keyboard):
    """Found under Xvfb: a Shift+click from DSCF1007 (a row's last cell) to DSCF1008 (the next
    row's first) selected the rectangle of cells between them, 8 photos with 6 Algarve ones, so
    the next digit tagged them 'Rome' too; and Right at a row's end went nowhere. Photos run in
    reading order, as in a contact sheet: a range is every photo from one to the other."""
    window, controller, store = keyboard
    columns = controller.model.columns
    assert columns >= 3
    grid, model = window.grid, controller.model

    def click(position, modifier=Qt.KeyboardModifier.NoModifier):
        qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, modifier,
                         grid.visualRect(model.index_of(position)).center())

    end = columns - 1  # the first row's last photo
    click(end)
    click(end + 1, SHIFT)  # the next row's first photo: two photos, not two columns of cells
    assert selected_positions(window, controller) == [end, end + 1]
    click(1)
    click(2 * columns + 1, SHIFT)  # two rows down, the same column: every photo in between
    assert selected_positions(window, controller) == list(range(1, 2 * columns + 2))
    click(2 * columns + 1)
    click(1, SHIFT)  # backwards too
    assert selected_positions(window, controller) == list(range(1, 2 * columns + 2))

    click(end)
    press(qtbot, Qt.Key.Key_Right)  # on to the next row
    assert model.position(grid.currentIndex()) == end + 1
    press(qtbot, Qt.Key.Key_Left)  # and back to the row before's last photo
    assert model.position(grid.currentIndex()) == end
    press(qtbot, Qt.Key.Key_Right, SHIFT)
    press(qtbot, Qt.Key.Key_Right, SHIFT)
    assert selected_positions(window, controller) == [end, end + 1, end + 2]

    names = _names(controller, [end, end + 1, end + 2])
    type_text(qtbot, "contact sheet")
    press(qtbot, Qt.Key.Key_Return)
    tagged = sorted(p.path.rsplit("/", 1)[-1] for p, tags in store.photos.list_photos(store.profiles.get())
                    if "contact sheet" in tags)
    assert tagged == sorted(names)


def test_down_from_above_a_short_last_row_goes_to_the_last_photo(qtbot, keyboard):
    window, controller, _ = keyboard
    model, count = controller.model, len(controller.model.photos)
    columns = model.columns
    assert count % columns and count > columns  # the sample's last row is short
    above = count - count % columns - 1  # the row before the last, its last cell: nothing under it
    window.grid.selectionModel().setCurrentIndex(model.index_of(above),
                                                 window.grid.selectionModel().SelectionFlag.ClearAndSelect)
    window.grid.setFocus()
    press(qtbot, Qt.Key.Key_Down)
    assert model.position(window.grid.currentIndex()) == count - 1


def test_home_and_end_go_to_the_first_and_the_last_photo_and_shift_selects_up_to_them(qtbot, keyboard):
    """Found under Xvfb: End went to the row's last cell, as in a table, and Ctrl+End to the
    empty cell after the last photo (so nowhere); in a contact sheet they are the first and the
    last photo, as in Lightroom's grid."""
    window, controller, _ = keyboard
    model, count = controller.model, len(controller.model.photos)
    selection = window.grid.selectionModel()
    selection.setCurrentIndex(model.index_of(1), selection.SelectionFlag.ClearAndSelect)
    window.grid.setFocus()
    press(qtbot, Qt.Key.Key_End)
    assert model.position(window.grid.currentIndex()) == count - 1
    press(qtbot, Qt.Key.Key_Home)
    assert model.position(window.grid.currentIndex()) == 0
    press(qtbot, Qt.Key.Key_End, CTRL)
    assert model.position(window.grid.currentIndex()) == count - 1
    press(qtbot, Qt.Key.Key_Home, CTRL)
    assert model.position(window.grid.currentIndex()) == 0
    press(qtbot, Qt.Key.Key_Right)
    press(qtbot, Qt.Key.Key_End, SHIFT)  # from the second photo to the last: all but the first
    assert selected_positions(window, controller) == list(range(1, count))
