"""Ratings, colour labels and the reject flag, as the app's keys set them: stored at once and
written into the photo's files with its keywords at the next export (xmp:Rating, xmp:Label,
where Lightroom, darktable and digiKam read them). A reject is xmp:Rating -1, as those
programs write it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..store import Store

# Lightroom's colour labels, in the order of its keys 6-9 (Purple has no key there).
LABELS = ("Red", "Yellow", "Green", "Blue", "Purple")
REJECTED = -1
KEEP = object()  # set_marks: leave this one as it is

Marks = Mapping[int, tuple[int | None, str | None]]  # photo id -> (rating, label)


def set_marks(store: Store, photo_ids: Sequence[int], *, rating=KEEP, label=KEEP, toggle: bool = True) -> Marks:
    """Give the photos a rating (-1 rejected, 0 none, 1-5 stars) and/or a label (None: none);
    returns what they had, for ``restore``. With ``toggle`` (the app's keys, as in Lightroom),
    a label every one of them has already is taken off."""
    if rating is not KEEP and rating not in range(REJECTED, 6):
        raise ValueError(f"a rating is -1 (rejected) or 0 to 5 stars, not {rating!r}")
    if label is not KEEP and label is not None and label not in LABELS:
        raise ValueError(f"a colour label is one of {', '.join(LABELS)}, not {label!r}")
    with store.transaction():
        before = store.marks.get(photo_ids)
        if toggle and label is not KEEP and label is not None and all(old == label for _, old in before.values()):
            label = None
        store.marks.set({photo_id: (old_rating if rating is KEEP else rating, old_label if label is KEEP else label)
                         for photo_id, (old_rating, old_label) in before.items()})
    return before


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


def describe(rating=KEEP, label=KEEP) -> str:
    """What a change does, in the words of the status bar and the undo menu."""
    if rating is not KEEP:
        return "Rejected" if rating == REJECTED else "No stars" if not rating else "\u2605" * rating
    return f"{label} label" if label else "No label"
