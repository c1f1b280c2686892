"""Train the phrase tagger (`app/engine/tagger.py`) on the TRAIN split's hard sells: each token is
a positive where it lies inside an annotated key phrase. It reads the shipped model's own
contributions, so it is retrained after the model (`python -m app.training.tagger`); the dev and
test splits are never read. The catch-all gate's threshold is chosen on dev (highlights.yaml).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from app.config import default_model_path
from app.engine import blocks
from app.engine.analyze import Analyzer
from app.engine.tagger import PhraseTagger, context_for, token_features
from app.training.corpus import Post, load_corpus, occurrences
from app.training.splits import Split, assign_splits

ROOT = Path(__file__).resolve().parents[2]
C = 0.5  # L2 strength; 0.25 and 1.0 gave the same dev precision and recall within 0.5 points


def token_examples(analyzer: Analyzer, post: Post) -> tuple[list[dict[str, float]], list[int]]:
    """A hard sell's token features, and 1 for each token inside one of its key phrases."""
    doc = analyzer.document(post.text)
    scored = blocks.scored(analyzer.model, analyzer.model.encode(doc), every_block=True)
    context = context_for(doc, scored, analyzer.family_matches(doc.normalized.text))
    keys = [doc.normalized.to_folded(a, b) for phrase in post.key_phrases for a, b in occurrences(post.text, phrase)]
    labels = [int(any(a < t.end and t.start < b for a, b in keys)) for t in doc.tokens]
    return token_features(context), labels


def train_tagger(analyzer: Analyzer, posts: list[Post]) -> PhraseTagger:
    """Fit the tagger on the given hard sells (deterministic: lbfgs from zeros)."""
    features: list[dict[str, float]] = []
    labels: list[int] = []
    for post in posts:
        x, y = token_examples(analyzer, post)
        features += x
        labels += y
    vectorizer = DictVectorizer(sort=True)
    matrix = vectorizer.fit_transform(features)
    model = LogisticRegression(C=C, max_iter=3000, solver="lbfgs")
    model.fit(matrix, np.array(labels))
    names = vectorizer.get_feature_names_out()
    return PhraseTagger({str(name): float(w) for name, w in zip(names, model.coef_[0])}, float(model.intercept_[0]))


def train_hard_sells(posts: list[Post]) -> list[Post]:
    """The posts the tagger learns from: hard sells with their key phrases."""
    return [p for p in posts if p.hard_sell and p.key_phrases]


def train_posts(root: Path = ROOT / "training_data") -> list[Post]:
    """The train split's hard sells."""
    posts = load_corpus(root)
    splits = assign_splits(posts)
    return train_hard_sells([p for p in posts if splits[p.id] == Split.TRAIN])


def main(argv: list[str] | None = None) -> int:
    """Retrain the tagger of the model in URIKOMI_MODEL_PATH (or the shipped one) and save it beside it."""
    del argv
    model_dir = default_model_path()
    analyzer = Analyzer.from_path(model_dir)
    posts = train_posts()
    tagger = train_tagger(analyzer, posts)
    tagger.save(model_dir)
    print(f"phrase tagger: {len(tagger.weights)} weights from {len(posts)} train hard sells → {model_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
