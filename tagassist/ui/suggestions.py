"""Suggestions off the UI thread: a worker object living in its own QThread, with its own
engine and connection (``services.suggesting.LiveSuggester``; a SQLite connection belongs to
the thread that opened it). Requests and results travel as queued signals, in order, so a
refresh always precedes the next request."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from ..services import jobs
from ..services.suggesting import GroupSuggestion, LiveSuggester
from .workers import Job, JobRunner, start_in_thread


class _Worker(QObject):
    ready = Signal(int, list)
    failed = Signal(str)
    stale = Signal()  # answering from a kept state the library has moved past: build the current one

    def __init__(self, db_path: str, profile_name: str):
        super().__init__()
        self.engine = LiveSuggester(db_path, profile_name)
        self.latest = 0  # set by the UI thread before each request (an int: assignment is atomic)

    @Slot()
    def refresh(self) -> None:
        try:
            self.engine.rebuild()
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(f"suggestions unavailable: {exc}")

    @Slot(list)
    def update(self, photo_ids: list) -> None:
        """Tags changed on these photos: the history is updated in place."""
        try:
            self.engine.update(photo_ids)
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(f"suggestions unavailable: {exc}")

    @Slot(int, list, int)
    def suggest(self, request: int, photo_ids: list, k: int) -> None:
        if request < self.latest:  # the user has moved on: only the newest request is answered
            return
        try:
            if self.engine.engine is None and self.engine.open():
                self.stale.emit()
            self.ready.emit(request, self.engine.suggest(photo_ids, k))
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(f"suggestions failed: {exc}")

    @Slot(object)
    def adopt(self, engine) -> None:
        self.engine.adopt(engine)

    @Slot()
    def close(self) -> None:
        self.engine.close()


def keep_numbers(shown: list[GroupSuggestion], fresh: list[GroupSuggestion], limit: int) -> list[GroupSuggestion]:
    """The refreshed list for the same selection, with every tag that was shown keeping its
    number: a suggestion accepted or rejected stays in its slot (the engine no longer ranks
    it), the others take their new score in place, and new tags only fill free slots at the
    end. Pressing 3 twice, or 1 after an undo, means what the user saw when pressing."""
    by_tag = {s.tag: s for s in fresh}
    kept = [by_tag.get(s.tag, s) for s in shown]
    seen = {s.tag for s in kept}
    kept += [s for s in fresh if s.tag not in seen][:max(limit - len(kept), 0)]
    return kept


class SuggestionService(QObject):
    ready = Signal(int, list)  # request id, [GroupSuggestion]
    failed = Signal(str)
    _suggest = Signal(int, list, int)
    _refresh = Signal()
    _update = Signal(list)
    _close = Signal()
    _adopt = Signal(object)

    def __init__(self, db_path: str, profile_name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.db_path, self.profile_name = db_path, profile_name
        self.jobs = JobRunner(parent=self)
        self.worker = _Worker(db_path, profile_name)
        self.worker.stale.connect(self._build_current)
        self._adopt.connect(self.worker.adopt)
        self._suggest.connect(self.worker.suggest)
        self._refresh.connect(self.worker.refresh)
        self._update.connect(self.worker.update)
        self._close.connect(self.worker.close)
        self.worker.ready.connect(self.ready)
        self.worker.failed.connect(self.failed)
        self.thread = start_in_thread(self.worker, "suggestions", self)
        self.last_request = 0

    def _build_current(self) -> None:
        """The first suggestions came from a stale kept state: the current engine is built on
        the pool and swapped in when done."""
        job = Job("Suggestions", jobs.engine, self.db_path, self.profile_name)
        job.signals.result.connect(self._adopt)
        self.jobs.start(job)

    def request(self, photo_ids: list[int], k: int = 9) -> int:
        self.last_request += 1
        self.worker.latest = self.last_request
        self._suggest.emit(self.last_request, list(photo_ids), k)
        return self.last_request

    def cancel(self) -> None:
        """Nothing is selected any more: no list asked for before may be shown (its numbers
        would pick suggestions for photos no longer selected)."""
        self.last_request += 1
        self.worker.latest = self.last_request

    def refresh(self, photo_ids: list[int] | None = None) -> None:
        """After tags changed on ``photo_ids``: update the history in place. Without: rebuild
        everything (a new model, a new index, another photographer's import)."""
        if photo_ids is None:
            self._refresh.emit()
        else:
            self._update.emit(list(photo_ids))

    def shutdown(self) -> None:
        self._close.emit()
        self.thread.quit()
        self.thread.wait(5000)
