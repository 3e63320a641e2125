"""PyInstaller entry of the windowed app (``tagassist``); ``--self-test`` runs headless."""

import sys

from tagassist.launcher import app_main

sys.exit(app_main())
