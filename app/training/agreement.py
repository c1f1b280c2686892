"""Second-label agreement: how often a blind second annotator gives the corpus's labels.

`training_data/agreement/sample_*.tsv` each hold, for a sample stratified by kind (about 10 % of
each, no post in two samples), the corpus labels as they were when the sample was drawn and those of
a blind second annotator, who saw neither the labels nor the corpus. Agreement and Cohen's kappa per
label measure how reliably the corpus was labelled at that moment; the data card says what was done
to the corpus between the samples.

`training_data/agreement/key_phrases.json` holds a second, blind pass over the key phrases of every
hard sell: the corpus took the phrases the first annotator had missed (`second_pass_additions`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.labels import LABELS, Label
from app.training.corpus import Post, occurrences

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


KEY_PHRASES_PATH = AGREEMENT_DIR / "key_phrases.json"


@dataclass(frozen=True)
class KeyPhraseRow:
    """One hard sell's key phrases: the first annotator's (as they were before the second pass) and
    a blind second annotator's, who saw neither the first phrases nor the tool's highlights."""

    id: str
    first: tuple[str, ...]
    second: tuple[str, ...]


@dataclass(frozen=True)
class KeyPhraseAgreement:
    """How two annotators' phrases overlap: a phrase is matched when one of its places in the text
    overlaps a place of a phrase of the other annotator."""

    posts: int
    first: int
    first_matched: int
    second: int
    second_matched: int
    added: int  # second-pass phrases the corpus took (matched none of the first, not a bare fact)


def read_key_phrase_rows(path: Path = KEY_PHRASES_PATH) -> list[KeyPhraseRow]:
    """The key-phrase second pass (a JSON list of {id, first, second})."""
    return [KeyPhraseRow(r["id"], tuple(r["first"]), tuple(r["second"])) for r in json.loads(path.read_text(encoding="utf-8"))]


def _touches(text: str, phrase: str, others: list[tuple[int, int]]) -> bool:
    return any(a < e and s < b for a, b in occurrences(text, phrase) for s, e in others)


def second_pass_additions(text: str, row: KeyPhraseRow, is_bare_fact: Callable[[str], bool]) -> list[str]:
    """The second annotator's phrases that say something the first annotator did not mark: none of
    their places overlaps a first phrase (a longer or shorter cut of the same phrase is the same
    finding), and they are more than a bare fact."""
    first = [place for phrase in row.first for place in occurrences(text, phrase)]
    added: list[str] = []
    for phrase in row.second:
        if phrase in row.first or phrase in added or _touches(text, phrase, first) or is_bare_fact(phrase):
            continue
        added.append(phrase)
    return added


def key_phrase_agreement(rows: list[KeyPhraseRow], texts: dict[str, str], is_bare_fact: Callable[[str], bool]) -> KeyPhraseAgreement:
    """Phrase-level overlap between the two passes, over the posts still in the corpus."""
    kept = [r for r in rows if r.id in texts]
    first = second = first_matched = second_matched = added = 0
    for row in kept:
        text = texts[row.id]
        first_places = [p for phrase in row.first for p in occurrences(text, phrase)]
        second_places = [p for phrase in row.second for p in occurrences(text, phrase)]
        first += len(row.first)
        second += len(row.second)
        first_matched += sum(_touches(text, phrase, second_places) for phrase in row.first)
        second_matched += sum(_touches(text, phrase, first_places) for phrase in row.second)
        added += len(second_pass_additions(text, row, is_bare_fact))
    return KeyPhraseAgreement(len(kept), first, first_matched, second, second_matched, added)
