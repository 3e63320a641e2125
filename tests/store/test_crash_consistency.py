"""A scan killed at any moment leaves a consistent database, and running it again finishes."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tagassist.store import Store
from tests.conftest import REPO, SAMPLE_LIBRARY

N_FILES = 3000


def _count(db):
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT COUNT(*) FROM photos").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_kill_during_scan_then_finish(tmp_path):
    library = tmp_path / "library"
    library.mkdir()
    jpeg = (SAMPLE_LIBRARY / "2024-08 Home" / "IMG1200.jpg").read_bytes()
    for i in range(N_FILES):  # bytes after the end-of-image marker make each file distinct
        (library / f"{i:05}.jpg").write_bytes(jpeg + i.to_bytes(4, "little"))
    db = tmp_path / "lib.sqlite"
    command = [sys.executable, "-m", "tagassist", "--db", str(db), "scan", str(library)]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while _count(db) < 200 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_at = _count(db)
    assert 0 < killed_at < N_FILES, "the scan should have been killed part-way"

    with Store(db) as store:
        assert store.database.scalar("PRAGMA integrity_check") == "ok"
        assert store.database.integrity_problems() == []
    finished = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    with Store(db) as store:
        assert store.database.scalar("SELECT COUNT(*) FROM photos WHERE status = 'ok'") == N_FILES
        assert store.database.scalar("SELECT COUNT(DISTINCT content_hash) FROM photos") == N_FILES
    assert os.path.exists(db)
