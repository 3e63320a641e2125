"""The validate stage of a retrain: the engine as it is against the engine with the candidate,
on her newest shoots, which the candidate never saw, ranked exactly as ``tagassist suggest``
ranks (``trainer.validation`` says how the history is split and what "better" means)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from tagassist.engine.suggest import Suggester
from tagassist.models.scoring import ModelScorer, active_model_scorer
from tagassist.store import Photo, Profile, Store

from .control import checkpoint
from .metrics import ranking_metrics
from .signal_ranker import fit_signal_ranker
from .validation import ForwardSplit, Verdict, paired_bootstrap

MODEL_WEIGHTS = (0.0, 0.3, 0.6, 0.9)  # how much a model may count against the other signals, least first
# The engine's suggestions before and after are compared on the newest held-out photos, at
# most this many in each block (each costs the signals of one suggestion; 200 photos tell a
# real gain from noise, and two folds must stay within the retrain's time budget).
COMPARE_PHOTOS = 200
# A gain is believed only on at least this many test photos (all folds together): a bootstrap
# over fewer underrates the noise, and one odd shoot can carry it.
MIN_EVIDENCE_PHOTOS = 30


def f1_at_5(rankings: list[list[str]], truths: list[frozenset[str]]) -> float:
    return ranking_metrics(rankings, truths, [5])[5]["F1"] if truths else 0.0


def per_photo_f1(rankings: list[list[str]], truths: list[frozenset[str]]) -> list[float]:
    scores = []
    for ranking, truth in zip(rankings, truths):
        hits = len(set(ranking[:5]) & truth)
        scores.append(2 * hits / (5 + len(truth)) if truth else 0.0)  # 2PR/(P+R) with P=hits/5, R=hits/|truth|
    return scores


def accepted_share(rankings: list[list[str]], truths: list[frozenset[str]]) -> float:
    """Of the suggestions shown (the top 5), the share she would have accepted."""
    shown = sum(len(r[:5]) for r in rankings)
    return sum(len(set(r[:5]) & t) for r, t in zip(rankings, truths)) / shown if shown else 0.0


def outcome_summary(activated: bool, test_shoots: int, test_photos: int, before: float, after: float,
                    too_few: bool = False) -> str:
    shoots = f"your {test_shoots} newest shoot{'s' if test_shoots != 1 else ''} ({test_photos} photos)"
    measured = (f"On {shoots}, which it did not learn from, you would have accepted {before:.0%} of the shown"
                f" suggestions before, {after:.0%} with the new model.")
    if activated:
        return f"{measured} The new model is active."
    if too_few:
        return f"{measured} That is too few photos to be sure it helps, so your suggestions stay as they were."
    return f"{measured} That is no clear gain, so your suggestions stay as they were."


def choose_combination(store, profile, encoder_id, photos, truths, exclude, scorer, rankers,
                       should_stop: Callable[[], bool] = lambda: False) -> float:
    """Sets the scorer's ranker (one of ``rankers``, least change first: None is the default
    noisy-OR) and its model's weight among the signals to the pair that serves the held-out
    photos best, and returns the F1@5 it gives. A tie goes to the smaller change: the fewer the
    tune photos, the likelier a tie, and a change the tune shoots cannot tell from none is a
    gamble on the next shoot. A model that only hurts ends up at weight 0 and changes nothing."""
    suggester = Suggester(store.history, profile, encoder_id, model_scorer=scorer, exclude_photo_ids=exclude,
                          calibrate=False)
    signals = [suggester.signals(p, hide_own_tags=True) for p in photos]
    best, choice = -1.0, (None, MODEL_WEIGHTS[0])
    for ranker in rankers:
        for weight in MODEL_WEIGHTS:
            checkpoint(should_stop)
            rankings = [[s.tag for s in suggester.rank(x, 5, ranker=ranker, model_weight=weight)] for x in signals]
            f1 = f1_at_5(rankings, truths)
            if f1 > best:
                best, choice = f1, (ranker, weight)
    scorer.ranker, scorer.signal_weight = choice
    return best


def suggestion_rankings(store, profile, encoder_id, photos, exclude, scorer) -> list[list[str]]:
    """The engine's top 5 for each photo with ``scorer`` (None: no model) as configured,
    exactly as ``tagassist suggest`` ranks them, with ``exclude`` out of the history."""
    suggester = Suggester(store.history, profile, encoder_id, model_scorer=scorer, exclude_photo_ids=exclude,
                          calibrate=False)
    return [[s.tag for s in suggester.suggest(p, 5, hide_own_tags=True)] for p in photos]


@dataclass(frozen=True)
class Judgement:
    before: float  # F1@5 on the test shoots, the engine as it is
    after: float  # and with the candidate
    accepted: tuple[float, float]  # shares of shown suggestions she would have accepted
    verdict: Verdict
    test_photos: int
    activate: bool
    summary: str
    before_scores: tuple[float, ...] = ()  # per test photo: F1@5 of the engine as it is
    after_scores: tuple[float, ...] = ()  # and with the candidate

    @property
    def judged_photos(self) -> int:
        """The test photos the decision rests on (every fold's)."""
        return len(self.before_scores)


def judge_candidate(store: Store, profile: Profile, photos: list[Photo], tags: list[list[str]], split: ForwardSplit,
                    scorer: ModelScorer, encoder_id: str, previous_encoder: str | None,
                    should_stop: Callable[[], bool], *, seed: int = 0) -> Judgement:
    """Choose the candidate's place among the signals on the tune shoots (``scorer`` is set to
    it), then compare the engine as it is with the engine with the candidate on the test
    shoots, as ``tagassist suggest`` ranks. Activate only on a gain beyond the noise."""
    compared = slice(-COMPARE_PHOTOS, None)
    truths = [frozenset(t) for t in tags]
    tune_photos, tune_truths = [photos[i] for i in split.tune][compared], [truths[i] for i in split.tune][compared]
    test_photos, test_truths = [photos[i] for i in split.test][compared], [truths[i] for i in split.test][compared]
    unseen_by_tuning = {photos[i].id for i in (*split.tune, *split.test)}  # out of the history while choosing
    unseen_by_test = {photos[i].id for i in split.test}  # the next shoots: everything before is history
    ranker = fit_signal_ranker(store.history, profile, encoder_id, photos, truths, len(split.train), should_stop)
    choose_combination(store, profile, encoder_id, tune_photos, tune_truths, unseen_by_tuning, scorer,
                       [None, ranker] if ranker else [None], should_stop)
    previous = active_model_scorer(store, profile, previous_encoder) if previous_encoder else None
    before_rankings = suggestion_rankings(store, profile, previous_encoder or encoder_id, test_photos, unseen_by_test,
                                          previous)
    after_rankings = suggestion_rankings(store, profile, encoder_id, test_photos, unseen_by_test, scorer)
    before_scores, after_scores = per_photo_f1(before_rankings, test_truths), per_photo_f1(after_rankings, test_truths)
    verdict = paired_bootstrap(before_scores, after_scores, seed=seed)
    accepted = accepted_share(before_rankings, test_truths), accepted_share(after_rankings, test_truths)
    enough = len(test_photos) >= MIN_EVIDENCE_PHOTOS
    activate = verdict.better and accepted[1] >= accepted[0] and enough
    return Judgement(f1_at_5(before_rankings, test_truths), f1_at_5(after_rankings, test_truths), accepted, verdict,
                     len(test_photos), activate,
                     outcome_summary(activate, split.test_shoots, len(test_photos), *accepted,
                                     too_few=verdict.better and not enough),
                     tuple(before_scores), tuple(after_scores))


def judge_folds(judgements: list[Judgement], split: ForwardSplit, *, seed: int = 0) -> Judgement:
    """One decision over rolling folds (newest first): a gain beyond the noise on their test
    photos pooled, enough of them, and no fold worse. The numbers shown are the newest fold's."""
    newest = judgements[0]
    before = [x for j in judgements for x in j.before_scores]
    pooled = paired_bootstrap(before, [x for j in judgements for x in j.after_scores], seed=seed)
    never_worse = all(sum(j.after_scores) >= sum(j.before_scores) and j.accepted[1] >= j.accepted[0]
                      for j in judgements)
    enough = len(before) >= MIN_EVIDENCE_PHOTOS
    activate = pooled.better and never_worse and enough
    return replace(newest, verdict=pooled, activate=activate, before_scores=tuple(before),
                   after_scores=tuple(x for j in judgements for x in j.after_scores),
                   summary=outcome_summary(activate, split.test_shoots, newest.test_photos, *newest.accepted,
                                           too_few=pooled.better and never_worse and not enough))


def judge(store: Store, profile: Profile, photos: list[Photo], tags: list[list[str]], folds: list[ForwardSplit],
          newest: ModelScorer, encoder_id: str, previous_encoder: str | None,
          fit_older: Callable[[ForwardSplit], ModelScorer] | None, report: Callable[[dict], None],
          should_stop: Callable[[], bool], *, seed: int = 0) -> Judgement:
    """The candidate (``newest``) on the newest fold's test shoots, and a model of the older
    shoots, fitted by the same recipe (``fit_older``), on each older fold's; one decision over
    all of them."""
    def stage(step: int) -> None:
        report({"stage": "compare", "epoch": 0, "step": step, "total": len(folds) + 1, "loss": None, "metric": None,
                "eta_s": 0})

    stage(0)
    judgements = [judge_candidate(store, profile, photos, tags, folds[0], newest, encoder_id, previous_encoder,
                                  should_stop, seed=seed)]
    for number, older in enumerate(folds[1:], start=1):
        stage(number)
        judgements.append(judge_candidate(store, profile, photos, tags, older, fit_older(older), encoder_id,
                                          encoder_id, should_stop, seed=seed))
    stage(len(folds))
    return judge_folds(judgements, folds[0], seed=seed) if len(judgements) > 1 else judgements[0]
