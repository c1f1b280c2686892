"""Second-label agreement: how often a blind second annotator gives the corpus's labels.

`training_data/agreement/second_labels.tsv` holds, for a sample stratified by kind (about 11 % of
each), the first labels as they were when the sample was drawn and the second annotator's, who saw
neither the labels nor the corpus. Agreement and Cohen's kappa are reported twice: against the first
labels (how reliable the labelling was) and against the corpus as it is now, after the disagreements
were adjudicated by the guide (how far the corpus and an independent reading still differ).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from app.labels import LABELS, Label
from app.training.corpus import Post

SECOND_LABELS = Path(__file__).resolve().parents[2] / "training_data" / "agreement" / "second_labels.tsv"


@dataclass(frozen=True)
class LabelAgreement:
    """Agreement on one label over the sample."""

    label: Label
    n: int
    agreement: float
    kappa: float


def cohen_kappa(first: list[int], second: list[int]) -> float:
    """Cohen's kappa for two binary raters (1.0 when both are constant and equal)."""
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second)) / n
    p1, p2 = sum(first) / n, sum(second) / n
    expected = p1 * p2 + (1 - p1) * (1 - p2)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def read_second_labels(path: Path = SECOND_LABELS) -> list[dict[str, str]]:
    """The sample's rows (id, first_*, second_* per label)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def agreement(rows: list[dict[str, str]], current: dict[str, Post] | None = None) -> list[LabelAgreement]:
    """Per label: the second labels against the first labels, or against `current` posts when given."""
    result = []
    for label in LABELS:
        kept = [r for r in rows if current is None or r["id"] in current]
        second = [int(r[f"second_{label.value}"]) for r in kept]
        if current is None:
            first = [int(r[f"first_{label.value}"]) for r in kept]
        else:
            first = [int(getattr(current[r["id"]], label.value)) for r in kept]
        same = sum(a == b for a, b in zip(first, second)) / len(kept)
        result.append(LabelAgreement(label, len(kept), round(same, 4), round(cohen_kappa(first, second), 4)))
    return result
