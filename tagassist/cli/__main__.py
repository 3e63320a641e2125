"""``python -m tagassist.cli``: the same as the ``tagassist`` command."""

from . import main

raise SystemExit(main())
