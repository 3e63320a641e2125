"""Memory with hostile files: the budgets that keep small files from taking gigabytes.

    python -m benchmarks.hostile [--json out.json]

Each phase runs the real ``tagassist`` command in a fresh subprocess and reports its peak RSS:

- ``index`` over a library with four PNGs of 700 KB that declare 240 megapixels each
  (target: <= 1 GB, issue 25; a large PNG decodes a strip of rows at a time, reduced as it
  goes, and the indexer never has two such photos decoding at once);
- ``export`` of a photo beside a 100 MB sidecar (target: <= 300 MB; the size is checked before
  any parser sees the file);
- ``scan`` and ``suggest`` beside a sidecar of 15 MB holding hundreds of thousands of keywords
  (keywords per file are capped).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from PIL import Image

from photosim.metadata import Shot, save_jpeg
from photosim.render import render

PANORAMA = (20000, 12000)  # 240 MP


def _measure(db: Path, *args: str) -> dict:
    """Peak RSS (MB) and seconds of one tagassist command in its own process."""
    # VmHWM belongs to this process's own address space; ru_maxrss survives exec on Linux, so
    # it would report the benchmark's own peak (the 720 MB panorama it drew) as the child's.
    probe = ("import resource, runpy, sys; sys.argv = ['tagassist', *sys.argv[1:]]\n"
             "try:\n    runpy.run_module('tagassist.cli', run_name='__main__')\n"
             "except SystemExit as exit:\n    code = exit.code\n"
             "try:\n"
             "    status = open('/proc/self/status').read()\n"
             "    peak = int(next(l for l in status.splitlines() if l.startswith('VmHWM:')).split()[1])\n"
             "except OSError:\n"
             "    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss"
             " // (1024 if sys.platform == 'darwin' else 1)\n"
             "print('PEAK', peak, code, file=sys.stderr)")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", probe, "--db", str(db), *args], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    line = next(row for row in done.stderr.splitlines() if row.startswith("PEAK"))
    _, peak_kb, code = line.split()
    return {"peak_rss_mb": round(int(peak_kb) / 1024), "seconds": round(seconds, 1), "exit": code}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hostile")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        panoramas = root / "panoramas"
        panoramas.mkdir()
        Image.new("RGB", PANORAMA, (90, 140, 200)).save(panoramas / "p0.png", compress_level=9)
        for i in range(1, 4):
            (panoramas / f"p{i}.png").write_bytes((panoramas / "p0.png").read_bytes())
        size_kb = (panoramas / "p0.png").stat().st_size // 1024
        db = root / "a.sqlite"
        _measure(db, "scan", str(panoramas))
        rows.append({"case": f"index, four {size_kb} KB PNGs of 240 MP", "target_mb": 1024,
                     **_measure(db, "index")})

        big = root / "bigsidecar"
        big.mkdir()
        save_jpeg(render("beach", 1, (96, 64)), big / "x.jpg", Shot(taken_at=datetime(2024, 7, 1, 10, 0)))
        db = root / "b.sqlite"
        _measure(db, "scan", str(big))
        _measure(db, "tag", str(big / "x.jpg"), "--add", "sea")
        with open(big / "x.xmp", "wb") as f:
            f.write(b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>" + b" " * (100 * 2**20) + b"</x:xmpmeta>")
        rows.append({"case": "export beside a 100 MB sidecar", "target_mb": 300,
                     **_measure(db, "export", str(big / "x.jpg"))})

        many = root / "many"
        many.mkdir()
        save_jpeg(render("beach", 1, (96, 64)), many / "y.jpg", Shot(taken_at=datetime(2024, 7, 1, 10, 0)))
        items = "".join(f"<rdf:li>k{i}</rdf:li>" for i in range(630_000))
        (many / "y.xmp").write_text(
            "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
            "<rdf:Description xmlns:dc='http://purl.org/dc/elements/1.1/'><dc:subject><rdf:Bag>"
            f"{items}</rdf:Bag></dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>")
        size_mb = (many / "y.xmp").stat().st_size / 2**20
        db = root / "c.sqlite"
        rows.append({"case": f"scan beside a {size_mb:.0f} MB sidecar of 630,000 keywords", "target_mb": None,
                     **_measure(db, "scan", str(many))})
        rows.append({"case": "suggest for that photo", "target_mb": None,
                     **_measure(db, "suggest", str(many / "y.jpg"), "--json")})

    print(f"{'case':58} {'peak RSS MB':>12} {'target':>8} {'s':>6} exit")
    for r in rows:
        target = f"{r['target_mb']}" if r["target_mb"] else "-"
        print(f"{r['case']:58} {r['peak_rss_mb']:>12} {target:>8} {r['seconds']:>6} {r['exit']}")
    if args.json:
        Path(args.json).write_text(json.dumps({"cpu_count": os.cpu_count(), "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
