"""The photographer's learned weighing of the suggestion signals."""

import numpy as np
import pytest

from tagassist.engine.ranker import DEFAULT_WEIGHTS, RANKER_FEATURES, SIGNALS, SignalRanker, combine
from tagassist.engine.suggest import Suggester
from tagassist.store import Photo
from trainer.signal_ranker import PRIOR, fit_logistic, fit_signal_ranker, ranker_from_examples

ENCODER = "test-encoder"


def test_logistic_regression_recovers_known_coefficients():
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(20_000, 3))
    p = 1 / (1 + np.exp(-(x @ np.array([3.0, -2.0, 0.0]) - 0.5)))
    y = (rng.uniform(size=len(p)) < p).astype(float)
    coefficients, bias = fit_logistic(x, y, np.zeros(3))
    assert coefficients == pytest.approx([3.0, -2.0, 0.0], abs=0.15) and bias == pytest.approx(-0.5, abs=0.1)
    shrunk, _ = fit_logistic(x, y, np.full(3, 1e5))
    assert np.abs(shrunk).max() < 0.05  # a strong penalty pulls every coefficient to zero


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_logistic_regression_stays_finite_where_plain_newton_ran_off():
    """The untrained engine's score is not penalised, and neither is the bias. Where every
    candidate's score is near 1, the data can hardly tell the two apart, and plain Newton ran
    off along that direction (here to a coefficient of -364 and a bias of +362: a candidate the
    engine scored 0.5 would have been certain); where the score separates the classes, to a
    coefficient of 2,000. The one solver, with step halving and a weak prior, stays finite and
    fits the data. (Both halves fail on the old solver.)"""
    rng = np.random.default_rng(0)
    near_one = 1 - rng.uniform(0, 1e-3, size=(200, 1))
    taken = (rng.uniform(size=200) < 0.3).astype(float)
    (coefficient,), bias = fit_logistic(near_one, taken, np.zeros(1))
    assert abs(coefficient) < 5 and abs(bias) < 5
    assert _sigmoid(near_one[:, 0] * coefficient + bias).mean() == pytest.approx(taken.mean(), abs=0.02)
    assert _sigmoid(0.5 * coefficient + bias) < 0.5  # a weaker candidate is no surer than the data says

    score = rng.uniform(size=(200, 1))
    (coefficient,), bias = fit_logistic(score, (score[:, 0] > 0.5).astype(float), np.zeros(1))
    assert 0 < coefficient < 100
    assert _sigmoid(0.6 * coefficient + bias) > 0.9 and _sigmoid(0.4 * coefficient + bias) < 0.1


def test_a_ranker_of_scores_near_one_keeps_its_coefficients_small():
    """The same through the ranker as "Retrain on my tags" fits it: the untrained engine's score
    near 1 for every replayed candidate, every other signal silent."""
    rng = np.random.default_rng(2)
    x = np.zeros((300, len(RANKER_FEATURES)))
    x[:, PRIOR] = 1 - rng.uniform(0, 1e-3, size=300)
    ranker = ranker_from_examples(x, (rng.uniform(size=300) < 0.2).astype(float), 10)
    assert max(abs(c) for c in ranker.coefficients) < 5 and abs(ranker.bias) < 5


def test_a_ranker_round_trips_and_an_unknown_layout_is_ignored():
    ranker = SignalRanker(tuple(float(i) for i in range(len(RANKER_FEATURES))), -1.0, 12)
    assert SignalRanker.from_json(ranker.to_json()) == ranker
    assert SignalRanker.from_json({**ranker.to_json(), "features": ["visual", "telepathy"]}) is None
    assert SignalRanker.from_json(None) is None


def test_a_ranker_saved_before_a_signal_existed_ranks_as_it_did():
    """Models trained before the 'others', 'place' and 'person' signals and the log features
    keep their ranker: what it did not read gets 0."""
    older = ["visual", "shoot", "content", "cooccurrence", "frequency", "time", "camera", "noisy_or"]
    later = ("others", "place", "person")
    newer = [SIGNALS.index(s) for s in later]
    saved = {"features": older, "coefficients": [1.0 + i for i in range(len(older))], "bias": -2.0, "photos": 9}
    ranker = SignalRanker.from_json(saved)
    weights = dict(zip(RANKER_FEATURES, ranker.coefficients))
    assert all(weights[s] == 0.0 for s in later) and [weights[f] for f in older] == saved["coefficients"]
    values = np.random.default_rng(0).uniform(size=(len(SIGNALS), 7))
    values[newer] = 0.0
    without = np.delete(values, newer, axis=0)[1:]  # the old layout's inputs
    old_prior = 1 - np.prod(1 - np.array([DEFAULT_WEIGHTS[s] for s in SIGNALS
                                          if s not in ("model", *later)])[:, None] * without, axis=0)
    logits = np.vstack([without, old_prior[None]]).T @ np.array(saved["coefficients"]) - 2.0
    assert ranker.probabilities(values) == pytest.approx(1 / (1 + np.exp(-logits)))


@pytest.fixture
def shoots(store):
    """A photographer who tags each outing with its own name (one shoot a day, 6 photos), and
    whose photos all look alike: only the shoot tells the tags apart. Her frequent tag
    'favourite' is on a third of the photos, at random."""
    rng = np.random.default_rng(1)
    profile = store.profiles.get()
    look = rng.normal(size=16)
    photos, truths = [], []
    for day in range(12):
        for i in range(6):
            photo = Photo(path=f"/lib/{day:02}-{i}.jpg", size=1, mtime_ns=1, content_hash=f"h{day}-{i}",
                          taken_at=f"2024-03-{day + 1:02}T{9 + i:02}:00:00")
            store.photos.save(photo)
            vector = (look + 0.05 * rng.normal(size=16)).astype(np.float32)
            store.embeddings.put_embeddings(ENCODER, [(photo.content_hash, vector)])
            tags = [f"outing{day}"] + (["favourite"] if rng.uniform() < 0.33 else [])
            store.tagging.add_tags(profile, [photo.id], tags, "typed")
            photos.append(photo)
            truths.append(frozenset(tags))
    return store, profile, photos, truths


def test_the_ranker_learns_which_signal_predicts_her_tags(shoots):
    store, profile, photos, truths = shoots
    ranker = fit_signal_ranker(store.history, profile, ENCODER, photos, truths, len(photos))
    # Three candidates, each with one signal at 0.8: she trusts the shoot most.
    alone = np.zeros((len(SIGNALS), 3))
    for column, signal in enumerate(("shoot", "visual", "frequency")):
        alone[SIGNALS.index(signal), column] = 0.8
    by_shoot, by_look, by_habit = ranker.probabilities(alone)
    assert by_shoot > by_look and by_shoot > by_habit
    assert ranker.photos > 30
    # On a later photo of an outing, her ranker is surer of the outing's name than of anything
    # else: the untrained combination is not.
    photo = photos[-1]
    suggester = Suggester(store.history, profile, ENCODER, exclude_photo_ids={photo.id})
    signals = suggester.signals(photo, hide_own_tags=True)
    outing = signals.vocabulary.index("outing11")
    learned, default = combine(signals.values, ranker), combine(signals.values)
    assert learned.argmax() == outing
    assert learned[outing] - np.delete(learned, outing).max() > default[outing] - np.delete(default, outing).max()
