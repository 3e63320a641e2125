"""Learning how one photographer weighs the suggestion signals (the engine's ``SignalRanker``).

The examples replay her history forward: at a few cut points through her photos (in date
order), the engine's signals for the photos after the cut are computed from the photos
before it only, as they stood when she came to tag them. Every candidate the untrained
engine would consider is one example, labelled by whether she used the tag. A logistic
regression on those examples is her ranker. With few photos it stays close to the default
noisy-OR: every coefficient but the noisy-OR's own is pulled toward zero.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from tagassist.engine.calibration import logistic_map
from tagassist.engine.ranker import RANKER_FEATURES, SignalRanker, ranker_features
from tagassist.engine.source import HistorySource
from tagassist.engine.suggest import Suggester
from tagassist.records import Photo, Profile

from .control import checkpoint

CUTS = 8  # cut points through the training photos
PHOTOS_PER_CUT = 40  # photos scored after each cut (evenly spaced when there are more)
CANDIDATES = 30  # per photo: the untrained engine's best candidates
L2 = 2.0
# The log-evidence and share features must earn their place with much data: one photographer's
# few thousand examples leave them near zero (they overfit her older shoots and hurt her next
# ones), a folksonomy's million use them.
L2_RICH = 1000.0
# The bias and the untrained engine's score are not held back, only kept finite: a prior this
# weak moves no coefficient of Last.fm's 1.3 million replayed examples by 0.001.
WEAK_PRIOR = 0.01
PRIOR = RANKER_FEATURES.index("noisy_or")  # the untrained engine's score: which candidates it would consider


def replay_examples(history: HistorySource, profile: Profile, encoder_id: str, photos: Sequence[Photo],
                    truths: Sequence[frozenset[str]], train_count: int,
                    should_stop: Callable[[], bool] = lambda: False) -> tuple[np.ndarray, np.ndarray, int]:
    """(features, labels, photos used) from the first ``train_count`` of ``photos`` (date
    order); the later ones are never part of any history here. ``history``: the library's
    (``store.history``) or the evaluator's folksonomy (``PostsLibrary``)."""
    first = min(max(3, train_count // (CUTS + 1)), train_count)
    cuts = sorted(set(np.linspace(first, train_count, CUTS + 1).astype(int).tolist()))
    features, labels, used = [], [], 0
    for start, end in zip(cuts, cuts[1:]):
        checkpoint(should_stop)
        block = np.unique(np.linspace(start, end - 1, min(PHOTOS_PER_CUT, end - start)).astype(int))
        suggester = Suggester(history, profile, encoder_id, exclude_photo_ids={p.id for p in photos[start:]},
                              calibrate=False)
        if not suggester.history.n_photos:
            continue
        for i in block.tolist():
            signals = suggester.signals(photos[i], hide_own_tags=True)
            x = ranker_features(signals.values)
            prior = x[:, PRIOR]
            candidates = np.flatnonzero(prior > 0)
            candidates = candidates[np.argsort(-prior[candidates], kind="stable")[:CANDIDATES]]
            if not len(candidates):
                continue
            features.append(x[candidates])
            labels.append(np.array([signals.vocabulary[c] in truths[i] for c in candidates], dtype=float))
            used += 1
    if not features:
        return np.zeros((0, len(RANKER_FEATURES))), np.zeros(0), 0
    return np.vstack(features), np.concatenate(labels), used


def fit_logistic(x: np.ndarray, y: np.ndarray, penalty: np.ndarray) -> tuple[np.ndarray, float]:
    """L2-penalised logistic regression (``penalty``: one strength per feature) by the engine's
    one logistic solver (``calibration.logistic_map``). The bias and any feature without a
    penalty get a weak one (``WEAK_PRIOR``): without it, where the classes separate or an
    unpenalised column can hardly be told from the bias (every candidate's untrained score
    near 1), Newton's method ran off to coefficients in the tens or thousands."""
    design = np.hstack([x, np.ones((len(x), 1))])
    strength = np.maximum(np.append(penalty, 0.0), WEAK_PRIOR)
    w = logistic_map(design, y, strength)
    return w[:-1], float(w[-1])


def fit_signal_ranker(history: HistorySource, profile: Profile, encoder_id: str, photos: Sequence[Photo],
                      truths: Sequence[frozenset[str]], train_count: int,
                      should_stop: Callable[[], bool] = lambda: False) -> SignalRanker | None:
    """Her ranker, or None when her history has no positive and negative examples yet."""
    return ranker_from_examples(*replay_examples(history, profile, encoder_id, photos, truths, train_count,
                                                 should_stop))


def ranker_from_examples(x: np.ndarray, y: np.ndarray, photos: int) -> SignalRanker | None:
    """The logistic ranker of replayed examples, or None without positives and negatives. Every
    coefficient but the untrained engine's own score is pulled toward zero, the rich ones hard."""
    if not len(y) or y.min() == y.max():
        return None
    penalty = np.array([L2_RICH if f.startswith("log_") else L2 for f in RANKER_FEATURES])
    penalty[PRIOR] = 0.0
    coefficients, bias = fit_logistic(x, y, penalty)
    return SignalRanker(tuple(round(float(c), 6) for c in coefficients), round(bias, 6), photos)
