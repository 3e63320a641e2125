"""People: the faces on the photo against the faces she named (issue 27).

Each face on the photo that she has not named is ranked against her named faces
(``faces.PersonMatcher``: the mean distance to a person's nearest faces, as a calibrated
probability); a person's keyword scores that probability, the best over the photo's faces. A
name she rejected for a face is never offered for that face. Silent without faces, without
dlib (no embeddings are ever stored then), or before she named anyone.
"""

from __future__ import annotations

import weakref

from ..history import ProfileHistory
from .base import Scene, Scored, Signal, counted, register

_MATCHERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
TOP_PEOPLE = 3  # per face: the people it most likely is


def people_matcher(scene: Scene):
    """Her named faces as a matcher, fitted again only when they changed (her history's
    revision says when to look: naming a face tags its photo; fitting thousands of named faces
    takes long, reading them does not)."""
    h: ProfileHistory = scene.history
    kept = _MATCHERS.get(h)
    if kept is not None and kept[0] == h.revision:
        return kept[2]
    rows = scene.store.named_faces(scene.profile)
    signature = hash(tuple((tag, photo_id) for tag, photo_id, _ in rows))
    if kept is not None and kept[1] == signature:
        _MATCHERS[h] = (h.revision, signature, kept[2])
        return kept[2]
    named: dict[str, list] = {}
    for tag, _, vector in rows:
        named.setdefault(tag, []).append(vector)
    matcher = None
    if named:
        from ..faces.recognition import PersonMatcher

        matcher = PersonMatcher.fitted(named)
    _MATCHERS[h] = (h.revision, signature, matcher)
    return matcher


PERSON_EVIDENCE = 0.2  # below this no face on a photo with faces can be that person


def unseen_people(scene: Scene) -> list[int]:
    """Her people (the keywords she gave faces) whom no face of this photo can be: the photo
    has faces, and each is named someone else, had that name rejected, or looks unlike that
    person. Never suggested for it, whatever other signal speaks for them (a frequent 'People|Anna'
    is not offered for a photo of Ben alone). A photo without faces says nothing."""
    if scene.photo.id is None:
        return []
    faces = scene.store.photo_faces(scene.profile, scene.photo.id)
    matcher = people_matcher(scene) if faces else None
    if matcher is None:
        return []
    possible: set[str] = set()
    for _, embedding, name, rejected in faces:
        if name is not None:
            possible.add(name)
        elif embedding is None:  # a region without a face the detector described: anyone
            possible.update(k for k in matcher.people if k not in rejected)
        else:
            possible.update(m.keyword for m in matcher.rank(embedding, len(matcher.people))
                            if m.score >= PERSON_EVIDENCE and m.keyword not in rejected)
    return [c for tag in matcher.people if tag not in possible and (c := scene.column(tag)) is not None]


@register
class FaceMatch(Signal):
    name, weight, position = "person", 0.9, 10

    def score(self, scene: Scene) -> Scored:
        if scene.photo.id is None:
            return Scored({})
        faces = [f for f in scene.store.photo_faces(scene.profile, scene.photo.id) if f[1] is not None and f[2] is None]
        matcher = people_matcher(scene) if faces else None
        if matcher is None:
            return Scored({})
        scores: dict[str, float] = {}
        support: dict[str, int] = {}
        for _, embedding, _, rejected in faces:
            for match in matcher.rank(embedding, TOP_PEOPLE):
                if match.keyword not in rejected and match.score > scores.get(match.keyword, 0.0):
                    scores[match.keyword], support[match.keyword] = match.score, match.support
        return Scored(scores, support)

    def reason(self, scene: Scene, i: int, tag: str) -> str | None:
        support = (scene.scored(self.name).detail or {}).get(tag)
        if not support:
            return None
        return f"a face matches {counted(support, 'photo')} you tagged '{tag}'"
