"""The status bar after a retrain and a rollback says which model suggests (issue 23, 7)."""

from tagassist.ui.training import progress_words


def test_after_a_rollback_the_status_bar_no_longer_says_the_new_model_is_active(qtbot, app):
    from trainer.pipeline import TrainConfig, train_profile

    window, controller, store = app
    profile = store.profiles.get()
    versions = [train_profile(store, profile, "efficientnet-lite0",
                              config=TrainConfig(epochs=2, seed=s, min_judge_photos=5)).version for s in (0, 1)]
    store.models.activate(profile, versions[1])
    window.show_progress("Retrained: the new model is active")  # as a retrain that activated it leaves it
    window.models_action.trigger()
    controller.training.models_dialog.rollback_requested.emit()
    assert window.activity.text() == f"Model version {versions[0]} is active"
    controller.training.models_dialog.rollback_requested.emit()
    assert window.activity.text() == "Model version 0 is active (the untrained engine)"
    controller.training.models_dialog.activate_requested.emit(versions[1])
    assert window.activity.text() == f"Model version {versions[1]} is active"


def test_reading_the_photos_of_a_deep_retrain_shows_its_progress_and_measured_time_left():
    text, done, total = progress_words({"stage": "load", "step": 0, "total": 240, "eta_s": None}, 0.5)
    assert (text, done, total) == ("Retraining: reading your tagged photos\u2026", 0, 1)
    text, done, total = progress_words({"stage": "load", "step": 60, "total": 240, "eta_s": 9.2}, 3.1)
    assert (text, done, total) == ("Retraining: reading your tagged photos, 60 of 240, about 9 s left", 60, 240)
