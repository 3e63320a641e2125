"""CLI commands over trained models: train, models list|activate|rollback."""

from __future__ import annotations

import json
import subprocess
import tempfile
from argparse import Namespace
from pathlib import Path

from ..records import Profile
from ..services import models
from ..services.library import Store
from ..services.training import evaluate_command, train_command
from .output import EXIT_OK, UserError, emit_json, say


def cmd_train(args: Namespace, store: Store, profile: Profile) -> int:
    """Runs the trainer in its own process, as the app does, so training never shares memory or
    a crash with the caller; its JSON progress passes straight through."""
    command = train_command(store.path, profile.name, mode=args.train_mode, device=args.device,
                            self_train=args.self_train, json_progress=args.json)
    store.close()  # the trainer writes to the same database
    # The trainer holds our pipe on its stdin: if this process is killed the pipe closes and the
    # trainer stops before activating anything; Ctrl+C asks it to stop the same way.
    trainer = subprocess.Popen(command, stdin=subprocess.PIPE)
    try:
        return trainer.wait()
    except KeyboardInterrupt:
        _send_cancel(trainer)
        return trainer.wait()


def _send_cancel(process: subprocess.Popen) -> None:
    try:
        process.stdin.write(b"cancel\n")
        process.stdin.close()
    except OSError:  # it has exited already
        pass


def cmd_models(args: Namespace, store: Store, profile: Profile) -> int:
    try:
        if args.action == "activate":
            if not args.version:
                raise UserError("which version? 'tagassist models activate VERSION' (0: the untrained engine)")
            models.activate(store, profile, args.version)
        elif args.action == "rollback":
            args.version = models.rollback(store, profile)
    except LookupError as exc:
        raise UserError(str(exc)) from exc
    rows = models.model_rows(store, profile)
    if args.json:
        emit_json([r.as_json() for r in rows])
        return EXIT_OK
    if args.action != "list":
        say(f"active model: {args.version}")
    for r in rows:
        say(f"{'*' if r.active else ' '} {r.version}  {r.describe}")
    if len(rows) == 1:
        say("no trained models yet: 'tagassist train' makes one")
    return EXIT_OK


def cmd_eval(args: Namespace, store: Store, profile: Profile) -> int:
    """The trainer's evaluator in its own process: this library's history by default."""
    dataset = args.dataset or f"store:{store.path}"
    command = evaluate_command("--dataset", dataset, "--models", args.models, "--k", args.k)
    if args.report:
        command += ["--json", str(args.report)]
    if args.search:
        command += ["--search", str(args.search)]
    store.close()
    if not args.json:
        return subprocess.call(command)
    with tempfile.TemporaryDirectory() as scratch:  # --json: the report on stdout, the table not
        report = Path(scratch) / "report.json"
        done = subprocess.run(command + ["--json", str(report)], stdout=subprocess.DEVNULL)
        if done.returncode == 0:
            emit_json(json.loads(report.read_text()))
        return done.returncode
