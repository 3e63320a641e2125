"""Computing visual embeddings for the library, batched, resumable and cancel-safe.

Decoding runs on a pool of threads ahead of the model (``prefetch.py``), bounded by count and
by the pixels in flight; the model runs batch after batch on the indexing thread, with the
cores the decoders leave (``cores.py``). On a GPU a batch is copied from pinned memory and its
outputs copied back while the next batch computes, so the device is not left waiting on the
database. Each batch is committed on its own: stopping the generator keeps what was done, and
the next run continues with the photos still lacking a vector.

The engine reads no files: the caller hands the indexer how a photo is decoded and what
becomes of a photo that cannot be (``services/indexing.py`` gives it the library's decoding
and the store's notes).
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import torch
from PIL import Image

from ..records import Photo
from .content_words import content_encoder_id, content_probabilities
from .cores import CoreMeter, plan
from .device import autocast_dtype
from .encoders import Encoder
from .prefetch import Prefetch

# Declared pixels that decodes in flight may add up to: two 240 MP panoramas never decode at
# once, sixteen 24 MP photos do.
PREFETCH_PIXELS = 400_000_000
# Seconds between two looks at what other processes leave free (torch's threads follow it).
REPLAN_SECONDS = 10.0


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


@dataclass
class _InModel:
    """A batch given to the model: its photos, and its outputs on their way to host memory
    (ready once ``copied`` has happened, on a GPU)."""

    photos: list[Photo]
    embeddings: torch.Tensor
    logits: torch.Tensor | None
    copied: object | None = None  # a torch.cuda.Event

    def arrays(self) -> tuple[np.ndarray, np.ndarray | None]:
        if self.copied is not None:
            self.copied.synchronize()
        return self.embeddings.numpy(), None if self.logits is None else self.logits.numpy()


class Indexer:
    """Embeds photos with ``encoder`` into ``store``. ``decode`` reads a photo's pixels and
    ``on_undecodable`` hears of each photo it could not read (then left without a vector).
    ``decode_workers`` default to a share of the allowed cores (``cores.plan``), ``torch_threads``
    to the cores other processes leave free less the decoders'."""

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
        torch_threads: int | None = None,
    ):
        self.store = store
        self.encoder = encoder
        self.decode, self.on_undecodable = decode, on_undecodable
        self.device = torch.device(device)
        # Small batches keep decoding and the model overlapped on a CPU (27.9 photos/s at 8
        # against 24.8 at 32 for 12 MP JPEGs on 2 cores); GPUs want large ones.
        self.batch_size = batch_size or (8 if self.device.type == "cpu" else 64)
        self.decode_workers, self.torch_threads = decode_workers, torch_threads
        self.meter = CoreMeter()
        self.used_threads: tuple[int, int] | None = None  # (decoding, torch) of the latest run
        self.summary = IndexSummary(encoder.id)

    def _torch_threads(self, decoders: int) -> int:
        """The cores other processes leave free now, less the decoders' (at least one)."""
        return self.torch_threads or max(1, self.meter.free() - decoders)

    def embed(self, images: torch.Tensor) -> tuple[np.ndarray, np.ndarray | None]:
        """A batch of preprocessed images -> (embeddings, ImageNet logits or None)."""
        return self._launch([], images).arrays()

    def _launch(self, photos: list[Photo], images: torch.Tensor) -> _InModel:
        """The model started on a batch; on a GPU this returns while it computes."""
        cuda = self.device.type == "cuda"
        if cuda:
            images = images.pin_memory()  # a host-to-device copy that need not wait
        images = images.to(self.device, non_blocking=True)
        if self.device.type != "mps":
            images = images.contiguous(memory_format=torch.channels_last)
        dtype = autocast_dtype(self.device)
        with torch.inference_mode(), torch.autocast(self.device.type, dtype=dtype, enabled=dtype is not None):
            embedding, logits = self.encoder.model(images)
        outputs = [embedding.float(), None if logits is None else logits.float()]
        if not cuda:
            return _InModel(photos, *(None if t is None else t.cpu() for t in outputs))
        # into pinned host memory behind the batch on the device's queue; read after ``copied``
        outputs = [None if t is None else t.to("cpu", non_blocking=True) for t in outputs]
        copied = torch.cuda.Event()
        copied.record()
        return _InModel(photos, *outputs, copied)

    def run(self, photos: Sequence[Photo] | None = None) -> IndexSummary:
        for _ in self.index(photos):
            pass
        return self.summary

    def index(self, photos: Sequence[Photo] | None = None) -> Iterator[IndexProgress]:
        """Yields progress after each stored batch, and every quarter second spent waiting on a
        decode (no path), so that a cancel between yields comes soon."""
        if photos is None:
            photos = self.store.photos_without_embedding(self.encoder.id)
        self.summary = IndexSummary(self.encoder.id)
        total, done = len(photos), 0
        yield IndexProgress(0, total)
        if not photos:
            return
        decoders = self.decode_workers or plan(self.meter.cores, self.device.type != "cpu")[0]
        threads_before = torch.get_num_threads()
        prefetch = Prefetch(photos, functools.partial(_decode_for, self.encoder, self.decode), decoders,
                            ahead=2 * self.batch_size + decoders, pixels_of=_declared_pixels,
                            pixel_limit=PREFETCH_PIXELS)
        batch, tensors, in_model = [], [], None
        try:
            # measured while the first photos decode (their CPU time is this process's own)
            self.used_threads = (decoders, self._torch_threads(decoders))
            torch.set_num_threads(self.used_threads[1])
            replanned = time.monotonic()
            for entry in prefetch:
                if entry is None:  # a decode keeps us waiting: the batch the model has done is stored
                    if in_model is not None:
                        done += self._store(in_model)
                        in_model = None
                    yield IndexProgress(done, total, None)
                    continue
                photo, future = entry
                try:
                    tensors.append(future.result())
                    batch.append(photo)
                except Undecodable as exc:
                    self.summary.failed.append((photo.path, str(exc)))
                    self.on_undecodable(photo, exc)
                    done += 1
                if len(batch) < self.batch_size:
                    continue
                # the next batch goes to the model before the previous one is stored
                in_model, finished = self._launch(batch, torch.stack(tensors)), in_model
                batch, tensors = [], []
                if finished is not None:
                    done += self._store(finished)
                    yield IndexProgress(done, total, finished.photos[-1].path)
                if time.monotonic() - replanned > REPLAN_SECONDS:
                    self.used_threads = (decoders, self._torch_threads(decoders))
                    torch.set_num_threads(self.used_threads[1])
                    replanned = time.monotonic()
            for finished in (in_model, self._launch(batch, torch.stack(tensors)) if batch else None):
                if finished is not None:
                    done += self._store(finished)
                    yield IndexProgress(done, total, finished.photos[-1].path)
        except GeneratorExit:
            self.summary.cancelled = True
            raise
        finally:
            prefetch.close()
            torch.set_num_threads(threads_before)

    def _store(self, finished: _InModel) -> int:
        embeddings, logits = finished.arrays()
        kept = finished.photos
        with self.store.transaction():
            self.store.put_embeddings(self.encoder.id, [(p.content_hash, e) for p, e in zip(kept, embeddings)])
            if logits is not None:
                content = content_probabilities(logits)
                self.store.put_embeddings(
                    content_encoder_id(self.encoder.id), [(p.content_hash, c) for p, c in zip(kept, content)]
                )
        self.summary.indexed += len(kept)
        return len(kept)


def _decode_for(encoder: Encoder, decode: Decode, photo: Photo) -> torch.Tensor:
    return decode_for(encoder, photo, decode)


def _declared_pixels(photo: Photo) -> int:
    """The photo's size as scanned (a JPEG decodes at a fraction of it; a panorama may not)."""
    return (photo.width or 0) * (photo.height or 0)
