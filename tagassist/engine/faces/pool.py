"""Faces of one photo after another, two photos at a time (issue 27's speed).

On a CPU a photo's faces cost ~0.8 s on 12 MP group photos: dlib's ResNet embeddings ~65 %
(~130 ms a face; dlib-bin is built without BLAS), the HOG detector ~25 %, decoding ~8 %
(``benchmarks/faces.py``). dlib lets go of the GIL while its HOG detector runs, and Pillow
while it decodes, but not while it computes an embedding: two threads overlap one photo's
detection with another's embeddings (at most ~1.4 times as fast), two processes run both
photos whole (~2 times on two free cores). A pass over many photos therefore uses two
processes (``spawn``ed: no fork of a process holding Qt or torch threads), each loading the
models once, ~2 s; a few photos, or a frozen installer (whose entry points do not start
multiprocessing's children), use two threads; one photo is looked at in the caller's thread.
Each thread or process has its own models (dlib's objects are not shared between threads);
a pool's process exits with the one that started it, killed or not.
Results come back in the photos' order, at most ``AHEAD`` photos per worker ahead of the one
asked for, so a cancelled pass stops after the photos already being looked at.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from PIL import Image

from ..cores import allowed_cores
from .detector import DetectedFace, FaceModels, detect_faces

WORKERS = 2  # two cores' worth: the index's own rate is measured on two
AHEAD = 2  # photos submitted per worker beyond the one it works on
PROCESSES_FROM = 16  # photos from which two processes' start (~2 s each) pays for itself

T = TypeVar("T")


class _ThreadModels:
    """Each thread's own FaceModels: the caller's for the first thread that asks, copies of
    it (the same folder and detector) for the others."""

    def __init__(self, models: FaceModels):
        self._spare, self._like = [models], models
        self._local = threading.local()
        self._lock = threading.Lock()

    def get(self) -> FaceModels:
        models = getattr(self._local, "models", None)
        if models is None:
            with self._lock:
                models = self._spare.pop() if self._spare else FaceModels(self._like.folder,
                                                                          self._like.detector_kind)
            self._local.models = models
        return models


_PROCESS_MODELS: dict[tuple, FaceModels] = {}  # a pool process's models, loaded once there


class _ProcessModels:
    """A pool process's FaceModels, from the caller's folder and detector (sent by value)."""

    def __init__(self, models: FaceModels):
        self.key = (str(models.folder) if models.folder is not None else None, models.detector_kind)

    def get(self) -> FaceModels:
        if self.key not in _PROCESS_MODELS:
            folder, kind = self.key
            _PROCESS_MODELS[self.key] = FaceModels(Path(folder) if folder else None, kind)
        return _PROCESS_MODELS[self.key]


def _exit_with_parent() -> None:
    """A pool process's first step: exit as soon as the process that started it is gone (one
    killed cannot tell its pool to stop, and the pool's processes would wait for work forever)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle: it stops the pass
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=lambda: (parent.join(), os._exit(1)), name="faces-parent", daemon=True).start()


def _look(decode: Callable, item, models) -> list[DetectedFace] | None:
    image = decode(item)
    return None if image is None else detect_faces(image, models.get())


def workers_for(count: int) -> int:
    """Workers for ``count`` photos: two where two cores are allowed, one for one photo."""
    return max(1, min(WORKERS, allowed_cores(), count))


def in_processes(count: int, workers: int) -> bool:
    """Whether ``count`` photos are looked at in processes (see the module's notes)."""
    return workers > 1 and count >= PROCESSES_FROM and not getattr(sys, "frozen", False)


def find_in_turn(items: Iterable[T], decode: Callable[[T], Image.Image | None], models: FaceModels | None = None,
                 *, workers: int | None = None, processes: bool | None = None,
                 cancelled: Callable[[], bool] = lambda: False) -> Iterator[tuple[T, list[DetectedFace] | None]]:
    """(item, its faces) for each of ``items`` in order: ``decode(item)`` gives its upright
    image (None: it cannot be decoded, and its faces are None), ``detect_faces`` finds them.
    In processes (``processes``, else as ``in_processes`` says) ``decode`` and the items are
    pickled: a module's function (or a partial of one) and plain data. Stops before the next
    item once ``cancelled()``; an error in a worker is raised here."""
    todo = list(items)
    models = models or FaceModels()
    workers = workers or workers_for(len(todo))
    if workers == 1:  # in this thread, with the caller's models
        mine = _ThreadModels(models)
        for item in todo:
            if cancelled():
                return
            yield item, _look(decode, item, mine)
        return
    if processes is None:
        processes = in_processes(len(todo), workers)
    pool: Executor
    if processes:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_exit_with_parent)
        per_worker: _ThreadModels | _ProcessModels = _ProcessModels(models)
    else:
        pool, per_worker = ThreadPoolExecutor(workers, thread_name_prefix="faces"), _ThreadModels(models)
    queue = deque(todo)
    pending: deque = deque()
    try:
        while not cancelled():
            while queue and len(pending) < workers * (1 + AHEAD):
                item = queue.popleft()
                pending.append((item, pool.submit(_look, decode, item, per_worker)))
            if not pending:
                return
            item, future = pending.popleft()
            yield item, future.result()
    finally:  # done, cancelled or abandoned: what has not started never will
        _stop(pool, early=bool(queue or pending))


def _stop(pool: Executor, early: bool) -> None:
    """Shut the pool down. Stopped early, processes are not waited for through the executor:
    its shutdown with futures cancelled can hang on Python 3.11 (CPython #94440, #125451; seen
    once here), so the workers get a few seconds to end and are then killed."""
    if not early or not isinstance(pool, ProcessPoolExecutor):
        pool.shutdown(wait=True, cancel_futures=True)
        return
    processes = list((pool._processes or {}).values())  # private; Python 3.14 has terminate_workers()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(5)
        if process.is_alive():
            process.kill()
