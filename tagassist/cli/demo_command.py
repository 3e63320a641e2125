"""``tagassist demo``: the sample library in the desktop app where there is a display; else
(or with ``--headless``) scanned and indexed into its own database, with the suggestions for
its untagged photos printed. Either way it says which it did and where the database is.

``tagassist demo --retrain``: a simulated photographer's larger library (``services.retrain_demo``)
in a database of its own: in the app, where "Retrain on my tags" has enough to learn from and
to judge on; else retrained here, with what the retrain changed on her next photos measured."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from argparse import Namespace
from pathlib import Path

from ..paths import data_dir, demo_db_path, display_path, sample_library_dir
from ..runtime import display_available
from ..services import models, retrain_demo
from ..services.identity import photographer
from ..services.library import open_library
from ..services.training import train_command
from .engine_commands import index_photos, open_indexer, suggestions_for
from .library_commands import run_scan
from .model_commands import _send_cancel
from .output import EXIT_OK, ProgressBar, UserError, emit_json, say

RETRAIN_HINT = ("To see a retrain help: 'tagassist demo --retrain' (a simulated photographer's 300 photos, written"
                " once; about a minute on two cores)")


def _own_copy(shipped: Path) -> Path:
    """The sample library copied into the user's data folder once: the demo tags and writes
    keywords into that copy, never into the files tagassist was installed with."""
    copy = data_dir() / "sample-library"
    if not copy.is_dir():
        partial = copy.with_name(copy.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(shipped, partial)
        partial.rename(copy)  # a copy cut short is never taken for the library
    return copy


def cmd_demo(args: Namespace) -> int:
    """The desktop app on the sample library where there is a display, else the headless demo."""
    if args.retrain:
        return _retrain(args)
    shipped = sample_library_dir()
    if not shipped.is_dir():
        raise UserError(f"the sample library is missing: {display_path(shipped)}")
    library = _own_copy(shipped)
    db_path = args.db or demo_db_path()
    if not args.headless and not args.json:
        if display_available():
            from ..ui.app import run

            say(f"Opening the desktop app on the sample library (database: {display_path(db_path)})")
            say(RETRAIN_HINT)
            return run(str(db_path), args.profile, [str(library)])
        say("No display found: the demo runs in the terminal ('tagassist demo' in a desktop session opens"
            " the app)")
    with open_library(db_path) as store:
        profile = store.profiles.get(photographer(args.profile))
        summary = run_scan(store, profile, [str(library)])
        index_photos(store, open_indexer(store, None, None))  # the whole library, as a first run would
        vocabulary = store.history.vocabulary(profile)
        untagged = [photo for photo, _ in store.photos.list_photos(profile, untagged=True)]
        suggestions = suggestions_for(store, profile, untagged, k=5)
        if args.json:
            emit_json({
                "library": str(library),
                "photos": summary.found,
                "vocabulary": [{"tag": t, "photos": n} for t, n in vocabulary],
                "suggestions": suggestions,
            })
            return EXIT_OK
        say(f"Sample library: {library} (a copy of the one tagassist came with)")
        say(f"Database: {display_path(db_path)} (your own library's is not touched)")
        say(f"{summary.found} photos, {len(vocabulary)} keywords in this photographer's history.")
        say("Most used: " + ", ".join(f"{t} ({n})" for t, n in vocabulary[:12]))
        say(f"{len(untagged)} photos have no keywords yet; what tagassist suggests for them:")
        for photo, result in zip(untagged, suggestions):
            say()
            say(f"{result['photo']}  ({photo.taken_at}, {photo.camera or 'unknown camera'})")
            for rank, s in enumerate(result["suggestions"], 1):
                say(f"  {rank}. {s['tag']:<28} {s['score']:.2f}  {s['reason']}")
        say()
        say(RETRAIN_HINT)
    return EXIT_OK


def _retrain(args: Namespace) -> int:
    """The retrain demo: her library written (once), then the app on it, or here: scanned and
    indexed into a fresh database, retrained as 'tagassist train' retrains, and her next
    photos' suggestions scored before and after."""
    started = time.perf_counter()
    quiet = args.json
    tell = (lambda text="": None) if quiet else say
    root = data_dir() / "retrain-demo"
    db_path = Path(args.db) if args.db else root / "library.sqlite"
    app = not args.headless and not args.json and display_available()
    if args.db and db_path.exists():  # her library, in the app too: never 300 simulated photos in it
        raise UserError(f"{display_path(db_path)} exists: the retrain demo starts from a new database (leave --db out"
                        " to use the demo's own)")
    bar = ProgressBar("Writing photos")

    def writing(done: int, total: int) -> None:
        if done == 1:
            tell(f"Writing a simulated photographer's {total} photos (once, the same every time) into"
                 f" {display_path(root / 'photos')}\u2026")
        bar.update(done, total)

    history = retrain_demo.demo_history(root, writing, as_written=not app)  # measured on photos as written
    bar.close()
    if app:
        from ..ui.app import run

        say(f"Opening the desktop app on a simulated photographer's library: {history.tagged} tagged photos in"
            f" {history.history_shoots} shoots, and her {history.next_shoots} newest shoots not tagged yet"
            f" (database: {display_path(db_path)}). 'Retrain on my tags' retrains on her tags; Tools > Models"
            " shows what it measured and rolls back.")
        return run(str(db_path), args.profile, [str(history.folder)])
    if not args.db:  # the demo's own database: made anew, so the retrain starts from the untrained engine
        for stale in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
            stale.unlink(missing_ok=True)
        shutil.rmtree(root / "models", ignore_errors=True)
    with open_library(db_path) as store:
        name = photographer(args.profile)
        profile = store.profiles.get(name)
        tell(f"Scanning and indexing her {history.photos} photos into {display_path(db_path)}\u2026")
        run_scan(store, profile, [str(history.folder)])
        index_photos(store, open_indexer(store, None, None))
        before = retrain_demo.next_photos_match(store, profile, history)
    n = before.photos
    tell(f"Her library is yours in this demo: {history.tagged} photos in {history.history_shoots} shoots carry your"
         f" keywords; your {history.next_shoots} newest shoots ({n} photos) have none yet. The keywords you would give"
         " those are kept aside, never read by tagassist, to score its suggestions.")
    tell(f"Before retraining: on your next {n} photos ({history.keywords_per_next_photo:.1f} keywords a photo),"
         f" {before.accepted:.0%} of the 5 suggestions shown are your keywords, and they hold {before.found:.0%} of"
         " your keywords.")
    tell("Retraining on your tags (as 'tagassist train' and the app's 'Retrain on my tags' do)\u2026")
    final = _train(db_path, name, tell)
    with open_library(db_path) as store:
        profile = store.profiles.get(name)
        rows = models.model_rows(store, profile)
        after = retrain_demo.next_photos_match(store, profile, history)
    trained = rows[0] if rows[0].version != models.UNTRAINED else None
    if trained is None:
        raise UserError(f"the retrain made no model: {final.get('message', final.get('stage'))}")
    m = trained.metrics
    seconds = time.perf_counter() - started
    if quiet:
        emit_json({"library": str(history.folder), "database": str(db_path), "photos": history.photos,
                   "tagged": history.tagged, "shoots": history.shoots,
                   "model": {"version": trained.version, "active": trained.active, "metrics": m},
                   "next_photos": {"photos": n, "before": vars(before), "after": vars(after)},
                   "seconds": round(seconds, 1)})
        return EXIT_OK
    kept = (f"the new model is active (version {trained.version})" if trained.active
            else f"the new model (version {trained.version}) was not kept: your suggestions stay as they were")
    say("What the retrain changed, measured:")
    say(f"  judged by the retrain itself on your {m['test_shoots']} newest tagged shoots ({m['validation_photos']}"
        " photos), which it did not learn from:")
    say(f"    suggestions that are your keywords    {m['accepted_before']:.0%} -> {m['accepted_after']:.0%}:  {kept}")
    say(f"  on your next {history.next_shoots} shoots ({n} photos), which neither the retrain nor its judging saw:")
    say(f"    suggestions that are your keywords    {before.accepted:.0%} -> {after.accepted:.0%}")
    say(f"    your keywords among the 5 suggested   {before.found:.0%} -> {after.found:.0%}")
    db = f"tagassist --db {display_path(db_path)}" + (f" --profile {name}" if args.profile else "")
    say(f"Took {seconds:.0f} s. '{db} models list' lists the versions; '{db} models rollback' goes back to the"
        " untrained engine; 'tagassist demo --retrain' in a desktop session opens this library in the app.")
    return EXIT_OK


def _train(db_path: Path, profile: str, tell) -> dict:
    """The trainer in its own process, as 'tagassist train' runs it: a line for each stage, and
    the time left it measures; returns its last report."""
    command = train_command(db_path, profile, mode="head", json_progress=True)
    trainer = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    final: dict = {}
    said = set()
    try:
        for line in trainer.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            final = event
            stage = event.get("stage")
            if stage == "train" and (event["epoch"] == 1 or event["epoch"] % 10 == 0):
                left = f", about {event['eta_s']:.0f} s left" if event.get("eta_s") is not None else ""
                tell(f"  epoch {event['epoch']}: F1@5 on the shoots it tunes on {event['metric']:.3f}{left}")
            elif stage in _STAGES and stage not in said:
                said.add(stage)
                tell(f"  {_STAGES[stage]}")
        code = trainer.wait()
    except KeyboardInterrupt:
        _send_cancel(trainer)
        trainer.wait()
        raise
    if code != 0:
        print(f"tagassist: the retrain ended with status {code}", file=sys.stderr)
    return final


_STAGES = {"load": "reading your tagged photos", "ranker": "learning your own weighing of the signals",
           "compare": "judging it on your newest shoots, which it did not learn from"}
