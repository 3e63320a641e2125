"""Score tag models side by side on a real tagging history, with the protocol of BASELINES.md.

    python -m trainer.evaluate --dataset lastfm:../shared/data/lastfm-2k --models mp-ui,pitf,engine \\
        --k 1,3,5,10 --json out.json

Datasets: ``lastfm:FOLDER`` (hetrec2011 Last.fm, with its social graph and listening counts),
``tagrec:FILE`` (TagRec CSV) or ``store:DB`` (a tagassist library). Each model is trained and
scored in its own process (where the OS can fork), so its wall time and peak memory are its
own. Test posts whose item has no training tags are also scored apart (the cold-item slice).
``engine`` is what users get: the app's own suggestions (``trainer/engine_model.py``). The
papers' models are in ``trainer/research/``, from a source install only; ``tagassist eval``
runs this evaluator in the installed app with the baselines and ``engine``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os

try:  # Unix only: peak memory is reported where the platform says it
    import resource
except ImportError:  # Windows
    resource = None
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from .data import DataError, Post, chronological_split, load_lastfm, load_lastfm_side, load_tagrec
from .metrics import ranking_metrics
from .model_api import SideData
from .registry import LEARNED, MODELS, NEURAL, make_model

SHOW_PROGRESS = False  # --progress: one line per epoch on stderr
ITEM_FEATURES = {  # what a folksonomy model sees of an item, for the report
    "pitf": "item id", "fm": "item id",
    "engine": "tagassist suggest itself: the item as a photo (other users' tags on it, her tags on items"
              " alike by item features or tag-profile factors, her frequency, recency and sessions)",
}


def load_dataset(spec: str) -> tuple[list[Post], SideData]:
    kind, _, path = spec.partition(":")
    if kind not in ("lastfm", "tagrec", "store") or not path:
        raise SystemExit(f"evaluate: --dataset must be lastfm:PATH, tagrec:PATH or store:DB, not {spec!r}")
    if not Path(path).exists():
        raise SystemExit(f"evaluate: no such data set: {path}")
    notes: list[str] = []
    try:
        if kind == "lastfm":
            loaded = load_lastfm(path, notes), load_lastfm_side(path)
        elif kind == "tagrec":
            loaded = load_tagrec(path, notes), SideData()
    except DataError as exc:
        raise SystemExit(f"evaluate: {exc}") from None
    for note in notes:
        print(f"evaluate: {note}", file=sys.stderr)
    if kind in ("lastfm", "tagrec"):
        return loaded
    from .store_data import load_store

    return load_store(path)


def _features_used(name: str, side: SideData) -> str:
    if name in ITEM_FEATURES:
        return ITEM_FEATURES[name]
    if name not in NEURAL:
        return "tag counts only"
    parts = ["item id embedding", "item tag profile"]
    if side.item_features:
        parts.append("item feature vectors")
    elif side.interactions and name != "multitask":
        parts.append("factors of the interaction matrix")
    if name == "multitask":
        parts.append("aux target: " + ("interaction" if side.interactions else "user-item") + " factors")
    if name == "graphnet":
        parts.append("user: social-graph embedding" if side.friends else "user: no graph (zero embedding)")
    if name == "simr":
        parts.append("unlabelled: " + ("interactions" if side.interactions else "sampled user-item pairs"))
    return ", ".join(parts)


def score_model(name: str, train: Sequence[Post], test: Sequence[Post], side: SideData, ks: list[int],
                params: dict, cold: set[int]) -> dict:
    started = time.perf_counter()
    epochs_seen: list[dict] = []

    def record(event: dict) -> None:
        epochs_seen.append(event)
        if SHOW_PROGRESS:
            print(f"  {name}: " + ", ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}"
                                            for k, v in event.items()), file=sys.stderr, flush=True)

    model = make_model(name, **params)
    model.fit(train, record, side)
    trained = time.perf_counter()
    rankings = model.recommend_many(test, max(ks))
    scored = time.perf_counter()
    truths = [p.tags for p in test]
    result = {
        "metrics": {str(k): v for k, v in ranking_metrics(rankings, truths, ks).items()},
        "train_seconds": trained - started,
        "score_seconds": scored - trained,
        "seconds": scored - started,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 if resource else None,
        "features": _features_used(name, side),
        "params": {k: v for k, v in model.params().items() if k not in ("variant",)},
    }
    if cold:
        cold_rows = sorted(cold)
        result["cold_items"] = {str(k): v for k, v in ranking_metrics(
            [rankings[r] for r in cold_rows], [truths[r] for r in cold_rows], ks).items()}
    passes = [e for e in epochs_seen if e.get("stage") in ("train", "select-epochs")]
    if name in LEARNED and passes:
        examples = sum(len(p.tags) for p in train)  # (post, tag) pairs per epoch
        result["epochs"] = sum(1 for e in passes if e["stage"] == "train")
        result["examples_per_s"] = examples * len(passes) / max(result["train_seconds"], 1e-9)
    return result


def _child(connection, *args) -> None:
    try:
        connection.send(("ok", score_model(*args)))
    except BaseException:  # noqa: BLE001 - the parent reports it and goes on with the next model
        connection.send(("error", traceback.format_exc()))
    finally:
        connection.close()


def score_isolated(*args) -> dict:
    """score_model in a forked process where the OS allows it, so peak memory is this model's."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return score_model(*args)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(send, *args))
    process.start()
    send.close()
    status, payload = receive.recv()
    process.join()
    if status == "error":
        raise RuntimeError(payload)
    return payload


