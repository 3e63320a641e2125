"""Stars, colour labels and the reject flag set by keys (issue 23, 4): Ctrl+0-5, Ctrl+6-9 and
Ctrl+X on the selected photos, undone with Ctrl+Z, listed in F1, and written into the files
with the keywords, where another program (here a fresh scan) reads them."""

import json

from PySide6.QtCore import Qt

from tagassist.cli import main
from tagassist.store import Store
from tests.ui.conftest import press, select, shortcuts_shown, show_sample_copy

CTRL = Qt.KeyboardModifier.ControlModifier
MATCH = Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive


def marks_of(store, name):
    photo = next(p for p, _ in store.photos.list_photos(store.profiles.get())
                 if p.path.endswith(name) and "/sample/" in p.path)
    return photo.rating, photo.label


def test_stars_labels_and_reject_by_keys_are_undone_and_written_to_the_files(qtbot, app, sample_copy, tmp_path,
                                                                               capsys):
    window, controller, store = app
    show_sample_copy(qtbot, controller, store, sample_copy)
    before = marks_of(store, "IMG1206.jpg")
    assert before == (None, None)

    select(qtbot, window, controller, "IMG1206.jpg", "DSCF1403.jpg")
    press(qtbot, Qt.Key.Key_4, CTRL)
    assert marks_of(store, "IMG1206.jpg") == marks_of(store, "DSCF1403.jpg") == (4, None)
    assert not window.editor.field.text()  # no digit reached the tag field, no suggestion was accepted
    assert controller.model.tag_counts[controller.model.position(window.grid.currentIndex())] == 0  # nor a tag
    press(qtbot, Qt.Key.Key_6, CTRL)
    assert marks_of(store, "IMG1206.jpg") == (4, "Red")
    qtbot.waitUntil(lambda: bool(window.sidebar.findItems("Red label  (2)", MATCH)), timeout=5000)
    press(qtbot, Qt.Key.Key_6, CTRL)  # the same label again takes it off
    assert marks_of(store, "IMG1206.jpg") == (4, None)
    press(qtbot, Qt.Key.Key_Z, CTRL)
    assert marks_of(store, "IMG1206.jpg") == (4, "Red")

    select(qtbot, window, controller, "IMG1206.jpg")
    assert "\u2605\u2605\u2605\u2605\u2606" in window.exif.text() and "Red label" in window.exif.text()
    press(qtbot, Qt.Key.Key_X, CTRL)
    assert marks_of(store, "IMG1206.jpg") == (-1, "Red")
    assert "rejected" in window.exif.text()
    press(qtbot, Qt.Key.Key_Z, CTRL)
    assert marks_of(store, "IMG1206.jpg") == (4, "Red")
    press(qtbot, Qt.Key.Key_8, CTRL)  # green on this one alone
    keys = shortcuts_shown(qtbot, controller)
    assert "Ctrl+0-5" in keys and "Ctrl+6-9" in keys

    select(qtbot, window, controller, "IMG1206.jpg", "DSCF1403.jpg")
    press(qtbot, Qt.Key.Key_S, CTRL)  # File › Write keywords to files (selected photos)
    qtbot.waitUntil(lambda: window.activity.text().startswith("Keywords written to 2 file(s)"), timeout=10000)
    fresh = tmp_path / "fresh.sqlite"  # another program reading the files: what they hold now
    assert main(["--db", str(fresh), "scan", str(sample_copy)]) == 0
    capsys.readouterr()
    assert main(["--db", str(fresh), "photos", "--rating", "4", "--json"]) == 0
    rated = {p["path"].rsplit("/", 1)[-1]: p for p in json.loads(capsys.readouterr().out)}
    assert set(rated) == {"IMG1206.jpg", "DSCF1403.jpg"}
    assert main(["--db", str(fresh), "photos", "--label", "Green", "--json"]) == 0
    assert [p["path"].rsplit("/", 1)[-1] for p in json.loads(capsys.readouterr().out)] == ["IMG1206.jpg"]


def flags_of(store, name):
    photo = next(p for p, _ in store.photos.list_photos(store.profiles.get())
                 if p.path.endswith(name) and "/sample/" in p.path)
    return photo.rating, photo.pick


