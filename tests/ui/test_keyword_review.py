"""Find more photos for a keyword, by keys alone (issue 24, 3): the keyword chosen in the tree,
a page of candidates accepted with Ctrl+A and Ctrl+Enter, one rejected with Delete, each
decision re-ranking the rest, Ctrl+Z undoing batch by batch, Escape back to the photos; the
store holds exactly the decisions left standing."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import press

CTRL = Qt.KeyboardModifier.ControlModifier
MATCH = Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive
KEYWORD = "Places|Italy|Rome"


def decisions(store):
    """Per photo id, what the photographer's history says of the keyword: given (its source) or rejected."""
    profile = store.profiles.get()
    out = {}
    for photo, _ in store.photos.list_photos(profile):
        tags = {a.tag: a.source for a in store.history.photo_tags(profile, photo.id)}
        if KEYWORD in tags:
            out[photo.id] = tags[KEYWORD]
        if KEYWORD in {r.tag for r in store.history.photo_rejections(profile, photo.id)}:
            out[photo.id] = "rejected"
    return out


def page_ids(controller):
    return [row.id for row in controller.model.photos]


def test_a_keyword_reviewed_by_keys_stores_exactly_the_decisions_left(qtbot, app):
    window, controller, store = app
    review = controller.review
    review.page_size = 6
    before = decisions(store)
    assert len(before) == 7 and set(before.values()) == {"imported"}

    press(qtbot, Qt.Key.Key_L, CTRL)  # the keyword tree
    window.sidebar.setCurrentItem(window.sidebar.findItems("Rome  (7)", MATCH)[0])
    press(qtbot, Qt.Key.Key_F, CTRL | Qt.KeyboardModifier.ShiftModifier)  # find more photos for it
    qtbot.waitUntil(lambda: bool(review.scores) and len(controller.model.photos) == 6, timeout=20000)
    first = page_ids(controller)
    assert not set(first) & set(before)  # her photos with the keyword are not candidates
    scores = [review.scores[i] for i in first]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert all(controller.model.captions[i][1] for i in first)  # a reason on each
    assert "0 tagged, 0 rejected, about" in review.label.text()
    assert QApplication.focusWidget() is window.grid

    press(qtbot, Qt.Key.Key_A, CTRL)  # the whole page ...
    assert set(controller.tagging.selected_ids()) == set(first)
    press(qtbot, Qt.Key.Key_Return, CTRL)  # ... is hers
    qtbot.waitUntil(lambda: "6 tagged, 0 rejected" in review.label.text(), timeout=20000)
    second = page_ids(controller)
    assert len(second) == 6 and not set(second) & set(first)  # the next best six, re-ranked
    one = controller.tagging.selected_ids()
    assert one == [second[0]]  # the best one left is selected
    press(qtbot, Qt.Key.Key_Delete)  # not hers
    qtbot.waitUntil(lambda: "6 tagged, 1 rejected" in review.label.text(), timeout=20000)
    assert second[0] not in page_ids(controller)
    assert decisions(store) == {**before, **dict.fromkeys(first, "accepted"), second[0]: "rejected"}

    press(qtbot, Qt.Key.Key_Z, CTRL)  # undo the rejection: a candidate again, nothing else changed
    qtbot.waitUntil(lambda: "6 tagged, 0 rejected" in review.label.text(), timeout=20000)
    assert second[0] in page_ids(controller)
    assert decisions(store) == {**before, **dict.fromkeys(first, "accepted")}

    press(qtbot, Qt.Key.Key_Escape)  # back to the photos: all of them, the review's tags kept
    qtbot.waitUntil(lambda: len(controller.model.photos) == 37, timeout=10000)
    assert not review.bar.isVisible() and review.keyword is None
    press(qtbot, Qt.Key.Key_Z, CTRL)  # the page's batch is one step
    assert decisions(store) == before


def test_the_offer_to_find_more_for_a_typed_keyword_goes_when_the_typing_is_undone(qtbot, app):
    """Found under Xvfb: 'nig' typed and Enter (a slip for 'night'), then Ctrl+Z: the keyword
    was gone from every photo, but the bar above the grid still offered 'Find more photos for
    'nig'? Ctrl+Shift+F', and Ctrl+Shift+F then said 'tag at least one photo with 'nig' first'."""
    from tests.ui.conftest import select, type_text

    window, controller, store = app
    review = controller.review
    window.editor.field.setCompleter(None)  # no popup offscreen (tests/ui/test_keyboard_flow.py)
    select(qtbot, window, controller, "DSCF1007.jpg")
    type_text(qtbot, "nig")
    press(qtbot, Qt.Key.Key_Return)
    assert review.bar.isVisibleTo(window) and "\u2018nig\u2019" in review.label.text()
    press(qtbot, Qt.Key.Key_Z, CTRL)
    assert "nig" not in {t for _, tags in store.photos.list_photos(store.profiles.get()) for t in tags}
    assert not review.bar.isVisibleTo(window) and review.offered is None
    press(qtbot, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)  # redone: it is on the photo again
    type_text(qtbot, "night")  # a keyword typed after it is offered as before
    press(qtbot, Qt.Key.Key_Return)
    assert review.bar.isVisibleTo(window) and review.offered == "night"
