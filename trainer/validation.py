"""Judging a retrain the way the photographer will use it: on her next shoot.

Her history is cut into shoots (photos close in time, and in place where both carry GPS) and
split forward in time into three blocks of whole shoots:

    train   the oldest shoots: what the candidate model learns from
    tune    the shoots after them: where its weight among the signals and the learned ranker
            are chosen (choosing on the photos that then decide would flatter the candidate)
    test    the newest shoots, which the candidate never saw: where the engine as it is and
            the engine with the candidate are compared

Where the history allows, this is done twice, rolling back one block (two folds): a model of
the older shoots is judged the same way on the shoots before the newest. The candidate
replaces what is active only when it is better on the test shoots of every fold by more than
the noise: the lower end of a one-sided 99 % paired bootstrap interval of the per-photo
difference, pooled over the folds, is above zero, and no fold got worse. A tie, or a gain
within the noise, keeps what is active. (99 %, not 95 %: on simulated photographers it was
not tuned on, 95 % let 2 of 12 retrains through that were worse on the next shoots; a
photographer forgives a retrain that changes nothing, not one that makes things worse.) With
too little history for three blocks, nothing is trained and the engine stays as it is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tagassist.engine.shoots import newest_shoots_start, shoot_ids

MIN_TEST_PHOTOS = 10  # fewer say too little about the next shoot
MIN_TRAIN_PHOTOS = 10
BOOTSTRAP_RESAMPLES = 2000
CONFIDENCE = 0.99


@dataclass(frozen=True)
class ForwardSplit:
    train: range
    tune: range
    test: range
    test_shoots: int
    shoots: int


class TooLittleHistory(ValueError):
    """The history cannot show whether a retrain helps; the message says so in words."""


def forward_split(photos: Sequence, share: float = 0.1, min_photos: int = MIN_TEST_PHOTOS) -> ForwardSplit:
    """Train, tune and test blocks of whole shoots, oldest to newest; the test and tune blocks
    each hold at least ``share`` of the photos and ``min_photos``, and so does the train block
    (at least MIN_TRAIN_PHOTOS). Raises TooLittleHistory."""
    ids = shoot_ids(photos)
    n = len(photos)
    wanted = max(min_photos, math.ceil(share * n))

    def block_start(end: int) -> int:
        """Start of the whole shoots that end at ``end`` and hold at least ``wanted`` photos."""
        return newest_shoots_start(ids[:end], wanted)

    test_start = block_start(n)
    tune_start = block_start(test_start)
    shoots = len(set(ids))
    if n - test_start < wanted or test_start - tune_start < wanted or tune_start < max(min_photos, MIN_TRAIN_PHOTOS):
        raise TooLittleHistory(
            f"{n} tagged photos in {shoots} shoot{'s' if shoots != 1 else ''} are not yet enough to tell whether a"
            f" retrain helps on your next shoot: it learns from your older shoots and is judged on your newest"
            f" ones, which takes at least {wanted} photos of your newest shoots, {wanted} of the shoots before"
            f" and {max(min_photos, MIN_TRAIN_PHOTOS)} older ones; suggestions stay as they are")
    return ForwardSplit(range(tune_start), range(tune_start, test_start), range(test_start, n),
                        len(set(ids[test_start:])), shoots)


def forward_folds(photos: Sequence, share: float = 0.1, min_photos: int = MIN_TEST_PHOTOS,
                  count: int = 2) -> list[ForwardSplit]:
    """Up to ``count`` rolling forward splits, newest first: each older one tests on the shoots
    just before the test shoots of the one after it. Raises TooLittleHistory if not even one."""
    folds = [forward_split(photos, share, min_photos)]
    while len(folds) < count:
        try:
            folds.append(forward_split(photos[:folds[-1].test.start], share, min_photos))
        except TooLittleHistory:
            break
    return folds


@dataclass(frozen=True)
class Verdict:
    better: bool
    mean_before: float
    mean_after: float
    lower_bound: float  # of the mean per-photo gain, one-sided at CONFIDENCE


def paired_bootstrap(before: Sequence[float], after: Sequence[float], *, seed: int = 0) -> Verdict:
    """Whether ``after`` beats ``before`` (per-photo scores of the same photos) by more than
    the noise of which photos happened to be in the test shoots."""
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    gains = after - before
    rng = np.random.default_rng(seed)
    means = gains[rng.integers(0, len(gains), size=(BOOTSTRAP_RESAMPLES, len(gains)))].mean(1)
    lower = float(np.quantile(means, 1 - CONFIDENCE))
    return Verdict(bool(gains.mean() > 0 and lower > 0), float(before.mean()), float(after.mean()), lower)
