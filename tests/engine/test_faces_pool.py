"""Faces of one photo after another, two at a time (engine/faces/pool.py): the photos' order,
cancelling, errors, each thread its own models, two processes for many photos, and the same
faces as one photo at a time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from tests.conftest import REPO
from tests.engine.test_faces import coral, need_faces


def test_results_come_in_the_photos_order_from_two_threads():
    from tagassist.engine.faces.pool import find_in_turn

    threads = set()

    def decode(item):
        threads.add(threading.current_thread().name)
        time.sleep(0.02 * (item % 3))  # finished out of order
        return None  # not decodable: no models are needed

    got = list(find_in_turn(range(12), decode, models=object(), workers=2, processes=False))
    assert got == [(i, None) for i in range(12)]
    assert len(threads) == 2 and all(name.startswith("faces") for name in threads)


def test_one_photo_is_looked_at_in_the_callers_thread():
    from tagassist.engine.faces.pool import find_in_turn, workers_for

    seen = []
    assert list(find_in_turn([7], lambda item: seen.append(threading.current_thread()), models=object())) \
        == [(7, None)]
    assert seen == [threading.current_thread()] and workers_for(1) == 1


def test_a_cancelled_pass_stops_after_the_photos_already_under_way():
    from tagassist.engine.faces.pool import AHEAD, find_in_turn

    decoded = []
    results = []
    for item, _ in find_in_turn(range(100), decoded.append, models=object(), workers=2, processes=False,
                                cancelled=lambda: len(results) >= 3):
        results.append(item)
    assert results == [0, 1, 2]
    assert len(decoded) <= 3 + 2 * (1 + AHEAD)  # the window ahead, not the 100


def test_an_error_in_a_thread_is_raised_to_the_caller():
    from tagassist.engine.faces.pool import find_in_turn

    def decode(item):
        if item == 3:
            raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        list(find_in_turn(range(8), decode, models=object(), workers=2))


def test_each_thread_has_its_own_models_the_first_the_callers():
    need_faces()
    from tagassist.engine.faces import FaceModels
    from tagassist.engine.faces.pool import _ThreadModels

    mine = FaceModels()
    per_thread = _ThreadModels(mine)
    got = []
    barrier = threading.Barrier(2)

    def ask():
        barrier.wait()
        got.append(per_thread.get())
        got.append(per_thread.get())  # the same again in the same thread

    threads = [threading.Thread(target=ask) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len({id(m) for m in got}) == 2 and any(m is mine for m in got)
    other = next(m for m in got if m is not mine)
    assert other.folder == mine.folder and other.detector_kind == mine.detector_kind


@pytest.mark.slow
def test_two_threads_find_the_faces_one_finds():
    need_faces()
    from tagassist.engine.faces import FaceModels, detect_faces
    from tagassist.engine.faces.pool import find_in_turn

    names = ["face.jpg", "grace_hopper.bmp", "pets.jpg", "face.jpg"]
    models = FaceModels().load()
    alone = [detect_faces(coral(name), models) for name in names]
    together = list(find_in_turn(names, coral, models, workers=2))
    assert [name for name, _ in together] == names
    for one, (_, two) in zip(alone, together):
        assert [f.box for f in one] == [f.box for f in two]
        assert all(np.array_equal(a.embedding, b.embedding) for a, b in zip(one, two))
    assert sum(len(f) for f in alone) >= 5


def test_many_photos_go_to_two_processes_except_in_a_frozen_installer(monkeypatch):
    from tagassist.engine.faces.pool import PROCESSES_FROM, in_processes

    assert in_processes(PROCESSES_FROM, 2) and not in_processes(PROCESSES_FROM - 1, 2)
    assert not in_processes(1000, 1)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert not in_processes(1000, 2)


def _mark_pid(item):
    """A pool's decode that says which process ran it (and decodes nothing)."""
    folder, _ = item
    (folder / f"pid-{os.getpid()}").touch()


def test_in_processes_the_photos_are_looked_at_by_two_others_in_order(tmp_path):
    from tagassist.engine.faces import FaceModels
    from tagassist.engine.faces.pool import find_in_turn

    items = [(tmp_path, i) for i in range(10)]
    got = list(find_in_turn(items, _mark_pid, FaceModels(), workers=2, processes=True))
    assert got == [(item, None) for item in items]
    pids = {int(p.name[4:]) for p in tmp_path.glob("pid-*")}
    assert len(pids) == 2 and os.getpid() not in pids


def _mark_pid_and_work(item):
    _mark_pid(item)
    time.sleep(2)


def test_a_pass_in_processes_stopped_early_ends_soon_and_leaves_no_process(tmp_path):
    """A cancelled pass stops its workers instead of waiting, through the executor, for all it
    handed them (that shutdown, with futures cancelled, can hang on Python 3.11)."""
    from tagassist.engine.faces import FaceModels
    from tagassist.engine.faces.pool import find_in_turn

    results = []
    started = time.perf_counter()
    for item, _ in find_in_turn([(tmp_path, i) for i in range(40)], _mark_pid_and_work, FaceModels(), workers=2,
                                processes=True, cancelled=lambda: bool(results)):
        results.append(item)
    assert len(results) == 1 and time.perf_counter() - started < 30
    pids = {int(p.name[4:]) for p in tmp_path.glob("pid-*")}
    deadline = time.perf_counter() + 10
    while any(map(_alive, pids)) and time.perf_counter() < deadline:
        time.sleep(0.1)
    assert pids and not any(map(_alive, pids))


@pytest.mark.slow
def test_two_processes_find_the_faces_one_finds():
    need_faces()
    from tagassist.engine.faces import FaceModels, detect_faces
    from tagassist.engine.faces.pool import find_in_turn

    names = ["face.jpg", "grace_hopper.bmp", "pets.jpg"]
    models = FaceModels().load()
    alone = [detect_faces(coral(name), models) for name in names]
    together = list(find_in_turn(names, coral, models, workers=2, processes=True))
    assert [name for name, _ in together] == names
    for one, (_, two) in zip(alone, together):
        assert [f.box for f in one] == [f.box for f in two]
        assert all(np.array_equal(a.embedding, b.embedding) for a, b in zip(one, two))


def _mark_pid_and_wait(item):
    _mark_pid(item)
    time.sleep(60)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.skipif(sys.platform == "win32", reason="kills by signal")
def test_the_pool_processes_exit_when_the_pass_is_killed(tmp_path):
    """A killed 'tagassist index' leaves no face processes behind waiting for work."""
    script = ("import sys; from pathlib import Path; from tagassist.engine.faces import FaceModels;"
              " from tagassist.engine.faces.pool import find_in_turn;"
              " from tests.engine.test_faces_pool import _mark_pid_and_wait;"
              " list(find_in_turn([(Path(sys.argv[1]), i) for i in range(4)], _mark_pid_and_wait, FaceModels(),"
              " workers=2, processes=True))")
    parent = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], cwd=REPO)
    try:
        deadline = time.monotonic() + 60
        while len(list(tmp_path.glob("pid-*"))) < 2 and time.monotonic() < deadline and parent.poll() is None:
            time.sleep(0.1)
        pids = [int(p.name[4:]) for p in tmp_path.glob("pid-*")]
        assert len(pids) == 2, "the pool's two processes did not start"
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in pids if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == []
