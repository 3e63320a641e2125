"""How well the scores tagassist shows match what the simulated photographer takes."""

from __future__ import annotations


def calibration_of(pairs: list[tuple[float, bool]]) -> dict:
    """Of (score, accepted) pairs: expected calibration error over 10 equal-width bins (the
    score as the chance she accepts it), and the share wrong among those scored >= 0.8."""
    if not pairs:
        return {"ece": None, "sure": 0, "sure_wrong": None}
    ece = 0.0
    for b in range(10):
        inside = [(s, hit) for s, hit in pairs if b / 10 <= s < (b + 1) / 10 or (b == 9 and s == 1.0)]
        if inside:
            ece += len(inside) / len(pairs) * abs(sum(s for s, _ in inside) / len(inside)
                                                  - sum(hit for _, hit in inside) / len(inside))
    sure = [hit for s, hit in pairs if s >= 0.8]
    return {"ece": ece, "sure": len(sure), "sure_wrong": (1 - sum(sure) / len(sure)) if sure else None}
