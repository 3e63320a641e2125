"""Indexing, as the CLI and the app both run it: the library's encoder on the chosen device,
photos embedded in batches, and the library's active encoder set when the run finishes.

The encoder is a library option (tagassist/options.py): a run indexes with the library's own
unless asked for another (``tagassist index --encoder``, the Settings dialog), which it then
makes the library's."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator

from ..store import Photo, Store

log = logging.getLogger(__name__)


def library_encoder(store: Store) -> str:
    """The encoder whose embeddings the library's suggestions use (the default until indexed)."""
    from ..engine.encoders import DEFAULT_ENCODER

    return store.active_encoder() or DEFAULT_ENCODER


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


def open_indexer(store: Store, encoder_name: str | None, device_name: str | None,
                 on_notice: Callable[[str], None] = log.warning):
    """An Indexer for the requested (or the library's active) encoder, on the chosen device.
    ``on_notice`` hears why a fallback encoder was used (no weights here, for example)."""
    from ..engine.device import choose_device, configure_cpu_threads
    from ..engine.encoders import FINE_TUNED_PREFIX, load_encoder
    from ..engine.indexer import Indexer

    device = choose_device(device_name)
    if device.type == "cpu":
        configure_cpu_threads()
    name = encoder_name or store.active_encoder()
    bundle = None
    if name == "cnn-permlp":  # the newest cnn-permlp model of any profile
        bundle = store.model_bundle(version_prefix="cnn-")
    elif name and name.startswith(FINE_TUNED_PREFIX):
        bundle = store.model_bundle(version=name[len(FINE_TUNED_PREFIX):])
    encoder = load_encoder(name, device, on_fallback=on_notice, bundle=bundle)
    return Indexer(store, encoder, device)


def index(store: Store, indexer, photos: list[Photo] | None = None) -> Iterator:
    """Yields the indexer's progress; once done, the library suggests with this encoder.
    Returns the indexer's summary (``yield from`` hands it over)."""
    yield from indexer.index(photos)
    store.set_active_encoder(indexer.encoder.id)
    return indexer.summary


def unindexed(store: Store, indexer, photos: Iterable[Photo]) -> list[Photo]:
    """Those of ``photos`` that have no embedding from the indexer's encoder yet."""
    missing = {p.content_hash for p in store.photos_without_embedding(indexer.encoder.id)}
    return [p for p in photos if p.content_hash in missing]
