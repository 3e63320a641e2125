"""Score models side by side on a real tagging history, with the protocol of BASELINES.md.

    python -m trainer.evaluate --dataset lastfm:../shared/data/lastfm-2k --models mp,mp-u,mp-i,mp-ui \\
        --k 1,3,5,10 --json out.json

Datasets: ``lastfm:FOLDER`` (hetrec2011 Last.fm) or ``tagrec:FILE`` (TagRec CSV).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from .baselines import MostPopular, RecencyMostPopular
from .data import chronological_split, load_lastfm, load_tagrec
from .metrics import ranking_metrics

MODELS = {name: (lambda name=name: MostPopular(name)) for name in MostPopular.VARIANTS}
MODELS.update({name: (lambda name=name: RecencyMostPopular(name)) for name in RecencyMostPopular.VARIANTS})
MODELS["pitf"] = lambda: __import__("trainer.pitf", fromlist=["PITF"]).PITF()
MODELS["fm"] = lambda: __import__("trainer.pitf", fromlist=["FM"]).FM()


def load_dataset(spec: str):
    kind, _, path = spec.partition(":")
    loaders = {"lastfm": load_lastfm, "tagrec": load_tagrec}
    if kind not in loaders or not path:
        raise SystemExit(f"evaluate: --dataset must be lastfm:PATH or tagrec:PATH, not {spec!r}")
    if not Path(path).exists():
        raise SystemExit(f"evaluate: no such data set: {path}")
    return loaders[kind](path)


def evaluate(posts, model_names: list[str], ks: list[int]) -> dict:
    train, test = chronological_split(posts)
    report = {
        "posts": len(posts), "users": len({p.user for p in posts}),
        "train": len(train), "test": len(test), "models": {},
    }
    for name in model_names:
        started = time.perf_counter()
        model = MODELS[name]().fit(train)
        if hasattr(model, "recommend_many"):  # batched: learned models score many posts at once
            rankings = model.recommend_many(test, max(ks))
        else:
            rankings = [model.recommend(p.user, p.item, max(ks)) for p in test]
        metrics = ranking_metrics(rankings, [p.tags for p in test], ks)
        report["models"][name] = {
            "metrics": {str(k): v for k, v in metrics.items()},
            "seconds": time.perf_counter() - started,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    return report


def print_table(report: dict, ks: list[int]) -> None:
    print(f"posts {report['posts']:,}, users {report['users']:,}, train {report['train']:,}, test {report['test']:,}")
    header = "".join(f"{m}@{k:<4}" .rjust(9) for k in ks for m in ("P", "R", "F1", "Acc"))
    print(f"{'model':<8}{header}{'time s':>9}{'RSS MB':>9}")
    for name, result in report["models"].items():
        cells = "".join(f"{result['metrics'][str(k)][m]:>9.4f}" for k in ks for m in ("P", "R", "F1", "Acc"))
        print(f"{name:<8}{cells}{result['seconds']:>9.1f}{result['peak_rss_mb']:>9.0f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trainer.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="lastfm:FOLDER or tagrec:FILE")
    parser.add_argument("--models", default=",".join(MODELS), help=f"comma-separated: {', '.join(MODELS)}")
    parser.add_argument("--k", default="1,3,5,10", help="cut-offs, comma-separated")
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    names = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in names if m not in MODELS]
    if unknown:
        print(f"evaluate: unknown model(s) {', '.join(unknown)} (known: {', '.join(MODELS)})", file=sys.stderr)
        return 1
    ks = [int(k) for k in args.k.split(",")]
    report = evaluate(load_dataset(args.dataset), names, ks)
    print_table(report, ks)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
