"""Retraining from the app: the trainer in its own process, its progress in a photographer's
words, the verdict, and the Models page (activate, roll back to any version, 0 included)."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox

from ..services import models, retrain_demo
from .dialogs import ModelsDialog
from .main_window import MainWindow
from .session import Session
from .workers import TrainerProcess


def progress_words(event: dict, elapsed_s: float) -> tuple[str, int, int]:
    """(text, done, total) for one trainer progress event. The bar always has a range, and the
    time left is said once the trainer can estimate it."""
    stage, done, total = event.get("stage"), event.get("epoch") or 0, event.get("total") or 1
    left = event.get("eta_s")
    eta = f", about {_duration(left)} left" if left else ""
    if stage == "load":  # a deep retrain reads every tagged photo: said photo by photo
        step, total = event.get("step") or 0, event.get("total") or 1
        if not step:
            return "Retraining: reading your tagged photos\u2026", 0, 1
        return f"Retraining: reading your tagged photos, {step:,} of {total:,}{eta}", step, total
    if stage == "index":  # a deep retrain re-indexes with the tuned encoder
        step, total = event.get("step") or 0, event.get("total") or 1
        return f"Re-indexing your photos with the tuned encoder: {step:,} of {total:,}", step, total
    if stage == "compare":
        step = event.get("step") or 0
        return (f"Checking the new model on your newest shoots ({min(step + 1, total)} of {total})\u2026",
                step, total)
    if stage == "self-train":
        return "Retraining: learning from your untagged photos too\u2026", 0, 1
    return f"Retraining on your tags: step {done} of {total}{eta} ({_duration(elapsed_s)} so far)", done, total


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds} s" if seconds < 90 else f"{round(seconds / 60)} min"


class TrainingController(QObject):
    model_changed = Signal()  # a new model became active, or the user activated or rolled back

    def __init__(self, window: MainWindow, session: Session, parent: QObject | None = None):
        super().__init__(parent)
        self.window, self.session = window, session
        self.trainer: TrainerProcess | None = None
        self.started = 0.0
        # Through lambdas: triggered(bool checked) would otherwise arrive as the mode.
        window.retrain_action.triggered.connect(lambda: self.retrain("head"))
        window.deep_retrain_action.triggered.connect(lambda: self.retrain("full"))
        window.models_action.triggered.connect(self.show_models)

    def retrain(self, mode: str = "head") -> None:
        if self.trainer is not None:
            self.window.show_progress("Retraining is already running")
            return
        self.trainer = TrainerProcess(self.session.db_path, self.session.profile.name, self, mode=mode,
                                      device=self.session.settings.device)
        self.trainer.progress.connect(self.show_progress)
        self.trainer.finished.connect(self._trained)
        self.window.show_progress("Retraining on your tags: starting\u2026", 0, 1)
        self.started = time.monotonic()
        self.trainer.start()

    def show_progress(self, event: dict) -> None:
        self.window.show_progress(*progress_words(event, time.monotonic() - self.started))

    def cancel(self) -> None:
        if self.trainer is not None:
            self.trainer.cancel()

    def _trained(self, final: dict) -> None:
        self.trainer = None
        if final["stage"] == "done":
            before, after = final["before_f1_at_5"], final["after_f1_at_5"]
            verdict = ("The new model is active." if final["activated"]
                       else "The previous model stays active: the new one was not better.")
            message = final.get("summary") or (
                f"Quality on your most recent photos (F1@5): {before:.0%} \u2192 {after:.0%}.\n{verdict}")
            self.window.show_progress("Retrained: the new model is active" if final["activated"]
                                      else "Retrained: suggestions stay as they were (no clear gain)")
            self.model_changed.emit()
            QMessageBox.information(self.window, "Retrain on my tags", message)
        elif final["stage"] == "stopped":
            self.window.show_progress("Retraining cancelled; the previous model stays active")
        elif final["stage"] == "unchanged":  # too little history, or nothing new since the last: said, not an error
            self.window.show_progress(final["message"].split(":")[0] if final.get("version")
                                      else "Not retrained yet: suggestions stay as they are")
            note = "" if final.get("version") else retrain_demo.too_little_note(self.session.db_path)
            message = f"{final['message']}\n\n{note}" if note else final["message"]
            QMessageBox.information(self.window, "Retrain on my tags", message)
        else:
            self.window.show_progress("Retraining failed")
            QMessageBox.warning(self.window, "tagassist", f"Retraining failed: {final.get('message')}")

    def show_models(self) -> None:
        store, profile = self.session.store, self.session.profile
        dialog = ModelsDialog(models.model_rows(store, profile), self.window)

        def changed(action) -> None:
            try:
                action()
            except LookupError as exc:
                QMessageBox.information(self.window, "Models", str(exc))
                return
            # What is active now, said where "the new model is active" stood.
            active = next(row for row in models.model_rows(store, profile) if row.active)
            self.window.show_progress(f"Model version {active.version} is active"
                                      + (" (the untrained engine)" if active.version == models.UNTRAINED else ""))
            self.model_changed.emit()
            dialog.accept()
            self.show_models()

        dialog.activate_requested.connect(lambda v: changed(lambda: models.activate(store, profile, v)))
        dialog.rollback_requested.connect(lambda: changed(lambda: models.rollback(store, profile)))
        self.models_dialog = dialog
        dialog.open()

    def shutdown(self) -> None:
        if self.trainer is not None:
            self.trainer.cancel()
            self.trainer.process.waitForFinished(5000)
