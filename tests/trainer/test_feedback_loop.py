"""The feedback loop on a simulated photographer: rendered photos with real EXIF, scanned and
indexed by tagassist, tagged in date order, then "Retrain on my tags"."""

from photosim.library import prepare_library, tag_history
from tagassist.cli import main
from tagassist.engine.suggest import Suggester
from tagassist.models.scoring import active_model_scorer
from tagassist.store import Store
from trainer.pipeline import train_profile


def test_retraining_on_a_simulated_library_is_kept_only_if_it_helps_on_her_next_shoots(tmp_path, capsys):
    db, truth, name = prepare_library(tmp_path, index=1, n_photos=120, seed=0)
    with Store(db) as store:
        profile = store.profile(name)
        encoder = store.active_encoder()
        by_path = tag_history(store, profile, truth)

        result = train_profile(store, profile, encoder, models_dir=tmp_path / "models")
        # Judged on her newest shoots, which the model never saw, against the engine as it is:
        # kept only with a gain beyond the noise, else the engine stays exactly as it was.
        assert result.test_shoots >= 1 and result.validation_photos >= 10
        assert result.activated == (result.gain_lower_bound > 0 and result.accepted_after >= result.accepted_before
                                    and result.judged_photos >= 30)
        scorer = active_model_scorer(store, profile, encoder)
        if not result.activated:
            assert scorer is None and "stay as they were" in result.summary
        else:
            assert scorer.version == result.version and "is active" in result.summary
            # The app's path: the engine loads the active bundle and ranks with it.
            held_out = [by_path[item["path"]] for item in truth[-result.validation_photos:]]
            suggester = Suggester(store, profile, encoder, model_scorer=scorer)
            assert all(len(suggester.suggest(photo, 5)) == 5 for photo in held_out)

    assert main(["--db", str(db), "--profile", name, "models", "list"]) == 0
    listed = capsys.readouterr().out
    assert result.version in listed and "0  the untrained engine" in listed


def test_scores_on_her_next_shoots_are_calibrated_on_a_simulated_library(tmp_path):
    """The number beside a suggestion is the chance she takes it: on her next shoots, which the
    engine's calibration never saw, the scores it shows are closer to the truth than the raw
    combined scores, and the ranking is the same."""
    from photosim.measures import calibration_of

    db, truth, name = prepare_library(tmp_path, index=2, n_photos=200, seed=4)
    history, upcoming = truth[:-60], truth[-60:]
    with Store(db) as store:
        profile = store.profile(name)
        by_path = tag_history(store, profile, history)
        photos = [by_path[item["path"]] for item in upcoming]
        truths = [frozenset(item["tags"]) for item in upcoming]
        shown = {}
        for calibrate in (True, False):
            suggester = Suggester(store, profile, store.active_encoder(), calibrate=calibrate)
            shown[calibrate] = [suggester.suggest(photo, 5) for photo in photos]
    assert [[s.tag for s in row] for row in shown[True]] == [[s.tag for s in row] for row in shown[False]]
    calibrated, raw = (calibration_of([(s.score, s.tag in t) for row, t in zip(shown[c], truths) for s in row])
                       for c in (True, False))
    print(f"ECE on the next shoots: calibrated {calibrated['ece']:.3f}, raw {raw['ece']:.3f}")
    assert calibrated["ece"] <= 0.6 * raw["ece"] and calibrated["ece"] <= 0.15  # one photographer: ~0.05 is noise