def evaluate(posts: Sequence[Post], model_names: list[str], ks: list[int], side: SideData | None = None,
             params: dict[str, dict] | None = None, isolate: bool = False, on_model=None) -> dict:
    side = side or SideData()
    train, test = chronological_split(posts)
    items_with_tags = {p.item for p in train}
    cold = {r for r, p in enumerate(test) if p.item not in items_with_tags}
    report = {
        "posts": len(posts), "users": len({p.user for p in posts}),
        "train": len(train), "test": len(test), "cold_item_test_posts": len(cold),
        "side_data": side.describe(), "models": {},
    }
    run = score_isolated if isolate else score_model
    for name in model_names:
        report["models"][name] = run(name, train, test, side, ks, (params or {}).get(name, {}), cold)
        if on_model:
            on_model(name, report)
    return report


def print_table(report: dict, ks: list[int], out=sys.stdout) -> None:
    def line(text=""):
        print(text, file=out)

    line(f"posts {report['posts']:,}, users {report['users']:,}, train {report['train']:,}, test {report['test']:,}"
         f" (cold-item test posts {report['cold_item_test_posts']:,});"
         f" side data: {', '.join(report['side_data']) or 'none'}")
    header = "".join(f"{m}@{k}".rjust(8) for k in ks for m in ("P", "R", "F1", "Acc"))
    line(f"{'model':<11}{header}{'train s':>9}{'score s':>9}{'RSS MB':>8}{'ex/s':>9}")
    for name, r in report["models"].items():
        cells = "".join(f"{r['metrics'][str(k)][m]:>8.4f}" for k in ks for m in ("P", "R", "F1", "Acc"))
        speed = f"{r['examples_per_s']:>9,.0f}" if "examples_per_s" in r else " " * 9
        line(f"{name:<11}{cells}{r['train_seconds']:>9.1f}{r['score_seconds']:>9.1f}{r['peak_rss_mb']:>8.0f}{speed}")
    if report["cold_item_test_posts"]:
        line()
        line(f"cold-item slice ({report['cold_item_test_posts']:,} test posts whose item has no training tags)")
        line(f"{'model':<11}" + "".join(f"{m}@{k}".rjust(8) for k in ks for m in ("P", "R", "F1", "Acc")))
        for name, r in report["models"].items():
            line(f"{name:<11}"
                 + "".join(f"{r['cold_items'][str(k)][m]:>8.4f}" for k in ks for m in ("P", "R", "F1", "Acc")))
    line()
    for name, r in report["models"].items():
        line(f"{name:<11}features: {r['features']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trainer.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="lastfm:FOLDER, tagrec:FILE or store:DB")
    parser.add_argument("--models", default=",".join(MODELS), help=f"comma-separated: {', '.join(MODELS)}")
    parser.add_argument("--k", default="1,3,5,10", help="cut-offs, comma-separated")
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or mps for the neural models")
    parser.add_argument("--search", type=int, default=0, metavar="N",
                        help="choose each learned model's hyper-parameters by N random trials on a validation"
                             " split cut from the training data (default: their defaults)")
    parser.add_argument("--progress", action="store_true", help="print each training epoch on stderr")
    args = parser.parse_args(argv)
    global SHOW_PROGRESS
    SHOW_PROGRESS = args.progress
    names = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in names if m not in MODELS]
    if unknown:
        print(f"evaluate: unknown model(s) {', '.join(unknown)} (known: {', '.join(MODELS)})", file=sys.stderr)
        return 1
    for name in names:  # a research model left out of this installation is said before any work
        try:
            make_model(name)
        except KeyError as exc:
            print(f"evaluate: {exc.args[0]}", file=sys.stderr)
            return 1
    try:
        ks = sorted({int(k) for k in args.k.split(",")})
    except ValueError:
        print(f"evaluate: --k takes whole numbers, e.g. 1,3,5,10, not {args.k!r}", file=sys.stderr)
        return 1
    posts, side = load_dataset(args.dataset)
    if not chronological_split(posts)[1]:  # nothing to score: every metric would divide by zero
        print(f"evaluate: nothing to score in {args.dataset}: {len(posts)} tagged item(s); it takes a user (a"
              " photographer) with at least 5 tagged photos, whose newest fifth is scored", file=sys.stderr)
        return 1
    params = {name: ({"device": args.device} if name in NEURAL else {}) for name in names}
    search_log = {}
    if args.search:
        from .search import search

        train, _ = chronological_split(posts)
        for name in names:
            if name in LEARNED:
                best, trials = search(name, train, side, args.search, fixed=params[name],
                                      log=lambda text: print(text, file=sys.stderr))
                params[name] = best
                search_log[name] = trials
    def progress(name: str, partial: dict) -> None:
        result = partial["models"][name]
        print(f"evaluate: {name} done in {result['seconds']:.0f} s, F1@{ks[len(ks) // 2]}"
              f" {result['metrics'][str(ks[len(ks) // 2])]['F1']:.4f}", file=sys.stderr, flush=True)
        if args.json:  # a long run keeps what it has finished
            args.json.write_text(json.dumps({**partial, "dataset": args.dataset, "partial": True}, indent=2))

    report = evaluate(posts, names, ks, side, params, isolate=os.environ.get("TAGASSIST_EVAL_INPROCESS") != "1",
                      on_model=progress)
    report["dataset"] = args.dataset
    if search_log:
        report["search"] = search_log
    print_table(report, ks)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
