"""Settings › Location in files (issue 26, 4): off by default; on, the app's export (Ctrl+S)
writes the place the photo's GPS names where Lightroom's map module writes it."""

import json
import subprocess

from PySide6.QtCore import Qt

from tagassist.ui.dialogs import SettingsDialog
from tests.conftest import need_tool
from tests.ui.conftest import press, select, show_sample_copy

CTRL = Qt.KeyboardModifier.ControlModifier


def _city(path):
    out = subprocess.run([need_tool("exiftool"), "-json", "-XMP-photoshop:City", "-XMP-iptcCore:CountryCode",
                          str(path)], check=True, capture_output=True, text=True).stdout
    row = json.loads(out)[0]
    return row.get("City"), row.get("CountryCode")


def test_the_location_setting_makes_the_apps_export_write_the_place(qtbot, app, sample_copy, monkeypatch):
    window, controller, store = app
    show_sample_copy(qtbot, controller, store, sample_copy)
    sidecar = sample_copy / "2024-05 Rome" / "DSCF1000.xmp"
    seen = []

    def choose(dialog, value):
        editor = dialog.editors["write_location"]
        seen.append(editor.currentData())
        editor.setCurrentIndex(editor.findData(value))
        return True

    select(qtbot, window, controller, "DSCF1000.jpg")
    press(qtbot, Qt.Key.Key_1)  # a keyword to write, so that the export writes the sidecar either way
    press(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: window.activity.text().startswith("Keywords written to 1 file(s)"), timeout=10000)
    assert _city(sidecar) == (None, None)  # off by default: no place written

    monkeypatch.setattr(SettingsDialog, "exec", lambda self: choose(self, "on"))
    press(qtbot, Qt.Key.Key_Comma, CTRL)  # File › Settings
    assert seen == ["off"]
    select(qtbot, window, controller, "DSCF1000.jpg")
    press(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: _city(sidecar) == ("Rome", "IT"), timeout=10000)
