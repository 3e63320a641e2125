"""Indexing, as the CLI and the app both run it: the library's encoder on the chosen device,
photos embedded in batches, and the library's active encoder set when the run finishes.

The encoder is a library option (tagassist/options.py): a run indexes with the library's own
unless asked for another (``tagassist index --encoder``, the Settings dialog), which it then
makes the library's.

The engine's indexer reads no files: here it is given the library's decoding (``decode_photo``)
and the store's notes on a photo that cannot be decoded (``note_undecodable``)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Iterator

from ..store import Photo, Store

log = logging.getLogger(__name__)


def library_encoder(store: Store) -> str:
    """The encoder whose embeddings the library's suggestions use (the default until indexed)."""
    from ..engine.encoder_names import DEFAULT_ENCODER

    return store.settings.active_encoder() or DEFAULT_ENCODER


def encoder_choices(current: str) -> list[str]:
    """The encoders the Settings dialog offers: the shipped ones, and the library's own (a
    tuned one is no choice of its own, but it is the one in use)."""
    from ..engine.encoders import ENCODERS

    names = [name for name in ENCODERS if name != "cnn-permlp"]
    return names if current in names else [*names, current]


def load_default_encoder(device: str = "cpu", on_fallback: Callable[[str], None] = log.warning):
    """The encoder a new library indexes with, as shipped (its weights checksummed)."""
    from ..engine.encoders import DEFAULT_ENCODER, load_encoder

    return load_encoder(DEFAULT_ENCODER, device, on_fallback=on_fallback)


def decode_photo(photo: Photo, long_side: int):
    """The photo's pixels as the indexer wants them (engine.indexer.Decode): upright RGB, at
    least ``long_side`` on the long side; a JPEG with a RAW falls back to the RAW's own preview.
    Raises engine.indexer.Undecodable with the library's one-line reason."""
    from ..engine.indexer import Undecodable
    from ..library.imaging import ImageProblem, decode_rgb

    try:
        try:
            return decode_rgb(photo.pixels_path, photo.orientation, long_side, shrink=False)
        except ImageProblem:
            if not photo.companion:
                raise
            return decode_rgb(photo.path, photo.orientation, long_side, shrink=False)  # its RAW's own preview
    except ImageProblem as exc:
        raise Undecodable(str(exc)) from exc


def note_undecodable(store: Store, photo: Photo, problem: Exception) -> None:
    """A photo the indexer could not decode: a RAW is marked as having no pixels to show (the
    RAW itself is fine, and taggable), any other file as an error with the reason."""
    from ..library.imaging import is_raw_name
    from ..library.raw import NO_PREVIEW_NOTE

    if is_raw_name(photo.path):
        store.photos.mark_without_pixels(photo.id, NO_PREVIEW_NOTE)
    else:
        store.photos.set_status(photo.id, "error", str(problem))


def library_indexer(store: Store, encoder, device="cpu", **options):
    """The engine's Indexer for ``encoder``, reading the photos with the library's decoding
    (``options``: batch_size, decode_workers, torch_threads)."""
    from ..engine.indexer import Indexer

    return Indexer(store.embeddings, encoder, device, decode=decode_photo,
                   on_undecodable=functools.partial(note_undecodable, store), **options)


def decode_for(encoder, photo: Photo):
    """One photo decoded and preprocessed for ``encoder``, as the indexer's threads do it."""
    from ..engine.indexer import decode_for

    return decode_for(encoder, photo, decode_photo)


def open_indexer(store: Store, encoder_name: str | None, device_name: str | None,
                 on_notice: Callable[[str], None] = log.warning):
    """An Indexer for the requested (or the library's active) encoder, on the chosen device.
    ``on_notice`` hears why a fallback encoder was used (no weights here, for example)."""
    from ..engine.device import choose_device, configure_cpu_threads
    from ..engine.encoders import FINE_TUNED_PREFIX, load_encoder

    device = choose_device(device_name)
    if device.type == "cpu":
        configure_cpu_threads()
    name = encoder_name or store.settings.active_encoder()
    bundle = None
    if name == "cnn-permlp":  # the newest cnn-permlp model of any profile
        bundle = store.models.bundle(version_prefix="cnn-")
    elif name and name.startswith(FINE_TUNED_PREFIX):
        bundle = store.models.bundle(version=name[len(FINE_TUNED_PREFIX):])
    encoder = load_encoder(name, device, on_fallback=on_notice, bundle=bundle)
    return library_indexer(store, encoder, device)


def index(store: Store, indexer, photos: list[Photo] | None = None) -> Iterator:
    """Yields the indexer's progress; once done, the library suggests with this encoder.
    Returns the indexer's summary (``yield from`` hands it over)."""
    yield from indexer.index(photos)
    store.settings.set_active_encoder(indexer.encoder.id)
    return indexer.summary


def lacking_embedding(store: Store, encoder_id: str | None, photos: Iterable[Photo]) -> list[Photo]:
    """Those of ``photos`` that the indexer would embed (readable, with pixels) and that have no
    vector from ``encoder_id`` (every such photo when the library has no encoder yet): asked
    before any indexer is opened, so that suggesting from stored vectors never loads torch."""
    readable = [p for p in photos if p.content_hash and p.status in ("ok", "warning") and p.preview != "none"]
    if not encoder_id or not readable:
        return readable
    have = store.embeddings.embeddings(encoder_id, [p.content_hash for p in readable])
    return [p for p in readable if p.content_hash not in have]


def unindexed(store: Store, indexer, photos: Iterable[Photo]) -> list[Photo]:
    """Those of ``photos`` that have no embedding from the indexer's encoder yet."""
    missing = {p.content_hash for p in store.embeddings.photos_without_embedding(indexer.encoder.id)}
    return [p for p in photos if p.content_hash in missing]
