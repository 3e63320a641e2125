"""Ratings, colour labels and the pick and reject flags, as the app's keys set them: stored at
once and written into the photo's files with its keywords at the next export (xmp:Rating,
xmp:Label, where Lightroom, darktable and digiKam read them, and digiKam:PickLabel). A reject is
xmp:Rating -1, as those programs write it, and digiKam's rejected pick label beside it.

The pick flag is digiKam's: Lightroom Classic keeps its flags in its catalogue only (no XMP
field) and darktable has none, so ``digiKam:PickLabel`` (0 none, 1 rejected, 2 pending, 3
accepted) is the one place another program reads a pick from. Picked and rejected exclude each
other: a pick or a star rating takes a reject off, a reject takes a pick off."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..store import Store

# Lightroom's colour labels, in the order of its keys 6-9 (Purple has no key there).
LABELS = ("Red", "Yellow", "Green", "Blue", "Purple")
REJECTED = -1
# digiKam's pick labels.
NO_PICK, PICK_REJECTED, PICK_PENDING, PICKED = 0, 1, 2, 3
KEEP = object()  # set_marks: leave this one as it is

Marks = Mapping[int, tuple[int | None, str | None, int | None]]  # photo id -> (rating, label, pick)


def set_marks(store: Store, photo_ids: Sequence[int], *, rating=KEEP, label=KEEP, pick=KEEP,
              toggle: bool = True) -> Marks:
    """Give the photos a rating (-1 rejected, 0 none, 1-5 stars), a label (None: none) and/or a
    pick flag (PICKED, or NO_PICK to take the pick and the reject off); returns what they had,
    for ``restore``. With ``toggle`` (the app's keys, as in Lightroom), a label every one of
    them has already is taken off."""
    if rating is not KEEP and rating not in range(REJECTED, 6):
        raise ValueError(f"a rating is -1 (rejected) or 0 to 5 stars, not {rating!r}")
    if label is not KEEP and label is not None and label not in LABELS:
        raise ValueError(f"a colour label is one of {', '.join(LABELS)}, not {label!r}")
    if pick is not KEEP and pick not in (NO_PICK, PICKED):
        raise ValueError(f"a pick flag is set or taken off, not {pick!r}")
    with store.transaction():
        before = store.marks.get(photo_ids)
        if toggle and label is not KEEP and label is not None and all(old[1] == label for old in before.values()):
            label = None
        store.marks.set({photo_id: _marked(old, rating, label, pick) for photo_id, old in before.items()})
    return before


def _marked(old: tuple[int | None, str | None, int | None], rating, label, pick):
    """One photo's marks after the change, picked and rejected kept apart."""
    old_rating, old_label, old_pick = old
    new_rating = old_rating if rating is KEEP else rating
    new_pick = old_pick if pick is KEEP else pick
    if rating == REJECTED:
        new_pick = PICK_REJECTED  # digiKam's word for it, beside xmp:Rating -1
    elif pick is not KEEP and old_rating == REJECTED and rating is KEEP:
        new_rating = 0  # picked or unflagged: no longer rejected
    elif rating is not KEEP and old_pick == PICK_REJECTED:
        new_pick = NO_PICK  # stars given: no longer rejected
    return new_rating, old_label if label is KEEP else label, new_pick


def label_named(name: str) -> str | None:
    """The colour label a user typed (any case; 'none': no label)."""
    if name.strip().lower() == "none":
        return None
    found = next((label for label in LABELS if label.lower() == name.strip().lower()), None)
    if found is None:
        raise ValueError(f"a colour label is one of {', '.join(LABELS)} or none, not {name!r}")
    return found


def restore(store: Store, before: Marks) -> None:
    """Put back what ``set_marks`` returned."""
    store.marks.set(before)


def pick_word(rating: int | None, pick: int | None) -> str:
    """A photo's flag in a word: picked, rejected, pending (digiKam's) or none."""
    if rating == REJECTED or pick == PICK_REJECTED:
        return "rejected"
    return {PICKED: "picked", PICK_PENDING: "pending"}.get(pick, "none")


def describe(rating=KEEP, label=KEEP, pick=KEEP) -> str:
    """What a change does, in the words of the status bar and the undo menu."""
    if pick is not KEEP:
        return "Picked" if pick == PICKED else "Unflagged"
    if rating is not KEEP:
        return "Rejected" if rating == REJECTED else "No stars" if not rating else "\u2605" * rating
    return f"{label} label" if label else "No label"
