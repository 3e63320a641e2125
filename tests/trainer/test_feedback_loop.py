"""The feedback loop on a simulated photographer: rendered photos with real EXIF, scanned and
indexed by tagassist, tagged in date order, then "Retrain on my tags"."""

import random
import shutil

import pytest

from photosim.library import prepare_library, tag_history
from tagassist.cli import main
from tagassist.engine.suggest import Suggester
from tagassist.models.scoring import active_model_scorer
from tagassist.store import Store
from trainer.judging import f1_at_5
from trainer.pipeline import train_profile

pytestmark = pytest.mark.slow  # a library rendered, indexed and retrained on

NEXT = 40  # her next shoots: held out of everything the retrain sees, its own judging included


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    """One photographer's library (200 photos), rendered, scanned and indexed once."""
    root = tmp_path_factory.mktemp("simulated")
    return root, *prepare_library(root, index=2, n_photos=200, seed=4)


@pytest.fixture
def library(simulated, tmp_path):
    """A private copy of it: (database, truth, profile name)."""
    root, db, truth, name = simulated
    shutil.copytree(root, tmp_path / "library")
    return tmp_path / "library" / db.relative_to(root), truth, name


def _next_shoot_f1(store, profile, encoder, photos, truths, scorer) -> float:
    suggester = Suggester(store.history, profile, encoder, model_scorer=scorer)
    return f1_at_5([[s.tag for s in suggester.suggest(photo, 5)] for photo in photos], truths)


def test_retraining_is_kept_where_it_helps_on_her_next_shoots_and_not_where_it_cannot(library, tmp_path, capsys):
    """Two profiles on one simulated library: hers, and one whose history holds her tags dealt to
    the wrong photos (nothing in the pixels or the dates says them, so no model can help). Hers
    is kept and helps on next shoots the retrain never saw, measured here; the other is not
    kept and the engine suggests exactly what it did before."""
    db, truth, name = library
    history, upcoming = truth[:-NEXT], truth[-NEXT:]
    dealt = [item["tags"] for item in history]
    random.Random(0).shuffle(dealt)
    with Store(db) as store:
        encoder = store.settings.active_encoder()
        her, shuffled = store.profiles.get(name), store.profiles.get("shuffled")
        by_path = tag_history(store, her, history)
        tag_history(store, shuffled, [{**item, "tags": tags} for item, tags in zip(history, dealt)])
        photos = [by_path[item["path"]] for item in upcoming]
        truths = [frozenset(item["tags"]) for item in upcoming]

        before = _next_shoot_f1(store, her, encoder, photos, truths, None)
        kept = train_profile(store, her, encoder, models_dir=tmp_path / "models")
        scorer = active_model_scorer(store, her, encoder)
        assert kept.activated and scorer is not None and scorer.version == kept.version, kept.summary
        assert "is active" in kept.summary
        after = _next_shoot_f1(store, her, encoder, photos, truths, scorer)
        print(f"F1@5 on her next {NEXT} photos: {before:.3f} before the retrain, {after:.3f} after"
              f" (its own judging: gain >= {kept.gain_lower_bound:.3f})")
        assert after >= before

        unchanged = Suggester(store.history, shuffled, encoder)
        expected = [[(s.tag, s.score) for s in unchanged.suggest(photo, 5)] for photo in photos]
        dropped = train_profile(store, shuffled, encoder, models_dir=tmp_path / "models")
        print(f"shuffled history: gain >= {dropped.gain_lower_bound:.3f}, {dropped.summary}")
        assert not dropped.activated and "stay as they were" in dropped.summary, dropped.summary
        assert active_model_scorer(store, shuffled, encoder) is None
        suggester = Suggester(store.history, shuffled, encoder,
                              model_scorer=active_model_scorer(store, shuffled, encoder))
        assert [[(s.tag, s.score) for s in suggester.suggest(photo, 5)] for photo in photos] == expected

    assert main(["--db", str(db), "--profile", name, "models", "list"]) == 0
    listed = capsys.readouterr().out
    assert kept.version in listed and "0  the untrained engine" in listed


def test_scores_on_her_next_shoots_are_calibrated_on_simulated_photographers(tmp_path):
    """The number beside a suggestion is the chance she takes it: on their next shoots, which
    the engine's calibration never saw, the scores it shows are closer to the truth than the raw
    combined scores, and the ranking is the same. Pooled over four photographers: one alone
    swings with a single trip (the place signal's first suggestions for a new city, all taken,
    are shown at about 0.5 for the one of them that travels)."""
    from photosim.measures import calibration_of

    pairs = {True: [], False: []}
    for index in range(4):
        db, truth, name = prepare_library(tmp_path / f"p{index}", index=index, n_photos=200, seed=4)
        history, upcoming = truth[:-60], truth[-60:]
        with Store(db) as store:
            profile = store.profiles.get(name)
            by_path = tag_history(store, profile, history)
            photos = [by_path[item["path"]] for item in upcoming]
            truths = [frozenset(item["tags"]) for item in upcoming]
            shown = {}
            for calibrate in (True, False):
                suggester = Suggester(store.history, profile, store.settings.active_encoder(), calibrate=calibrate)
                shown[calibrate] = [suggester.suggest(photo, 5) for photo in photos]
        assert [[s.tag for s in row] for row in shown[True]] == [[s.tag for s in row] for row in shown[False]]
        for calibrate in (True, False):
            pairs[calibrate] += [(s.score, s.tag in t) for row, t in zip(shown[calibrate], truths) for s in row]
    calibrated, raw = (calibration_of(pairs[c]) for c in (True, False))
    print(f"ECE on the next shoots: calibrated {calibrated['ece']:.3f}, raw {raw['ece']:.3f}")
    assert calibrated["ece"] <= 0.6 * raw["ece"] and calibrated["ece"] <= 0.1
