"""PyInstaller entry of the console executable (``tagassist-cli``): the CLI, and the trainer
the app starts with ``tagassist-cli --run-trainer train ...``."""

import sys

from tagassist.launcher import cli_main

sys.exit(cli_main())
