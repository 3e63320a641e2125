"""The one place background work starts.

- ``Job``: a generator function run on the shared QThreadPool. Each yielded value is emitted as
  ``progress``; the generator's return value as ``result``; an exception as ``error`` (with
  a one-line message) so every failure reaches the user. ``cancel()`` stops it between
  yields. The jobs themselves are Qt-free (``tagassist.services.jobs``) and open their own
  Store: SQLite connections belong to one thread.
- ``ThumbnailLoader``: QImages (never QPixmaps, which are UI-thread only) from the
  thumbnail cache, loaded on a pool of their own so a long scan never delays the grid.
- ``TrainerProcess``: "Retrain on my tags" as a separate process streaming JSON lines.
- ``start_in_thread``: a long-lived worker object (the suggestion service) in its own thread.
"""

from __future__ import annotations

import inspect
import json
import logging
import threading
import traceback
from collections.abc import Callable, Iterator

from PySide6.QtCore import QCoreApplication, QObject, QProcess, QRunnable, QThread, QThreadPool, Signal
from PySide6.QtGui import QImage

from ..services import images
from ..services.training import train_command

log = logging.getLogger(__name__)


def start_in_thread(worker: QObject, name: str, parent: QObject) -> QThread:
    """Move a long-lived worker object (its slots run off the UI thread, in order) into a
    thread of its own, and start it. Quit and wait on the returned thread to stop it."""
    thread = QThread(parent)
    thread.setObjectName(name)
    worker.moveToThread(thread)
    thread.start()
    return thread


class _ListenerGone(Exception):
    """A job's JobSignals went with the window that listened to it (closed while the job ran)."""


def _emit(signal, *args) -> None:
    try:
        signal.emit(*args)
    except RuntimeError as exc:  # PySide: 'Signal source has been deleted'
        raise _ListenerGone from exc


class JobSignals(QObject):
    progress = Signal(object)
    result = Signal(object)
    error = Signal(str)
    finished = Signal()


class Job(QRunnable):
    """A function run on the pool: a generator reports progress; a plain function does not."""

    def __init__(self, name: str, function: Callable[..., Iterator | object], *args, **kwargs):
        super().__init__()
        self.name = name
        self.signals = JobSignals()
        self._function, self._args, self._kwargs = function, args, kwargs
        self._cancelled = threading.Event()
        self.setAutoDelete(False)  # the app keeps it until finished, for cancel()

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def run(self) -> None:
        generator = None
        try:
            generator = self._function(*self._args, **self._kwargs)
            if not inspect.isgenerator(generator):
                _emit(self.signals.result, generator)
                return
            while True:
                if self._cancelled.is_set():
                    generator.close()  # runs the job's cleanup; its work so far is committed
                    break
                try:
                    step = next(generator)
                except StopIteration as done:
                    _emit(self.signals.result, done.value)
                    break
                _emit(self.signals.progress, step)
        except _ListenerGone:
            if inspect.isgenerator(generator):
                generator.close()  # the window closed while the job ran: nobody is told, the job stops
        except Exception as exc:  # noqa: BLE001 - every failure must reach the user
            log.error("%s failed:\n%s", self.name, traceback.format_exc())
            self._say(self.signals.error, f"{self.name} failed: {exc}")
        finally:
            self._say(self.signals.finished)

    @staticmethod
    def _say(signal, *args) -> None:
        try:
            _emit(signal, *args)
        except _ListenerGone:
            log.info("a job ended after its window closed")


class JobRunner(QObject):
    """Starts jobs and keeps the running ones (for the activity list and for cancel)."""

    changed = Signal()

    def __init__(self, pool: QThreadPool | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self.running: list[Job] = []

    def start(self, job: Job) -> Job:
        self.running.append(job)
        # A bound slot, not a lambda: Qt drops the connection if this runner goes first.
        job.signals.finished.connect(self._forget)
        self.pool.start(job)
        self.changed.emit()
        return job

    def _forget(self) -> None:
        self.running = [job for job in self.running if job.signals is not self.sender()]
        self.changed.emit()

    def cancel_all(self) -> None:
        for job in list(self.running):
            job.cancel()

    def wait(self, msecs: int = 30000) -> bool:
        """Wait for the jobs, then deliver their queued signals while their receivers live."""
        done = self.pool.waitForDone(msecs)
        QCoreApplication.processEvents()
        return done


class _ThumbnailTask(QRunnable):
    def __init__(self, loader: ThumbnailLoader, key, path: str, content_hash: str, orientation: int | None):
        super().__init__()
        self.loader, self.key, self.path = loader, key, path
        self.content_hash, self.orientation = content_hash, orientation

    def run(self) -> None:
        thumb = images.thumbnail(self.loader.cache, self.path, self.content_hash, self.orientation)
        image = QImage(str(thumb)) if thumb is not None else QImage()
        try:
            self.loader.loaded.emit(self.key, image)
        except RuntimeError:  # the window closed while this thumbnail was being made
            pass


class ThumbnailLoader(QObject):
    loaded = Signal(object, QImage)  # key, image (null when unreadable)

    def __init__(self, cache: images.ThumbnailCache, threads: int = 2, parent: QObject | None = None):
        super().__init__(parent)
        self.cache = cache
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)

    def request(self, key, path: str, content_hash: str, orientation: int | None) -> None:
        self.pool.start(_ThumbnailTask(self, key, path, content_hash, orientation))

    def clear_pending(self) -> None:
        self.pool.clear()

    def shutdown(self, msecs: int = 10000) -> None:
        self.pool.clear()
        self.pool.waitForDone(msecs)


class TrainerProcess(QObject):
    """``python -m trainer train ... --json-progress`` in its own process (the frozen app runs
    its bundled trainer entry instead). Cancel writes 'cancel' to its stdin (a signal would be
    ignored by a Windows console process): the trainer stops within a batch and the previous
    model stays active. If the app dies, the trainer's stdin closes and it stops too."""

    progress = Signal(dict)
    # the final JSON line (stage done, stopped, or unchanged: too little history to judge), or
    # {"stage": "failed", "message": ...}
    finished = Signal(dict)

    def __init__(self, db_path: str, profile: str, parent: QObject | None = None, mode: str = "head",
                 device: str = "auto"):
        super().__init__(parent)
        self.process = QProcess(self)
        program, *arguments = train_command(db_path, profile, mode=mode, device=device, json_progress=True)
        self.process.setProgram(program)
        self.process.setArguments(arguments)
        self.process.readyReadStandardOutput.connect(self._read)
        self.process.finished.connect(self._done)
        self._final: dict | None = None
        self._buffer = b""

    def start(self) -> None:
        self.process.start()

    def cancel(self) -> None:
        if self.process.state() != QProcess.ProcessState.NotRunning:
            self.process.write(b"cancel\n")
            self.process.closeWriteChannel()

    def _read(self) -> None:
        self._buffer += bytes(self.process.readAllStandardOutput())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("stage") in ("done", "stopped", "unchanged"):
                self._final = event
            else:
                self.progress.emit(event)

    def _done(self, code: int, _status) -> None:
        self._read()
        if self._final is None:
            error = bytes(self.process.readAllStandardError()).decode(errors="replace").strip().splitlines()
            self._final = {"stage": "failed", "message": error[-1] if error else f"trainer exited with {code}"}
        self.finished.emit(self._final)
