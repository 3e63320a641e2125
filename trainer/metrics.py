"""P@K, R@K, F1@K and Accuracy@K over test posts, as BASELINES.md defines them."""

from __future__ import annotations

from collections.abc import Sequence


def ranking_metrics(rankings: Sequence[Sequence[str]], truths: Sequence[frozenset[str]],
                    ks: Sequence[int]) -> dict[int, dict[str, float]]:
    """Averaged over posts: P@K = hits/K, R@K = hits/|truth|, Acc@K = share with a hit;
    F1@K = 2PR/(P+R) from the averaged P and R (not an average of per-post F1)."""
    n = len(truths)
    results = {}
    for k in ks:
        precision = recall = accuracy = 0.0
        for ranking, truth in zip(rankings, truths):
            hits = len(set(ranking[:k]) & truth)
            precision += hits / k
            recall += hits / len(truth)
            accuracy += hits > 0
        p, r = precision / n, recall / n
        results[k] = {"P": p, "R": r, "F1": 2 * p * r / (p + r) if p + r else 0.0, "Acc": accuracy / n}
    return results
