"""Computing visual embeddings for the library, batched, resumable and cancel-safe.

Decoding (Pillow releases the GIL) runs in a thread pool one batch ahead of the model, so the
model never waits for JPEGs. Each batch is committed on its own: stopping the generator keeps
what was done, and the next run continues with the photos still lacking a vector.

The engine reads no files: the caller hands the indexer how a photo is decoded and what
becomes of a photo that cannot be (``services/indexing.py`` gives it the library's decoding
and the store's notes).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import torch
from PIL import Image

from ..records import Photo
from .content_words import content_encoder_id, content_probabilities
from .device import autocast_dtype
from .encoders import Encoder

class Undecodable(Exception):
    """A photo whose pixels cannot be read; the message is one line for the user."""


# (photo, long side) -> the photo upright in RGB, at least that long on its long side; raises
# Undecodable. Runs on the decoding threads.
Decode = Callable[[Photo, int], Image.Image]
# What becomes of a photo that could not be decoded (on the indexing thread).
OnUndecodable = Callable[[Photo, Undecodable], None]


class EmbeddingStore(Protocol):
    """What the indexer reads and writes of a library (the store offers it)."""

    def photos_without_embedding(self, encoder_id: str) -> list[Photo]: ...

    def put_embeddings(self, encoder_id: str, items: Iterable[tuple[str, np.ndarray]]) -> None: ...

    def transaction(self) -> AbstractContextManager: ...


@dataclass
class IndexProgress:
    done: int
    total: int
    path: str | None = None


@dataclass
class IndexSummary:
    encoder_id: str
    indexed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    cancelled: bool = False


def decode_for(encoder: Encoder, photo: Photo, decode: Decode) -> torch.Tensor:
    """Decode just large enough for the encoder's input; the encoder's resize is the only one."""
    width, height = photo.width or 1, photo.height or 1
    aspect = max(width, height) / max(1, min(width, height))
    long_side = min(math.ceil(encoder.input_size * min(aspect, 4.0)), 4 * encoder.input_size)
    return encoder.preprocess(decode(photo, long_side))


class Indexer:
    """Embeds photos with ``encoder`` into ``store``. ``decode`` reads a photo's pixels and
    ``on_undecodable`` hears of each photo it could not read (then left without a vector)."""

    def __init__(
        self,
        store: EmbeddingStore,
        encoder: Encoder,
        device: torch.device | str = "cpu",
        *,
        decode: Decode,
        on_undecodable: OnUndecodable,
        batch_size: int | None = None,
        decode_workers: int | None = None,
    ):
        self.store = store
        self.encoder = encoder
        self.decode, self.on_undecodable = decode, on_undecodable
        self.device = torch.device(device)
        # Small batches keep decoding and the model overlapped on a CPU (27.9 photos/s at 8
        # against 24.8 at 32 for 12 MP JPEGs on 2 cores); GPUs want large ones.
        self.batch_size = batch_size or (8 if self.device.type == "cpu" else 64)
        self.decode_workers = decode_workers or max(2, os.cpu_count() or 2)
        self.summary = IndexSummary(encoder.id)

    def embed(self, images: torch.Tensor) -> tuple[np.ndarray, np.ndarray | None]:
        """A batch of preprocessed images -> (embeddings, ImageNet logits or None)."""
        images = images.to(self.device, non_blocking=True)
        if self.device.type != "mps":
            images = images.contiguous(memory_format=torch.channels_last)
        dtype = autocast_dtype(self.device)
        with torch.inference_mode(), torch.autocast(self.device.type, dtype=dtype, enabled=dtype is not None):
            embedding, logits = self.encoder.model(images)
        return (
            embedding.float().cpu().numpy(),
            None if logits is None else logits.float().cpu().numpy(),
        )

    def run(self, photos: Sequence[Photo] | None = None) -> IndexSummary:
        for _ in self.index(photos):
            pass
        return self.summary

    def index(self, photos: Sequence[Photo] | None = None) -> Iterator[IndexProgress]:
        if photos is None:
            photos = self.store.photos_without_embedding(self.encoder.id)
        self.summary = IndexSummary(self.encoder.id)
        batches = [photos[i : i + self.batch_size] for i in range(0, len(photos), self.batch_size)]
        done = 0
        yield IndexProgress(0, len(photos))
        with ThreadPoolExecutor(self.decode_workers) as pool:
            pending = self._submit(pool, batches[0]) if batches else []
            try:
                for number, batch in enumerate(batches):
                    current = pending
                    if number + 1 < len(batches):  # decode the next batch while the model runs
                        pending = self._submit(pool, batches[number + 1])
                    self._embed_and_store(batch, current)
                    done += len(batch)
                    yield IndexProgress(done, len(photos), batch[-1].path)
            except GeneratorExit:
                self.summary.cancelled = True
                for future in pending:
                    future.cancel()
                raise

    def _submit(self, pool: ThreadPoolExecutor, batch: Sequence[Photo]) -> list[Future]:
        return [pool.submit(decode_for, self.encoder, photo, self.decode) for photo in batch]

    def _embed_and_store(self, batch: Sequence[Photo], futures: list[Future]) -> None:
        tensors, kept = [], []
        for photo, future in zip(batch, futures):
            try:
                tensors.append(future.result())
                kept.append(photo)
            except Undecodable as exc:
                self.summary.failed.append((photo.path, str(exc)))
                self.on_undecodable(photo, exc)
        if not kept:
            return
        embeddings, logits = self.embed(torch.stack(tensors))
        with self.store.transaction():
            self.store.put_embeddings(self.encoder.id, [(p.content_hash, e) for p, e in zip(kept, embeddings)])
            if logits is not None:
                content = content_probabilities(logits)
                self.store.put_embeddings(
                    content_encoder_id(self.encoder.id), [(p.content_hash, c) for p, c in zip(kept, content)]
                )
        self.summary.indexed += len(kept)
