"""The main window's behaviour: filters, selection, tagging with undo, background jobs."""

from __future__ import annotations

import gc
import html
import logging
import os
import time
from collections.abc import Iterator

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QImage, QKeyEvent, QPixmap, QUndoStack
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QLineEdit, QMessageBox, QTreeWidgetItem

from ..library import RAW_JPEG_SETTING, pairs_raw_jpeg
from ..log import log_path
from ..services import models
from ..settings import Settings
from ..store import Photo, Store
from .dialogs import LogDialog, ModelsDialog, SettingsDialog, Viewer
from .grid import CELL, PhotoGridModel
from .theme import apply_theme
from .main_window import MainWindow
from .suggestions import SuggestionService
from .tag_commands import TagChange
from .workers import Job, JobRunner, ThumbnailLoader, TrainerProcess

log = logging.getLogger(__name__)
# Shift+1..9 on a US keyboard arrive as these characters.
_SHIFTED_DIGITS = "!@#$%^&*("


# -- background jobs: plain generators that open their own Store ----------------------------
def load_photos(db_path: str, profile_name: str, view: dict):
    with Store(db_path) as store:
        profile = store.profile(profile_name)
        return (store.grid_rows(profile, **view), store.folders(), [t for t, _ in store.vocabulary(profile)],
                store.months())


def scan_job(db_path: str, profile_name: str, roots: list[str]) -> Iterator:
    from ..library import Scanner

    with Store(db_path) as store:
        scanner = Scanner(store, store.profile(profile_name))
        for progress in scanner.scan(roots):
            yield ("Scanning", progress.done, progress.total)
        return scanner.summary


def index_job(db_path: str, encoder: str | None = None, device: str | None = None) -> Iterator:
    from ..cli.engine_commands import open_indexer

    with Store(db_path) as store:
        indexer = open_indexer(store, encoder, device)
        for progress in indexer.index():
            yield ("Indexing", progress.done, progress.total)
        store.set_setting("active_encoder", indexer.encoder.id)
        return indexer.summary


def import_keywords_job(db_path: str, profile_name: str) -> int:
    with Store(db_path) as store:
        return store.import_file_keywords(store.profile(profile_name))


def export_job(db_path: str, profile_name: str, photo_ids: list[int] | None, style: str) -> dict:
    """The profile's keywords into XMP sidecars (the same service as ``tagassist export``);
    counts of written, unchanged and failed, and the run that undoes it."""
    from ..services.export import export_photos, exportable_photos

    with Store(db_path) as store:
        profile = store.profile(profile_name)
        photos = (exportable_photos(store, profile) if photo_ids is None
                  else [p for p in map(store.photo, photo_ids) if p is not None])
        report = export_photos(store, profile, photos, style=style)
    return {"written": report.count("written"), "unchanged": report.count("unchanged"),
            "failed": [f"{r.photo}: {r.reason}" for r in report.results if r.status == "failed"],
            "run_id": report.run_id}


def full_image(path: str, orientation: int | None) -> QImage:
    """The photo decoded for the viewer (at most 2400 px), as a QImage (safe off the UI thread)."""
    from ..library import decode_rgb

    image = decode_rgb(path, orientation, 2400)
    data = image.tobytes()
    return QImage(data, image.width, image.height, 3 * image.width, QImage.Format.Format_RGB888).copy()


# What the keys do, as Help › Keyboard shortcuts shows it (README.md has the same table).
KEYBOARD_SHORTCUTS = (
    ("1-9, Enter", "accept suggestion 1-9 (Enter: the top one) for every selected photo"),
    ("Shift+1-9, right-click", "reject it: it is stored and never suggested for that photo again"),
    ("typing a tag + Enter", "add your own tag (Places|Italy|Rome for a hierarchy)"),
    ("N, arrow keys", "next untagged photo, next photo"),
    ("Ctrl+Z, Ctrl+Shift+Z", "undo, redo (batch changes are one step)"),
    ("Space, double-click", "full-size view"),
    ("Ctrl+S", "write keywords to files (selected photos)"),
    ("F1", "this list"),
)


