"""``KeywordFinder``: which of her photos should carry this keyword too, best first.

Every photo of the library that does not carry the keyword (or one under it) and where she did
not reject it (or one above it) is a candidate. The evidence, per candidate:
- how it looks: ``visual``'s model, her photos with the keyword against the rest;
- where and when: how many photos with the keyword share its shoot and its place, against the
  photos she decided without it there (``context.Context``);
- what it already carries: how often she gave the keyword with one of its keywords;
- how close the nearest of her photos with the keyword is (``near``: a keyword with several
  looks has its photos near one of them, not along the look model's one direction);
- whether she tagged it since she knew the keyword, and not with it.
A second small logistic model, fitted the same way, weighs them; its prior (the look,
plus a fixed bonus for the shoot, the place and the co-occurrence) decides alone until there
are a few examples to weigh with.

The training photos are her photos with the keyword (label 1) and samples of the rest: her
rejections, photos she tagged without it since she first used it, and untagged ones, each
standing for as many photos as its stratum holds (label 0). So the model estimates the chance
that a photo is one she tagged, and her tagged share of the keyword's true photos (estimated
on her photos, out of fold) turns that into the chance that a candidate is hers (Elkan and
Noto's correction for positive and unlabelled data). Her decisions in a review, once there
are some, recalibrate the scores shown (Platt scaling, ``calibration.fit_calibration``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..calibration import Calibration, fit_calibration, logistic_map
from ..signals import counted
from . import visual
from .context import Context, Tally, cooccurrence, evidence
from .near import EXAMPLES, Nearest
from .tagged import TaggedLibrary
from .threads import blas_single_thread

CAPS = {"positive": 300, "rejected": 300, "decided": 200, "untagged": 300}  # training photos per stratum
REJECTION_WEIGHT = 3.0  # a rejection is certain; an untagged photo may be hers
FOLDS = 3
MIN_FITTED = 5  # fewer photos with the keyword: the evidence is weighed by the prior alone
# Prior of the weighing model: the look (its logit, as is), and in logit units the bonus for
# the keyword's whole share of the shoot, of the place, and of a keyword on the photo.
# The local view (``near``): how close the nearest of her photos with the keyword is, in spreads
# of the candidates'. (The nearest rejection as a column made the review worse: a rejected photo
# of a shoot pushed down its photos that were hers.) ``passed``: she tagged the photo since she
# knew the keyword, and not with it; no training photo she passed is hers, so only the prior
# bounds its weight: -3, her tagging trusted as mostly complete. The co-occurrence bonus is 1,
# not 3: her photos with the keyword all carry tags, the photos left to find mostly none.
EVIDENCE = ("look", "shoot", "place", "together", "near", "passed")
WEIGHING_CENTRE = np.array([1.0, 3.0, 1.0, 1.0, 1.0, -3.0, 0.0])
WEIGHING_STRENGTH = np.array([5.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1e-3])
FACE_WEIGHT = 1.0  # a face's match (as a logit) adds to the rank as it is: calibrated already (faces.PersonMatcher)
LABELLED_SHARE_PRIOR = (0.5, 3.0)  # her tagged share of the keyword's photos: 0.5, worth 3 photos


class NoExamples(ValueError):
    """Nobody can be found for a keyword that no photo carries yet."""


@dataclass(frozen=True)
class Candidate:
    photo_id: int
    score: float  # the chance that the photo is hers for this keyword
    reason: str


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def _closeness(similarity: np.ndarray) -> np.ndarray:
    """-log(1 - cosine): a shoot's photos are all within a few hundredths of each other, and
    this spreads them as far apart as the rest of the library."""
    return -np.log(np.maximum(1.0 - similarity, 1e-3))


class KeywordFinder:
    """The ranking for one keyword over a ``TaggedLibrary``; ``decide`` re-ranks at once.

    ``within``: a mask over the library's rows; only those are candidates (a folder), while
    every photo of the library still teaches the model.

    What stays across her decisions, so that a re-rank costs milliseconds on 100,000 photos:
    the sample of weak negatives (photos decided without the keyword, untagged ones), each
    training photo's fold, the basis the look is fitted in and the library's coordinates in it
    (``ready``), the shoot and place tallies (a decision changes its neighbours' only), and the
    previous weights, where the next fit's Newton steps start. A fit is then a few steps on a
    thousand rows of ~40 columns, and scoring the library one float32 matrix-vector product."""

    def __init__(self, library: TaggedLibrary, keyword: str, within: np.ndarray | None = None, *, seed: int = 0,
                 faces: tuple[np.ndarray, np.ndarray] | None = None):
        self.library, self.keyword, self.seed = library, keyword, seed
        self.photos = library.photos
        # A person: per photo, the chance that a face on it is hers to call ``keyword``, and
        # how many of her named faces it matches (NaN and 0 where a photo has no face to judge).
        n = len(self.photos)
        chance, support = faces if faces is not None else (np.full(n, np.nan), np.zeros(n, dtype=np.int64))
        judged = np.isfinite(chance)
        clipped = np.clip(np.where(judged, chance, 0.5), 1e-4, 1 - 1e-4)
        self._face = np.where(judged, FACE_WEIGHT * np.log(clipped / (1 - clipped)), 0.0)
        self._face_support = support
        family = library.family(keyword)
        self._family = family
        self.positive = library.rows_with(family)
        if not self.positive.any():
            raise NoExamples(f"tag at least one photo with '{keyword}' first")
        self.rejected = library.rejected_rows(keyword) & ~self.positive
        first_use = library.first_used[family].min() if family.any() else np.inf
        # Tagged since she knew the keyword, and not given it: decided without it.
        self.decided = library.tagged & ~self.positive & ~self.rejected & (library.last_tagged >= first_use)
        n = len(self.photos)
        self.within = np.ones(n, dtype=bool) if within is None else np.asarray(within, dtype=bool)
        self._initial = (self.positive.copy(), self.rejected.copy(), self.decided.copy())
        self._log: dict[int, tuple[float, bool]] = {}  # row -> (score shown when decided, hers)
        with blas_single_thread():
            self._prepare(np.random.default_rng(seed))

    def _prepare(self, rng: np.random.Generator) -> None:
        n = len(self.photos)
        untagged = ~self.positive & ~self.rejected & ~self.decided
        self._sampled = {name: self._choose(mask, CAPS[name], rng) for name, mask in (
            ("positive", self.positive), ("rejected", self.rejected), ("decided", self.decided),
            ("untagged", untagged))}
        self._weight_of = {"positive": len(np.flatnonzero(self.positive)) / len(self._sampled["positive"])}
        self._fold = rng.integers(0, FOLDS, n).astype(np.int8)  # each photo's fold, for good
        sample = np.concatenate(list(self._sampled.values()))
        self._basis = visual.Basis(self.photos, sample, self.positive[sample], rng)
        positive = self._sampled["positive"]
        self._sample_sums = self._basis.fold_sums(positive, self._fold[positive], FOLDS)
        self._context = Context(self.photos)
        self._tallies = (Tally(self._context, self.positive), Tally(self._context, self.rejected | self.decided))
        self._together, self._together_share = cooccurrence(self.library, self.positive, self._family)
        self._look = np.empty(n, dtype=np.float32)
        self._evidence = np.empty((n, len(EVIDENCE) + 1))
        self._evidence[:, -1] = 1.0
        self._nearest()
        self._reason_sample: tuple[np.ndarray, np.ndarray] | None = None
        self._likeness: dict[int, np.ndarray] = {}  # row -> its similarity to the reasons' sample
        self._starts: dict = {}  # each fit's previous weights: where its next Newton steps start
        self._fit()

    def _nearest(self) -> None:
        """The examples of the local view: a sample of her photos with it, and those she accepted;
        the closeness scale is fixed here, so the weighing's prior means the same all review."""
        examples = self._sampled["positive"][self.positive[self._sampled["positive"]]][:EXAMPLES]
        accepted = [r for r, (_, hers) in self._log.items() if hers and self.positive[r]]
        self._near = Nearest(self.photos, np.concatenate([examples, np.array(accepted, dtype=np.int64)]))
        if not hasattr(self, "_near_scale"):
            best = _closeness(self._near.best[self.photos.has_vector & ~self.positive])  # the candidates' spread
            self._near_scale = (float(np.median(best)), max(float(best.std()), 1e-3)) if len(best) else (0.0, 1.0)

    def _local(self, rows: np.ndarray | None = None) -> np.ndarray:
        """``near`` of every photo, or of training ``rows`` leaving each one's own out."""
        centre, scale = self._near_scale
        near = self._near.best if rows is None else self._near.leave_one_out(rows)
        return (_closeness(near) - centre) / scale

    @staticmethod
    def _choose(mask: np.ndarray, cap: int, rng: np.random.Generator) -> np.ndarray:
        found = np.flatnonzero(mask)
        return found if len(found) <= cap else np.sort(rng.choice(found, cap, replace=False))

    def ready(self) -> None:
        """Project the library onto the keyword's basis (one product over the embeddings, ~0.5 s
        for 100,000 photos on a busy machine), so that every re-rank after it is one small
        product: the app calls it right after showing the first page."""
        self._basis.project_library()

    # -- decisions ------------------------------------------------------------------------
    def decide(self, accepted=(), rejected=()) -> None:
        """She gave the keyword to ``accepted`` photos and rejected it on ``rejected`` (ids):
        they leave the candidates, teach the model, and everything left is ranked again."""
        changed = []
        for ids, hers in ((accepted, True), (rejected, False)):
            rows = self.photos.rows_of(list(ids))
            for row in rows[rows >= 0]:
                self._log.setdefault(int(row), (float(self._shown[row]), hers))
                self.positive[row], self.rejected[row], self.decided[row] = hers, not hers, False
                changed.append(int(row))
        with blas_single_thread():  # one (n x k) product for the page
            self._near.add(self.photos.rows_of(list(accepted)))
        self._changed(np.array(changed, dtype=np.int64))

    def undo(self, photo_ids) -> None:
        """Her decisions on these photos are undone: they are as they were when the review began."""
        rows = self.photos.rows_of(list(photo_ids))
        rows = rows[rows >= 0]
        for mask, initial in zip((self.positive, self.rejected, self.decided), self._initial):
            mask[rows] = initial[rows]
        for row in rows:
            self._log.pop(int(row), None)
        if not self.positive.any():
            raise NoExamples(f"tag at least one photo with '{self.keyword}' first")
        self._nearest()  # a maximum cannot forget an example: counted again
        self._changed(rows)

    def _changed(self, rows: np.ndarray) -> None:
        with blas_single_thread():
            positive, negative = self._tallies
            if self.library.tagged[rows[positive.mask[rows] != self.positive[rows]]].any():
                # a tagged photo joined or left her photos with it: what it carries counts again
                self._together, self._together_share = cooccurrence(self.library, self.positive, self._family)
            positive.set(self.positive, rows)
            negative.set(self.rejected | self.decided, rows)
            self._fit()

    @property
    def accepted_count(self) -> int:
        return sum(hers for _, hers in self._log.values())

    @property
    def rejected_count(self) -> int:
        return sum(not hers for _, hers in self._log.values())

    # -- the ranking --------------------------------------------------------------------------
    @property
    def candidate_rows(self) -> np.ndarray:
        return np.flatnonzero(self.within & ~self.positive & ~self.rejected)

    def ranked(self) -> tuple[np.ndarray, np.ndarray]:
        """(photo ids, scores) of every candidate, best first (ties: lower id first)."""
        rows = self.candidate_rows
        order = np.lexsort((self.photos.ids[rows], -self._rank[rows]))
        return self.photos.ids[rows[order]], self._shown[rows[order]]

    def candidates(self, limit: int | None = 50) -> list[Candidate]:
        """The best ``limit`` candidates (all with None), each with its score and reason."""
        with blas_single_thread():
            rows = self.candidate_rows
            if limit is not None and len(rows) > limit:
                top = np.argpartition(-self._rank[rows], limit - 1)[:limit]
                rows = rows[top]
            rows = rows[np.lexsort((self.photos.ids[rows], -self._rank[rows]))]
            return [Candidate(int(self.photos.ids[r]), round(float(self._shown[r]), 4), reason)
                    for r, reason in zip(rows, self._reasons(rows))]

    def expected_remaining(self) -> float:
        """How many candidates are likely still hers: the sum of their calibrated scores."""
        return float(self._shown[self.candidate_rows].sum())

    # -- fitting ------------------------------------------------------------------------------
    def _training(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Training rows, labels, and how many photos each row stands for: her photos with the
        keyword and her rejections as sampled when the review began, with those of the review,
        and the fixed sample of weak negatives still undecided, each standing for its stratum."""
        decided = [row for row in self._log]
        accepted = np.array([r for r in decided if self.positive[r]], dtype=np.int64)
        refused = np.array([r for r in decided if self.rejected[r]], dtype=np.int64)
        positive = self._sampled["positive"][self.positive[self._sampled["positive"]]]
        rejected = self._sampled["rejected"][self.rejected[self._sampled["rejected"]]]
        untagged = ~self.positive & ~self.rejected & ~self.decided
        strata = [(positive, 1, self._weight_of["positive"]), (accepted, 1, REJECTION_WEIGHT),
                  (np.union1d(rejected, refused), 0, REJECTION_WEIGHT)]
        for name, mask in (("decided", self.decided), ("untagged", untagged)):
            kept = self._sampled[name][mask[self._sampled[name]]]
            strata.append((kept, 0, int(mask.sum()) / max(len(kept), 1)))
        rows = np.concatenate([r for r, _, _ in strata]).astype(np.int64)
        labels = np.concatenate([np.full(len(r), label, dtype=np.float64) for r, label, _ in strata])
        weights = np.concatenate([np.full(len(r), weight) for r, _, weight in strata])
        return rows, labels, weights

    def _model(self, key, coordinates, y, weights, prototype) -> np.ndarray:
        """One look model, its Newton steps starting where its previous fit ended."""
        w = visual.fit(coordinates, y, weights, prototype, self._starts.get(key))
        self._starts[key] = w
        return w

    def _fit(self) -> None:
        rows, y, weights = self._training()
        coordinates = self._basis.coordinates(rows)
        # her photos' sums per fold: the sample's, kept, and those she accepted in the review
        accepted = np.array([r for r, (_, hers) in self._log.items() if hers and self.positive[r]], dtype=np.int64)
        sums, counts = self._basis.fold_sums(accepted, self._fold[accepted], FOLDS)
        self._prototypes = self._basis.prototypes(sums + self._sample_sums[0], counts + self._sample_sums[1])
        look_weights = self._model("look", coordinates, y, weights, self._prototypes[None])
        look = self._basis.logits(look_weights, self._look)
        context = evidence(self._context, *self._tallies)
        self._counts = context
        for column, values in enumerate((look, context["shoot"], context["place"], self._together,
                                         self._local(), self.decided)):
            self._evidence[:, column] = values
        positives = int(self.positive.sum())
        if positives >= MIN_FITTED:
            out_of_fold = self._out_of_fold(rows, y, weights, coordinates)
            design = self._evidence[rows]
            design[:, 0] = out_of_fold
            design[:, 4] = self._local(rows)
            self._weighing = logistic_map(design, y, WEIGHING_STRENGTH, WEIGHING_CENTRE, iterations=50,
                                          weights=weights, start=self._starts.get("weighing"))
            self._starts["weighing"] = self._weighing
            tagged_share = self._labelled_share(design, y, weights)
        else:
            self._weighing = WEIGHING_CENTRE.copy()
            tagged_share = LABELLED_SHARE_PRIOR[0]
        self._rank = self._evidence @ self._weighing + self._face  # ranked by this: the scores shown may tie at 1
        # P(hers | candidate) = (1 - c) / c * g / (1 - g), c: her tagged share of its photos and
        # g = sigmoid(rank); read as odds, so it stays below 1 and in order where g exceeds c:
        # that is sigmoid(rank + log((1 - c) / c)), a logit the calibration maps in one pass.
        logits = np.clip(self._rank, -30, 30) + np.log((1 - tagged_share) / tagged_share)
        decided = list(self._log.values())
        self._calibration = fit_calibration([s for s, _ in decided], [h for _, h in decided]) if decided \
            else Calibration()
        self._shown = self._calibration.of_logits(logits)

    def _out_of_fold(self, rows, y, weights, coordinates) -> np.ndarray:
        """Each training photo's look as a model that never saw it scores it."""
        fold = self._fold[rows]
        scores = np.zeros(len(rows))
        for k in range(FOLDS):
            held = fold == k
            w = self._model(("fold", k), coordinates[~held], y[~held], weights[~held], self._prototypes[k])
            scores[held] = coordinates[held] @ w[:-1] + w[-1]
        return scores

    def _labelled_share(self, design: np.ndarray, y: np.ndarray, weights: np.ndarray) -> float:
        """Her tagged share of the keyword's photos: the mean chance of being tagged that the
        model gives her own photos with it (out of fold), pulled toward the prior."""
        g = _sigmoid(design[y == 1] @ self._weighing)
        prior, strength = LABELLED_SHARE_PRIOR
        share = (float((g * weights[y == 1]).sum()) + prior * strength) / (float(weights[y == 1].sum()) + strength)
        return float(np.clip(share, 0.05, 1.0))

    # -- reasons ------------------------------------------------------------------------------
    def _reasons(self, rows: np.ndarray) -> list[str]:
        """Per row, the evidence that raised its score most over a typical candidate's, in words."""
        if not len(rows):
            return []
        candidates = self.candidate_rows
        typical = np.zeros(len(EVIDENCE))
        typical[[0, 4]] = np.median(self._evidence[candidates[:: max(1, len(candidates) // 5000)]][:, [0, 4]], axis=0)
        gains = self._weighing[:-1] * (self._evidence[rows, :-1] - typical)
        looks = self._looks_like(rows)
        return [self._face_reason(int(row)) if self._face[row] > max(gain.max(), 0.0) else
                self._reason(int(row), EVIDENCE[int(np.argmax(gain))], look)
                for row, gain, look in zip(rows, gains, looks)]

    def _face_reason(self, row: int) -> str:
        return f"a face matches {counted(int(self._face_support[row]), 'photo')} you tagged '{self.keyword}'"

    def _reason(self, row: int, strongest: str, looks: str) -> str:
        keyword = self.keyword
        if strongest == "shoot" and self._counts["shoot_count"][row] >= 1:
            return f"same shoot as {counted(int(self._counts['shoot_count'][row]), 'photo')} tagged '{keyword}'"
        if strongest == "place" and self._counts["place_count"][row] >= 1:
            return f"taken within 1 km of {counted(int(self._counts['place_count'][row]), 'photo')} tagged '{keyword}'"
        if strongest == "together" and self._together[row] > 0:
            partner = self._partner(row)
            if partner is not None:
                return f"often tagged together with '{partner}'"
        return looks

    def _partner(self, row: int) -> str | None:
        columns = self.library.row_tags(row)
        if not len(columns):
            return None
        best = columns[int(np.argmax(self._together_share[columns]))]
        return self.library.tags[best] if self._together_share[best] > 0 else None

    def _looks_like(self, rows: np.ndarray) -> list[str]:
        """Per row, how many of her photos with the keyword look most like it: those among its
        ten nearest photos she decided on (tagged with it, rejected it, or tagged without it)."""
        general = f"looks like your photos tagged '{self.keyword}'"
        if self._reason_sample is None:  # a sample, gathered once: a page of reasons costs milliseconds
            labelled = np.flatnonzero((self.positive | self.rejected | self.decided) & self.photos.has_vector)
            labelled = labelled[:: max(1, len(labelled) // 1000)]
            self._reason_sample = (labelled, self.photos.vectors[labelled])
        sample, vectors = self._reason_sample
        review = np.array([r for r in self._log if self.photos.has_vector[r]], dtype=np.int64)
        labelled = np.concatenate([sample, review])  # and every photo she decided in the review
        if not len(labelled):
            return [general] * len(rows)
        # A candidate's likeness to the sample is kept: the next page is mostly this one's photos.
        new = [int(r) for r in rows if int(r) not in self._likeness]
        if new:
            self._likeness.update(zip(new, self.photos.vectors[new] @ vectors.T))
        similarity = np.column_stack([np.array([self._likeness[int(r)] for r in rows]).reshape(len(rows), -1),
                                      self.photos.vectors[rows] @ self.photos.vectors[review].T])
        similarity[:, :len(sample)][:, np.isin(sample, review)] = -np.inf  # decided since: counted once
        hers = self.positive[labelled]
        out = []
        for row, row_similarity in zip(rows, similarity):
            nearest = np.argpartition(-row_similarity, 9)[:10] if len(labelled) > 10 else slice(None)
            n = int(hers[nearest].sum())
            if not self.photos.has_vector[row]:
                out.append(general)
            elif n == 0:
                out.append(f"looks more like your photos tagged '{self.keyword}' than most")
            else:
                out.append(f"looks like {counted(n, 'photo')} you tagged '{self.keyword}'")
        return out
