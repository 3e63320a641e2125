"""Application services: what the CLI and the desktop app both do, Qt-free, over one store.

Each service takes an open Store and plain values, and returns plain data; neither the CLI
nor the app repeats their logic.
"""
