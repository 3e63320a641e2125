"""The number beside a suggestion is the chance she accepts it: Platt fits that converge, and
an engine that calibrates itself on her newest shoots without changing what it ranks first."""

import numpy as np
import pytest
import torch

from tagassist.engine.calibration import Calibration, fit_calibration, platt
from tagassist.engine.suggest import Suggester
from tagassist.models.permlp import PerMLP
from tagassist.store import Photo
from trainer.fitting import calibrate

ENCODER = "test-encoder"


def test_platt_converges_where_scores_pile_up_near_one():
    """Replayed engine scores near 1 with a 60 % hit rate made plain Newton run off to a = 160
    (every suggestion then read 100 %); the fit must say about 60 % there."""
    rng = np.random.default_rng(0)
    scores = np.concatenate([np.full(150, 0.99999), rng.uniform(0.3, 0.99, 80)])
    hits = np.concatenate([rng.uniform(size=150) < 0.6, rng.uniform(size=80) < 0.3])
    calibration = fit_calibration(scores, hits)
    assert 0 < calibration.a < 5
    top = calibration(np.array([0.99999]))[0]
    assert top == pytest.approx(hits[:150].mean(), abs=0.1)


def test_platt_recovers_a_known_map_and_keeps_the_order():
    rng = np.random.default_rng(1)
    x = rng.normal(size=20_000)
    y = rng.uniform(size=x.size) < 1 / (1 + np.exp(-(0.5 * x - 1.0)))
    a, b = platt(x, y, strength=1.0)
    assert (a, b) == pytest.approx((0.5, -1.0), abs=0.05)
    calibration = fit_calibration(1 / (1 + np.exp(-x)), y)
    scores = np.array([0.1, 0.4, 0.7, 0.95])
    assert list(np.argsort(calibration(scores))) == [0, 1, 2, 3]


def test_no_evidence_keeps_the_identity_and_no_score_stays_no_score():
    assert fit_calibration([], []) == Calibration()
    calibration = Calibration(0.5, -1.0, 10)
    assert list(calibration(np.array([-1.0, 0.0]))) == [-1.0, 0.0]  # excluded, and nothing at all


def test_a_models_calibration_stays_finite_whatever_its_scores():
    """torch's LBFGS ran off to a = -1.5e34 on these (inf and NaN downstream)."""
    torch.manual_seed(0)
    model = PerMLP(16, 1, 6, hidden=8).eval()
    for scale in (1, 50, 1000):
        features = torch.randn(12, 16) * scale
        for positives in ([[]] * 12, [[0, 1]] * 12, [[i % 6] for i in range(12)]):
            fitted = calibrate(model, features, positives, list(range(12)), "cpu")
            assert np.isfinite([fitted["a"], fitted["b"]]).all() and abs(fitted["a"]) < 10


@pytest.fixture
def trips(store):
    """A photographer with 24 one-day shoots of 5 photos: each shoot's place tag, and 'sea' on
    the photos that look like the sea."""
    rng = np.random.default_rng(3)
    profile = store.profiles.get()
    looks = {"sea": rng.normal(size=16), "land": rng.normal(size=16)}
    for day in range(24):
        for i in range(5):
            kind = "sea" if (day + i) % 2 else "land"
            photo = Photo(path=f"/lib/{day:02}-{i}.jpg", size=1, mtime_ns=1, content_hash=f"h{day}-{i}",
                          taken_at=f"2024-{1 + day // 12:02}-{1 + day % 12 * 2:02}T{9 + i:02}:00:00")
            store.photos.save(photo)
            vector = (looks[kind] + 0.3 * rng.normal(size=16)).astype(np.float32)
            store.embeddings.put_embeddings(ENCODER, [(photo.content_hash, vector)])
            tags = [f"place{day % 6}"] + (["sea"] if kind == "sea" else [])
            store.tagging.add_tags(profile, [photo.id], tags, "typed")
    return store, profile


def test_the_engine_calibrates_on_her_newest_shoots_without_changing_the_order(trips):
    store, profile = trips
    calibrated = Suggester(store.history, profile, ENCODER)
    plain = Suggester(store.history, profile, ENCODER, calibrate=False)
    assert calibrated.calibration.suggestions > 0 and plain.calibration == Calibration()
    # The replayed shoots went back into the history: it is the whole history again.
    assert calibrated.history.n_photos == plain.history.n_photos == 120
    assert sorted(calibrated.history.tags) == sorted(plain.history.tags)
    new = Photo(path="/lib/new.jpg", size=1, mtime_ns=1, content_hash="h23-1", taken_at="2025-06-01T10:00:00")
    ours, theirs = calibrated.suggest(new, 5), plain.suggest(new, 5)
    assert [s.tag for s in ours] == [s.tag for s in theirs]
    assert [s.score for s in ours] != [s.score for s in theirs]
    assert all(0.0 <= s.score <= 1.0 for s in ours)


def test_a_young_history_is_not_calibrated(store):
    profile = store.profiles.get()
    for i in range(12):
        photo = Photo(path=f"/lib/{i}.jpg", size=1, mtime_ns=1, content_hash=f"h{i}",
                      taken_at=f"2024-01-{i + 1:02}T10:00:00")
        store.photos.save(photo)
        store.tagging.add_tags(profile, [photo.id], ["a"], "typed")
    assert Suggester(store.history, profile, ENCODER).calibration == Calibration()
