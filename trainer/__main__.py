"""``python -m trainer train --db DB [--profile P] [--mode head|full|cnn-permlp] [--device D] [--json-progress]``

With --json-progress, one JSON object per line on stdout: {"stage", "epoch", "step", "total",
"loss", "metric", "eta_s"} while training, then a final {"stage": "done", ...} with the
held-out F1@5 before and after. SIGTERM, or with --control-stdin a 'cancel' line on stdin or
its end, stops within one batch (``trainer/control.py``); the previous model stays active.
Exit status: 0 trained, 1 user error, 3 stopped.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from .control import CANCEL, EXIT_STOPPED


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
                       help=f"stop when a line '{CANCEL}' arrives on stdin, or stdin closes (the parent is gone)")
    commands.add_parser("evaluate", help="score models side by side on a tagging history (see its --help)",
                        add_help=False)
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["evaluate"]:  # its own parser, the same as python -m trainer.evaluate
        from .evaluate import main as evaluate_main

        return evaluate_main(argv[1:])
    args = parser.parse_args(argv)
    return run_train(args)


def run_train(args) -> int:
    from tagassist.engine.device import DeviceError, choose_device
    from tagassist.store import Store, StoreError, UnknownProfile

    from . import pipeline
    from .control import Stopped, StopRequest
    from .modes import mode_of
    from .validation import TooLittleHistory

    def emit(event: dict) -> None:
        if args.json_progress:
            print(json.dumps(event), flush=True)
        elif event["stage"] == "train":
            print(f"epoch {event['epoch']}: loss {event['loss'] or 0:.4f}, held-out F1@5 {event['metric']:.3f}",
                  file=sys.stderr)

    stop = StopRequest()
    with stop.listening(args.control_stdin):
        try:
            mode = mode_of(args.mode)
            overrides = {"min_judge_photos": args.min_judge_photos} if args.min_judge_photos else {}
            if mode.self_trains:
                overrides["self_training"] = args.self_train
            config = pipeline.TrainConfig.for_mode(args.mode, **overrides)
            device = choose_device(args.device)
            with Store(args.db) as store:
                profile = store.profiles.get(args.profile, create=False)
                result = pipeline.train(store, profile, config, device=device, on_progress=emit, should_stop=stop)
        except Stopped:
            emit_final = {"stage": "stopped", "message": "training stopped; the previous model stays active"}
            print(json.dumps(emit_final) if args.json_progress else emit_final["message"], flush=True)
            return EXIT_STOPPED
        except pipeline.NothingNewToLearn as exc:  # not a failure either: the model she has learned this
            print(json.dumps({"stage": "unchanged", "message": str(exc), "version": exc.version})
                  if args.json_progress else str(exc), flush=True)
            return 0
        except TooLittleHistory as exc:  # not a failure: the honest answer for a young library
            if args.json_progress:
                print(json.dumps({"stage": "unchanged", "message": str(exc)}), flush=True)
            print(f"trainer: {exc}", file=sys.stderr)
            return 1
        except (ValueError, LookupError, StoreError, UnknownProfile, DeviceError) as exc:
            print(f"trainer: {exc}", file=sys.stderr)
            return 1
    if args.json_progress:
        print(json.dumps({"stage": "done", **{k: v for k, v in asdict(result).items() if k != "history"}}), flush=True)
    else:
        print(mode.outcome(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
