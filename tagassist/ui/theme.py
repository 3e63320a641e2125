"""Light, dark, or whatever the OS uses (Qt follows the system by default)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


def apply_theme(theme: str) -> None:
    app = QApplication.instance()
    if app is None or theme == "system":
        return
    app.setStyle("Fusion")
    palette = app.style().standardPalette()
    if theme == "dark":
        roles = {
            QPalette.ColorRole.Window: "#2b2b2b", QPalette.ColorRole.WindowText: "#e6e6e6",
            QPalette.ColorRole.Base: "#1f1f1f", QPalette.ColorRole.AlternateBase: "#2b2b2b",
            QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#353535",
            QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.Highlight: "#2f6db5",
            QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#353535",
            QPalette.ColorRole.ToolTipText: "#e6e6e6", QPalette.ColorRole.Mid: "#888888",
        }
        for role, colour in roles.items():
            palette.setColor(role, QColor(colour))
    app.setPalette(palette)
