"""A simulated photographer's library brought into tagassist: rendered, scanned, indexed, and
her tags given as history."""

from __future__ import annotations

from pathlib import Path

from .photographers import make_photographer, write_library


def prepare_library(root: Path, index: int, n_photos: int, seed: int) -> tuple[Path, list[dict], str]:
    """Renders, scans and indexes one photographer's library; returns the database, the truth
    and the profile name."""
    from tagassist.engine.encoders import load_encoder
    from tagassist.services.indexing import library_indexer
    from tagassist.services.scanning import Scanner
    from tagassist.store import Store

    photographer = make_photographer(index, seed)
    truth = write_library(photographer, root / "photos", n_photos)
    db = root / "library.sqlite"
    with Store(db) as store:
        profile = store.profiles.get(photographer.name)
        for _ in Scanner(store, profile, import_keywords=False).scan([str(root / "photos")]):
            pass
        indexer = library_indexer(store, load_encoder(None, "cpu"), "cpu")
        for _ in indexer.index():
            pass
        store.settings.set_active_encoder(indexer.encoder.id)
    return db, truth, photographer.name


def tag_history(store, profile, items: list[dict]) -> dict:
    """Give the profile the truth's tags on ``items`` (typed, as she would have); returns the
    library's photos by path."""
    by_path = {photo.path: photo for photo, _ in store.photos.list_photos(profile)}
    for item in items:
        store.tagging.add_tags(profile, [by_path[item["path"]].id], item["tags"], "typed")
    return by_path
