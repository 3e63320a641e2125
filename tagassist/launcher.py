"""Entry points: the console executable (the CLI, or the trainer in a frozen app) and the
windowed one (the desktop app). How the trainer process is started, and whether there is a
display, is ``tagassist.runtime``'s: every layer may ask it, while this module, which starts
the CLI, sits above them all."""

from __future__ import annotations

import sys

from .runtime import CLI_NAME, TRAINER_FLAG, cli_executable, display_available, is_frozen, trainer_command

__all__ = ["CLI_NAME", "TRAINER_FLAG", "app_main", "cli_executable", "cli_main", "display_available", "is_frozen",
           "trainer_command"]


def cli_main() -> int:
    """The console entry: the tagassist CLI, or the trainer when asked with --run-trainer."""
    if sys.argv[1:2] == [TRAINER_FLAG]:
        from trainer.__main__ import main as trainer_main  # only here: the core never needs trainer

        return trainer_main(sys.argv[2:])
    from .cli import main

    return main()


def app_main() -> int:
    """The windowed entry: the desktop app; ``--self-test`` checks the installation headless."""
    from .cli import main

    if "--self-test" in sys.argv[1:]:
        return main(["self-test", "--gui"])
    return main(["gui", *sys.argv[1:]])
