"""The app's background jobs, Qt-free: each opens its own Store (a SQLite connection belongs
to the thread that opened it), runs a service, and returns plain data. A generator's values
are its progress, ``(what, done, total)``; its return value is its result
(``tagassist.ui.workers.Job`` runs them on a thread pool)."""

from __future__ import annotations

from collections.abc import Iterator

from . import faces, indexing, keyword_lists, keywords, scanning, suggesting
from .export import export_photos, exportable_photos
from .library import open_library


def load_photos(db_path: str, profile_name: str, view: dict) -> dict:
    """The grid's rows for ``view`` (a filter: untagged, folder, date, tag, search, ...) and
    what the sidebar lists."""
    with open_library(db_path) as store:
        profile = store.profiles.get(profile_name)
        return {"rows": store.photos.grid_rows(profile, **view), **_sidebar(store, profile)}


def sidebar(db_path: str, profile_name: str) -> dict:
    """What the sidebar lists, read again after tagging (its keywords and their counts)."""
    with open_library(db_path) as store:
        return {"profile": profile_name, **_sidebar(store, store.profiles.get(profile_name))}


def _sidebar(store, profile) -> dict:
    vocabulary = [t for t, _ in store.history.vocabulary(profile)]
    return {"roots": store.photos.folders(), "folders": store.photos.folder_counts(),
            "vocabulary": vocabulary,
            "completion": keywords.completion_vocabulary(store, profile, vocabulary),  # and her imported lists
            "keyword_counts": store.history.keyword_counts(profile),
            "months": store.photos.months(), "ratings_labels": store.photos.ratings_and_labels(),
            "picked": store.photos.picked_count()}


def _reported(what: str, steps: Iterator) -> Iterator:
    """(what, done, total) for each step of a service's run; returns the run's summary."""
    while True:
        try:
            step = next(steps)
        except StopIteration as done:
            return done.value
        yield (what, step.done, step.total)


def scan(db_path: str, profile_name: str, roots: list[str]) -> Iterator:
    with open_library(db_path) as store:
        return (yield from _reported("Scanning", scanning.scan(store, store.profiles.get(profile_name), roots)))


def index(db_path: str, encoder: str | None = None, device: str | None = None,
          profile_name: str | None = None) -> Iterator:
    """The library's photos without an embedding, with the library's encoder (or ``encoder``,
    which then becomes the library's); then, where faces are on, the faces on the photos the
    detector has not seen, named from ``profile_name``'s keywords."""
    with open_library(db_path) as store:
        indexer = indexing.open_indexer(store, encoder, device)
        summary = yield from _reported("Indexing", indexing.index(store, indexer))
        if profile_name is not None and faces.faces_on(store) and faces.faces_unavailable() is None:
            yield from _reported("Looking for faces", faces.find_faces(store, store.profiles.get(profile_name)))
        return summary


def engine(db_path: str, profile_name: str):
    """The profile's suggestion engine built from the library as it is now (and kept for the
    next start), for the app's suggestions to swap in (``LiveSuggester.adopt``)."""
    with open_library(db_path) as store:
        return suggesting.build(store, store.profiles.get(profile_name))


def import_keywords(db_path: str, profile_name: str) -> int:
    with open_library(db_path) as store:
        return store.tagging.import_file_keywords(store.profiles.get(profile_name))


def export(db_path: str, profile_name: str, photo_ids: list[int] | None, style: str) -> dict:
    """The profile's keywords into the photos' files (the same service as ``tagassist export``):
    counts of written, unchanged and failed, and the run that undoes it."""
    with open_library(db_path) as store:
        profile = store.profiles.get(profile_name)
        photos = (exportable_photos(store, profile) if photo_ids is None
                  else [p for p in map(store.photos.get, photo_ids) if p is not None])
        report = export_photos(store, profile, photos, style=style)
    return {"written": report.count("written"), "unchanged": report.count("unchanged"),
            "failed": [r.failure for r in report.results if r.status == "failed"],
            "run_id": report.run_id}


def keyword_rows(db_path: str, profile_name: str) -> list[keywords.KeywordRow]:
    with open_library(db_path) as store:
        return keywords.keyword_rows(store, store.profiles.get(profile_name), levels=True)


def import_keyword_list(db_path: str, profile_name: str, path: str) -> dict:
    """The keyword manager's "Import keyword list…" (``tagassist keywords import``)."""
    with open_library(db_path) as store:
        return keyword_lists.import_list(store, store.profiles.get(profile_name), path)


def export_keyword_list(db_path: str, profile_name: str, path: str, fmt: str) -> dict:
    """The keyword manager's "Export keyword list…" (``tagassist keywords export``)."""
    with open_library(db_path) as store:
        return keyword_lists.export_list(store, store.profiles.get(profile_name), path, fmt)


def edit_keywords(db_path: str, profile_name: str, action: str, *args) -> list[dict]:
    """One keyword manager edit (``services.keywords``: rename, merge, delete, alias, undo);
    what it did, one result per name."""
    if action not in keywords.EDITS:
        raise ValueError(f"unknown keyword edit {action!r}")
    with open_library(db_path) as store:
        result = getattr(keywords, action)(store, store.profiles.get(profile_name), *args)
        return result if isinstance(result, list) else [result]