def test_the_pick_flag_by_keys_is_undone_filtered_and_written_as_digikams_pick_label(qtbot, app, sample_copy,
                                                                                     tmp_path, capsys):
    """Ctrl+P picks, Ctrl+U unflags (neither picked nor rejected), Ctrl+X rejects: the three
    exclude each other, each is one undo step, the sidebar filters the picked photos, and the
    export writes digiKam:PickLabel (3 picked, 1 rejected beside xmp:Rating -1)."""
    window, controller, store = app
    show_sample_copy(qtbot, controller, store, sample_copy)
    assert flags_of(store, "IMG1206.jpg") == (None, None)

    select(qtbot, window, controller, "IMG1206.jpg")
    press(qtbot, Qt.Key.Key_P, CTRL)
    assert flags_of(store, "IMG1206.jpg") == (None, 3)
    assert not window.editor.field.text()  # no letter reached the tag field
    assert window.activity.text().startswith("Picked on 1 photo(s)")
    assert "picked" in window.exif.text()
    qtbot.waitUntil(lambda: bool(window.sidebar.findItems("Picked  (1)", MATCH)), timeout=5000)
    press(qtbot, Qt.Key.Key_Z, CTRL)
    assert flags_of(store, "IMG1206.jpg") == (None, None)
    press(qtbot, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)  # redo
    assert flags_of(store, "IMG1206.jpg") == (None, 3)

    select(qtbot, window, controller, "DSCF1403.jpg")
    press(qtbot, Qt.Key.Key_3, CTRL)
    press(qtbot, Qt.Key.Key_P, CTRL)
    assert flags_of(store, "DSCF1403.jpg") == (3, 3)  # stars and a pick go together
    press(qtbot, Qt.Key.Key_X, CTRL)
    assert flags_of(store, "DSCF1403.jpg") == (-1, 1)  # rejected: no longer picked
    press(qtbot, Qt.Key.Key_P, CTRL)
    assert flags_of(store, "DSCF1403.jpg") == (0, 3)  # picked: no longer rejected
    press(qtbot, Qt.Key.Key_U, CTRL)
    assert flags_of(store, "DSCF1403.jpg") == (0, 0)
    press(qtbot, Qt.Key.Key_Z, CTRL)
    assert flags_of(store, "DSCF1403.jpg") == (0, 3)
    press(qtbot, Qt.Key.Key_X, CTRL)
    press(qtbot, Qt.Key.Key_U, CTRL)  # unflag takes a reject off too
    assert flags_of(store, "DSCF1403.jpg") == (0, 0)
    press(qtbot, Qt.Key.Key_X, CTRL)
    keys = shortcuts_shown(qtbot, controller)
    assert "Ctrl+P, Ctrl+U" in keys and "digiKam:PickLabel" in keys

    # The sidebar's Picked filter, by keys: the grid shows the picked photo alone.
    press(qtbot, Qt.Key.Key_L, CTRL)
    qtbot.waitUntil(lambda: bool(window.sidebar.findItems("Picked  (1)", MATCH)), timeout=5000)
    window.sidebar.setCurrentItem(window.sidebar.findItems("Picked  (1)", MATCH)[0])
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: [p.path.rsplit("/", 1)[-1] for p in controller.model.photos] == ["IMG1206.jpg"],
                    timeout=5000)

    select(qtbot, window, controller, "IMG1206.jpg")
    controller.view = {"folder": str(sample_copy)}
    controller.reload()
    qtbot.waitUntil(lambda: len(controller.model.photos) == 37, timeout=10000)
    select(qtbot, window, controller, "IMG1206.jpg", "DSCF1403.jpg")
    press(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: window.activity.text().startswith("Keywords written to 2 file(s)"), timeout=10000)
    fresh = tmp_path / "fresh.sqlite"  # another program reading the files: what they hold now
    assert main(["--db", str(fresh), "scan", str(sample_copy)]) == 0
    capsys.readouterr()
    assert main(["--db", str(fresh), "photos", "--pick", "--json"]) == 0
    assert [p["path"].rsplit("/", 1)[-1] for p in json.loads(capsys.readouterr().out)] == ["IMG1206.jpg"]
    assert main(["--db", str(fresh), "photos", "--rating", "-1", "--json"]) == 0
    assert [p["path"].rsplit("/", 1)[-1] for p in json.loads(capsys.readouterr().out)] == ["DSCF1403.jpg"]
    assert flags_of(Store(fresh), "DSCF1403.jpg") == (-1, 1)
