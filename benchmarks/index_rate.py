"""One tree's indexing speed, in a process of its own (``benchmarks.engine`` runs it for this
tree and for ``--before COMMIT`` side by side): the index rate as ``tagassist index`` runs it,
and the model alone on the same photos decoded beforehand, with the indexer's torch threads and
with every core. Prints one JSON line.

    python benchmarks/index_rate.py --db X.sqlite --library DIR [--repeat 3] [--model] [--device cpu]

Run by path with PYTHONPATH set to the tree measured; it uses only what both trees have.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import torch


def _rate(count: int, seconds: list[float]) -> float:
    return count / statistics.median(seconds)


def model_rates(indexer, encoder, photos, repeat: int) -> dict:
    """Photos per second of the model alone, batches of the indexer's size, on tensors decoded
    beforehand: with the torch threads the indexer runs with, and with every allowed core."""
    from tagassist.services.indexing import decode_for

    tensors = [decode_for(encoder, p) for p in photos]
    size = indexer.batch_size
    batches = [torch.stack(tensors[i:i + size]) for i in range(0, len(tensors), size)]
    # the threads the indexer ran with where it chooses them (this tree), else torch's setting
    threads = indexer.used_threads[1] if getattr(indexer, "used_threads", None) else torch.get_num_threads()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    rates = {}
    for name, count in (("model_per_s", threads), ("model_all_cores_per_s", cores)):
        torch.set_num_threads(count)
        indexer.embed(batches[0])  # warm-up
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            for batch in batches:
                indexer.embed(batch)
            times.append(time.perf_counter() - started)
        rates[name], rates[name.replace("_per_s", "_threads")] = _rate(len(tensors), times), count
    return rates


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--library", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--model", action="store_true", help="also the model alone")
    args = parser.parse_args()

    from tagassist.engine.device import configure_cpu_threads
    from tagassist.engine.encoders import load_encoder
    from tagassist.services.indexing import library_indexer
    from tagassist.services.scanning import Scanner
    from tagassist.store import Store

    device = torch.device(args.device)
    if device.type == "cpu":
        configure_cpu_threads()  # as ``tagassist index`` does before it opens the indexer
    with Store(args.db) as store:
        profile = store.profiles.get()
        if not store.photos.list_photos(profile):
            Scanner(store, profile).run([args.library])
        photos = [p for p, _ in store.photos.list_photos(profile)]
        encoder = load_encoder(None, device)
        times = []
        for _ in range(args.repeat):
            store.database.execute("DELETE FROM embeddings")
            indexer = library_indexer(store, encoder, device)
            started = time.perf_counter()
            summary = indexer.run()
            times.append(time.perf_counter() - started)
            assert summary.indexed == len(photos), summary.failed[:3]
        result = {"photos": len(photos), "batch": indexer.batch_size, "index_s": times,
                  "index_per_s": _rate(len(photos), times)}
        if getattr(indexer, "used_threads", None):
            result["decode_workers"], result["torch_threads"] = indexer.used_threads
        if args.model:
            result.update(model_rates(indexer, encoder, photos, args.repeat))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
