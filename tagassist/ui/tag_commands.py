"""Every tag change as a QUndoCommand: redo applies it in one transaction, undo restores the
exact earlier state of the (photo, tag) pairs it touched, sources and rejections included."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtGui import QUndoCommand

from ..records import Profile
from ..services import marks
from ..services.library import Store
from ..services.tagging import change_tags, restore, snapshot


class TagChange(QUndoCommand):
    def __init__(
        self,
        store: Store,
        profile: Profile,
        photo_ids: Sequence[int],
        *,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
        reject: Sequence[str] = (),
        source: str = "typed",
        model_version: str | None = None,
        score: float | None = None,
        on_change: Callable[[], None] = lambda: None,
    ):
        verb = "Accept" if source == "accepted" else "Add" if add else "Remove" if remove else "Reject"
        names = list(add) + list(remove) + list(reject)
        super().__init__(f"{verb} {', '.join(names)} on {len(photo_ids)} photo(s)")
        self.store, self.profile, self.photo_ids = store, profile, list(photo_ids)
        self.add, self.remove, self.reject = list(add), list(remove), list(reject)
        self.source, self.model_version, self.score = source, model_version, score
        self.on_change = on_change
        self.before = snapshot(store, profile, self.photo_ids, names)

    @property
    def names(self) -> list[str]:
        """The keywords this change is about (a keyword edit that touches one of them ends its undo)."""
        return self.add + self.remove + self.reject

    def redo(self) -> None:
        change_tags(self.store, self.profile, self.photo_ids, add=self.add, remove=self.remove, reject=self.reject,
                    source=self.source, model_version=self.model_version, score=self.score)
        self.on_change()

    def undo(self) -> None:
        restore(self.store, self.profile, self.before)
        self.on_change()


class MarkChange(QUndoCommand):
    """A rating, a colour label or the pick or reject flag on some photos; undo gives each its own back."""

    def __init__(self, store: Store, photo_ids: Sequence[int], *, on_change: Callable[[], None], **change):
        super().__init__(f"{marks.describe(**change)} on {len(photo_ids)} photo(s)")
        self.store, self.photo_ids, self.change, self.on_change = store, list(photo_ids), change, on_change
        self.before: marks.Marks = {}

    def redo(self) -> None:
        self.before = marks.set_marks(self.store, self.photo_ids, **self.change)
        self.on_change()

    def undo(self) -> None:
        marks.restore(self.store, self.before)
        self.on_change()
