"""Tagging, as the CLI's ``tag`` and the app's keys both do it: one change of tags on some
photos, in one transaction, so it is applied whole or not at all; and the snapshot that undoes
it exactly (the app's undo)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..store import Profile, Store, check_tag
from . import faces


@dataclass(frozen=True)
class TagCounts:
    added: int
    removed: int
    rejected: int


def change_tags(store: Store, profile: Profile, photo_ids: Sequence[int], *, add: Sequence[str] = (),
                remove: Sequence[str] = (), reject: Sequence[str] = (), source: str = "typed",
                model_version: str | None = None, score: float | None = None) -> TagCounts:
    """Add (as ``source``: typed or accepted), remove and reject tags; a suggestion's score and
    the model that made it are kept with an accept or reject, for training. A name that cannot
    be a keyword is refused (ValueError) before anything changes."""
    for name in (*add, *remove, *reject):
        check_tag(name)
    with store.transaction():
        added = (store.tagging.add_tags(profile, photo_ids, add, source, model_version=model_version, score=score)
                 if add else 0)
        removed = store.tagging.remove_tags(profile, photo_ids, remove) if remove else 0
        rejected = store.tagging.reject_tags(profile, photo_ids, reject, model_version=model_version,
                                     score=score) if reject else 0
        faces.tags_changed(store, profile, photo_ids, add, remove)  # a person keyword names the face it is
    return TagCounts(added, removed, rejected)


def snapshot(store: Store, profile: Profile, photo_ids: Sequence[int], tags: Sequence[str]):
    """The state of these (photo, tag) pairs, sources and rejections included, before a change."""
    return store.tagging.tag_state(profile, list(photo_ids), list(tags))


def restore(store: Store, profile: Profile, state) -> None:
    """Put back exactly the state ``snapshot`` took."""
    store.tagging.restore_tag_state(profile, state)

