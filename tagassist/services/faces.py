"""Faces and people, as the CLI and the app both use them (issue 27).

- ``find_faces``: the detector's pass over photos it has not seen (after indexing), each face
  stored with its box, quality and embedding; then faces are named from her keywords.
- Names come from what she already has: a region another tool named ("Marie Curie" becomes
  her ``People|Marie Curie``, in the way she writes people), and a person keyword on a photo
  names its one face, or among several faces the one that looks like her other photos of that
  person (``name_from_keywords``).
- ``name_face`` (she types a name on a face) also tags the photo, so the history learns it;
  ``reject_name``, ``merge_people``, ``forget_person``, ``unknown_clusters``.
- ``faces_of``: a photo's faces with suggested names, scores and reasons (``tagassist faces``).

The detector is optional (dlib): without it faces are off, with the reason
``faces_unavailable()`` gives; regions read from files are kept all the same.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

from ..records import HIERARCHY_SEPARATOR, Photo, Profile, check_tag
from ..store import Store
from ..store.faces import Detected, Region, StoredFace
from .face_export import is_written_by_tagassist, written_by_tagassist

log = logging.getLogger(__name__)

FACES_SETTING = "faces"
# Roots under which photographers keep people, in the languages of her likely tools: a keyword
# under one of them is a person keyword before she named any face.
PEOPLE_ROOTS = {"people", "persons", "person", "personen", "personnes", "persone", "personas", "family",
                "familie", "famille", "friends", "freunde", "who"}
KEYWORD_MATCH = 0.5  # a person keyword names the face of several that it matches at least this well
NAMED_EVERY = 100  # photos with faces named from her keywords together, as the pass goes
SUGGESTED_FROM = 0.1  # a name scoring less is not offered for a face


@dataclass(frozen=True)
class FaceProgress:
    done: int
    total: int
    found: int
    path: str | None = None  # the photo just looked at


def faces_on(store: Store) -> bool:
    """Whether the library looks for faces: the 'faces' library option where it was set, else
    the environment's (TAGASSIST_FACES: on or off, any case; 1/0, true/false, yes/no), else on."""
    from ..options import OPTIONS

    value = str(store.settings.get(FACES_SETTING) or OPTIONS[FACES_SETTING].resolve()).strip().lower()
    if value not in ("on", "1", "true", "yes", "off", "0", "false", "no"):
        log.warning("faces: %r is neither on nor off: faces stay off", value)
    return value in ("on", "1", "true", "yes")  # a word not understood keeps her faces unread


def faces_unavailable() -> str | None:
    """Why faces cannot be found on this computer (no dlib, missing model files), or None."""
    from ..engine.faces import faces_unavailable_reason

    return faces_unavailable_reason()


# -- finding faces ---------------------------------------------------------------------------
def detector_id(models) -> str:
    """What the store notes as the detector that looked at a photo (another looks again)."""
    return f"dlib-{models.detector_kind}"


def photos_to_scan(store: Store, detector: str, photos: Iterable[Photo]) -> list[Photo]:
    readable = [p for p in photos if p.id and p.status in ("ok", "warning") and p.preview != "none"]
    seen = store.faces.scanned(detector, [p.id for p in readable])
    return [p for p in readable if p.id not in seen]


def find_faces(store: Store, profile: Profile, photos: Iterable[Photo] | None = None, *,
               models=None, cancelled: Callable[[], bool] = lambda: False) -> Iterator[FaceProgress]:
    """Detect and describe the faces of the photos the detector has not seen yet (all of the
    library's by default), then name them from her keywords. Yields progress after each photo;
    stops early when ``cancelled()``."""
    from ..engine.faces import FaceModels
    from ..engine.faces.detector import WORKING_SIDE
    from ..engine.faces.pool import find_in_turn

    models = models or FaceModels()
    detector = detector_id(models)
    if photos is None:
        photos = [photo for photo, _ in store.photos.list_photos(profile)]
    todo = photos_to_scan(store, detector, photos)
    found, with_faces = 0, []
    looked_at = find_in_turn(todo, partial(_upright, long_side=WORKING_SIDE), models, cancelled=cancelled)
    try:  # two photos at a time (engine/faces/pool.py); the store is written here, in order
        for done, (photo, faces) in enumerate(looked_at, 1):
            if faces is None:  # not decodable
                continue
            store.faces.put_detected(photo.id, photo.content_hash, detector,
                                     [Detected(f.box, f.quality, f.embedding) for f in faces])
            found += len(faces)
            if faces:
                with_faces.append(photo.id)
            if len(with_faces) >= NAMED_EVERY:  # her people read once for a batch, not once a photo
                name_from_keywords(store, profile, with_faces)
                with_faces = []
            yield FaceProgress(done, len(todo), found, photo.path)
    finally:  # done, cancelled or stopped: the faces found so far are named from her keywords
        looked_at.close()
        if with_faces:
            name_from_keywords(store, profile, with_faces)


