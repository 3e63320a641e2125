"""Application services: what the CLI and the desktop app both do, Qt-free, over one store.
They are the frontends' one way in: ``tagassist.ui`` and ``tagassist.cli`` import these, the
settings and options, and plain records, never the store, library, engine or models packages
(tests/test_layering.py).

Each service takes an open Store (``library.open_library``) and plain values, and returns
plain data; neither the CLI nor the app repeats their logic. ``jobs`` holds the app's
background work, each job opening a Store of its own; ``suggesting`` assembles the suggestion
engine for every caller; ``training`` starts the trainer's process.
"""
