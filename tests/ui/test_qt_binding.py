"""The Qt binding itself: PySide6 6.12.0 returned None from C++ without taking a reference,
so every read of an item's unset data took one away from None until Python aborted
("none_dealloc: deallocating None") — in the app, after enough sidebar refills."""

import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

READS = 5000


def _none_references_lost(read) -> int:
    before = sys.getrefcount(None)
    for _ in range(READS):
        read()
    return before - sys.getrefcount(None)


def test_reading_empty_values_from_qt_keeps_none_alive(qtbot):
    tree = QTreeWidget()
    qtbot.addWidget(tree)
    item = QTreeWidgetItem(["a section"])  # sections of the sidebar carry no data
    tree.addTopLevelItem(item)
    assert _none_references_lost(lambda: item.data(0, Qt.ItemDataRole.UserRole)) < READS // 2
    assert _none_references_lost(lambda: tree.property("follow")) < READS // 2
