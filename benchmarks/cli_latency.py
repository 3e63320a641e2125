"""``tagassist suggest PHOTO -k 5`` on an indexed photo, each call a cold process: wall time and
peak RSS, median of 3, for this tree and (``--before COMMIT``) an older one side by side in the
same run, since the machine is shared and noisy (issue 25). The library is synthetic: the
history and fake 1280-d embeddings of ``tagging_latency.fill_tagged_history``, put in through
each tree's own store.

    python -m benchmarks.cli_latency --photos 10000 [--before 8fc7093] [--json out.json]

Both trees run with byte-code cached (in a folder under /tmp), as an installed tagassist does.
The first call of this tree builds and keeps the engine's state; it is reported apart.
Targets: <= 0.6 s and <= 150 MB at 10,000 photos; <= 1.0 s at 100,000.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PHOTO = "/history/{shoot:05}/IMG_{i:07}.JPG"


def _env(tree: Path, home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(tree), PYTHONPYCACHEPREFIX=str(home / "pycache"),
               TAGASSIST_DATA_DIR=str(home / "data"), TAGASSIST_CACHE_DIR=str(home / "cache"))
    return env


def fill(tree: Path, db: Path, photos: int, home: Path) -> None:
    code = ("import sys; from pathlib import Path; from benchmarks.tagging_latency import fill_tagged_history;"
            " fill_tagged_history(Path(sys.argv[1]), int(sys.argv[2]))")
    subprocess.run([sys.executable, "-c", code, str(db), str(photos)], cwd=tree, env=_env(tree, home), check=True)


def call(tree: Path, db: Path, photo: str, home: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one cold ``tagassist suggest``."""
    done = subprocess.run(["/usr/bin/time", "-f", "%e %M", sys.executable, "-m", "tagassist", "--db", str(db),
                           "suggest", photo, "-k", "5"], cwd=tree, env=_env(tree, home),
                          capture_output=True, text=True, check=True)
    wall, kb = done.stderr.strip().splitlines()[-1].split()
    return float(wall), int(kb) / 1024


def measure(tree: Path, photos: int, work: Path, repeat: int = 3) -> dict:
    home = work / tree.name
    db = home / "library.sqlite"
    home.mkdir(parents=True, exist_ok=True)
    fill(tree, db, photos, home)
    photo = PHOTO.format(shoot=(photos // 2) // 50, i=photos // 2)
    first = call(tree, db, photo, home)  # byte-code compiled, engine state kept (this tree)
    runs = [call(tree, db, photo, home) for _ in range(repeat)]
    return {"tree": str(tree), "first_wall_s": first[0], "first_rss_mb": round(first[1], 1),
            "wall_s": statistics.median(r[0] for r in runs), "rss_mb": round(statistics.median(r[1] for r in runs), 1),
            "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=10_000)
    parser.add_argument("--before", metavar="COMMIT", help="also time this commit, in a worktree")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cli-latency-") as work:
        work = Path(work)
        report = {"photos": args.photos, "machine": f"{os.cpu_count()} cores", "load": os.getloadavg()}
        if args.before:
            old = work / "before"
            subprocess.run(["git", "worktree", "add", "-q", "--detach", str(old), args.before], cwd=REPO, check=True)
            try:
                report["before"] = {"commit": args.before, **measure(old, args.photos, work)}
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=REPO, check=True)
        report["now"] = measure(REPO, args.photos, work)
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text)


if __name__ == "__main__":
    main()