def _upright(photo: Photo, long_side: int):
    """The photo's pixels, upright, for the detector (as the indexer decodes them, without
    loading the indexer: no torch here); None for a photo that cannot be decoded."""
    from ..library.imaging import ImageProblem, decode_rgb

    for path in (photo.pixels_path, photo.path) if photo.companion else (photo.pixels_path,):
        try:
            return decode_rgb(path, photo.orientation, long_side, shrink=False)
        except ImageProblem as exc:
            log.info("no faces looked for on %s: %s", photo.path, exc)
    return None


# -- names from what she has ----------------------------------------------------------------
def _leaf(tag: str) -> str:
    return tag.rsplit(HIERARCHY_SEPARATOR, 1)[-1].strip()


def person_keywords(store: Store, profile: Profile, among: Iterable[str] | None = None) -> set[str]:
    """Her keywords that name people (of ``among``, else of her whole vocabulary): those she
    gave a face, and those under a people root (``People|Anna``, ``Family|Anna``) or under the
    parent her named people share."""
    named = {tag for tag, _, _ in store.faces.people(profile)}
    parents = {tag.rsplit(HIERARCHY_SEPARATOR, 1)[0].casefold() for tag in named if HIERARCHY_SEPARATOR in tag}
    hers = [tag for tag, _ in store.history.vocabulary(profile)] if among is None else list(among)
    under_root = {tag for tag in hers if HIERARCHY_SEPARATOR in tag and (
        tag.split(HIERARCHY_SEPARATOR, 1)[0].strip().casefold() in PEOPLE_ROOTS
        or tag.rsplit(HIERARCHY_SEPARATOR, 1)[0].casefold() in parents)}
    return (named if among is None else named & set(hers)) | under_root


def tags_changed(store: Store, profile: Profile, photo_ids: Sequence[int], added: Sequence[str] = (),
                 removed: Sequence[str] = ()) -> None:
    """She changed these photos' keywords: a person keyword added names a face of each
    (``name_from_keywords``), one removed unnames the faces it named there. Cheap where faces
    are none or the keywords name no one."""
    if not (added or removed) or not store.faces.exist():
        return
    if removed:
        gone = set(removed)
        faces = store.faces.of_photos(profile, photo_ids)
        store.faces.unname(profile, [f.id for photo in faces.values() for f in photo if f.name in gone])
    if added and person_keywords(store, profile, added):
        name_from_keywords(store, profile, photo_ids)


def keyword_for_name(store: Store, profile: Profile, name: str) -> str:
    """Her keyword for a person another tool named: her own keyword with that name as its last
    level where she has one (the most used), else the name written the way she writes people
    (under the parent most of her person keywords share; flat when she keeps them flat)."""
    hers = dict(store.history.vocabulary(profile))
    same = [tag for tag in hers if _leaf(tag).casefold() == name.strip().casefold()]
    if same:
        return max(same, key=lambda tag: (hers[tag], tag))
    people = person_keywords(store, profile)
    parents = Counter(tag.rsplit(HIERARCHY_SEPARATOR, 1)[0] if HIERARCHY_SEPARATOR in tag else "" for tag in people)
    parent = parents.most_common(1)[0][0] if parents else "People"
    return f"{parent}{HIERARCHY_SEPARATOR}{name.strip()}" if parent else name.strip()


