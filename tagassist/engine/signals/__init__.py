"""The suggestion signals, one module each.

Each signal scores every candidate tag of one photo in [0, 1]; the engine combines them
(``ranker.py``) and the one that contributed most gives the suggestion its reason. Signals
that work before any training: frequency, co-occurrence with the tags on the photo, visual
neighbours, the shoot, the library's other photographers, habits by time and camera, content
words. A trained model, when the profile has one, is one more.

To add a signal, add a module here with a ``Signal`` subclass decorated with ``@register``
(``frequency.py`` is the shortest): its name, default weight, position (the next free row),
whether the learned ranker reads it, ``score`` (from the ``Scene``: the history, the photo,
the store, other signals' scores) and ``reason``. Every module of this package is imported
here, so nothing else changes: the signal matrix, the noisy-OR, the ranker's features, the
trainer's replay and the reasons read ``REGISTRY``. Rankers learned before it read it with a
coefficient of 0, exactly as they ranked.
"""

from __future__ import annotations

import importlib
import pkgutil

from .base import Scene, Scored, Signal, counted, register, registered, signal_named

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

REGISTRY: tuple[Signal, ...] = registered()  # every signal, in row order
FALLBACK: Signal = next(s for s in REGISTRY if s.fallback)

__all__ = ["FALLBACK", "REGISTRY", "Scene", "Scored", "Signal", "counted", "register", "signal_named"]
