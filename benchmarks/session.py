"""Simulated tagging sessions: does tagassist get better as a photographer works?

    python -m benchmarks.session                       # 3 photographers x 200 photos, retrain every 25
    python -m benchmarks.session --photographers 4 --photos 300 --retrain-every 50
    python -m benchmarks.session --confidence-threshold 0.5   # as the app's setting of that name

For each simulated photographer (``photosim/photographers.py``) the library is
rendered with real EXIF, scanned and indexed through tagassist's own API. Then the
photographer tags it in date order: before each photo the top 5 suggestions are shown (with a
confidence threshold, only those of them scoring at least that much); those in her truth are
accepted, the others rejected, the missing ones typed. Strategies, each replayed on a fresh
copy of the indexed library:
  generic    content words from the encoder's ImageNet predictions (what a non-personal tagger offers)
  mp-u       her most frequent tags so far
  signals    tagassist's suggestions with no training (history signals: frequency, shoot, k-NN, ...)
  tagassist  the same plus "Retrain on my tags" every N photos (the trained model is one more signal)
Reported per block of photos: acceptance rate (precision of the shown suggestions), recall of
her truth (and its ceiling: the share of her tags she had used before), keystrokes saved
against typing everything (typing a tag costs its length + 1, accepting costs 1), and each
retrain's time. Writes benchmarks/results/session.json and, with
matplotlib installed, session.png.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from photosim.library import prepare_library

RESULTS = Path(__file__).resolve().parent / "results"
STRATEGIES = ("generic", "mp-u", "signals", "tagassist")
SHOWN = 5


def _cost(tags) -> int:
    return sum(len(t) + 1 for t in tags)


def replay(db: Path, truth: list[dict], profile_name: str, strategy: str, retrain_every: int,
           threshold: float = 0.0) -> dict:
    from tagassist.engine.suggest import Suggester
    from tagassist.models.scoring import active_model_scorer
    from tagassist.store import Store

    rows, retrains = [], []
    typed_counts: Counter = Counter()
    with Store(db) as store:
        profile = store.profiles.get(profile_name)
        encoder = store.settings.active_encoder()
        by_path = {photo.path: photo for photo, _ in store.photos.list_photos(profile)}
        suggester = Suggester(store.history, profile, encoder)
        for n, item in enumerate(truth):
            photo = by_path[item["path"]]
            wanted = set(item["tags"])
            if strategy == "generic":
                shown = [t for t, p in _generic(store, encoder, photo)[:SHOWN] if p >= threshold]
            elif strategy == "mp-u":
                shown = [t for t, _ in sorted(typed_counts.items(), key=lambda x: (-x[1], x[0]))[:SHOWN]]
            else:
                shown = [s.tag for s in suggester.suggest(photo, SHOWN) if s.score >= threshold]
            accepted = [t for t in shown if t in wanted]
            rejected = [t for t in shown if t not in wanted]
            typed = sorted(wanted - set(shown))
            if accepted:
                store.tagging.add_tags(profile, [photo.id], accepted, source="accepted")
            if typed:
                store.tagging.add_tags(profile, [photo.id], typed, source="typed")
            if rejected:
                store.tagging.reject_tags(profile, [photo.id], rejected)
            reachable = sum(1 for t in wanted if t in typed_counts)  # she had used it before
            typed_counts.update(wanted)
            best_odds = sorted(item["odds"].values(), reverse=True)[:SHOWN]
            rows.append({"shown": len(shown), "accepted": len(accepted), "truth": len(wanted), "reachable": reachable,
                         "bayes_accepted": sum(best_odds),
                         "keystrokes": _cost(typed) + len(accepted), "keystrokes_all": _cost(wanted)})
            if strategy == "tagassist" and (n + 1) % retrain_every == 0 and n + 1 < len(truth):
                retrains.append(_retrain(store, profile, encoder, n + 1))
                suggester.model_scorer = active_model_scorer(store, profile, encoder)
                suggester.refresh()  # as the app does after a model change: read (and calibrate) again
            else:
                suggester.refresh([photo.id])  # as the app does after a tag change: this photo only
    return {"rows": rows, "retrains": retrains}


def _generic(store, encoder: str, photo) -> list[tuple[str, float]]:
    from tagassist.engine.content_words import content_tag_matrix
    from tagassist.engine.indexer import content_encoder_id

    vector = store.embeddings.embeddings(content_encoder_id(encoder), [photo.content_hash]).get(photo.content_hash)
    if vector is None:
        return []
    names = content_tag_matrix()[0]
    return [(t, -p) for p, t in sorted(zip((-float(v) for v in vector), names))]


def _retrain(store, profile, encoder: str, photos_done: int) -> dict:
    from trainer.pipeline import train_profile

    started = time.perf_counter()
    try:
        result = train_profile(store, profile, encoder)
    except ValueError as exc:  # too few tagged photos yet
        return {"after_photos": photos_done, "skipped": str(exc)}
    return {"after_photos": photos_done, "seconds": round(time.perf_counter() - started, 2),
            "activated": result.activated, "before_f1_at_5": round(result.before_f1_at_5, 4),
            "after_f1_at_5": round(result.after_f1_at_5, 4)}


def curve(rows: list[dict], block: int) -> list[dict]:
    out = []
    for start in range(0, len(rows), block):
        chunk = rows[start : start + block]
        shown = sum(r["shown"] for r in chunk)
        out.append({
            "photos": start + len(chunk),
            "acceptance": sum(r["accepted"] for r in chunk) / shown if shown else 0.0,
            "recall": sum(r["accepted"] for r in chunk) / sum(r["truth"] for r in chunk),
            # The most any personal suggester could reach: tags she had used before this photo.
            "recall_ceiling": sum(r["reachable"] for r in chunk) / sum(r["truth"] for r in chunk),
            # Acceptance if the 5 shown always held every such tag first: with 2 to 4 tags a
            # photo, even a perfect suggester has some of the 5 rejected.
            "acceptance_ceiling": sum(min(r["reachable"], SHOWN) for r in chunk) / (SHOWN * len(chunk)),
            # The best any suggester can expect: the 5 tags the generator itself makes likeliest
            # for the photo's shoot and scene (favourites and some words are coin flips).
            "acceptance_bayes": sum(r["bayes_accepted"] for r in chunk) / (SHOWN * len(chunk)),
            "keystrokes_saved": 1 - sum(r["keystrokes"] for r in chunk) / sum(r["keystrokes_all"] for r in chunk),
        })
    return out


def plot(report: dict, path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    for strategy in STRATEGIES:
        mean = report["mean_curves"][strategy]
        x = [point["photos"] for point in mean]
        axes[0].plot(x, [p["acceptance"] for p in mean], marker="o", label=strategy)
        axes[1].plot(x, [p["keystrokes_saved"] for p in mean], marker="o", label=strategy)
    if not report["confidence_threshold"]:  # with a threshold fewer are shown, and the bound is 1
        axes[0].plot(x, [p["acceptance_ceiling"] for p in mean], "--", color="grey", label="ceiling: known tags first")
        axes[0].plot(x, [p["acceptance_bayes"] for p in mean], ":", color="black", label="Bayes-optimal (expected)")
    axes[0].set(title="Acceptance of shown suggestions", xlabel="photos tagged", ylabel="accepted / shown", ylim=(0, 1))
    axes[1].set(title="Keystrokes saved vs typing everything", xlabel="photos tagged", ylabel="share saved",
                ylim=(0, 1))
    for axis in axes:
        axis.grid(alpha=0.3)
        axis.legend()
    figure.suptitle(f"{report['photographers']} simulated photographers, {report['photos']} photos each, "
                    f"retrain every {report['retrain_every']}"
                    + (f", confidence threshold {report['confidence_threshold']:g}"
                       if report["confidence_threshold"] else ""))
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photographers", type=int, default=3)
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--retrain-every", type=int, default=25)
    parser.add_argument("--block", type=int, default=25, help="photos per point of the curves")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--confidence-threshold", type=float, default=0.0, metavar="T",
                        help="as the app's setting: only suggestions scoring T or more are shown (MP-u shows 5)")
    parser.add_argument("--out", type=Path, default=RESULTS / "session.json")
    args = parser.parse_args(argv)
    report = {"photographers": args.photographers, "photos": args.photos, "retrain_every": args.retrain_every,
              "confidence_threshold": args.confidence_threshold,
              "runs": {}}
    with tempfile.TemporaryDirectory(prefix="tagassist-session-") as scratch:
        os.environ["TAGASSIST_DATA_DIR"] = str(Path(scratch) / "data")  # model bundles land here
        os.environ["TAGASSIST_CACHE_DIR"] = str(Path(scratch) / "cache")
        for index in range(args.photographers):
            root = Path(scratch) / f"p{index}"
            started = time.perf_counter()
            db, truth, name = prepare_library(root, index, args.photos, args.seed)
            print(f"{name}: {len(truth)} photos rendered, scanned and indexed in {time.perf_counter() - started:.0f} s",
                  flush=True)
            report["runs"][name] = {}
            for strategy in STRATEGIES:
                copy = root / f"{strategy}.sqlite"
                shutil.copy(db, copy)
                started = time.perf_counter()
                result = replay(copy, truth, name, strategy, args.retrain_every, args.confidence_threshold)
                points = curve(result["rows"], args.block)
                report["runs"][name][strategy] = {"curve": points, "retrains": result["retrains"],
                                                  "total": curve(result["rows"], len(result["rows"]))[0],
                                                  "seconds": round(time.perf_counter() - started, 1)}
                last = points[-1]
                print(f"  {strategy:<10} acceptance {report['runs'][name][strategy]['total']['acceptance']:.3f}"
                      f" (last block {last['acceptance']:.3f}), keystrokes saved"
                      f" {report['runs'][name][strategy]['total']['keystrokes_saved']:.3f}"
                      f" (last block {last['keystrokes_saved']:.3f})", flush=True)
    names = list(report["runs"])
    report["mean_curves"] = {
        s: [{key: statistics.mean(report["runs"][n][s]["curve"][b][key] for n in names)
             for key in ("photos", "acceptance", "recall", "recall_ceiling", "acceptance_ceiling",
                         "acceptance_bayes", "keystrokes_saved")}
            for b in range(len(report["runs"][names[0]][s]["curve"]))]
        for s in STRATEGIES
    }
    retrain_times = [r["seconds"] for n in names for r in report["runs"][n]["tagassist"]["retrains"] if "seconds" in r]
    report["retrain_seconds_median"] = statistics.median(retrain_times) if retrain_times else None
    print()
    print(f"{'photos':>7}" + "".join(f"{s:>22}" for s in STRATEGIES) + f"{'ceiling':>10}{'Bayes':>8}"
          + "   (acceptance / keystrokes saved, mean; ceiling: acceptance with her known tags first;"
          " Bayes: the expected acceptance of the generator's own 5 likeliest tags)")
    for b in range(len(report["mean_curves"]["generic"])):
        cells = "".join(f"{report['mean_curves'][s][b]['acceptance']:>13.3f}"
                        f" / {report['mean_curves'][s][b]['keystrokes_saved']:.3f}" for s in STRATEGIES)
        point = report["mean_curves"]["signals"][b]
        print(f"{point['photos']:>7.0f}{cells}{point['acceptance_ceiling']:>10.3f}{point['acceptance_bayes']:>8.3f}")
    if report["retrain_seconds_median"] is not None:
        print(f"retrain (head): median {report['retrain_seconds_median']:.1f} s over {len(retrain_times)} retrains")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    if plot(report, args.out.with_suffix(".png")):
        print(f"plot: {args.out.with_suffix('.png')}")
    print(f"report: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
