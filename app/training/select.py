"""`urikomi compare`: model selection by evidence on the dev split.

Every candidate is fitted on train and Platt-calibrated on dev; thresholds are chosen on dev as in
training. Candidates are ranked by dev macro-F1 over the three labels, with the false-alarm rate on
hard negatives beside it; the keyword-list baseline is shown for scale. When a held-out challenge
set exists (tests/data/challenge.jsonl), its hard-sell accuracy is printed too, and so are the figures
on local real-text probes named with --probe (whole drafts, at the dev thresholds).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import f1_score
from sklearn.naive_bayes import ComplementNB

from app.engine.tokenize import Tokenizer
from app.labels import LABELS
from app.training.baseline import keyword_labels
from app.training.corpus import HARD_NEGATIVE_KINDS, Post, load_corpus
from app.training.evaluate import CHALLENGE_PATH
from app.training.probe import ESSAY_GENRES, ProbeItem, load_probe, parse_spec
from app.training.splits import Split
from app.training.thresholds import choose_thresholds
from app.training.train import Dataset, Reference, TrainConfig, featurize, fit, load_dataset

CANDIDATES: dict[str, TrainConfig] = {
    "logreg word+char1-3": TrainConfig(estimator="logreg", C=8.0),
    "logreg word+char1-3 C=2": TrainConfig(estimator="logreg", C=2.0),
    "logreg word+char2-4": TrainConfig(estimator="logreg", C=8.0, char_ngrams=(2, 3, 4)),
    "logreg word+char1-3+style": TrainConfig(estimator="logreg", C=8.0, style=True),
    "logreg word+char2-4+style": TrainConfig(estimator="logreg", C=8.0, char_ngrams=(2, 3, 4), style=True),
    "linear svm word+char1-3 C=0.3": TrainConfig(C=0.3),
    "linear svm word+char1-3 C=0.8": TrainConfig(C=0.8),
    "linear svm word+char1-3 C=0.1": TrainConfig(C=0.1),
    "linear svm word+char1-3 C=0.03 (shipped)": TrainConfig(),
    "linear svm word+char1-3 C=0.02": TrainConfig(C=0.02),
    "linear svm word+char1-3 C=0.01": TrainConfig(C=0.01),
    "linear svm word+char1-3+style": TrainConfig(style=True),
    "linear svm word+char2-4+style": TrainConfig(char_ngrams=(2, 3, 4), style=True),
    "complement nb word+char1-3": TrainConfig(estimator="cnb"),
}


class NaiveBayesReference(Reference):
    """Complement naive Bayes on the same features, Platt-calibrated on dev; for comparison only
    (it has no coef_ to export, so it can be compared but not shipped)."""

    def _estimator(self) -> Any:
        return ComplementNB(alpha=0.3)


def _scores(posts: list[Post], y: Any, proba: Any, cuts: dict[str, float]) -> dict[str, float]:
    pred = np.column_stack([proba[:, i] >= cuts[label.value] for i, label in enumerate(LABELS)]).astype(int)
    flagged = pred[:, :2].max(axis=1)
    negatives = [f for p, f in zip(posts, flagged) if p.kind in HARD_NEGATIVE_KINDS]
    return {
        "macro_f1": round(float(f1_score(y, pred, average="macro", zero_division=0.0)), 4),
        "hard_sell_f1": round(float(f1_score(y[:, :2].max(axis=1), flagged, zero_division=0.0)), 4),
        "story_f1": round(float(f1_score(y[:, 2], pred[:, 2], zero_division=0.0)), 4),
        "hard_negative_false_alarms": round(float(np.mean(negatives)), 4) if negatives else 0.0,
    }


def _probe_scores(items: list[ProbeItem], proba: Any, cuts: dict[str, float]) -> dict[str, float]:
    """Hard-sell F1 and false alarms (overall and on articles) of whole-draft scores on a probe."""
    truth = np.array([item.hard_sell for item in items])
    flagged = (proba[:, 0] >= cuts["discount_spam"]) | (proba[:, 1] >= cuts["pushy_pitch"])
    articles = np.array([item.genre in ESSAY_GENRES for item in items])
    tp, fp, fn = int((flagged & truth).sum()), int((flagged & ~truth).sum()), int((~flagged & truth).sum())
    return {
        "hard_sell_f1": round(2 * tp / (2 * tp + fp + fn), 4) if tp + fp + fn else 0.0,
        "false_alarm_rate": round(fp / max(1, int((~truth).sum())), 4),
        "articles_false_alarm_rate": round(int((flagged & articles & ~truth).sum()) / max(1, int((articles & ~truth).sum())), 4),
    }


def compare(data_dir: Path, probes: list[tuple[str, Path]] | None = None) -> list[dict[str, Any]]:
    """Fit every candidate and score it on dev (and on the challenge set and local real-text
    probes when present; probes are scored on whole drafts, without the block reader)."""
    tokenizer = Tokenizer()
    loaded = [(name, load_probe(path)) for name, path in probes or []]
    datasets: dict[tuple[tuple[int, ...], bool], Dataset] = {}
    challenge = load_corpus(CHALLENGE_PATH) if CHALLENGE_PATH.exists() else []
    rows = []
    for name, config in CANDIDATES.items():
        key = (tuple(config.char_ngrams), config.style)
        if key not in datasets:
            datasets[key] = load_dataset(data_dir, tokenizer, config)
        data = datasets[key]
        dev_posts, dev_docs, y_dev = data.part(Split.DEV)
        reference = fit(data, config, NaiveBayesReference if config.estimator == "cnb" else Reference)
        proba = reference.predict_proba(dev_docs)
        cuts, _ = choose_thresholds(proba, y_dev)
        row: dict[str, Any] = {"candidate": name, **_scores(dev_posts, y_dev, proba, cuts)}
        if challenge:
            y_ch = np.array([[getattr(p, label.value) for label in LABELS] for p in challenge])
            ch_proba = reference.predict_proba(featurize([p.text for p in challenge], tokenizer, config))
            row["challenge"] = _scores(challenge, y_ch, ch_proba, cuts)
        for probe_name, items in loaded:
            probe_proba = reference.predict_proba(featurize([i.text for i in items], tokenizer, config))
            row.setdefault("probes", {})[probe_name] = _probe_scores(items, probe_proba, cuts)
        rows.append(row)
    rows.append(_baseline_row(data_dir, challenge))
    return rows


def _baseline_row(data_dir: Path, challenge: list[Post]) -> dict[str, Any]:
    """The keyword list scored the same way."""
    from app.training.splits import assign_splits

    posts = load_corpus(data_dir)
    splits = assign_splits(posts)
    row: dict[str, Any] = {"candidate": "keyword list (baseline)"}
    for name, group in (("dev", [p for p in posts if splits[p.id] == Split.DEV]), ("challenge", challenge)):
        if not group:
            continue
        y = np.array([[getattr(p, label.value) for label in LABELS] for p in group])
        proba = np.array([[keyword_labels(p.text)[label] for label in LABELS] for p in group], dtype=float)
        scores = _scores(group, y, proba, {label.value: 0.5 for label in LABELS})
        if name == "dev":
            row.update(scores)
        else:
            row["challenge"] = scores
    return row


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: print the comparison table (or JSON)."""
    parser = argparse.ArgumentParser(prog="urikomi compare", description="Compare candidate models on the dev split.")
    parser.add_argument("--data", type=Path, default=Path("training_data"))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--probe", action="append", default=[], metavar="[NAME=]FILE", help="also score local real-text probes")
    args = parser.parse_args(argv)
    try:
        rows = compare(args.data, [parse_spec(spec) for spec in args.probe])
    except ValueError as exc:
        print(f"urikomi compare: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    print(f"{'candidate':<42} {'macroF1':>8} {'hardF1':>7} {'storyF1':>8} {'FA(hn)':>7} | {'ch.hardF1':>9} {'ch.FA':>6}")
    for row in rows:
        ch = row.get("challenge", {})
        print(
            f"{row['candidate']:<42} {row['macro_f1']:>8.4f} {row['hard_sell_f1']:>7.4f} {row['story_f1']:>8.4f} "
            f"{row['hard_negative_false_alarms']:>7.4f} | {ch.get('hard_sell_f1', float('nan')):>9.4f} "
            f"{ch.get('hard_negative_false_alarms', float('nan')):>6.4f}"
            + "".join(
                f" | {name}: F1 {p['hard_sell_f1']:.3f} FA {p['false_alarm_rate']:.3f} articles FA {p['articles_false_alarm_rate']:.3f}"
                for name, p in row.get("probes", {}).items()
            )
        )
    return 0
