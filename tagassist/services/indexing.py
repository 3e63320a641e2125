"""Indexing, as the CLI and the app both run it: the library's encoder on the chosen device,
photos embedded in batches, and the library's active encoder set when the run finishes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from ..store import Photo, Store

log = logging.getLogger(__name__)


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
