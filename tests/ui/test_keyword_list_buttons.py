"""The keyword manager imports and exports her keyword list by keys (issue 26, 5): Ctrl+I reads a
Lightroom Classic list, whose keywords are listed with no photos and complete in the tag field at
once; Ctrl+E writes it back, as Lightroom's Import Keywords reads it, or as digiKam's paths."""

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from tagassist.cli import main
from tests.ui.conftest import press

CTRL = Qt.KeyboardModifier.ControlModifier


def test_import_and_export_keyword_lists_by_keys(qtbot, app, monkeypatch, tmp_path, capsys):
    window, controller, _ = app
    source = tmp_path / "Keywords.txt"
    source.write_text("[Animals]\n\tZebra crossing\n\t\t{Zebrastreifen}\n\tQuokka\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(source), "Keyword lists (*.txt)"))

    press(qtbot, Qt.Key.Key_K, CTRL | Qt.KeyboardModifier.ShiftModifier)
    dialog = controller.keywords.dialog
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 30, timeout=5000)
    assert [b.toolTip().split(":")[0] for b in dialog.list_buttons] == ["Ctrl+I", "Ctrl+E"]
    assert [b.text() for b in dialog.list_buttons] == ["&Import keyword list\u2026", "E&xport keyword list\u2026"]
    assert QApplication.focusWidget() is dialog.filter

    press(qtbot, Qt.Key.Key_I, CTRL)
    qtbot.waitUntil(lambda: "read from" in dialog.status.text(), timeout=5000)
    assert "3 new keywords, 0 known already, 1 new alias" in dialog.status.text()
    qtbot.waitUntil(lambda: bool(dialog.table.findItems("Animals|Quokka", Qt.MatchFlag.MatchExactly)), timeout=5000)
    row = dialog.table.findItems("Animals|Quokka", Qt.MatchFlag.MatchExactly)[0].row()
    assert dialog.table.item(row, 1).text() == "none yet (imported)"
    # the tag field completes it before any photo carries it
    qtbot.waitUntil(lambda: "Animals|Quokka" in window.editor.vocabulary.stringList(), timeout=5000)
    assert "Animals" not in window.editor.vocabulary.stringList()  # a category only holds others
    completer = window.editor.field.completer()
    completer.setCompletionPrefix("quok")  # what typing "quok" in the tag field asks of it
    assert [completer.completionModel().index(r, 0).data() for r in range(completer.completionModel().rowCount())] \
        == ["Animals|Quokka"]

    capsys.readouterr()
    assert main(["--db", controller.db_path, "keywords", "list", "--json"]) == 0
    rows = {row["keyword"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["Animals|Zebra crossing"]["aliases"] == ["Zebrastreifen"] and rows["Animals"]["category"]

    out = tmp_path / "out.txt"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(out), "Lightroom Classic keyword list (*.txt)"))
    press(qtbot, Qt.Key.Key_E, CTRL)
    qtbot.waitUntil(lambda: "written to" in dialog.status.text(), timeout=5000)
    assert out.read_text(encoding="utf-8").startswith(source.read_text(encoding="utf-8"))
    assert "\tItaly\n" in out.read_text(encoding="utf-8")  # then the keywords of her photos

    digikam = tmp_path / "tags.txt"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(digikam), "digiKam tag paths (*.txt)"))
    press(qtbot, Qt.Key.Key_E, CTRL)
    qtbot.waitUntil(digikam.exists, timeout=5000)
    assert digikam.read_text(encoding="utf-8").startswith("Animals\nAnimals/Zebra crossing\nAnimals/Quokka\n")

    bad = tmp_path / "bad.txt"
    bad.write_text("a\n\t\t\tb\n")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), "All files (*)"))
    press(qtbot, Qt.Key.Key_I, CTRL)
    qtbot.waitUntil(lambda: "levels under" in dialog.status.text(), timeout=5000)
    assert "line 2" in dialog.status.text()
