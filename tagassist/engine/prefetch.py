"""Decoding ahead of the model: items decoded on a pool of threads (Pillow, LibRaw and zlib
release the GIL), handed back in order, with no more in flight than a count and a number of
pixels allow, so that a folder of panoramas never has several decoding at once."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_futures

_END = object()


class Prefetch:
    """``work(item)`` for each of ``items`` on ``workers`` threads. Iterating gives
    ``(item, future)`` in the items' order once each is done, and ``None`` each ``heartbeat``
    seconds spent waiting for one (so that a caller between yields can stop). At most ``ahead``
    items are submitted and not yet taken, and the decodes not yet finished declare at most
    ``pixel_limit`` pixels between them (one larger than that runs alone)."""

    def __init__(self, items: Sequence, work: Callable, workers: int, *, ahead: int,
                 pixels_of: Callable[[object], int], pixel_limit: int, heartbeat: float = 0.25):
        self._pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix="decode")
        self._ready: queue.Queue = queue.Queue()
        self._room = threading.Condition()
        self._untaken = 0  # submitted and not yet handed back
        self._pixels = 0  # declared by decodes not yet finished
        self._stopped = False
        self._heartbeat = heartbeat
        self._feeder = threading.Thread(target=self._feed, name="decode-feeder", daemon=True,
                                        args=(items, work, max(1, ahead), pixels_of, pixel_limit))
        self._feeder.start()

    def _feed(self, items, work, ahead, pixels_of, pixel_limit) -> None:
        try:
            for item in items:
                pixels = max(0, pixels_of(item))
                with self._room:
                    self._room.wait_for(lambda pixels=pixels: self._stopped or (
                        self._untaken < ahead and (self._pixels == 0 or self._pixels + pixels <= pixel_limit)))
                    if self._stopped:
                        return
                    self._untaken += 1
                    self._pixels += pixels
                try:
                    future = self._pool.submit(work, item)
                except RuntimeError:  # closed meanwhile
                    return
                future.add_done_callback(lambda _, pixels=pixels: self._release(0, pixels))
                self._ready.put((item, future))
        except Exception as exc:  # noqa: BLE001 - raised again by the consumer, not lost on this thread
            self._ready.put(exc)
        finally:
            self._ready.put(_END)

    def _release(self, taken: int, pixels: int) -> None:
        with self._room:
            self._untaken -= taken
            self._pixels -= pixels
            self._room.notify_all()

    def __iter__(self) -> Iterator[tuple[object, Future] | None]:
        while True:
            try:
                entry = self._ready.get(timeout=self._heartbeat)
            except queue.Empty:
                yield None
                continue
            if entry is _END:
                return
            if isinstance(entry, Exception):
                raise entry
            item, future = entry
            while not wait_for_futures([future], timeout=self._heartbeat).done:
                yield None
            self._release(1, 0)
            yield item, future

    def close(self) -> None:
        """Stop feeding and drop what was not started. A decode already running finishes on its
        own thread: nobody waits for it (a cancel returns at once)."""
        with self._room:
            self._stopped = True
            self._room.notify_all()
        self._pool.shutdown(wait=False, cancel_futures=True)
