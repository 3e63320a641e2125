"""Desktop app responsiveness with a 100,000-photo library.

    QT_QPA_PLATFORM=offscreen python -m benchmarks.gui [--photos 100000] [--json out.json]

Measures the time from creating the window to the first painted grid with every row loaded,
and the time to repaint the grid after each scroll step (a frame), p50 and p99 over
``--frames`` steps through the whole library. Target: first screen < 2 s, no stalls.

Then keyboard tagging with a ``--tagged`` photo history (``benchmarks/tagging_latency.py``):
accept -> refreshed suggestions p50 < 100 ms, p99 < 250 ms; a keystroke in the tag field < 16 ms.
And finding more photos for a keyword in that history (``benchmarks/find_review.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np


def point_rows_at_cached_photos(db: Path, work: Path, distinct: int = 300) -> None:
    """Make every row one of ``distinct`` real JPEGs whose thumbnails are already cached."""
    from benchmarks.scan import make_library
    from tagassist.library import ThumbnailCache
    from tagassist.paths import thumbnail_dir
    from tagassist.services.scanning import Scanner
    from tagassist.store import Store

    make_library(work / "photos", distinct, (1600, 1067))
    with Store(db) as store:
        Scanner(store, store.profiles.get()).run([work / "photos"])
        real = [p for p, _ in store.photos.list_photos(store.profiles.get(), folder=str(work / "photos"))]
        cache = ThumbnailCache(thumbnail_dir())
        for photo in real:
            cache.get(photo.path, photo.content_hash, photo.orientation)
        with store.transaction() as conn:
            conn.execute("UPDATE photos SET content_hash = ? || (id % ?) WHERE path LIKE '/archive/%'", ("x", distinct))
            for i, photo in enumerate(real):
                conn.execute("UPDATE photos SET content_hash = ? WHERE content_hash = ?", (photo.content_hash, f"x{i}"))


def main() -> None:
    parser = argparse.ArgumentParser(description="tagassist GUI benchmark")
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--tagged", type=int, default=100_000, metavar="N",
                        help="photos in the tagged history of the tagging measurement (0: skip it)")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/gui.json"))
    parser.add_argument("--cached", action="store_true",
                        help="rows are real photos whose thumbnails are already cached (an opened library)"
                             "; without it no file exists, the worst case for the thumbnail threads")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QCoreApplication, QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from benchmarks.scan import fill_database, peak_rss_mb
    from tagassist.ui.app import build

    work = Path(tempfile.mkdtemp(prefix="tagassist-gui-"))
    os.environ["TAGASSIST_CACHE_DIR"] = str(work / "cache")
    try:
        db = work / "lib.sqlite"
        fill_database(db, args.photos)
        if args.cached:
            point_rows_at_cached_photos(db, work)
        app = QApplication.instance() or QApplication([])  # noqa: F841 - keeps Qt alive for the run

        class FirstPaint(QObject):
            painted_at: float | None = None

            def eventFilter(self, obj, event):  # noqa: N802
                if event.type() == QEvent.Type.Paint and self.painted_at is None and controller.model.photos:
                    self.painted_at = time.perf_counter()
                return False

        started = time.perf_counter()
        window, controller = build(str(db), None)
        watcher = FirstPaint()
        window.grid.viewport().installEventFilter(watcher)
        window.show()
        deadline = time.perf_counter() + 60
        while watcher.painted_at is None and time.perf_counter() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.001)
        first_paint = (watcher.painted_at or float("nan")) - started
        rows = len(controller.model.photos)

        bar = window.grid.verticalScrollBar()
        frames = []
        for step in np.linspace(0, bar.maximum(), args.frames):
            t = time.perf_counter()
            bar.setValue(int(step))
            window.grid.viewport().repaint()
            QCoreApplication.processEvents()
            frames.append((time.perf_counter() - t) * 1000)
        controller.shutdown()
        window.close()
        report = {
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                        "qpa": os.environ.get("QT_QPA_PLATFORM")},
            "photos": rows,
            "thumbnails": "cached" if args.cached else "missing files (worst case)",
            "first_painted_grid_s": first_paint,
            "frame_ms_p50": float(np.percentile(frames, 50)),
            "frame_ms_p99": float(np.percentile(frames, 99)),
            "frame_ms_max": float(np.max(frames)),
            "frames": len(frames),
            "peak_rss_mb": peak_rss_mb(),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{'photos':<28}{report['photos']:>10,}")
    print(f"{'first painted grid (s)':<28}{report['first_painted_grid_s']:>10.2f}   target < 2")
    print(f"{'scroll frame p50 (ms)':<28}{report['frame_ms_p50']:>10.1f}")
    print(f"{'scroll frame p99 (ms)':<28}{report['frame_ms_p99']:>10.1f}   16.7 ms = 60 fps")
    print(f"{'peak RSS (MB)':<28}{report['peak_rss_mb']:>10,.0f}")
    if args.tagged:
        from benchmarks import tagging_latency

        report["tagging"] = tagging_latency.run(args.tagged)
        tagging_latency.print_report(report["tagging"])
        from benchmarks import find_review

        report["find"] = find_review.run(args.tagged)
        find_review.print_report(report["find"])
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2))
    print(f"written to {args.json}")


if __name__ == "__main__":
    main()