class LibraryController(QObject):
    def __init__(self, window: MainWindow, store: Store, profile_name: str, runner: JobRunner,
                 loader: ThumbnailLoader, settings: Settings | None = None):
        super().__init__(window)
        self.settings = settings or Settings()
        self.window, self.store, self.runner = window, store, runner
        self.db_path = str(store.path)
        self.profile = store.profile(profile_name)
        self.model = PhotoGridModel(loader, self)
        self.loader = loader
        self.preview_key: str | None = None
        loader.loaded.connect(self._preview_loaded)
        window.grid.setModel(self.model)
        self.undo = QUndoStack(self)
        self._start_suggestions()
        self.view: dict = {}
        self.current_job: Job | None = None
        self.trainer: TrainerProcess | None = None
        self._wire()
        self._fill_profiles()
        self.reload()

    def _jobs_changed(self) -> None:
        visible = [job for job in self.runner.running if job.name != "Loading photos"]
        self.window.show_jobs([(job.name, job.cancel) for job in visible])

    def _start_suggestions(self) -> None:
        """A suggestion service for the current profile (one per profile, in its own thread)."""
        self.suggestions = SuggestionService(self.db_path, self.profile.name, self)
        self.suggestions.ready.connect(self._suggestions_ready)
        self.suggestions.failed.connect(self.window.editor.status.setText)

    # -- wiring ------------------------------------------------------------------------
    def _wire(self) -> None:
        w = self.window
        w.grid.selectionModel().selectionChanged.connect(lambda *_: self.show_selection())
        w.sidebar.itemClicked.connect(self._sidebar_clicked)
        w.editor.accept_requested.connect(self.accept)
        w.editor.reject_requested.connect(self.reject)
        w.editor.remove_requested.connect(self.remove)
        w.editor.tag_typed.connect(self.type_tag)
        w.add_folder_action.triggered.connect(self._choose_folder)
        w.folder_dropped.connect(lambda path: self.add_folders([path]))
        w.rescan_action.triggered.connect(lambda: self.add_folders(self.store.folders()))
        w.index_action.triggered.connect(self.index)
        # Through lambdas: triggered(bool checked) would otherwise arrive as the mode.
        w.retrain_action.triggered.connect(lambda: self.retrain("head"))
        w.deep_retrain_action.triggered.connect(lambda: self.retrain("full"))
        w.next_untagged_action.triggered.connect(self.next_untagged)
        w.undo_action.triggered.connect(self.undo.undo)
        w.redo_action.triggered.connect(self.undo.redo)
        w.undo_action.setShortcut("Ctrl+Z")
        w.redo_action.setShortcut("Ctrl+Shift+Z")
        self.undo.canUndoChanged.connect(w.undo_action.setEnabled)
        self.undo.canRedoChanged.connect(w.redo_action.setEnabled)
        w.undo_action.setEnabled(False)
        w.redo_action.setEnabled(False)
        w.cancel_button.clicked.connect(self.cancel)
        w.profile_box.activated.connect(lambda i: self.switch_profile(w.profile_box.itemText(i)))
        w.import_keywords_action.triggered.connect(self.import_keywords)
        w.export_selection_action.triggered.connect(lambda: self.export_keywords(self.selected_ids()))
        w.export_all_action.triggered.connect(lambda: self.export_keywords(None))
        w.settings_action.triggered.connect(self.edit_settings)
        w.quit_action.triggered.connect(w.close)
        w.viewer_action.triggered.connect(self.open_viewer)
        w.grid.doubleClicked.connect(lambda _: self.open_viewer())
        w.accept_top_action.triggered.connect(lambda: self.accept(0))
        w.models_action.triggered.connect(self.show_models)
        w.new_profile_action.triggered.connect(self.new_profile)
        w.log_action.triggered.connect(self.show_log)
        w.shortcuts_action.triggered.connect(self.show_shortcuts)
        w.about_action.triggered.connect(self.show_about)
        self.runner.changed.connect(self._jobs_changed)
        w.installEventFilter(self)
        w.grid.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        """Number keys accept (1-9) or reject (Shift+1-9) suggestions wherever focus is,
        except while typing a tag."""
        if event.type() == QEvent.Type.KeyPress and not isinstance(QApplication.focusWidget(), QLineEdit):
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.accept(0)  # Enter accepts the top suggestion
                return True
            number = self._number_key(event)
            if number is not None:
                shifted = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier) or event.text() in _SHIFTED_DIGITS
                (self.reject if shifted else self.accept)(number - 1)
                return True
        return super().eventFilter(obj, event)

    @staticmethod
    def _number_key(event: QKeyEvent) -> int | None:
        if Qt.Key.Key_1 <= event.key() <= Qt.Key.Key_9:
            return event.key() - Qt.Key.Key_0
        if event.text() and event.text() in _SHIFTED_DIGITS:
            return _SHIFTED_DIGITS.index(event.text()) + 1
        return None

    # -- the photo list ----------------------------------------------------------------
    def reload(self, keep_selection: bool = False) -> None:
        job = Job("Loading photos", load_photos, self.db_path, self.profile.name, dict(self.view))
        job.signals.result.connect(self._photos_loaded)
        job.signals.error.connect(self._error)
        self.runner.start(job)

    def _photos_loaded(self, loaded) -> None:
        rows, folders, vocabulary, months = loaded
        self.model.set_photos(rows)
        # 100k long-lived rows made each full garbage collection take 50-240 ms, a visible
        # stall while scrolling; frozen, the collector no longer walks them (they are still
        # freed by reference counting when a new list replaces them).
        gc.freeze()
        self.window.empty_hint.setVisible(not rows and not self.view)
        self._fill_sidebar(folders, vocabulary, months)
        self.window.editor.set_vocabulary(vocabulary)
        self.window.show_progress(f"{len(rows):,} photos")
        self.model.set_columns(self.window.grid.viewport().width() // CELL.width())  # as many as fit
        if rows and not self.selected_ids():
            self.window.grid.setCurrentIndex(self.model.index_of(0))

    def _fill_sidebar(self, folders: list[str], vocabulary: list[str], months: list[tuple[str, int]]) -> None:
        sidebar = self.window.sidebar
        sidebar.clear()
        for label, view in (("All photos", {}), ("Untagged", {"untagged": True}), ("Needs review", {"problems": True})):
            item = QTreeWidgetItem([label])
            item.setData(0, Qt.ItemDataRole.UserRole, view)
            sidebar.addTopLevelItem(item)
        folder_root = self._sidebar_section("Folders")
        for folder in folders:
            child = QTreeWidgetItem([os.path.basename(folder) or folder])
            child.setData(0, Qt.ItemDataRole.UserRole, {"folder": folder})
            child.setToolTip(0, folder)
            folder_root.addChild(child)
        date_root = self._sidebar_section("Dates")
        years: dict[str, QTreeWidgetItem] = {}
        for month, count in months:
            year = month[:4]
            if year not in years:
                years[year] = QTreeWidgetItem([year])
                years[year].setData(0, Qt.ItemDataRole.UserRole, {"date": year})
                date_root.addChild(years[year])
            item = QTreeWidgetItem([f"{month}  ({count})"])
            item.setData(0, Qt.ItemDataRole.UserRole, {"date": month})
            years[year].addChild(item)
        # Hierarchical keywords as a tree: Places > Italy > Rome; a parent finds its children.
        tag_root = self._sidebar_section("Tags")
        nodes: dict[str, QTreeWidgetItem] = {}
        for tag in sorted(vocabulary, key=str.lower):
            parent, path = tag_root, []
            for level in tag.split("|"):
                path.append(level)
                key = "|".join(path)
                if key not in nodes:
                    nodes[key] = QTreeWidgetItem([level])
                    nodes[key].setData(0, Qt.ItemDataRole.UserRole, {"tag": key})
                    parent.addChild(nodes[key])
                parent = nodes[key]

    def _sidebar_section(self, title: str) -> QTreeWidgetItem:
        section = QTreeWidgetItem([title])
        section.setData(0, Qt.ItemDataRole.UserRole, None)
        self.window.sidebar.addTopLevelItem(section)
        section.setExpanded(True)
        return section

    def _sidebar_clicked(self, item: QTreeWidgetItem) -> None:
        view = item.data(0, Qt.ItemDataRole.UserRole)
        if view is not None:
            self.view = view
            self.reload()

    def selected_ids(self) -> list[int]:
        indexes = self.window.grid.selectionModel().selectedIndexes()
        positions = sorted(p for p in map(self.model.position, indexes) if p is not None)
        return [self.model.photos[p].id for p in positions]

    def selected_photos(self) -> list[Photo]:
        """Full records of the selection (the grid holds lean rows only)."""
        return [photo for photo in map(self.store.photo, self.selected_ids()) if photo is not None]

    def next_untagged(self) -> None:
        current = self.model.position(self.window.grid.currentIndex())
        start = 0 if current is None else current + 1
        order = list(range(start, len(self.model.photos))) + list(range(0, start))
        for position in order:
            if self.model.tag_counts[position] == 0 and self.model.photos[position].status in ("ok", "warning"):
                self.window.grid.setCurrentIndex(self.model.index_of(position))
                return
        self.window.show_progress("Every photo here has tags")

    # -- the right panel ---------------------------------------------------------------
    def show_selection(self) -> None:
        photos = self.selected_photos()
        editor = self.window.editor
        if not photos:
            editor.show_tags([])
            editor.show_suggestions([], 0)
            self.window.exif.setText("")
            self.window.preview.clear()
            return
        photo = photos[0]
        self.preview_key = photo.content_hash
        self.loader.request(("preview", photo.content_hash), photo.pixels_path, photo.content_hash, photo.orientation)
        self.window.exif.setText(self._exif_text(photo) if len(photos) == 1 else f"{len(photos)} photos selected")
        tags: dict[str, str] = {}
        for p in photos:
            for a in self.store.photo_tags(self.profile, p.id):
                tags.setdefault(a.tag, a.source)
        editor.show_tags(sorted(tags.items()))
        self.suggestions.request([p.id for p in photos], self.settings.suggestion_count)

    def _preview_loaded(self, key, image) -> None:
        if not (isinstance(key, tuple) and key == ("preview", self.preview_key)):
            return
        if image.isNull():  # no pixels (a RAW without a preview, a broken file): never the last photo's
            self.window.preview.clear()
            self.window.preview.setText("No picture to show for this photo")
            return
        self.window.preview.setPixmap(QPixmap.fromImage(image).scaled(
            380, 260, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))

    @staticmethod
    def _exif_text(photo: Photo) -> str:
        name = html.escape(os.path.basename(photo.path))
        if photo.companion:
            name += f" + {html.escape(os.path.splitext(os.path.basename(photo.companion))[1].lstrip('.').upper())}"
        lines = [f"<b>{name}</b>"]
        if photo.taken_at:
            lines.append(photo.taken_at.replace("T", " "))
        camera = photo.camera
        if camera or photo.lens:
            lines.append(html.escape(" \u00b7 ".join(filter(None, [camera, photo.lens]))))
        focal = photo.focal_length
        exposure = [(f"{focal:.0f} mm" if focal >= 10 else f"{focal:.1f} mm") if focal else None,
                    f"f/{photo.f_number:g}" if photo.f_number else None,
                    f"{photo.exposure_time} s" if photo.exposure_time else None,
                    f"ISO {photo.iso}" if photo.iso else None]
        if any(exposure):
            lines.append(" \u00b7 ".join(filter(None, exposure)))
        if photo.gps_lat is not None:
            lines.append(f"GPS {photo.gps_lat:.5f}, {photo.gps_lon:.5f}")
        if photo.status != "ok":
            lines.append(f"<i>{photo.status}: {photo.error}</i>")
        return "<br>".join(lines)

    def _suggestions_ready(self, request: int, suggestions: list) -> None:
        if request == self.suggestions.last_request:  # a newer request is on its way otherwise
            shown = [s for s in suggestions if s.score >= self.settings.confidence_threshold]
            self.window.editor.show_suggestions(shown, len(self.selected_ids()))

    # -- tagging -----------------------------------------------------------------------
    def _apply(self, **change) -> None:
        ids = self.selected_ids()
        if ids:
            self.undo.push(TagChange(self.store, self.profile, ids, on_change=self._tags_changed, **change))

    def accept(self, index: int) -> None:
        shown = self.window.editor.suggestions
        if 0 <= index < len(shown):
            self._apply(add=[shown[index].tag], source="accepted", score=shown[index].score,
                        model_version=self._model_version())

    def reject(self, index: int) -> None:
        shown = self.window.editor.suggestions
        if 0 <= index < len(shown):
            self._apply(reject=[shown[index].tag], score=shown[index].score, model_version=self._model_version())

    def remove(self, tag: str) -> None:
        self._apply(remove=[tag])

    def type_tag(self, tag: str) -> None:
        self._apply(add=[tag], source="typed")

    def _model_version(self) -> str | None:
        return next((m["version"] for m in self.store.models(self.profile) if m["active"]), None)

    def _tags_changed(self) -> None:
        if self.settings.write_on_accept and self.selected_ids():
            self.export_keywords(self.selected_ids())
        for photo_id in self.selected_ids():
            self.model.set_tag_count(photo_id, len(self.store.photo_tags(self.profile, photo_id)))
        self.window.editor.set_vocabulary([t for t, _ in self.store.vocabulary(self.profile)])
        self.suggestions.refresh()  # co-occurrence and history changed
        self.show_selection()

    # -- library jobs ------------------------------------------------------------------
    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Add a folder of photos")
        if folder:
            self.add_folders([folder])

    def add_folders(self, folders: list[str]) -> None:
        if folders:
            self._run(Job("Scanning", scan_job, self.db_path, self.profile.name, folders), then=self.index)

    def index(self) -> None:
        self._run(Job("Indexing", index_job, self.db_path, self.settings.encoder, self.settings.device),
                  then=self._after_index)

    def _after_index(self) -> None:
        self.suggestions.refresh()
        self.show_selection()  # what was asked before the index existed is asked again

    def _run(self, job: Job, then=None) -> None:
        if self.current_job is not None:
            self.window.show_progress(f"{self.current_job.name} is still running")
            return
        self.current_job = job
        job.signals.progress.connect(lambda p: self.window.show_progress(f"{p[0]}\u2026", p[1], p[2]))
        job.signals.error.connect(self._error)

        def finished():
            cancelled = job.cancelled
            self.current_job = None
            self.window.show_progress(f"{job.name} cancelled" if cancelled else f"{job.name} done")
            self.reload()
            if then and not cancelled:
                then()

        job.signals.finished.connect(finished)
        self.runner.start(job)

    def cancel(self) -> None:
        if self.current_job is not None:
            self.current_job.cancel()
        if self.trainer is not None:
            self.trainer.cancel()

    def retrain(self, mode: str = "head") -> None:
        if self.trainer is not None:
            return
        self.trainer = TrainerProcess(self.db_path, self.profile.name, self, mode=mode)
        self.trainer.progress.connect(self._train_progress)
        self.trainer.finished.connect(self._trained)
        self.window.show_progress("Retraining on your tags\u2026", 0, 1)
        self.trainer_started = time.monotonic()
        self.trainer.start()

    def _train_progress(self, event: dict) -> None:
        elapsed = time.monotonic() - self.trainer_started
        eta = f", {elapsed:.0f} s so far, about {event['eta_s']:.0f} s left" if event.get("eta_s") else ""
        metric = f" held-out F1@5 {event['metric']:.2f}" if event.get("metric") is not None else ""
        if event.get("stage") == "index":  # a deep retrain re-indexes with the tuned encoder
            self.window.show_progress(f"Re-indexing with the tuned encoder: {event['step']} of {event['total']}",
                                      event.get("step", 0), event.get("total", 1))
            return
        self.window.show_progress(f"Retraining: epoch {event['epoch']}{metric}{eta}",
                                  event.get("epoch", 0), event.get("total", 1))

    def _trained(self, final: dict) -> None:
        self.trainer = None
        if final["stage"] == "done":
            before, after = final["before_f1_at_5"], final["after_f1_at_5"]
            verdict = "The new model is active." if final["activated"] else "The previous model stays active: the new one was not better."
            message = final.get("summary") or (
                f"Quality on your most recent photos (F1@5): {before:.0%} \u2192 {after:.0%}.\n{verdict}")
            self.window.show_progress("Retrained: the new model is active" if final["activated"]
                                      else "Retrained: suggestions stay as they were (no clear gain)")
            self.suggestions.refresh()
            self.show_selection()
            QMessageBox.information(self.window, "Retrain on my tags", message)
        elif final["stage"] == "stopped":
            self.window.show_progress("Retraining cancelled; the previous model stays active")
        elif final["stage"] == "unchanged":  # too little history to judge a retrain: said, not an error
            self.window.show_progress("Not retrained yet: suggestions stay as they are")
            QMessageBox.information(self.window, "Retrain on my tags", final["message"])
        else:
            self.window.show_progress("Retraining failed")
            self._error(f"Retraining failed: {final.get('message')}")

    def prune_thumbnails(self) -> None:
        """Keep the thumbnail cache within the size the settings allow (in the background)."""
        self.runner.start(Job("Pruning thumbnails", self.loader.cache.prune, self.settings.thumbnail_cache_mb * 1_000_000))

    # -- dialogs -----------------------------------------------------------------------
    def import_keywords(self) -> None:
        job = Job("Importing keywords", import_keywords_job, self.db_path, self.profile.name)
        job.signals.result.connect(lambda added: self.window.show_progress(f"{added} keywords imported from files"))
        self._run(job, then=self._tags_changed)

    def export_keywords(self, photo_ids: list[int] | None, quiet: bool = False) -> None:
        job = Job("Writing keywords", export_job, self.db_path, self.profile.name, photo_ids,
                  self.settings.sidecar_style)

        def done(counts: dict) -> None:
            self.window.show_progress(f"Keywords written to {counts['written']} file(s),"
                                      f" {counts['unchanged']} already up to date, {len(counts['failed'])} failed")
            if counts["failed"]:
                self._error("Some files were not written:\n" + "\n".join(counts["failed"][:10]))

        job.signals.result.connect(done)
        job.signals.error.connect(self._error)
        self.runner.start(job)

    def open_viewer(self) -> None:
        photos = self.selected_photos()
        if not photos:
            return
        photo = photos[0]
        viewer = Viewer(os.path.basename(photo.path), self.window)
        job = Job("Opening photo", full_image, photo.pixels_path, photo.orientation)
        job.signals.result.connect(viewer.show_image)
        job.signals.error.connect(viewer.show_error)
        self.runner.start(job)
        viewer.show()
        self.viewer = viewer

    def show_models(self) -> None:
        dialog = ModelsDialog(models.model_rows(self.store, self.profile), self.window)

        def changed(action) -> None:
            try:
                action()
            except LookupError as exc:
                QMessageBox.information(self.window, "Models", str(exc))
                return
            self.suggestions.refresh()
            self.show_selection()
            dialog.accept()
            self.show_models()

        dialog.activate_requested.connect(lambda v: changed(lambda: models.activate(self.store, self.profile, v)))
        dialog.rollback_requested.connect(lambda: changed(lambda: models.rollback(self.store, self.profile)))
        self.models_dialog = dialog
        dialog.open()

    def new_profile(self) -> None:
        name, ok = QInputDialog.getText(self.window, "New photographer", "Name:")
        if ok and name.strip():
            self.store.profile(name.strip())
            self.switch_profile(name.strip())

    def show_log(self) -> None:
        try:
            text = log_path().read_text(encoding="utf-8", errors="replace")[-200_000:]
        except OSError:
            text = "(nothing logged yet)"
        self.log_dialog = LogDialog(text, self.window)
        self.log_dialog.open()

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{html.escape(keys)}</b>&nbsp;&nbsp;</td><td>{html.escape(does)}</td></tr>"
                       for keys, does in KEYBOARD_SHORTCUTS)
        QMessageBox.information(self.window, "Keyboard shortcuts", f"<table>{rows}</table>")

    def show_about(self) -> None:
        from .. import __version__

        QMessageBox.about(self.window, "About tagassist",
                          f"<b>tagassist {html.escape(__version__)}</b><p>Personalized keyword suggestions for your own"
                          " photo library, learned from the keywords you write.</p><p>GPL-3.0-or-later. Keywords"
                          " are written with exiv2; RAW files are read with exiv2 and LibRaw.</p>"
                          f"<p>Database: {html.escape(self.db_path)}</p>")

    def edit_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self.window, raw_jpeg_pairs=pairs_raw_jpeg(self.store))
        if dialog.exec():
            self.settings = dialog.result_settings()
            self.settings.save()
            if dialog.raw_jpeg_pairs() != pairs_raw_jpeg(self.store):  # the next scan groups them anew
                self.store.set_setting(RAW_JPEG_SETTING, "pair" if dialog.raw_jpeg_pairs() else "separate")
            apply_theme(self.settings.theme)
            self.show_selection()

    # -- profiles ----------------------------------------------------------------------
    def _fill_profiles(self) -> None:
        box = self.window.profile_box
        box.clear()
        box.addItems([p.name for p in self.store.profiles()])
        box.setCurrentText(self.profile.name)

    def switch_profile(self, name: str) -> None:
        if name == self.profile.name:
            return
        self.profile = self.store.profile(name)
        self.settings.profile = name
        self.undo.clear()
        self.suggestions.shutdown()
        self._start_suggestions()
        self._fill_profiles()
        self.reload()

    def _error(self, message: str) -> None:
        log.error(message)
        QMessageBox.warning(self.window, "tagassist", message)

    def shutdown(self) -> None:
        self.runner.cancel_all()
        if self.trainer is not None:
            self.trainer.cancel()
            self.trainer.process.waitForFinished(5000)
        self.runner.wait()
        self.loader.shutdown()
        self.suggestions.shutdown()
        QCoreApplication.processEvents()  # the last queued signals, while their receivers live
