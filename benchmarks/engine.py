"""Inference engine speed: indexing, decoding vs model time, suggestion latency, k-NN search.

    python -m benchmarks.engine                  # 12 MP JPEGs, CPU (and GPU when present)
    python -m benchmarks.engine --photos 32 --json out.json
    python -m benchmarks.engine --index-only --before 3606837   # an older tree side by side

Indexing runs in a process per tree (``benchmarks/index_rate.py``), as ``tagassist index`` runs
it, median of --repeat runs: the index rate, the model alone on the same photos decoded
beforehand (with the indexer's torch threads, and with every core) and their ratio, then the
index rate again while another process keeps one core busy. With ``--before COMMIT`` that
commit runs the same measures in a worktree, interleaved with this tree's, since the machine
may be shared and its load changes.

Targets: index >= 0.9 x the model-only rate on 12 MP JPEGs, and no worse than 1.5x slower with
one core kept busy; suggestion p50 < 5 ms and p99 < 20 ms at 10,000 tags; k-NN over 100,000
photos < 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from benchmarks.scan import make_library, peak_rss_mb

REPO = Path(__file__).resolve().parents[1]


def _median_rate(count: int, seconds: list[float]) -> float:
    return count / statistics.median(seconds)


def _index_rates(tree: Path, db: Path, library: Path, device: str, repeat: int, model: bool) -> dict:
    """benchmarks/index_rate.py run on ``tree``'s code, in a process of its own."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "index_rate.py"), "--db", str(db),
                           "--library", str(library), "--repeat", str(repeat), "--device", device,
                           *(["--model"] if model else [])],
                          cwd=tree, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_indexing(work: Path, library: Path, device: str, repeat: int, trees: dict[str, Path]) -> list[dict]:
    """Each tree's index rate, model-only rate and their ratio, then its index rate with one
    core kept busy by another process; the trees take turns in each phase."""
    measured = {name: {} for name in trees}
    for phase in ("idle", "one core busy"):
        busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if phase != "idle" else None
        try:
            for name, tree in trees.items():
                db = work / f"index-{abs(hash(name))}.sqlite"
                measured[name][phase] = _index_rates(tree, db, library, device, repeat, model=phase == "idle")
        finally:
            if busy is not None:
                busy.kill()
                busy.wait()
    rows = []
    for name, phases in measured.items():
        idle, loaded = phases["idle"], phases["one core busy"]
        rows.append({
            "what": f"index ({device}), {name}", "tree": name, "device": device, "batch": idle["batch"],
            "torch_threads": idle.get("torch_threads", idle["model_threads"]),
            "decode_workers": idle.get("decode_workers"),
            "photos_per_s": idle["index_per_s"], "model_per_s": idle["model_per_s"],
            "ratio": idle["index_per_s"] / idle["model_per_s"],
            "model_all_cores_per_s": idle["model_all_cores_per_s"],
            "ratio_all_cores": idle["index_per_s"] / idle["model_all_cores_per_s"],
            "one_core_busy_per_s": loaded["index_per_s"],
            "slowdown_one_core_busy": idle["index_per_s"] / loaded["index_per_s"],
            "runs_s": {"idle": idle["index_s"], "one core busy": loaded["index_s"]},
        })
    return rows


def _print_indexing(rows: list[dict]) -> None:
    print(f"\n{'indexing':<34}{'index/s':>9}{'model/s':>9}{'ratio':>7}{'all-core model/s':>18}{'ratio':>7}"
          f"{'1 core busy/s':>15}{'slower':>8}")
    for r in rows:
        print(f"{r['what']:<34}{r['photos_per_s']:>9.1f}{r['model_per_s']:>9.1f}{r['ratio']:>7.2f}"
              f"{r['model_all_cores_per_s']:>18.1f}{r['ratio_all_cores']:>7.2f}{r['one_core_busy_per_s']:>15.1f}"
              f"{r['slowdown_one_core_busy']:>7.2f}x")
        print(f"{'':<34}batch {r['batch']}, {r['torch_threads']} torch threads"
              + (f", {r['decode_workers']} decoding threads" if r["decode_workers"] else ""))


def synthetic_history(store, vocabulary: int, photos: int, dim: int, seed: int = 0):
    """A profile with ``photos`` tagged photos over ``vocabulary`` Zipf-distributed tags,
    embeddings, dates in shoots and GPS; returns untagged query photos."""
    from tagassist.store import Photo

    rng = np.random.default_rng(seed)
    profile = store.profiles.get()
    tag_names = [f"tag{i:05}" for i in range(vocabulary)]
    weights = 1.0 / np.arange(1, vocabulary + 1)
    weights /= weights.sum()
    queries = []
    with store.transaction() as conn:
        conn.executemany("INSERT OR IGNORE INTO tags (name) VALUES (?)", [(t,) for t in tag_names])
        tag_id = dict(conn.execute("SELECT name, id FROM tags").fetchall())
        for i in range(photos + 200):
            day = i // 40
            date = f"20{10 + day // 365 % 15:02}-{1 + day // 30 % 12:02}-{1 + day % 28:02}"
            photo = Photo(path=f"/bench/{i:06}.jpg", size=1, mtime_ns=1, content_hash=f"b{i:07}",
                          taken_at=f"{date}T{8 + i % 12:02}:00:00",
                          gps_lat=48 + (day % 50) / 10, gps_lon=11 + (day % 37) / 10,
                          camera_make="SONY", camera_model=f"ILCE-{i % 3}")
            store.photos.save(photo)
            store.embeddings.put_embeddings("bench", [(photo.content_hash, rng.normal(size=dim).astype(np.float32))])
            if i >= photos:
                queries.append(photo)
                continue
            chosen = rng.choice(vocabulary, size=rng.integers(2, 7), replace=False, p=weights)
            conn.executemany(
                "INSERT INTO assignments (profile_id, photo_id, tag_id, source, created_at)"
                " VALUES (?, ?, ?, 'imported', ?)",
                [(profile.id, photo.id, tag_id[tag_names[c]], photo.taken_at) for c in chosen],
            )
    return profile, queries


