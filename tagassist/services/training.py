"""Retraining runs in a process of its own (tagassist's trainer), so that training never
shares memory or a crash with the app or the CLI; this is the command line both start. The
child reads 'cancel' on its stdin (with ``--control-stdin``), and stops when stdin closes."""

from __future__ import annotations

from ..options import OPTIONS
from ..runtime import trainer_command


def train_command(db_path: str, profile_name: str, *, mode: str | None = None, device: str | None = None,
                  self_train: bool = False, json_progress: bool = False, control_stdin: bool = True,
                  extra: tuple[str, ...] = ()) -> list[str]:
    """The argv that retrains ``profile_name``'s model in the library at ``db_path``; ``mode``
    and ``device`` as the options registry resolves them where not given."""
    command = trainer_command("train", "--db", str(db_path), "--profile", profile_name,
                              "--mode", OPTIONS["train_mode"].resolve(mode),
                              "--device", OPTIONS["device"].resolve(device or None))
    if self_train:
        command.append("--self-train")
    if json_progress:
        command.append("--json-progress")
    if control_stdin:
        command.append("--control-stdin")
    return command + list(extra)


def evaluate_command(*args: str) -> list[str]:
    """The argv of the trainer's evaluator (``tagassist eval``)."""
    return trainer_command("evaluate", *args)
