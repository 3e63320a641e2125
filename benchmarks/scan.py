"""Scan speed and memory: first scan, unchanged rescan, thumbnails, a 100,000-photo database.

    python -m benchmarks.scan                 # 5,000 photos of 2 MP
    python -m benchmarks.scan --large         # 12 MP photos (4000x3000), 300 of them by default
    python -m benchmarks.scan --n 1000 --json out.json
    python -m benchmarks.scan --raw           # 24 MP DNGs with full-size JPEG previews, 200 of them

Each phase runs in a fresh subprocess, so its peak RSS is its own. Timings are medians of
``--repeat`` runs. Targets (2 cores): first scan >= 300 photos/s, unchanged rescan >= 3,000
photos/s, 12 MP thumbnails >= 40/s, peak RSS < 300 MB with 100,000 photos in the database.
RAW targets (2 cores): metadata scan >= 200 RAW/s, thumbnails >= 30/s, index >= 20/s, peak RSS
< 400 MB (the index phase also carries torch and the encoder; ``--raw`` measures the same index
on the previews saved as JPEG files side by side, so the RAW path's own cost shows).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from PIL import Image

from photosim.metadata import Shot, build_exif
from photosim.render import SCENES, render

DISTINCT_IMAGES = 24  # distinct encodings; every file still differs (and hashes) differently


def make_library(target: Path, n: int, size: tuple[int, int]) -> None:
    """n JPEGs with real EXIF and camera-like noise, so they compress like photographs."""
    rng = np.random.default_rng(0)
    target.mkdir(parents=True, exist_ok=True)
    encodings = []
    for i in range(DISTINCT_IMAGES):
        image = np.asarray(render(SCENES[i % len(SCENES)], i, size), dtype=np.int16)
        noisy = np.clip(image + rng.normal(0, 6, image.shape), 0, 255).astype(np.uint8)
        shot = Shot(taken_at=datetime(2024, 1, 1) + timedelta(hours=i), gps=(48.1 + i / 100, 11.5))
        path = target / "template.jpg"
        Image.fromarray(noisy).save(path, "JPEG", quality=90, exif=build_exif(shot))
        encodings.append(path.read_bytes())
        path.unlink()
    for i in range(n):
        folder = target / f"shoot-{i // 500:03}"
        folder.mkdir(parents=True, exist_ok=True)
        # Bytes after the end-of-image marker make each file unique without re-encoding.
        (folder / f"IMG_{i:06}.jpg").write_bytes(encodings[i % DISTINCT_IMAGES] + i.to_bytes(4, "little"))


RAW_SIZE = (6000, 4000)  # 24 MP


def make_raw_library(target: Path, n: int, jpeg_twins: Path | None = None, *, medium: bool = False) -> None:
    """n DNGs of 24 MP with full-size JPEG previews, as cameras write them, and with
    ``medium`` a second preview of 1620 px (as CR3 and ARW files and Adobe's DNGs carry).
    The sensor data is a sparse hole (it is only read when a RAW has no preview), so the files
    have their real size without taking the disk. ``jpeg_twins``: the full-size previews as
    plain JPEG files."""
    from photosim.dng import save_dng

    rng = np.random.default_rng(0)
    target.mkdir(parents=True, exist_ok=True)
    previews = []
    for i in range(6):
        small = np.asarray(render(SCENES[i % len(SCENES)], i, (1500, 1000)), dtype=np.int16)
        image = np.repeat(np.repeat(small, 4, axis=0), 4, axis=1)
        noisy = np.clip(image + rng.normal(0, 6, image.shape), 0, 255).astype(np.uint8)
        encoded = []
        for side in (None, 1620):
            picture = Image.fromarray(noisy)
            if side:
                picture.thumbnail((side, side))
            buffer = io.BytesIO()
            picture.save(buffer, "JPEG", quality=85)
            encoded.append(buffer.getvalue())
        previews.append(encoded)
    placeholder = Image.new("RGB", RAW_SIZE)  # the sensor data is not written ("sparse")
    for i in range(n):
        folder = target / f"shoot-{i // 500:03}"
        folder.mkdir(parents=True, exist_ok=True)
        shot = Shot(taken_at=datetime(2024, 1, 1) + timedelta(minutes=i), make="Canon", model="Canon EOS R6",
                    gps=(48.1 + i / 1000, 11.5))
        full, smaller = previews[i % 6]
        save_dng(placeholder, folder / f"IMG_{i:06}.dng", shot, sensor="sparse", preview_jpeg=full,
                 medium_jpeg=smaller if medium else None)
        if jpeg_twins is not None:
            twin = jpeg_twins / folder.name
            twin.mkdir(parents=True, exist_ok=True)
            (twin / f"IMG_{i:06}.jpg").write_bytes(full + i.to_bytes(4, "little"))


def peak_rss_mb() -> float:
    """Peak resident memory of this process. ru_maxrss survives fork+exec on Linux (a child
    reports its parent's peak), so VmHWM, which belongs to the new address space, comes first."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def fill_database(db: Path, rows: int) -> None:
    """Add synthetic photo rows (with tags) so the database holds ``rows`` photos in all."""
    from tagassist.store import Store

    with Store(db) as store:
        profile = store.profiles.get()
        have = store.database.scalar("SELECT COUNT(*) FROM photos")
        now = "2024-01-01T00:00:00"
        with store.transaction() as conn:
            conn.executemany(
                "INSERT INTO photos (path, folder, size, mtime_ns, content_hash, status, added_at, scanned_at,"
                " width, height, taken_at, camera_make, camera_model)"
                " VALUES (?, ?, 1000000, 1, ?, 'ok', ?, ?, 6000, 4000, ?, 'SONY', 'ILCE-7M4')",
                [
                    (f"/archive/{i // 1000:04}/DSC{i:07}.ARW.jpg".encode(), f"/archive/{i // 1000:04}".encode(),
                     f"{i:032x}", now, now, now)
                    for i in range(rows - have)
                ],
            )
        ids = [r[0] for r in store.database.execute("SELECT id FROM photos WHERE path LIKE '/archive/%' LIMIT 20000")]
        store.tagging.add_tags(profile, ids, ["archive", "Places|Germany|Munich"], "imported")


def run_phase(args: argparse.Namespace) -> dict:
    """One measured phase, in this (child) process."""
    from tagassist.library import ThumbnailCache
    from tagassist.services.scanning import Scanner
    from tagassist.store import Store

    library, db = Path(args.library), Path(args.db)
    with Store(db) as store:
        profile = store.profiles.get()
        if args.phase == "index":  # loading torch and the model once is not per photo
            from tagassist.services.indexing import open_indexer

            indexer = open_indexer(store, None, "cpu")
        started = time.perf_counter()
        if args.phase in ("first-scan", "rescan"):
            summary = Scanner(store, profile).run([library])
            count = summary.found
            assert summary.failed == 0, summary.problems[:3]
        elif args.phase == "thumbnails":
            photos = [p for p, _ in store.photos.list_photos(profile, folder=str(library))]
            cache = ThumbnailCache(args.thumbs)
            with ThreadPoolExecutor(args.workers) as pool:  # Pillow decodes with the GIL released
                list(pool.map(lambda p: cache.get(p.path, p.content_hash, p.orientation), photos))
            count = len(photos)
        elif args.phase == "index":
            summary = indexer.run()
            count = summary.indexed
            assert not summary.failed, summary.failed[:3]
        elif args.phase == "big-db rescan":
            count = Scanner(store, profile).run([library]).found
        elif args.phase == "big-db list":  # what `tagassist photos` and the app's grid load
            count = len(store.photos.list_photos(profile))
        seconds = time.perf_counter() - started
    return {"phase": args.phase, "count": count, "seconds": seconds, "peak_rss_mb": peak_rss_mb()}


def measure(phase: str, library: Path, db: Path, thumbs: Path, workers: int) -> dict:
    command = [sys.executable, "-m", "benchmarks.scan", "--phase", phase, "--library", str(library),
               "--db", str(db), "--thumbs", str(thumbs), "--workers", str(workers)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description="tagassist scan benchmark")
    parser.add_argument("--n", type=int, help="photos in the generated library (default 5000, 300 with --large)")
    parser.add_argument("--large", action="store_true", help="12 MP photos instead of 2 MP")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db-rows", type=int, default=100_000, help="photos in the database for the memory phase")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="thumbnail threads")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/scan.json"))
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--library", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--thumbs", help=argparse.SUPPRESS)
    parser.add_argument("--raw", action="store_true", help="24 MP DNG files with full-size embedded previews")
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(run_phase(args)))
        return
    if args.raw:
        raw_benchmark(args)
        return

    n = args.n or (300 if args.large else 5000)
    size = (4000, 3000) if args.large else (1728, 1152)
    work = Path(tempfile.mkdtemp(prefix="tagassist-bench-"))
    try:
        library = work / "library"
        started = time.perf_counter()
        make_library(library, n, size)
        megabytes = sum(f.stat().st_size for f in library.rglob("*.jpg")) / 1e6
        print(f"library: {n} JPEGs of {size[0]}x{size[1]}, {megabytes:,.0f} MB,"
              f" made in {time.perf_counter() - started:.0f} s")

        runs: dict[str, list[dict]] = {"first-scan": [], "rescan": [], "thumbnails": []}
        for i in range(args.repeat):
            db = work / f"scan-{i}.sqlite"
            runs["first-scan"].append(measure("first-scan", library, db, work / "t", args.workers))
            runs["rescan"].append(measure("rescan", library, db, work / "t", args.workers))
            shutil.rmtree(work / f"thumbs-{i}", ignore_errors=True)
            runs["thumbnails"].append(measure("thumbnails", library, db, work / f"thumbs-{i}", args.workers))
        big_db = work / "big.sqlite"
        shutil.copy(work / "scan-0.sqlite", big_db)
        fill_database(big_db, args.db_rows)
        for phase in ("big-db rescan", "big-db list"):
            runs[phase] = [measure(phase, library, big_db, work / "t", args.workers) for _ in range(args.repeat)]

        targets = {"first-scan": 300, "rescan": 3000, "thumbnails": 40 if args.large else None,
                   "big-db rescan": 3000, "big-db list": None}
        rows = [rates_row({"phase": name}, results, targets[name]) for name, results in runs.items()]
        print_rates(rows, {"phase": 16}, 9)
        print(f"(big-db: {args.db_rows:,} photos in the database; RSS target < 300 MB)")
        report = {
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
            "library": {"photos": n, "size": size, "megabytes": megabytes},
            "db_rows": args.db_rows, "repeat": args.repeat, "thumbnail_workers": args.workers,
            "results": rows,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
        print(f"written to {args.json}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def rates_row(labels: dict, results: list[dict], target: int | None) -> dict:
    """One phase's runs as a row of the report: ``labels``, then photos, rates and peak memory."""
    rates = [r["count"] / r["seconds"] for r in results]
    return {**labels, "photos": results[0]["count"], "median_photos_per_s": statistics.median(rates),
            "min_photos_per_s": min(rates), "max_photos_per_s": max(rates),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in results), "target_photos_per_s": target}


def print_rates(rows: list[dict], labels: dict[str, int], width: int) -> None:
    """The rows as a table: the label columns (name: width), photos, then the rates ``width`` wide."""
    print("\n" + "".join(f"{name:<{w}}" for name, w in labels.items())
          + f"{'photos':>8}{'median/s':>{width + 2}}{'min/s':>{width}}{'max/s':>{width}}{'peak RSS MB':>13}"
          f"{'target/s':>10}")
    for r in rows:
        target = "" if r["target_photos_per_s"] is None else f"{r['target_photos_per_s']:,}"
        print("".join(f"{r[name]:<{w}}" for name, w in labels.items())
              + f"{r['photos']:>8}{r['median_photos_per_s']:>{width + 2},.0f}{r['min_photos_per_s']:>{width},.0f}"
              f"{r['max_photos_per_s']:>{width},.0f}{r['peak_rss_mb']:>13,.0f}{target:>10}")


def raw_benchmark(args: argparse.Namespace) -> None:
    n = args.n or 200
    work = Path(tempfile.mkdtemp(prefix="tagassist-bench-raw-"))
    try:
        started = time.perf_counter()
        make_raw_library(work / "raw", n, work / "jpeg")
        make_raw_library(work / "raw+1620", n, medium=True)
        print(f"libraries: {n} DNGs of {RAW_SIZE[0]}x{RAW_SIZE[1]} with a full-size preview; the same with a"
              f" 1620 px preview too; the full-size previews as JPEG files;"
              f" made in {time.perf_counter() - started:.0f} s")
        targets = {"first-scan": 200, "thumbnails": 30, "index": 20}
        rows = []
        for kind, folder in (("RAW", work / "raw"), ("RAW+1620", work / "raw+1620"), ("JPEG", work / "jpeg")):
            runs: dict[str, list[dict]] = {phase: [] for phase in targets}
            for i in range(args.repeat):
                db = work / f"{kind}-{i}.sqlite"
                runs["first-scan"].append(measure("first-scan", folder, db, work / "t", args.workers))
                runs["thumbnails"].append(measure("thumbnails", folder, db, work / f"{kind}-thumbs-{i}", args.workers))
                runs["index"].append(measure("index", folder, db, work / "t", args.workers))
            rows += [rates_row({"files": kind, "phase": phase}, results, targets[phase] if kind != "JPEG" else None)
                     for phase, results in runs.items()]
        print_rates(rows, {"files": 10, "phase": 12}, 8)
        print("(RSS target < 400 MB. RAW: a full-size preview only; RAW+1620: also a 1620 px one, as CR3 and ARW"
              " files carry; JPEG: the full-size previews as plain JPEG files, for comparison)")
        report = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                              "python": platform.python_version()},
                  "library": {"raw_files": n, "size": RAW_SIZE}, "repeat": args.repeat,
                  "thumbnail_workers": args.workers, "results": rows}
        default = Path("benchmarks/results/scan.json")
        out = args.json if args.json != default else default.with_name("scan-raw.json")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2))
        print(f"written to {out}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
