"""Inference engine speed: indexing, decoding vs model time, suggestion latency, k-NN search.

    python -m benchmarks.engine                  # 12 MP JPEGs, CPU (and GPU when present)
    python -m benchmarks.engine --photos 32 --json out.json

Targets on 2 CPU cores: indexing >= 25 photos/s for 12 MP JPEGs with the default encoder;
suggestion p50 < 5 ms and p99 < 20 ms at 10,000 tags; k-NN over 100,000 photos < 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch

from benchmarks.scan import make_library, peak_rss_mb


def _median_rate(count: int, seconds: list[float]) -> float:
    return count / statistics.median(seconds)


def bench_indexing(store, library: Path, device: torch.device, repeat: int) -> list[dict]:
    from tagassist.engine.encoders import load_encoder
    from tagassist.services.indexing import decode_for, library_indexer

    encoder = load_encoder(None, device)
    photos = [p for p, _ in store.photos.list_photos(store.profiles.get())]
    rows = []
    for batch in (1, 32, None):  # None: the indexer's default for the device
        times = []
        for _ in range(repeat):
            store.database.execute("DELETE FROM embeddings")
            started = time.perf_counter()
            summary = library_indexer(store, encoder, device, batch_size=batch).run()
            times.append(time.perf_counter() - started)
            assert summary.indexed == len(photos), summary.failed[:3]
        label = f"batch {batch}" if batch else f"default batch {library_indexer(store, encoder, device).batch_size}"
        rows.append({"what": f"index, {label} ({device})", "photos_per_s": _median_rate(len(photos), times)})
    # Where the time goes: decoding alone (same thread pool) and the model alone.
    decode_times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with ThreadPoolExecutor(max(2, os.cpu_count() or 2)) as pool:
            tensors = list(pool.map(lambda p: decode_for(encoder, p), photos))
        decode_times.append(time.perf_counter() - started)
    indexer = library_indexer(store, encoder, device, batch_size=32)
    batch = torch.stack(tensors[:32])
    indexer.embed(batch)  # warm-up
    model_times = []
    for _ in range(repeat):
        started = time.perf_counter()
        indexer.embed(batch)
        model_times.append(time.perf_counter() - started)
    decode_rate = _median_rate(len(photos), decode_times)
    model_rate = _median_rate(len(batch), model_times)
    share = (1 / decode_rate) / (1 / decode_rate + 1 / model_rate)
    rows.append({"what": "decode + resize only (thread pool)", "photos_per_s": decode_rate})
    rows.append({"what": f"model only, batch 32 ({device})", "photos_per_s": model_rate})
    rows.append({"what": "decoding share of serial time", "share": share})
    return rows


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
            photo = Photo(path=f"/bench/{i:06}.jpg", size=1, mtime_ns=1, content_hash=f"b{i:07}",
                          taken_at=f"20{10 + day // 365 % 15:02}-{1 + day // 30 % 12:02}-{1 + day % 28:02}T{8 + i % 12:02}:00:00",
                          gps_lat=48 + (day % 50) / 10, gps_lon=11 + (day % 37) / 10,
                          camera_make="SONY", camera_model=f"ILCE-{i % 3}")
            store.photos.save(photo)
            store.embeddings.put_embeddings("bench", [(photo.content_hash, rng.normal(size=dim).astype(np.float32))])
            if i >= photos:
                queries.append(photo)
                continue
            chosen = rng.choice(vocabulary, size=rng.integers(2, 7), replace=False, p=weights)
            conn.executemany(
                "INSERT INTO assignments (profile_id, photo_id, tag_id, source, created_at) VALUES (?, ?, ?, 'imported', ?)",
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
    args = parser.parse_args()

    from tagassist.engine.device import configure_cpu_threads
    from tagassist.services.scanning import Scanner
    from tagassist.store import Store

    threads = configure_cpu_threads()
    work = Path(tempfile.mkdtemp(prefix="tagassist-engine-"))
    rows: list[dict] = []
    try:
        make_library(work / "library", args.photos, (4000, 3000))
        with Store(work / "index.sqlite") as store:
            Scanner(store, store.profiles.get()).run([work / "library"])
            devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
            for device in devices:
                rows += bench_indexing(store, work / "library", device, args.repeat)
        rows += bench_suggestions(work, [100, 1_000, 10_000], args.tagged, args.repeat)
        rows.append(bench_knn(100_000, 1280, args.repeat))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"\n{'measure':<52}{'photos/s':>10}{'p50 ms':>9}{'p99 ms':>9}")
    for r in rows:
        if "share" in r:
            print(f"{r['what']:<52}{r['share']:>10.0%}")
            continue
        rate = f"{r['photos_per_s']:,.1f}" if "photos_per_s" in r else ""
        p50 = f"{r['p50_ms']:.2f}" if "p50_ms" in r else ""
        p99 = f"{r['p99_ms']:.2f}" if "p99_ms" in r else ""
        print(f"{r['what']:<52}{rate:>10}{p50:>9}{p99:>9}")
    peak = peak_rss_mb()
    print(f"peak RSS {peak:,.0f} MB; {threads} torch threads; 12 MP JPEGs: {args.photos}")
    report = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "torch": torch.__version__,
                    "gpu": torch.cuda.get_device_name() if torch.cuda.is_available() else None},
        "photos": args.photos, "tagged_photos": args.tagged, "repeat": args.repeat,
        "peak_rss_mb": peak, "results": rows,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2))
    print(f"written to {args.json}")


if __name__ == "__main__":
    main()
