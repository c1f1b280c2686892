"""Per-label decision thresholds chosen on the dev split."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from app.labels import HARD_SELL_LABELS, LABELS


def best_threshold(proba: NDArray[np.float64], truth: NDArray[np.int_], beta: float = 1.0) -> float:
    """The cut that maximises F-beta on (proba, truth); ties go to the higher, stricter cut."""
    candidates = np.unique(np.round(proba, 4))
    best, best_score = 0.5, -1.0
    positives = truth.sum()
    for cut in candidates:
        predicted = proba >= cut
        tp = float((predicted & (truth == 1)).sum())
        fp = float((predicted & (truth == 0)).sum())
        fn = float(positives - tp)
        denom = (1 + beta**2) * tp + beta**2 * fn + fp
        score = (1 + beta**2) * tp / denom if denom else 0.0
        if score >= best_score:
            best, best_score = float(cut), score
    return round(min(max(best, 0.05), 0.95), 4)


def choose_thresholds(
    proba: NDArray[np.float64], truth: NDArray[np.int_]
) -> tuple[dict[str, float], dict[str, float]]:
    """Decision thresholds (max F1) and caution thresholds (max F2, never above the decision cut)."""
    thresholds: dict[str, float] = {}
    caution: dict[str, float] = {}
    for column, label in enumerate(LABELS):
        cut = best_threshold(proba[:, column], truth[:, column])
        thresholds[label.value] = cut
        if label in HARD_SELL_LABELS:
            recall_cut = best_threshold(proba[:, column], truth[:, column], beta=2.0)
            caution[label.value] = min(recall_cut, round(cut * 0.6, 4))
        else:
            caution[label.value] = cut
    return thresholds, caution
