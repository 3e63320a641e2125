"""How long "Retrain on my tags" (head mode) takes on a large library.

    python -m benchmarks.retrain                       # 10,000 tagged photos, 2 repeats
    python -m benchmarks.retrain --photos 2000 --repeat 1 --json out.json

Target on 2 CPU cores: head retrain on 10,000 tagged photos < 60 s. The library is
synthetic but shaped like a photographer's: 1280-d embeddings (EfficientNet-Lite0's size)
around 60 scene centres, 3 to 5 tags per scene from a vocabulary of about 500, a name per
shoot (a day, one place, 10 to 60 photos) and a few favourite tags. Each repeat trains from
scratch on a fresh copy and reports where the time went (training epochs, the ranker's
history replay, the held-out comparison).
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
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import torch

from benchmarks.scan import peak_rss_mb

ENCODER = "bench-lite0"


def synthetic_library(db: Path, photos: int, seed: int = 0) -> None:
    from tagassist.store import Photo, Store

    rng = np.random.default_rng(seed)
    scenes = rng.normal(size=(60, 1280)).astype(np.float32)
    scene_tags = [[f"scene{s}-{j}" for j in range(rng.integers(3, 6))] for s in range(60)]
    favourites = ["favourite", "portfolio", "film look"]
    with Store(db) as store:
        profile = store.profiles.get()
        store.settings.set_active_encoder(ENCODER)
        when, done, shoot = datetime(2019, 1, 1, 9), 0, 0
        with store.transaction():  # one commit for the whole library
            while done < photos:
                size = min(int(rng.integers(10, 61)), photos - done)
                lat, lon = 35 + rng.uniform(0, 20), -5 + rng.uniform(0, 30)
                shoot_scenes = rng.choice(60, size=3, replace=False)
                for i in range(size):
                    scene = int(rng.choice(shoot_scenes))
                    photo = Photo(path=f"/bench/{shoot:05}/{i:03}.jpg", size=1, mtime_ns=1,
                                  content_hash=f"r{done:07}", taken_at=(when + timedelta(minutes=5 * i)).isoformat(),
                                  gps_lat=lat + rng.normal(0, 0.002), gps_lon=lon + rng.normal(0, 0.002),
                                  camera_make="FUJIFILM", camera_model="X-T4")
                    store.photos.save(photo)
                    vector = scenes[scene] + 0.6 * rng.normal(size=1280).astype(np.float32)
                    store.embeddings.put_embeddings(ENCODER, [(photo.content_hash, vector)])
                    tags = [t for t in scene_tags[scene] if rng.uniform() < 0.7] or scene_tags[scene][:1]
                    tags += [f"trip{shoot}"] if shoot % 3 == 0 else []
                    tags += [f for f in favourites if rng.uniform() < 0.15]
                    store.tagging.add_tags(profile, [photo.id], tags, "imported")
                    done += 1
                when += timedelta(days=int(rng.integers(2, 20)))
                shoot += 1


def retrain_once(db: Path, models: Path) -> dict:
    from tagassist.store import Store
    from trainer.pipeline import train_profile

    stages: dict[str, float] = {}
    last = [time.perf_counter(), "load"]

    def on_progress(event: dict) -> None:  # time from one stage's first event to the next's
        now = time.perf_counter()
        stages[last[1]] = stages.get(last[1], 0.0) + now - last[0]
        last[:] = [now, event["stage"] + (f"-{event['step']}" if event["stage"] == "compare" else "")]

    with Store(db) as store:
        started = time.perf_counter()
        result = train_profile(store, store.profiles.get(), ENCODER, on_progress=on_progress, models_dir=models)
        seconds = time.perf_counter() - started
    stages[last[1]] = stages.get(last[1], 0.0) + time.perf_counter() - last[0]
    return {"seconds": seconds, "epochs": len(result.history), "before_f1_at_5": result.before_f1_at_5,
            "after_f1_at_5": result.after_f1_at_5, "model_f1_at_5": result.model_f1_at_5,
            "train_photos": result.train_photos, "validation_photos": result.validation_photos,
            "stages_s": {k: round(v, 2) for k, v in stages.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/retrain.json"))
    args = parser.parse_args()

    from tagassist.engine.device import configure_cpu_threads

    threads = configure_cpu_threads()
    work = Path(tempfile.mkdtemp(prefix="tagassist-retrain-"))
    try:
        started = time.perf_counter()
        synthetic_library(work / "library.sqlite", args.photos)
        print(f"{args.photos:,} tagged photos generated in {time.perf_counter() - started:.0f} s", flush=True)
        runs = []
        for repeat in range(args.repeat):
            copy = work / f"run{repeat}.sqlite"
            shutil.copy(work / "library.sqlite", copy)
            runs.append(retrain_once(copy, work / f"models{repeat}"))
            run = runs[-1]
            print(f"run {repeat + 1}: {run['seconds']:.1f} s, {run['epochs']} epochs, held-out engine F1@5"
                  f" {run['before_f1_at_5']:.3f} -> {run['after_f1_at_5']:.3f}; {run['stages_s']}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    median = statistics.median(r["seconds"] for r in runs)
    print(f"\n{'measure':<44}{'value':>10}")
    print(f"{'head retrain, median of ' + str(len(runs)) + ' (s)':<44}{median:>10.1f}")
    print(f"{'target (s)':<44}{60:>10}")
    print(f"{'peak RSS (MB)':<44}{peak_rss_mb():>10,.0f}")
    report = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "torch": torch.__version__,
                          "threads": threads},
              "photos": args.photos, "median_seconds": median, "target_seconds": 60, "runs": runs,
              "peak_rss_mb": peak_rss_mb()}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2))
    print(f"written to {args.json}")


if __name__ == "__main__":
    main()