def bench_suggestions(work: Path, vocabularies: list[int], photos: int, repeat: int) -> list[dict]:
    from tagassist.engine.suggest import Suggester
    from tagassist.store import Store

    rows = []
    for vocabulary in vocabularies:
        with Store(work / f"suggest-{vocabulary}.sqlite") as store:
            profile, queries = synthetic_history(store, vocabulary, photos, 1280)
            started = time.perf_counter()
            suggester = Suggester(store.history, profile, "bench")
            build = time.perf_counter() - started
            latencies = []
            for _ in range(repeat):
                for photo in queries:
                    started = time.perf_counter()
                    suggester.suggest(photo, 10)
                    latencies.append((time.perf_counter() - started) * 1000)
            rows.append({
                "what": f"suggest, {vocabulary:,} tags, {photos:,} tagged photos",
                "p50_ms": float(np.percentile(latencies, 50)),
                "p99_ms": float(np.percentile(latencies, 99)),
                "history_build_s": build,
            })
    return rows


def bench_knn(n: int, dim: int, repeat: int) -> dict:
    """The visual signal's search: one matrix-vector product and a top-k over n vectors."""
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(n, dim)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    times = []
    for _ in range(max(repeat, 20)):
        query = rng.normal(size=dim).astype(np.float32)
        started = time.perf_counter()
        similarity = matrix @ query
        np.argpartition(-similarity, 15)[:15]
        times.append((time.perf_counter() - started) * 1000)
    return {"what": f"k-NN search, {n:,} x {dim}", "p50_ms": float(np.percentile(times, 50)),
            "p99_ms": float(np.percentile(times, 99))}


def main() -> None:
    parser = argparse.ArgumentParser(description="tagassist engine benchmark")
    parser.add_argument("--photos", type=int, default=96, help="12 MP JPEGs to index")
    parser.add_argument("--tagged", type=int, default=5000, help="tagged photos in the suggestion histories")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/engine.json"))
    parser.add_argument("--before", metavar="COMMIT", help="also index with this commit, in a worktree")
    parser.add_argument("--index-only", action="store_true", help="skip the suggestion and k-NN measures")
    args = parser.parse_args()

    from tagassist.engine.device import configure_cpu_threads

    threads = configure_cpu_threads()
    work = Path(tempfile.mkdtemp(prefix="tagassist-engine-"))
    trees = {"this tree": REPO}
    if args.before:
        trees[f"before ({args.before})"] = work / "before"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(work / "before"), args.before],
                       cwd=REPO, check=True)
    rows: list[dict] = []
    indexing: list[dict] = []
    try:
        make_library(work / "library", args.photos, (4000, 3000))
        devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
        for device in devices:
            indexing += bench_indexing(work, work / "library", device, args.repeat, trees)
        if not args.index_only:
            rows += bench_suggestions(work, [100, 1_000, 10_000], args.tagged, args.repeat)
            rows.append(bench_knn(100_000, 1280, args.repeat))
    finally:
        if args.before:
            subprocess.run(["git", "worktree", "remove", "--force", str(work / "before")], cwd=REPO, check=False)
        shutil.rmtree(work, ignore_errors=True)

    _print_indexing(indexing)
    print(f"\n{'measure':<52}{'photos/s':>10}{'p50 ms':>9}{'p99 ms':>9}")
    for r in rows:
        rate = f"{r['photos_per_s']:,.1f}" if "photos_per_s" in r else ""
        p50 = f"{r['p50_ms']:.2f}" if "p50_ms" in r else ""
        p99 = f"{r['p99_ms']:.2f}" if "p99_ms" in r else ""
        print(f"{r['what']:<52}{rate:>10}{p50:>9}{p99:>9}")
    peak = peak_rss_mb()
    load = ", load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    print(f"peak RSS {peak:,.0f} MB; {threads} cores; 12 MP JPEGs: {args.photos}{load}")
    report = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "torch": torch.__version__,
                    "gpu": torch.cuda.get_device_name() if torch.cuda.is_available() else None},
        "photos": args.photos, "tagged_photos": args.tagged, "repeat": args.repeat,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "peak_rss_mb": peak, "indexing": indexing, "results": rows,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2))
    print(f"written to {args.json}")


if __name__ == "__main__":
    main()
