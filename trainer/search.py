"""Hyper-parameters by random search on a validation split cut from the training data only:
each trial trains on the training posts minus each user's most recent ones and is scored by
F1@5 on those. The first trial is always the model's defaults, so a search never does worse
on validation than not searching. No data set is tuned by hand."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from .data import Post, chronological_split
from .metrics import ranking_metrics
from .model_api import SideData
from .registry import NEURAL, make_model

_NEURAL_SPACE = {"dim": [32, 64, 128], "hidden": [128, 256, 512], "learning_rate": [1e-3, 2e-3, 5e-3],
                 "weight_decay": [0.0, 1e-6, 1e-5]}
SPACES = {
    "pitf": {"factors": [32, 64, 128], "learning_rate": [0.02, 0.05, 0.1], "regularisation": [1e-5, 5e-5, 2e-4]},
    "fm": {"factors": [32, 64, 128], "learning_rate": [0.02, 0.05, 0.1], "regularisation": [1e-5, 5e-5, 2e-4]},
    **{name: _NEURAL_SPACE for name in NEURAL},
}


def search(name: str, train: Sequence[Post], side: SideData, trials: int, *, fixed: dict | None = None,
           seed: int = 0, log: Callable[[str], None] = lambda text: None) -> tuple[dict, list[dict]]:
    """(the best parameters, every trial with its validation F1@5)."""
    fixed = dict(fixed or {})
    fit_part, held_out = chronological_split(train)
    space = SPACES.get(name, {})
    rng = random.Random(seed)
    candidates = [dict(fixed)]
    tried = {()}
    while len(candidates) < trials and space:
        choice = {k: rng.choice(v) for k, v in sorted(space.items())}
        key = tuple(sorted(choice.items()))
        if key in tried:
            if len(tried) > 200:  # the space is exhausted
                break
            continue
        tried.add(key)
        candidates.append({**choice, **fixed})
    results = []
    for params in candidates:
        model = make_model(name, **params).fit(fit_part, None, side)
        f1 = ranking_metrics(model.recommend_many(held_out, 5), [p.tags for p in held_out], [5])[5]["F1"]
        results.append({"params": params, "validation_f1_at_5": f1})
        log(f"search {name}: {params} -> validation F1@5 {f1:.4f}")
    best = max(results, key=lambda r: r["validation_f1_at_5"])
    return best["params"], results
