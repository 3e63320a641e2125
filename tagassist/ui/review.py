"""Find more photos for a keyword (issue 24): the grid becomes a review of the photos that
should carry it too, best first, each with its score and reason; Ctrl+Enter gives it to the
selected photos, Delete rejects it there, and each decision re-ranks what is left at once.

The ranking lives in a worker thread of its own (``services.finding.KeywordReview`` holds a
SQLite connection, which belongs to one thread; the library's embeddings are read there once
and kept for the next keyword). A decision is stored on the UI thread as every tag change is,
through the undo stack (``ReviewDecision``, a ``TagChange``), so Ctrl+Z undoes it batch by
batch, and the worker only re-ranks. Nothing is written to the files until an export.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from ..services.finding import KeywordReview, library_photos
from ..services.library import Store
from .grid import PhotoGridModel
from .keyword_tree import keyword_of
from .main_window import MainWindow
from .session import Session
from .tag_commands import TagChange
from .tagging import TaggingController
from .workers import start_in_thread

PAGE = 48  # candidates shown at once: Ctrl+A and Ctrl+Enter take them all


class _Worker(QObject):
    """The review's ranking, off the UI thread; every answer is a page (``_page``)."""

    page = Signal(int, object)  # request number, page (dict)
    failed = Signal(int, str)

    def __init__(self, db_path: str, profile_name: str):
        super().__init__()
        self.db_path, self.profile_name = db_path, profile_name
        self.store: Store | None = None
        self.photos = None  # the library's photos and embeddings, read once (forget: read again)
        self.review: KeywordReview | None = None

    @Slot(int, str, int)
    def open(self, request: int, keyword: str, limit: int) -> None:
        try:
            if self.store is None:
                self.store = Store(self.db_path)
            if self.photos is None:
                self.photos = library_photos(self.store)
            self.review = KeywordReview(self.store, self.store.profiles.get(self.profile_name), keyword,
                                        photos=self.photos)
            self._answer(request, limit)
            self.review.ready()  # the re-ranks after her decisions are fast from here on
        except Exception as exc:  # noqa: BLE001 - every failure must reach the user
            self.failed.emit(request, str(exc))

    @Slot(int, list, list, int)
    def decided(self, request: int, accepted: list, rejected: list, limit: int) -> None:
        if self.review is not None:
            try:
                self.review.rerank(accepted=accepted, rejected=rejected)
                self._answer(request, limit)
            except Exception as exc:  # noqa: BLE001 - every failure must reach the user
                self.failed.emit(request, f"ranking again failed: {exc}")

    @Slot(int, list, int)
    def undone(self, request: int, photo_ids: list, limit: int) -> None:
        if self.review is not None:
            try:
                self.review.undo(photo_ids)
                self._answer(request, limit)
            except Exception as exc:  # noqa: BLE001 - every failure must reach the user
                self.failed.emit(request, f"ranking again failed: {exc}")

    def _answer(self, request: int, limit: int) -> None:
        found = self.review.candidates(limit)
        self.page.emit(request, {"keyword": self.review.keyword, "found": found,
                                 "rows": self.review.grid_rows(found), "tagged": self.review.tagged,
                                 "rejected": self.review.rejected, "expected": self.review.expected_remaining(),
                                 "unindexed": self.review.unindexed})

    @Slot()
    def forget(self) -> None:
        self.photos = None

    @Slot()
    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None


class ReviewDecision(TagChange):
    """Her decision on a batch of candidates, stored as an accepted or rejected suggestion;
    done, undone and redone, it tells the review (which ranks again)."""

    def __init__(self, controller: ReviewController, session: int, photo_ids: list[int], hers: bool, **change):
        super().__init__(controller.session.store, controller.session.profile, photo_ids, **change)
        self.controller, self.review_session, self.hers = controller, session, hers

    def redo(self) -> None:
        super().redo()
        self.controller.decided(self.review_session, self.photo_ids, self.hers)

    def undo(self) -> None:
        super().undo()
        self.controller.undone(self.review_session, self.photo_ids)


