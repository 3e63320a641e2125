"""Does "Retrain on my tags" help with the photographer's next shoots, or at least never hurt?

    python -m benchmarks.next_shoot --seeds 101 202 303          # 4 photographers per seed
    python -m benchmarks.next_shoot --seeds 7 --photos 240 --next 72 --json out.json

For each seed and simulated photographer (``photosim/``: rendered photos with real
EXIF, over two to three years of shoots) the library is scanned and indexed; her tags on all
but the ``--next`` newest photos become her history. Then, on those newest photos (her next
shoots, whose tags the engine never sees):

    before   F1@5 of what ``tagassist suggest`` shows with no trained model
    after    the same after ``train`` (``trainer.pipeline.train``, the code path
             of ``tagassist train`` and of the app's Retrain), with whatever it activated

Targets (issue 13): after >= before for every photographer, pooled F1@5 up >= 3 %; expected
calibration error (10 bins) of the shown scores <= 0.05 and at most 20 % wrong among those
scored >= 0.8, before and after. Use seeds that were not used while building the change; the
output says which were used.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from photosim.library import prepare_library, tag_history
from photosim.measures import calibration_of

PHOTOGRAPHERS = 4


def calibration(shown: list[list[tuple[str, float]]], truths) -> dict:
    """Of the shown suggestions (tag, score): expected calibration error over 10 equal-width
    bins (the score as the chance she accepts it), and the share wrong among those >= 0.8."""
    return calibration_of([(score, tag in truth) for row, truth in zip(shown, truths) for tag, score in row])


def one(index: int, seed: int, n_photos: int, n_next: int, work: Path) -> dict:
    from tagassist.engine.suggest import Suggester
    from tagassist.models.scoring import active_model_scorer
    from tagassist.store import Store
    from trainer.judging import f1_at_5
    from trainer.pipeline import train_profile
    from trainer.validation import TooLittleHistory

    db, truth, name = prepare_library(work / f"{seed}-{index}", index, n_photos, seed)
    history, upcoming = truth[:-n_next], truth[-n_next:]
    with Store(db) as store:
        profile = store.profiles.get(name)
        encoder = store.settings.active_encoder()
        by_path = tag_history(store, profile, history)
        photos = [by_path[item["path"]] for item in upcoming]
        truths = [frozenset(item["tags"]) for item in upcoming]

        def engine() -> tuple[float, dict, list]:
            suggester = Suggester(store.history, profile, encoder,
                                  model_scorer=active_model_scorer(store, profile, encoder))
            shown = [[(s.tag, s.score) for s in suggester.suggest(p, 5)] for p in photos]
            scored = [(score, tag in truth) for row, truth in zip(shown, truths) for tag, score in row]
            return f1_at_5([[t for t, _ in row] for row in shown], truths), calibration(shown, truths), scored

        before, calibrated_before, scored_before = engine()
        started = time.perf_counter()
        try:
            result = train_profile(store, profile, encoder)
            outcome = {"activated": result.activated, "summary": result.summary,
                       "judged_on": f"{result.judged_photos} photos in {result.folds} fold"
                                    f"{'s' if result.folds != 1 else ''}, the newest {result.validation_photos}"
                                    f" in {result.test_shoots} shoot{'s' if result.test_shoots != 1 else ''}"}
        except TooLittleHistory as exc:
            outcome = {"activated": False, "summary": str(exc), "judged_on": "-"}
        seconds = time.perf_counter() - started
        after, calibrated_after, scored_after = engine()
    return {"seed": seed, "photographer": name, "before": before, "after": after, "train_s": seconds,
            "calibration_before": calibrated_before, "calibration_after": calibrated_after,
            "scored_before": scored_before, "scored_after": scored_after, **outcome}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", required=True)
    parser.add_argument("--photos", type=int, default=240)
    parser.add_argument("--next", type=int, default=72, help="her newest photos: the next shoots")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for seed in args.seeds:
            for index in range(PHOTOGRAPHERS):
                rows.append(one(index, seed, args.photos, args.next, Path(scratch)))
                r = rows[-1]
                print(f"seed {r['seed']:>6} {r['photographer']:<8} F1@5 {r['before']:.3f} -> {r['after']:.3f}"
                      f"  {'activated' if r['activated'] else 'kept as it was'} (judged on {r['judged_on']},"
                      f" {r['train_s']:.0f} s)", flush=True)
    pooled_before = sum(r["before"] for r in rows) / len(rows)
    pooled_after = sum(r["after"] for r in rows) / len(rows)
    worse = [r for r in rows if r["after"] < r["before"] - 1e-9]
    print(f"\nF1@5 on the next shoots, mean over photographers: {pooled_before:.3f} -> {pooled_after:.3f}"
          f" ({(pooled_after / pooled_before - 1) * 100:+.1f} %); {len(worse)} of {len(rows)} photographers worse;"
          f" {sum(r['activated'] for r in rows)} retrains activated; seeds {args.seeds}")
    summary = {}
    for when in ("before", "after"):
        each = [r[f"calibration_{when}"] for r in rows if r[f"calibration_{when}"]["ece"] is not None]
        pooled = calibration_of([pair for r in rows for pair in r[f"scored_{when}"]])
        summary[when] = {"pooled": pooled, "mean_ece_per_photographer": sum(c["ece"] for c in each) / len(each)}
        print(f"calibration {when}: ECE (10 bins) of every shown suggestion pooled {pooled['ece']:.3f}"
              f" (mean of each photographer's own {summary[when]['mean_ece_per_photographer']:.3f}, where a few"
              f" hundred suggestions leave ~0.04 of sampling noise); scored >= 0.8: {pooled['sure']} shown,"
              f" {pooled['sure_wrong'] or 0:.0%} wrong")
    if args.json:
        args.json.write_text(json.dumps({"seeds": args.seeds, "photos": args.photos, "next": args.next,
                                         "pooled_before": pooled_before, "pooled_after": pooled_after,
                                         "calibration": summary, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
