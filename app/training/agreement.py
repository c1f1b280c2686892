"""Second-label agreement: how often a blind second annotator gives the corpus's labels.

`training_data/agreement/sample_*.tsv` each hold, for a sample stratified by kind (about 10 % of
each, no post in two samples), the corpus labels as they were when the sample was drawn and those of
a blind second annotator, who saw neither the labels nor the corpus. Agreement and Cohen's kappa per
label measure how reliably the corpus was labelled at that moment; the data card says what was done
to the corpus between the samples.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from app.labels import LABELS, Label
from app.training.corpus import Post

AGREEMENT_DIR = Path(__file__).resolve().parents[2] / "training_data" / "agreement"


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


def samples(directory: Path = AGREEMENT_DIR) -> dict[str, Path]:
    """The second-label samples, by name (sample_a, sample_b, ...), in the order they were drawn."""
    return {path.stem: path for path in sorted(directory.glob("sample_*.tsv"))}


def read_second_labels(path: Path) -> list[dict[str, str]]:
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