class ReviewController(QObject):
    _open = Signal(int, str, int)
    _decided = Signal(int, list, list, int)
    _undone = Signal(int, list, int)
    _forget = Signal()
    _close = Signal()

    def __init__(self, window: MainWindow, session: Session, tagging: TaggingController, model: PhotoGridModel,
                 back, parent: QObject | None = None):
        super().__init__(parent)
        self.window, self.session, self.tagging, self.model, self.back = window, session, tagging, model, back
        self.keyword: str | None = None  # the keyword under review, None in the normal view
        self.offered: str | None = None  # the keyword typed last: Ctrl+Shift+F finds more photos for it
        self.offered_at = 0  # the undo stack's index once it was typed: undone below it, the offer goes
        self.page_size = PAGE
        self.sessions = 0  # one per review: a decision undone after its review ended re-ranks nothing
        self.requests = 0
        self.scores: dict[int, float] = {}
        self._build()
        self._start_worker()

    def _build(self) -> None:
        w = self.window
        self.bar = QWidget()
        self.bar.setObjectName("review-bar")
        layout = QHBoxLayout(self.bar)
        layout.setContentsMargins(6, 2, 6, 2)
        self.label = QLabel()
        self.label.setObjectName("review-count")
        self.label.setWordWrap(True)
        self.button = QPushButton()
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay on the photos
        self.button.clicked.connect(lambda: self.end() if self.keyword else self.find())
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        self.bar.setVisible(False)
        w.grid.parentWidget().layout().insertWidget(1, self.bar)  # above the grid

        self.find_action = QAction("Find more photos for a keyword", w)
        self.find_action.setShortcut(QKeySequence("Ctrl+Shift+F"))
        self.find_action.triggered.connect(self.find)
        photo_menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "&Photo")
        photo_menu.insertAction(w.sidebar_action, self.find_action)
        # On the photos only, and only while a review is shown: elsewhere the keys keep their meaning.
        self.accept_action = self._grid_action("Give the keyword to the selected photos", "Ctrl+Return", "Ctrl+Enter")
        self.accept_action.triggered.connect(lambda: self.decide(True))
        self.reject_action = self._grid_action("Not for the selected photos (reject)", "Delete")
        self.reject_action.triggered.connect(lambda: self.decide(False))
        self.end_action = self._grid_action("Back to the photos", "Escape")
        self.end_action.triggered.connect(self.end)
        w.editor.tag_typed.connect(self.offer)
        self.tagging.undo.indexChanged.connect(self._withdraw_offer)
        w.grid.selectionModel().currentChanged.connect(self._say_why)

    def _grid_action(self, text: str, *keys: str) -> QAction:
        action = QAction(text, self.window.grid)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.setEnabled(False)
        self.window.grid.addAction(action)
        return action

    def _start_worker(self) -> None:
        self.worker = _Worker(self.session.db_path, self.session.profile.name)
        self._open.connect(self.worker.open)
        self._decided.connect(self.worker.decided)
        self._undone.connect(self.worker.undone)
        self._forget.connect(self.worker.forget)
        self._close.connect(self.worker.close)
        self.worker.page.connect(self._page)
        self.worker.failed.connect(self._failed)
        self.thread = start_in_thread(self.worker, "keyword review", self)

    # -- starting and ending ----------------------------------------------------------------
    def offer(self, keyword: str) -> None:
        """She typed a keyword on some photos: finding more photos for it is one key away."""
        if self.keyword is None:
            self.offered, self.offered_at = keyword, self.tagging.undo.index()
            self.label.setText(f"Find more photos for \u2018{keyword}\u2019? Ctrl+Shift+F")
            self.button.setText(f"Find more photos for \u2018{keyword}\u2019")
            self.bar.setVisible(True)

    def _withdraw_offer(self, index: int) -> None:
        """The typing the bar offers to find more for was undone: there is nothing to find more for."""
        if self.keyword is None and self.offered is not None and index < self.offered_at:
            self.offered = None
            self.bar.setVisible(False)

    def find(self) -> None:
        """The keyword chosen in the keyword tree (when it has the keys), else the one typed last."""
        sidebar = self.window.sidebar
        keyword = keyword_of(sidebar.currentItem()) if sidebar.hasFocus() else None
        keyword = keyword or self.offered or keyword_of(sidebar.currentItem())
        if keyword is None:
            self.window.show_progress("Choose a keyword in the keyword tree (Ctrl+L), or type one on photos first")
            return
        self.start(keyword)

    def start(self, keyword: str) -> None:
        self.sessions += 1
        self.requests += 1
        self.keyword, self.offered = keyword, None
        self.window.show_progress(f"Finding photos for \u2018{keyword}\u2019\u2026")
        self._open.emit(self.requests, keyword, self.page_size)

    def end(self) -> None:
        """Back to the normal view of the photos."""
        if self.keyword is None:
            return
        self.leave()
        self.back()
        self.window.grid.setFocus()

    def leave(self) -> None:
        """The grid shows something else now: the review is over (its decisions stay undoable)."""
        self.keyword = None
        self.requests += 1  # a page still on its way is not shown
        self.model.set_captions({})
        for action in (self.accept_action, self.reject_action, self.end_action):
            action.setEnabled(False)
        self.bar.setVisible(False)

    def library_changed(self) -> None:
        """Photos or embeddings changed (a scan, an index): read them again for the next review."""
        self._forget.emit()

    # -- decisions ----------------------------------------------------------------------------
    def decide(self, hers: bool) -> None:
        ids = [i for i in self.tagging.selected_ids() if i in self.scores]
        if self.keyword is None or not ids:
            self.window.show_progress("Select photos of the review first")
            return
        score = round(sum(self.scores[i] for i in ids) / len(ids), 4)
        change = {"add": [self.keyword], "source": "accepted"} if hers else {"reject": [self.keyword]}
        self.tagging.undo.push(ReviewDecision(self, self.sessions, ids, hers, score=score,
                                              model_version=self.session.store.models.active_version(
                                                  self.session.profile), **change))

    def decided(self, session: int, photo_ids: list[int], hers: bool) -> None:
        self.tagging.changed(photo_ids)
        if session == self.sessions and self.keyword is not None:
            # Gone from the page at once (the next key never decides them again); the re-ranked page follows.
            self._show([r for r in self.model.photos if r.id not in set(photo_ids)], None)
            self.requests += 1
            self._decided.emit(self.requests, photo_ids if hers else [], [] if hers else photo_ids, self.page_size)

    def undone(self, session: int, photo_ids: list[int]) -> None:
        self.tagging.changed(photo_ids)
        if session == self.sessions and self.keyword is not None:
            self.requests += 1
            self._undone.emit(self.requests, photo_ids, self.page_size)

    # -- pages ----------------------------------------------------------------------------------
    def _page(self, request: int, page: dict) -> None:
        if request != self.requests or self.keyword is None:
            return  # a newer decision's page follows, or the review is over
        self.keyword = page["keyword"]  # an alias finds its keyword
        for action in (self.accept_action, self.reject_action, self.end_action):
            action.setEnabled(True)
        self.scores = {f.photo_id: f.score for f in page["found"]}
        self.model.set_captions({f.photo_id: (f.score, f.reason) for f in page["found"]})
        self._show(page["rows"], page)
        self._say_why(self.window.grid.currentIndex(), None)

    def _show(self, rows: list, page: dict | None) -> None:
        grid = self.window.grid
        self.model.set_photos(rows)
        if rows:
            grid.select_positions([0])
            grid.scrollTo(grid.currentIndex())
        grid.setFocus()
        self.tagging.show_selection()
        if page is not None:
            unindexed = f" ({page['unindexed']} photos not indexed: only their shoot, place and keywords speak)" \
                if page["unindexed"] else ""
            self.label.setText(
                f"<b>Find more photos for \u2018{self.keyword}\u2019</b>: {page['tagged']} tagged,"
                f" {page['rejected']} rejected, about {round(page['expected'])} more expected{unindexed}<br>"
                "<small>Ctrl+Enter: give it to the selected (Ctrl+A: the whole page) \u00b7 Delete: reject it"
                " there \u00b7 Ctrl+Z: undo \u00b7 Escape: back</small>")
            self.button.setText("Back (Esc)")
            self.bar.setVisible(True)
            if not rows:
                self.tagging.empty_note = f"No more candidates for \u2018{self.keyword}\u2019."

    def _say_why(self, current, _previous) -> None:
        """The current candidate's whole reason in the status bar (its cell has room for a part)."""
        position = self.model.position(current)
        caption = self.model.captions.get(self.model.photos[position].id) if position is not None else None
        if self.keyword is not None and caption is not None:
            name = os.path.basename(self.model.photos[position].path)
            self.window.show_progress(f"{name}: {caption[0]:.2f}, {caption[1]}")

    def _failed(self, request: int, message: str) -> None:
        if request == self.requests:
            self.keyword = None
            self.window.show_progress(message)

    def profile_changed(self) -> None:
        """Another photographer: her own review worker (the undo stack was cleared with it)."""
        self.leave()
        self.shutdown()
        self._start_worker()

    def shutdown(self) -> None:
        self.offered = None  # the undo stack is cleared as it goes, after the bar may have gone
        self._close.emit()
        self.thread.quit()
        self.thread.wait(5000)