def record_regions(store: Store, profile: Profile | None, photo: Photo) -> None:
    """A scan read the photo's files: keep the face regions they name, and (when the scan
    imports keywords for ``profile``) name those faces with her keyword for each name."""
    regions = [Region(r.box, r.name, r.source) for r in photo.face_regions if r.box is not None]
    store.faces.put_regions(photo.id, regions)
    if profile is None or not regions:
        return
    ours = written_by_tagassist(store, photo)  # an export's own region read back names nobody
    for face in store.faces.of_photos(profile, [photo.id])[photo.id]:
        if face.region_name and face.name is None and not is_written_by_tagassist(face.region_name, face.box, ours):
            keyword = keyword_for_name(store, profile, face.region_name)
            if keyword not in face.rejected:
                store.faces.name(profile, [face.id], keyword, "file")


def name_from_keywords(store: Store, profile: Profile, photo_ids: Iterable[int]) -> int:
    """Her person keywords on these photos name their faces: the one face of a photo with one,
    else the face that looks most like her other photos of that person. How many were named."""
    ids = list(photo_ids)
    people = person_keywords(store, profile)
    faces_by_photo = store.faces.of_photos(profile, ids)
    matcher = None
    named = 0
    for photo_id in ids:
        faces = faces_by_photo[photo_id]
        tags = {a.tag for a in store.history.photo_tags(profile, photo_id)} & people
        open_tags = sorted(tags - {f.name for f in faces})
        unnamed = [f for f in faces if f.name is None and f.embedding is not None]
        if not open_tags or not unnamed:
            continue
        if len(unnamed) == 1 and len(open_tags) == 1 and open_tags[0] not in unnamed[0].rejected \
                and len([f for f in faces if f.name is None]) == 1:
            store.faces.name(profile, [unnamed[0].id], open_tags[0], "keyword")
            named += 1
            continue
        matcher = matcher or _matcher(store, profile)
        if matcher is None:
            continue
        pairs = sorted(((m.score, face.id, m.keyword) for face in unnamed
                        for m in matcher.rank(face.embedding, top=len(matcher.people))
                        if m.keyword in open_tags and m.keyword not in face.rejected), reverse=True)
        taken_faces: set[int] = set()
        taken_tags: set[str] = set()
        for score, face_id, keyword in pairs:  # greedy: the surest pairs first, one face per person
            if score >= KEYWORD_MATCH and face_id not in taken_faces and keyword not in taken_tags:
                store.faces.name(profile, [face_id], keyword, "keyword")
                taken_faces.add(face_id)
                taken_tags.add(keyword)
                named += 1
    return named


def _matcher(store: Store, profile: Profile):
    from ..engine.faces.recognition import PersonMatcher

    named: dict[str, list] = {}
    for tag, _, _, vector in store.faces.named(profile):
        named.setdefault(tag, []).append(vector)
    return PersonMatcher.fitted(named) if named else None


# -- her decisions ------------------------------------------------------------------------------
def name_face(store: Store, profile: Profile, face_id: int, keyword: str) -> StoredFace:
    """She names a face: the face is hers to call ``keyword``, and its photo carries the
    keyword (typed), so her history and the files learn it too. A name it had before leaves
    the photo with it, unless another face there still has that name."""
    check_tag(keyword)
    face = store.faces.face(profile, face_id)
    if face is None:
        raise LookupError(f"no face {face_id}")
    with store.transaction():
        store.faces.name(profile, [face_id], keyword, "typed")
        store.tagging.add_tags(profile, [face.photo_id], [keyword], "typed")
        old = replaced_name(store, profile, face, keyword)
        if old is not None:
            store.tagging.remove_tags(profile, [face.photo_id], [old])
    return store.faces.face(profile, face_id)


def replaced_name(store: Store, profile: Profile, face: StoredFace, keyword: str) -> str | None:
    """The keyword naming ``face`` anew as ``keyword`` takes off its photo: its old name, where
    no other face of the photo has that name."""
    if face.name is None or face.name == keyword:
        return None
    others = [f for f in store.faces.of_photos(profile, [face.photo_id])[face.photo_id] if f.id != face.id]
    return None if any(f.name == face.name for f in others) else face.name


