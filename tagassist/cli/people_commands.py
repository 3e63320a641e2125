"""``tagassist faces PHOTO...`` and ``tagassist people list|name|merge|forget`` (issue 27)."""

from __future__ import annotations

from argparse import Namespace

from ..paths import display_path
from ..records import HIERARCHY_SEPARATOR, Profile, check_tag
from ..services import faces
from ..services.library import Store
from .engine_commands import find_faces
from .output import EXIT_OK, UserError, emit_json, say
from .photo_arg import resolve_photo


def _box(face) -> dict:
    return {"x": round(face.box.x, 4), "y": round(face.box.y, 4), "w": round(face.box.w, 4), "h": round(face.box.h, 4)}


def cmd_faces(args: Namespace, store: Store, profile: Profile) -> int:
    photos = [resolve_photo(store, profile, path) for path in args.photos]
    _, _, off = find_faces(store, profile, photos)  # these photos, where the detector has not seen them yet
    looked_at = store.faces.scanned(None, [photo.id for photo in photos])
    results = []
    for photo in photos:
        found = faces.faces_of(store, profile, photo)
        results.append({"photo": photo.path, "faces": [
            {"id": face.id, "box": _box(face), "quality": None if face.quality is None else round(face.quality, 3),
             "name": face.name, "region_name": face.region_name,
             "suggestions": [{"keyword": s.keyword, "score": s.score, "reason": s.reason} for s in suggestions]}
            for face, suggestions in found], "looked_at": photo.id in looked_at})
    if args.json:
        emit_json(results)
        return EXIT_OK
    if off:
        say(off)
    for photo, result in zip(photos, results):
        say(display_path(photo.pixels_path))  # a RAW+JPEG pair by its JPEG, as `photos` lists it (--json: the RAW)
        if not result["faces"]:
            say("  no faces" if result["looked_at"] else "  not looked at for faces")
        for face in result["faces"]:
            b = face["box"]
            quality = "" if face["quality"] is None else f", quality {face['quality']:.2f}"
            where = f"face {face['id']} at {b['x']:.2f},{b['y']:.2f} ({b['w']:.2f}x{b['h']:.2f}{quality})"
            if face["name"]:
                say(f"  {where}: {face['name']}")
            elif face["suggestions"]:
                best = face["suggestions"][0]
                say(f"  {where}: {best['keyword']}? {best['score']:.2f} ({best['reason']})")
            else:
                say(f"  {where}: not named (tagassist people name KEYWORD {face['id']})")
    return EXIT_OK


def cmd_people(args: Namespace, store: Store, profile: Profile) -> int:
    action, names = args.action, args.names
    if action == "list":
        return _list(args, store, profile)
    if action == "name":
        if len(names) < 2:
            raise UserError("people name KEYWORD FACE... (the face ids 'tagassist faces PHOTO' shows)")
        keyword, face_ids = names[0].strip(), list(dict.fromkeys(_face_ids(names[1:])))
        _check(keyword)
        if HIERARCHY_SEPARATOR not in keyword:  # a bare name: her keyword for it, or written her way
            keyword = faces.keyword_for_name(store, profile, keyword)
        for face_id in face_ids:
            try:
                if args.reject:
                    faces.reject_name(store, profile, face_id, keyword)
                else:
                    faces.name_face(store, profile, face_id, keyword)
            except LookupError as exc:
                raise UserError(str(exc)) from None
        verb = "is not" if args.reject else "named"
        say(f"{len(face_ids)} face{'s' * (len(face_ids) != 1)} {verb} {keyword}")
        return EXIT_OK
    if action == "merge":
        if len(names) != 2:
            raise UserError("people merge NAME INTO (every face named NAME becomes INTO)")
        _check(names[1])
        try:
            moved = faces.merge_people(store, profile, names[0], names[1])
        except LookupError as exc:
            raise UserError(f"{exc} ('tagassist people list' shows her people)") from None
        say(f"{moved} face{'s' * (moved != 1)} of {names[0]} are now {names[1]}")
        return EXIT_OK
    if action == "forget":
        if len(names) != 1:
            raise UserError("people forget KEYWORD")
        try:
            gone = faces.forget_person(store, profile, names[0])
        except LookupError as exc:
            raise UserError(f"{exc} ('tagassist people list' shows her people)") from None
        say(f"forgot {names[0]}: the face data of {gone} face{'s' * (gone != 1)} deleted"
            " (the keyword stays on the photos)")
        return EXIT_OK
    raise UserError(f"unknown action {action}")


def _list(args: Namespace, store: Store, profile: Profile) -> int:
    people = store.faces.people(profile)
    clusters = faces.unknown_clusters(store, profile) if faces.faces_unavailable() is None else []
    paths = {}
    for cluster in clusters:
        for face in cluster:
            if face.photo_id not in paths:
                photo = store.photos.get(face.photo_id)
                paths[face.photo_id] = photo.path if photo else None
    if args.json:
        emit_json({"people": [{"keyword": k, "faces": n, "photos": p} for k, n, p in people],
                   "unknown": [{"faces": [f.id for f in cluster], "photos": sorted({paths[f.photo_id] for f in cluster
                                                                                    if paths[f.photo_id]})}
                               for cluster in clusters]})
        return EXIT_OK
    for keyword, n, photos in people:
        say(f"{keyword}: {n} face{'s' * (n != 1)} on {photos} photo{'s' * (photos != 1)}")
    if not people:
        say("no one named yet: tagassist faces PHOTO shows the faces, tagassist people name KEYWORD FACE names one")
    for i, cluster in enumerate(clusters, 1):
        ids = " ".join(str(f.id) for f in cluster[:12]) + (" ..." if len(cluster) > 12 else "")
        say(f"unknown person {i}: {len(cluster)} face{'s' * (len(cluster) != 1)} ({ids})")
    return EXIT_OK


def _face_ids(words: list[str]) -> list[int]:
    try:
        return [int(word) for word in words]
    except ValueError:
        raise UserError(f"face ids are numbers ('tagassist faces PHOTO' shows them), not {' '.join(words)}") from None


def _check(keyword: str) -> None:
    try:
        check_tag(keyword)
    except ValueError as exc:
        raise UserError(str(exc)) from None
