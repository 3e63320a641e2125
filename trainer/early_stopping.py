"""Early stopping on a held-out metric: keep the best weights, stop when patience runs out."""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn


class EarlyStopping:
    def __init__(self, modules: Sequence[nn.Module], patience: int):
        self.modules, self.patience = list(modules), patience
        self.best = -1.0
        self.best_state: list[dict] | None = None
        self._since_best = 0

    def update(self, metric: float) -> bool:
        """Record an epoch's metric; True when training should stop."""
        if metric > self.best:
            self.best, self._since_best = metric, 0
            self.best_state = [{k: v.clone() for k, v in m.state_dict().items()} for m in self.modules]
            return False
        self._since_best += 1
        return self._since_best >= self.patience

    @property
    def epochs_left(self) -> int:
        """Epochs until patience runs out, if none of them is better."""
        return self.patience - self._since_best

    def restore(self) -> bool:
        """Load the best weights back; False when no epoch was recorded."""
        if self.best_state is None:
            return False
        for module, state in zip(self.modules, self.best_state):
            module.load_state_dict(state)
        return True