def restore_face(store: Store, profile: Profile, before: StoredFace) -> None:
    """Put back her decisions on a face as ``before`` holds them (the app's undo): its name,
    or none, and its rejections."""
    now = store.faces.face(profile, before.id)
    if now is None:
        return
    with store.transaction():
        for keyword in now.rejected - before.rejected:
            store.faces.name(profile, [before.id], keyword)  # naming takes a rejection back ...
        store.faces.unname(profile, [before.id])  # ... and this the name
        if before.name is not None:
            store.faces.name(profile, [before.id], before.name, "typed")
        for keyword in before.rejected - now.rejected:
            store.faces.reject(profile, [before.id], keyword)


def reject_name(store: Store, profile: Profile, face_id: int, keyword: str) -> None:
    if store.faces.face(profile, face_id) is None:
        raise LookupError(f"no face {face_id}")
    store.faces.reject(profile, [face_id], keyword)


def merge_people(store: Store, profile: Profile, source: str, target: str) -> int:
    """``source`` and ``target`` are one person: every face named ``source`` is ``target``, and
    so is every photo that carried ``source`` (as ``keywords merge`` does). How many faces."""
    check_tag(target)
    if not any(tag == source for tag, _, _ in store.faces.people(profile)):
        raise LookupError(f"no face is named {source}")
    with store.transaction():
        moved = store.faces.rename_person(profile, source, target)
        photos = [photo.id for photo, tags in store.photos.list_photos(profile, tag=source) if source in tags]
        if photos:
            store.tagging.add_tags(profile, photos, [target], "typed")
            store.tagging.remove_tags(profile, photos, [source])
    return moved


def forget_person(store: Store, profile: Profile, keyword: str) -> int:
    """Delete the embeddings of every face she named ``keyword`` (the keyword stays on her photos)."""
    if not any(tag == keyword for tag, _, _ in store.faces.people(profile)):
        raise LookupError(f"no face is named {keyword}")
    return store.faces.forget(profile, keyword)


def people_with_faces(store: Store, profile: Profile, samples: int = 6) -> list[tuple[str, int, int, list[StoredFace]]]:
    """Her named people, most faces first: (keyword, faces, photos, a few of the faces, the
    best first) each; the People view shows them."""
    sample_ids: dict[str, list[int]] = {}
    for tag, face_id, _, _ in store.faces.named(profile):
        sample_ids.setdefault(tag, []).append(face_id)
    out = []
    for tag, count, photos in store.faces.people(profile):
        shown = [store.faces.face(profile, face_id) for face_id in sample_ids.get(tag, [])[:3 * samples]]
        shown = sorted((f for f in shown if f is not None), key=lambda f: (-(f.quality or 0.0), f.id))
        out.append((tag, count, photos, shown[:samples]))
    return out


def group_suggestions(store: Store, profile: Profile,
                      groups: Sequence[Sequence[StoredFace]]) -> list[NameSuggestion | None]:
    """Per group of unnamed faces (``unknown_clusters``), the name its faces most likely share:
    the person whose mean score over the group's faces is highest (a name rejected for a face
    scores 0 there), None where no one reaches ``SUGGESTED_FROM``."""
    matcher = _matcher(store, profile) if groups else None
    if matcher is None:
        return [None] * len(groups)
    out: list[NameSuggestion | None] = []
    for group in groups:
        faces = [f for f in group if f.embedding is not None]
        totals: Counter[str] = Counter()
        support: dict[str, int] = {}
        for face in faces:
            for match in matcher.rank(face.embedding, len(matcher.people)):
                if match.keyword not in face.rejected:
                    totals[match.keyword] += match.score
                    support[match.keyword] = max(support.get(match.keyword, 0), match.support)
        best = max(totals, key=lambda k: (totals[k], k), default=None)
        score = totals[best] / len(faces) if best is not None and faces else 0.0
        if best is None or score < SUGGESTED_FROM:
            out.append(None)
            continue
        n = support[best]
        reason = f"these faces match {n} photo{'s' * (n != 1)} you tagged '{best}'"
        out.append(NameSuggestion(best, round(score, 4), reason))
    return out


