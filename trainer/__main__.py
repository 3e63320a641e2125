"""``python -m trainer train --db DB [--profile P] [--mode head|full|cnn-permlp] [--device D] [--json-progress]``

With --json-progress, one JSON object per line on stdout: {"stage", "epoch", "step", "total",
"loss", "metric", "eta_s"} while training, then a final {"stage": "done", ...} with the
held-out F1@5 before and after. SIGTERM stops within one batch; the previous model stays
active. Exit status: 0 trained, 1 user error, 3 stopped.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from dataclasses import asdict

EXIT_STOPPED = 3


def main(argv=None) -> int:
    from tagassist.options import TRAINER_MODES

    parser = argparse.ArgumentParser(prog="python -m trainer")
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train the profile's personalized model on its tags")
    train.add_argument("--db", required=True)
    train.add_argument("--profile")
    # 'head' trains the personalized layer and predictor on the cached embeddings;
    # 'cnn-permlp' trains the paper's small CNN from scratch together with them.
    # 'full' also fine-tunes the visual encoder's last blocks on the photos and re-indexes.
    train.add_argument("--mode", choices=TRAINER_MODES, default="head")
    train.add_argument("--device", default="cpu")
    train.add_argument("--self-train", action="store_true",
                       help="head mode: also distil the model on the untagged photos (kept only if it helps)")
    train.add_argument("--json-progress", action="store_true")
    train.add_argument("--min-judge-photos", type=int, default=None, metavar="N",
                       help="photos each of the newest shoots' blocks needs to judge a retrain (default 10);"
                            " fewer only for checking an installation on a small library")
    train.add_argument("--control-stdin", action="store_true",
                       help="stop when a line 'cancel' arrives on stdin, or stdin closes (the parent is gone)")
    commands.add_parser("evaluate", help="score models side by side on a tagging history (see its --help)",
                        add_help=False)
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["evaluate"]:  # its own parser, the same as python -m trainer.evaluate
        from .evaluate import main as evaluate_main

        return evaluate_main(argv[1:])
    args = parser.parse_args(argv)
    return run_train(args)


def watch_parent(on_cancel) -> None:
    """Cancel on a 'cancel' line on stdin, or when stdin closes: the parent process (the app or
    ``tagassist train``) died or was killed, on any OS. Signals cannot do this portably: a
    Windows console process ignores QProcess.terminate(), and an orphan is reparented."""
    import threading

    def read() -> None:
        for line in sys.stdin:
            if line.strip() == "cancel":
                break
        on_cancel()

    threading.Thread(target=read, name="parent-watch", daemon=True).start()
    _die_with_parent_on_linux()


def _die_with_parent_on_linux() -> None:
    """Belt and braces: the kernel sends SIGTERM (a clean stop, see above) when the parent dies."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import os

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before prctl
        os.kill(os.getpid(), signal.SIGTERM)


def run_train(args) -> int:
    from tagassist.engine.device import DeviceError, choose_device
    from tagassist.store import Store, StoreError, UnknownProfile

    from . import pipeline
    from .early_stopping import Stopped
    from .validation import TooLittleHistory

    stop = {"requested": False}
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.update(requested=True))
    if args.control_stdin:
        watch_parent(lambda: stop.update(requested=True))

    def emit(event: dict) -> None:
        if args.json_progress:
            print(json.dumps(event), flush=True)
        elif event["stage"] == "train":
            print(f"epoch {event['epoch']}: loss {event['loss'] or 0:.4f}, held-out F1@5 {event['metric']:.3f}",
                  file=sys.stderr)

    overrides = {"min_judge_photos": args.min_judge_photos} if args.min_judge_photos else {}
    if args.mode == "head":
        overrides["self_training"] = args.self_train
    try:
        config = pipeline.TrainConfig.for_mode(args.mode, **overrides)
        device = choose_device(args.device)
        with Store(args.db) as store:
            profile = store.profile(args.profile, create=False)
            result = pipeline.train(store, profile, config, device=device, on_progress=emit,
                                    should_stop=lambda: stop["requested"])
    except Stopped:
        emit_final = {"stage": "stopped", "message": "training stopped; the previous model stays active"}
        print(json.dumps(emit_final) if args.json_progress else emit_final["message"], flush=True)
        return EXIT_STOPPED
    except TooLittleHistory as exc:  # not a failure: the honest answer for a young library
        if args.json_progress:
            print(json.dumps({"stage": "unchanged", "message": str(exc)}), flush=True)
        print(f"trainer: {exc}", file=sys.stderr)
        return 1
    except (ValueError, LookupError, StoreError, UnknownProfile, DeviceError) as exc:
        print(f"trainer: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
    final = {"stage": "done", **{k: v for k, v in asdict(result).items() if k != "history"}}
    if args.json_progress:
        print(json.dumps(final), flush=True)
    elif args.mode == "cnn-permlp":
        print(f"cnn-permlp model {result.version}: {result.summary}", flush=True)
    else:
        state = "activated" if result.activated else "kept inactive (no clear gain)"
        encoder = " with a fine-tuned encoder" if args.mode == "full" else ""
        print(f"{result.summary}\nmodel {result.version}{encoder} {state}: F1@5 on the newest shoots"
              f" {result.before_f1_at_5:.3f} -> {result.after_f1_at_5:.3f} ({result.train_photos} photos learned from,"
              f" {result.seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
