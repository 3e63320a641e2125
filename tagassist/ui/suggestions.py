"""Suggestions off the UI thread: a worker object living in its own QThread, with its own
Store and Suggester (a SQLite connection belongs to the thread that opened it). Requests and
results travel as queued signals, in order, so a refresh always precedes the next request."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from .workers import start_in_thread


@dataclass(frozen=True)
class GroupSuggestion:
    tag: str
    score: float  # mean over the selected photos
    reason: str  # the reason on the photo where the tag scored best
    applies_to: int  # how many of the selected photos rank it in their top k


class _Worker(QObject):
    ready = Signal(int, list)
    failed = Signal(str)

    def __init__(self, db_path: str, profile_name: str):
        super().__init__()
        self.db_path, self.profile_name = db_path, profile_name
        self.store = self.suggester = None
        self.latest = 0  # set by the UI thread before each request (an int: assignment is atomic)
        self._scorer_key: tuple | None = None
        self._cached_scorer = None

    def _open(self) -> None:
        from ..engine.suggest import Suggester
        from ..store import Store

        if self.store is None:
            self.store = Store(self.db_path)
        profile = self.store.profile(self.profile_name)
        encoder_id = self.store.active_encoder()
        self.suggester = Suggester(self.store, profile, encoder_id, model_scorer=self._scorer(profile, encoder_id))

    def _scorer(self, profile, encoder_id):
        """The active model's scorer, loaded (and its file verified) only when the active model
        or the encoder changed, not on every refresh."""
        from ..models.scoring import active_model_scorer

        active = next(((m["version"], m["sha256"]) for m in self.store.models(profile) if m["active"]), None)
        key = (active, encoder_id)
        if self._scorer_key != key:
            self._scorer_key = key
            self._cached_scorer = active_model_scorer(self.store, profile, encoder_id) if encoder_id and active else None
        return self._cached_scorer

    @Slot()
    def refresh(self) -> None:
        try:
            self._open()
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(f"suggestions unavailable: {exc}")

    @Slot(list)
    def update(self, photo_ids: list) -> None:
        """Tags changed on these photos: the history is updated in place."""
        try:
            if self.suggester is None:
                self._open()
            else:
                self.suggester.refresh(photo_ids)
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(f"suggestions unavailable: {exc}")

    @Slot(int, list, int)
    def suggest(self, request: int, photo_ids: list, k: int) -> None:
        if request < self.latest:  # the user has moved on: only the newest request is answered
            return
        try:
            if self.suggester is None:
                self._open()
            per_photo = [self.suggester.suggest(self.store.photo(pid), k) for pid in photo_ids]
            self.ready.emit(request, aggregate(per_photo, len(photo_ids), k))
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(f"suggestions failed: {exc}")

    @Slot()
    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None


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


def aggregate(per_photo: list[list], n_photos: int, k: int) -> list[GroupSuggestion]:
    """Combine per-photo suggestions over a selection, best first (ties by tag)."""
    totals: dict[str, list] = {}
    for suggestions in per_photo:
        for s in suggestions:
            entry = totals.setdefault(s.tag, [0.0, 0, s.score, s.reason])
            entry[0] += s.score
            entry[1] += 1
            if s.score > entry[2]:
                entry[2], entry[3] = s.score, s.reason
    groups = [GroupSuggestion(t, round(total / max(n_photos, 1), 4), reason, count)
              for t, (total, count, _, reason) in totals.items()]
    return sorted(groups, key=lambda g: (-g.score, g.tag))[:k]


class SuggestionService(QObject):
    ready = Signal(int, list)  # request id, [GroupSuggestion]
    failed = Signal(str)
    _suggest = Signal(int, list, int)
    _refresh = Signal()
    _update = Signal(list)
    _close = Signal()

    def __init__(self, db_path: str, profile_name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.worker = _Worker(db_path, profile_name)
        self._suggest.connect(self.worker.suggest)
        self._refresh.connect(self.worker.refresh)
        self._update.connect(self.worker.update)
        self._close.connect(self.worker.close)
        self.worker.ready.connect(self.ready)
        self.worker.failed.connect(self.failed)
        self.thread = start_in_thread(self.worker, "suggestions", self)
        self.last_request = 0

    def request(self, photo_ids: list[int], k: int = 9) -> int:
        self.last_request += 1
        self.worker.latest = self.last_request
        self._suggest.emit(self.last_request, list(photo_ids), k)
        return self.last_request

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