def unknown_clusters(store: Store, profile: Profile) -> list[list[StoredFace]]:
    """Her unnamed faces grouped by look, biggest group first (faces alone last)."""
    from ..engine.faces import cluster_faces

    faces = store.faces.unnamed(profile)
    labels = cluster_faces([f.embedding for f in faces])
    groups: dict[int, list[StoredFace]] = {}
    for face, label in zip(faces, labels):
        groups.setdefault(label, []).append(face)
    return [groups[label] for label in sorted(groups)]


def person_evidence(store: Store, profile: Profile, keyword: str, photo_ids) -> tuple | None:
    """For 'find the rest' of a person: per photo of ``photo_ids``, the chance that one of its
    faces nobody named is ``keyword`` (NaN where it has none), and how many of her faces of
    that person the best one matches; None where ``keyword`` names no face of hers."""
    import numpy as np

    if not any(tag == keyword for tag, _, _ in store.faces.people(profile)):
        return None  # not a person of hers: nothing to fit
    matcher = _matcher(store, profile)
    position = {photo_id: i for i, photo_id in enumerate(photo_ids)}
    chance, support = np.full(len(position), np.nan), np.zeros(len(position), dtype=np.int64)
    everyone = len(matcher.people)
    for face in store.faces.unnamed(profile):
        i = position.get(face.photo_id)
        if i is None or keyword in face.rejected:
            continue
        match = next(m for m in matcher.rank(face.embedding, everyone) if m.keyword == keyword)
        if not match.score <= chance[i]:  # NaN or lower: this face is the photo's best
            chance[i], support[i] = match.score, match.support
    return chance, support


# -- a photo's faces, with names to suggest ------------------------------------------------
@dataclass(frozen=True)
class NameSuggestion:
    keyword: str
    score: float
    reason: str


def faces_of(store: Store, profile: Profile, photo: Photo, top: int = 3,
             matcher=None) -> list[tuple[StoredFace, list[NameSuggestion]]]:
    """The photo's faces, left to right, each with the names it most likely has (none for a
    face she named; never a name she rejected for it). ``matcher``: her named faces fitted
    already (``FaceReader``), else fitted here."""
    faces = store.faces.of_photos(profile, [photo.id])[photo.id]
    if matcher is None and any(f.embedding is not None and f.name is None for f in faces):
        matcher = _matcher(store, profile)
    result = []
    for face in faces:
        suggestions = []
        if matcher is not None and face.name is None and face.embedding is not None:
            for match in matcher.rank(face.embedding, top + len(face.rejected)):
                if match.keyword in face.rejected or match.score < SUGGESTED_FROM:
                    continue
                reason = f"face matches {match.support} photo{'s' * (match.support != 1)} you tagged '{match.keyword}'"
                suggestions.append(NameSuggestion(match.keyword, round(match.score, 4), reason))
        result.append((face, suggestions[:top]))
    return result


class FaceReader:
    """``faces_of`` for one photo after another (the app's preview, in a worker thread): her
    named faces are fitted once, and again only after her people changed (fitting 1,500 named
    faces takes half a second; ranking one face against them, a millisecond). Her people and
    the number of faces say it in 2 ms: tagging photos, which moves the library's change
    counter, does not fit them again."""

    def __init__(self, store: Store, profile: Profile):
        self.store, self.profile = store, profile
        self._fitted: tuple[object, object] | None = None  # (her people and the faces' count, matcher)

    def faces_of(self, photo: Photo, top: int = 3) -> list[tuple[StoredFace, list[NameSuggestion]]]:
        key = (tuple(self.store.faces.people(self.profile)), self.store.faces.count())
        if self._fitted is None or self._fitted[0] != key:
            self._fitted = (key, _matcher(self.store, self.profile))
        if self._fitted[1] is None:  # no one named yet: faces without suggestions
            return [(face, []) for face in self.store.faces.of_photos(self.profile, [photo.id])[photo.id]]
        return faces_of(self.store, self.profile, photo, top, matcher=self._fitted[1])
