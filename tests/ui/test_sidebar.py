"""The sidebar's keyword tree follows the tagging (issue 23, 2): a keyword typed appears in it
at once, counts change as photos are tagged, and the tree keeps what was open and chosen."""

from PySide6.QtCore import Qt

from tests.ui.conftest import press, select, type_text

MATCH = Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive


def sidebar_item(window, text):
    found = window.sidebar.findItems(text, MATCH)
    return found[0] if found else None


def keyword_texts(window) -> set[str]:
    tags = sidebar_item(window, "Tags")
    texts, stack = set(), [tags.child(i) for i in range(tags.childCount())]
    while stack:
        item = stack.pop()
        texts.add(item.text(0))
        stack += [item.child(i) for i in range(item.childCount())]
    return texts


def test_a_typed_keyword_and_new_counts_reach_the_keyword_tree_at_once(qtbot, app):
    window, controller, store = app
    window.editor.field.setCompleter(None)  # offscreen Qt: a popup would keep later keys (test_keyboard_flow)
    folders = sidebar_item(window, "Folders")
    folders.setExpanded(False)  # what the photographer closed stays closed
    select(qtbot, window, controller, "IMG1206.jpg")
    type_text(qtbot, "sunset")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "sunset  (1)" in keyword_texts(window), timeout=5000)
    assert not sidebar_item(window, "Folders").isExpanded()

    counts = store.history.keyword_counts(store.profiles.get())
    select(qtbot, window, controller, "DSCF1007.jpg")  # untagged, in the Rome shoot
    top = window.editor.suggestions[0].tag
    before = f"{top.split('|')[-1]}  ({counts.get(top, 0)})"
    assert before in keyword_texts(window)
    press(qtbot, Qt.Key.Key_1)
    after = f"{top.split('|')[-1]}  ({counts.get(top, 0) + 1})"
    qtbot.waitUntil(lambda: after in keyword_texts(window), timeout=5000)
    assert before not in keyword_texts(window)

    press(qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo counts too
    qtbot.waitUntil(lambda: before in keyword_texts(window), timeout=5000)


def _loaded(counts: dict[str, int], folders=(("/lib/rome", 3), ("/lib/rome/day2", 2))) -> dict:
    return {"roots": ["/lib"], "folders": list(folders), "months": [("2024-05", 5)], "ratings_labels": ([], []),
            "keyword_counts": counts, "vocabulary": sorted(counts)}


def test_a_refill_with_new_counts_keeps_the_items_and_changes_only_their_texts(qtbot):
    from PySide6.QtWidgets import QTreeWidget

    from tagassist.ui.sidebar import fill_sidebar

    tree = QTreeWidget()
    qtbot.addWidget(tree)
    fill_sidebar(tree, _loaded({"Places": 4, "Places|Rome": 4, "dog": 1}))
    rome = tree.findItems("Rome  (4)", MATCH)[0]
    day2 = tree.findItems("day2  (2)", MATCH)[0]
    tree.setCurrentItem(rome)
    rome.parent().setExpanded(False)

    fill_sidebar(tree, _loaded({"Places": 5, "Places|Rome": 5, "dog": 1}))  # one more photo in Rome
    assert rome.text(0) == "Rome  (5)" and rome.parent().text(0) == "Places  (5)"  # the same items
    assert tree.currentItem() is rome and not rome.parent().isExpanded()
    assert day2.text(0) == "day2  (2)" and tree.findItems("dog  (1)", MATCH)

    fill_sidebar(tree, _loaded({"Places": 5, "Places|Rome": 5, "dog": 1, "cat": 1}))  # a new keyword: built again
    assert tree.findItems("cat  (1)", MATCH)
    assert tree.currentItem().text(0) == "Rome  (5)" and not tree.currentItem().parent().isExpanded()
    fill_sidebar(tree, _loaded({"Places": 5, "Places|Rome": 5, "dog": 1, "cat": 1},
                               folders=(("/lib/rome", 3), ("/lib/rome/day2", 3))))
    assert tree.findItems("day2  (3)", MATCH) and tree.findItems("rome  (6)", MATCH)
