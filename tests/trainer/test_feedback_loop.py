"""The feedback loop on a simulated photographer: rendered photos with real EXIF, scanned and
indexed by tagassist, tagged in date order, then "Retrain on my tags"."""

from benchmarks.session import prepare_library
from tagassist.cli import main
from tagassist.engine.suggest import Suggester
from tagassist.models.scoring import active_model_scorer
from tagassist.store import Store
from trainer.store_training import train_profile


def test_retraining_on_a_simulated_library_beats_the_untrained_engine(tmp_path, capsys):
    db, truth, name = prepare_library(tmp_path, index=1, n_photos=120, seed=0)
    with Store(db) as store:
        profile = store.profile(name)
        encoder = store.setting("active_encoder")
        by_path = {photo.path: photo for photo, _ in store.list_photos(profile)}
        for item in truth:
            store.add_tags(profile, [by_path[item["path"]].id], item["tags"], "typed")

        result = train_profile(store, profile, encoder, models_dir=tmp_path / "models")
        # Held-out (her newest 10 %) engine F1@5: the untrained engine, then with what was learned.
        assert result.activated and result.after_f1_at_5 > result.before_f1_at_5 and result.learned_ranker
        scorer = active_model_scorer(store, profile, encoder)
        assert scorer is not None and scorer.ranker is not None and scorer.ranker.photos >= 50

        # The app's path: the engine loads the active bundle and ranks with her ranker.
        held_out = [by_path[item["path"]] for item in truth[-result.validation_photos:]]
        suggester = Suggester(store, profile, encoder, model_scorer=scorer)
        assert all(len(suggester.suggest(photo, 5)) == 5 for photo in held_out)

    assert main(["--db", str(db), "--profile", name, "models", "list"]) == 0
    assert "with your own weighing of the signals" in capsys.readouterr().out
