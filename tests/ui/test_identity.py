"""One photographer per user, shared by the app and the CLI through the settings (issue 23, 1):
the first run's name is who the CLI works as, and the Photographer box's choice is kept."""

import json

from PySide6.QtCore import Qt

from tagassist.cli import main
from tagassist.settings import Settings
from tests.ui.conftest import press


def cli_stats(capsys, db, *flags) -> dict:
    capsys.readouterr()
    assert main(["--db", str(db), *flags, "stats", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_app_and_the_cli_read_and_write_the_same_photographer(qtbot, sample_copy, tmp_path, capsys):
    from tagassist.ui.app import build

    Settings(profile="Anna").save()  # what the app's first run keeps of "Your name"
    db = tmp_path / "lib.sqlite"
    assert main(["--db", str(db), "scan", str(sample_copy)]) == 0  # no --profile: the settings' photographer
    stats = cli_stats(capsys, db)
    assert stats["profile"] == "Anna" and stats["tagged_photos"] == 30

    window, controller = build(str(db), None, settings=Settings.load())
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: len(controller.model.photos) == 37, timeout=10000)
    assert controller.profile.name == "Anna" and window.profile_box.currentText() == "Anna"
    assert "Anna" in window.windowTitle()
    assert sum(1 for n in controller.model.tag_counts if n) == 30  # the CLI's tags, as the app's own

    # A second photographer tags with the CLI; the app's Photographer box chooses her by keys.
    photo = next(p.path for p in controller.model.photos if p.path.endswith("IMG1206.jpg"))
    assert main(["--db", str(db), "--profile", "Ben", "tag", photo, "--add", "dog"]) == 0
    controller._fill_profiles()  # as the app reads the library's photographers when one is added
    window.profile_box.setFocus()
    press(qtbot, Qt.Key.Key_Down)
    assert controller.profile.name == "Ben"
    assert Settings.load().profile == "Ben"  # kept: the next start and the CLI work as Ben
    assert "Ben" in window.windowTitle()
    stats = cli_stats(capsys, db)
    assert stats["profile"] == "Ben" and stats["tagged_photos"] == 1
    assert cli_stats(capsys, db, "--profile", "Anna")["tagged_photos"] == 30
    controller.shutdown()


def test_a_library_the_cli_tagged_before_the_first_run_becomes_the_named_photographers(qtbot, sample_copy, tmp_path,
                                                                                      capsys, monkeypatch):
    from tagassist.ui import app as app_module
    from tagassist.ui.dialogs import FirstRunDialog

    db = tmp_path / "lib.sqlite"
    assert main(["--db", str(db), "scan", str(sample_copy)]) == 0  # no settings yet: as 'default'

    def answer(dialog):
        qtbot.keyClicks(dialog.name, "Maya")
        return True

    monkeypatch.setattr(FirstRunDialog, "exec", answer)
    app_module._first_run([], Settings(), str(db))
    stats = cli_stats(capsys, db)
    assert stats["profile"] == "Maya" and stats["tagged_photos"] == 30
    window, controller = app_module.build(str(db), None, settings=Settings.load())
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: len(controller.model.photos) == 37, timeout=10000)
    assert controller.profile.name == "Maya" and sum(1 for n in controller.model.tag_counts if n) == 30
    controller.shutdown()
