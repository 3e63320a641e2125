"""Judging a retrain by the next shoot: shoots, forward blocks, and the noise-aware verdict."""

from dataclasses import dataclass

import numpy as np
import pytest

from tagassist.engine.shoots import shoot_ids
from trainer.validation import MIN_TEST_PHOTOS, TooLittleHistory, forward_split, paired_bootstrap


@dataclass
class P:
    taken_at: str | None
    gps_lat: float | None = None
    gps_lon: float | None = None


def test_shoots_split_on_a_pause_or_a_journey_and_undated_photos_join_the_one_before():
    photos = [P("2024-05-01T09:00:00"), P("2024-05-01T10:30:00"), P(None),  # one morning
              P("2024-05-01T15:00:00"),  # a pause of 4.5 h
              P("2024-05-01T15:10:00", 48.1, 11.5), P("2024-05-01T15:40:00", 48.8, 11.5),  # 78 km apart
              P("2024-05-01T15:50:00", 48.8, 11.5)]
    assert shoot_ids(photos) == [0, 0, 0, 1, 1, 2, 2]


def test_forward_split_keeps_shoots_whole_and_tests_on_the_newest():
    photos = [P(f"2024-01-{1 + i // 4:02}T12:{i % 4:02}:00") for i in range(80)]  # 20 shoots of 4
    split = forward_split(photos)
    assert list(split.test) == list(range(68, 80)) and split.test_shoots == 3  # 12 >= MIN_TEST_PHOTOS
    assert list(split.tune) == list(range(56, 68)) and list(split.train) == list(range(56))
    assert split.train.stop % 4 == 0 and split.tune.stop % 4 == 0  # no shoot cut in two


def test_too_little_history_is_said_in_words():
    photos = [P(f"2024-01-{1 + i // 10:02}T12:{i % 10:02}:00") for i in range(25)]
    with pytest.raises(TooLittleHistory, match="not yet enough .* suggestions stay as they are"):
        forward_split(photos)
    assert MIN_TEST_PHOTOS == 10


def test_the_verdict_needs_a_gain_beyond_the_noise():
    rng = np.random.default_rng(0)
    before = rng.uniform(0.2, 0.6, 40)
    assert paired_bootstrap(before, before + 0.1).better  # clearly better on every photo
    assert not paired_bootstrap(before, before).better  # a tie keeps what is active
    noisy = before + rng.normal(0.0, 0.3, 40)  # as good on average, noisy per photo
    assert not paired_bootstrap(before, noisy - noisy.mean() + before.mean()).better
    one_lucky = before.copy()
    one_lucky[0] += 0.8  # one photo better, all others the same: not a clear gain
    assert not paired_bootstrap(before, one_lucky).better
    assert not paired_bootstrap(before, before - 0.05).better


def test_rolling_folds_test_each_on_the_shoots_before_the_next():
    from trainer.validation import forward_folds

    photos = [P(f"2024-01-{1 + i // 4:02}T12:{i % 4:02}:00") for i in range(80)]
    newest, older = forward_folds(photos, count=2)
    assert list(older.test) == list(range(56, 68)) == list(newest.tune)  # one block back in time
    assert older.train.stop <= older.tune.start < older.test.start
    assert len(forward_folds(photos[:36], count=2)) == 1  # where the history allows


def _judgement(gains: list[float]):
    from trainer.judging import Judgement
    from trainer.validation import Verdict

    before = [0.4] * len(gains)
    after = [b + g for b, g in zip(before, gains)]
    return Judgement(0.4, 0.5, (0.3, 0.4), Verdict(True, 0.4, 0.5, 0.05), len(gains), True, "",
                     tuple(before), tuple(after))


def test_a_clear_gain_on_too_few_photos_keeps_the_engine_and_says_why():
    from trainer.judging import MIN_EVIDENCE_PHOTOS, judge_folds

    split = forward_split([P(f"2024-01-{1 + i // 4:02}T12:{i % 4:02}:00") for i in range(80)])
    few = [0.2] * (MIN_EVIDENCE_PHOTOS // 2 - 1)
    judged = judge_folds([_judgement(few), _judgement(few)], split)
    assert judged.verdict.better and not judged.activate
    assert "too few photos to be sure" in judged.summary and judged.judged_photos == 2 * len(few)
    enough = [0.2] * (MIN_EVIDENCE_PHOTOS // 2)
    assert judge_folds([_judgement(enough), _judgement(enough)], split).activate
