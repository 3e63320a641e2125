"""``tagassist self-test``: checks that an installation works, end to end, without a display
and without touching the user's library: the default encoder loads (weights checksummed), the
sample library is scanned and indexed into a throw-away database, every untagged photo gets
suggestions, the bundled trainer retrains in its own process, and (``--gui``) the desktop
window builds on Qt's offscreen platform. Installers run it as their smoke test."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from argparse import Namespace
from collections.abc import Callable

from ..paths import sample_library_dir
from ..services.training import train_command
from .output import EXIT_OK, EXIT_USER_ERROR, emit_json, say


class _Failed(Exception):
    pass


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise _Failed(message)


def cmd_self_test(args: Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="tagassist-self-test-", ignore_cleanup_errors=True) as scratch:
        # Everything the app writes (database, thumbnails, models, settings) goes to scratch.
        saved = {k: os.environ.get(k) for k in ("TAGASSIST_DATA_DIR", "TAGASSIST_CACHE_DIR")}
        os.environ["TAGASSIST_DATA_DIR"] = os.path.join(scratch, "data")
        os.environ["TAGASSIST_CACHE_DIR"] = os.path.join(scratch, "cache")
        try:
            steps = _run_steps(os.path.join(scratch, "data", "self-test.sqlite"), args.gui)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    ok = all(step["ok"] for step in steps)
    if args.json:
        emit_json({"ok": ok, "steps": steps})
    else:
        for step in steps:
            say(f"{'ok  ' if step['ok'] else 'FAIL'} {step['step']:<8} {step['seconds']:>6.2f} s  {step['detail']}")
        say("self-test passed" if ok else "self-test FAILED")
    return EXIT_OK if ok else EXIT_USER_ERROR


def _run_steps(db_path: str, gui: bool) -> list[dict]:
    from ..services.library import open_library

    steps: list[dict] = []

    def step(name: str, action: Callable[[], str]) -> bool:
        started = time.perf_counter()
        try:
            detail, ok = action(), True
        except Exception as exc:  # noqa: BLE001 - a self-test reports every failure, whatever its kind
            detail, ok = f"{type(exc).__name__}: {exc}", False
        steps.append({"step": name, "ok": ok, "seconds": round(time.perf_counter() - started, 3), "detail": detail})
        return ok

    os.makedirs(os.path.dirname(db_path), exist_ok=True)
    with open_library(db_path) as store:
        profile = store.profiles.get("self-test")
        ok = step("encoder", _load_default_encoder)
        ok = ok and step("scan", lambda: _scan(store, profile))
        ok = ok and step("index", lambda: _index(store))
        ok = ok and step("suggest", lambda: _suggest(store, profile))
    ok = ok and step("retrain", lambda: _retrain(db_path))
    if ok and gui:
        step("window", lambda: _build_window(db_path))
    return steps


def _load_default_encoder() -> str:
    from ..services.indexing import load_default_encoder

    def refuse(message: str) -> None:
        raise _Failed(message)

    encoder = load_default_encoder(on_fallback=refuse)
    return f"{encoder.id}, {encoder.embedding_dim}-d embeddings"


def _scan(store, profile) -> str:
    from .library_commands import run_scan

    library = sample_library_dir()
    _check(library.is_dir(), f"the sample library is missing: {library}")
    summary = run_scan(store, profile, [str(library)])
    _check(summary.found > 0 and not summary.unreadable, f"{summary.found} found, {len(summary.unreadable)} unreadable")
    errors = [p for p in summary.problems if p[1] == "error"]
    _check(not errors, f"{len(errors)} sample photos could not be read, e.g. {errors[:1]}")
    return f"{summary.found} sample photos, {summary.imported_tags} keywords imported"


def _index(store) -> str:
    from .engine_commands import index_photos, open_indexer

    summary = index_photos(store, open_indexer(store, None, "cpu"))
    _check(summary.indexed > 0 and not summary.failed, f"{summary.indexed} indexed, {len(summary.failed)} failed")
    return f"{summary.indexed} photos with {summary.encoder_id}"


def _suggest(store, profile) -> str:
    from .engine_commands import suggestions_for

    untagged = [photo for photo, _ in store.photos.list_photos(profile, untagged=True)]
    _check(bool(untagged), "the sample library has no untagged photo to suggest for")
    results = suggestions_for(store, profile, untagged, k=5)
    empty = [r["photo"] for r in results if not r["suggestions"]]
    _check(not empty, f"no suggestions for {len(empty)} photos, e.g. {empty[:1]}")
    first = results[0]["suggestions"]
    return f"{len(results)} photos; e.g. {', '.join(s['tag'] for s in first[:3])}"


def _retrain(db_path: str) -> str:
    # The sample library is too small to judge a retrain on (30 tagged photos in 6 shoots): a
    # smaller judging block lets this check run the training loop itself.
    command = train_command(db_path, "self-test", device="cpu", json_progress=True, control_stdin=False,
                            extra=("--min-judge-photos", "5"))
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    final = lines[-1] if lines else {}
    _check(done.returncode == 0 and final.get("stage") == "done",
           f"trainer exited {done.returncode}: {(done.stderr.strip().splitlines() or ['no output'])[-1]}")
    return f"trainer ran ({len(lines) - 1} progress lines), version {final.get('version', '?')}"


def _build_window(db_path: str) -> str:
    from ..ui.self_test import build_main_window  # Qt only here, and only with --gui

    rows, platform = build_main_window(db_path, "self-test")
    _check(rows > 0, "the window showed no photos within 20 s")
    return f"main window on Qt {platform}, {rows} photos in the grid"
