"""`urikomi train`: fit the reference scikit-learn model, export it as plain data, verify, save.

Deterministic: the same corpus and config give byte-identical model files on one machine.
After export the model is reloaded through the serving code and its probabilities are compared
with scikit-learn's `predict_proba` on the dev and test splits before anything is written.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import asdict, dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from numpy.typing import NDArray
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from app.engine import blocks
from app.engine.features import CHAR_NGRAMS, Document, build_document
from app.engine.mentions import mask_mentions
from app.engine.model import LinearModel, load_model, save_model
from app.engine.normalize import normalize
from app.engine.tokenize import Tokenizer
from app.labels import HARD_SELL_LABELS, LABELS
from app.training.augment import with_closing, with_emoji_breaks, with_exclamations, with_hashtags
from app.training.consistency import is_deal_phrase
from app.training.corpus import Post, corpus_hash, load_corpus
from app.training.splits import SPLIT_SEED, Split, assign_splits
from app.training.thresholds import choose_thresholds

MODEL_FAMILY = "ja-linear"
MAX_REFERENCE_DELTA = 1e-9
SECTION_MIN_CHARS = 400  # posts this long also train on their sections (see training_sections)
HASHTAG_COPIES = 3  # augmented copies of each training post (see app/training/augment.py); with the
EXCLAMATION_COPIES = 2  # strong regularisation real text wants, fewer copies let 「!!」 and tags move verdicts


@dataclass(frozen=True)
class TrainConfig:
    """The knobs model selection compares (see `urikomi evaluate --compare`)."""

    C: float = 0.03  # stronger regularisation than the dev split alone prefers: it generalises to real text
    min_df: int = 2
    sublinear_tf: bool = True
    class_weight: str | None = "balanced"
    char_ngrams: tuple[int, ...] = CHAR_NGRAMS
    style: bool = False
    estimator: str = "svm"  # "svm" (linear SVM) or "logreg"; both Platt-calibrated on dev
    section_examples: bool = True  # long train posts also teach the block reader, section by section
    mask_mentions: bool = True  # quotes the draft talks about are masked (app/engine/mentions.py)
    augment_hashtags: bool = True  # train also on each post with neutral hashtags appended
    augment_exclamations: bool = True  # ... and on each post with sentence ends as 「!!」
    augment_closings: bool = True  # ... and on each post with a quiet closing line appended
    augment_emoji: bool = True  # ... and on each post with an emoji and a line break after a sentence


@dataclass
class Dataset:
    """Posts with their documents and label matrix, split."""

    posts: list[Post]
    docs: list[Document]
    y: NDArray[np.int_]
    split: list[Split]

    def part(self, which: Split) -> tuple[list[Post], list[Document], NDArray[np.int_]]:
        """The posts, documents and labels of one split."""
        idx = [i for i, s in enumerate(self.split) if s == which]
        return [self.posts[i] for i in idx], [self.docs[i] for i in idx], self.y[idx]


def config_of(model: LinearModel) -> TrainConfig:
    """The training config a model was made with (its features must be rebuilt the same way)."""
    stored = dict(model.metadata["config"])
    stored["char_ngrams"] = tuple(stored.get("char_ngrams", CHAR_NGRAMS))
    return TrainConfig(**stored)


def featurize(texts: list[str], tokenizer: Tokenizer, config: TrainConfig) -> list[Document]:
    """Documents for texts, exactly as the serving path builds them."""
    docs = []
    for text in texts:
        normalized = normalize(text)
        if config.mask_mentions:
            normalized = mask_mentions(normalized)
        tokens = tokenizer.tokenize(normalized.text)
        docs.append(build_document(normalized, tokens, tuple(config.char_ngrams), config.style))
    return docs


def load_dataset(
    data_dir: Path, tokenizer: Tokenizer, config: TrainConfig | None = None, seed: str = SPLIT_SEED
) -> Dataset:
    """Load and validate the corpus, featurise it (as `config` says) and assign splits."""
    posts = load_corpus(data_dir)
    splits = assign_splits(posts, seed)
    y = np.array([[getattr(p, label.value) for label in LABELS] for p in posts], dtype=int)
    docs = featurize([p.text for p in posts], tokenizer, config or TrainConfig())
    return Dataset(posts, docs, y, [splits[p.id] for p in posts])


class Reference:
    """The scikit-learn model: TF-IDF feature union, one calibrated logistic regression per label."""

    def __init__(self, config: TrainConfig) -> None:
        self.config = config
        self.union = FeatureUnion(
            [
                ("word", self._vectorizer("word_terms")),
                ("char", self._vectorizer("char_terms")),
            ]
        )
        self.classifiers: list[CalibratedClassifierCV] = []

    def _vectorizer(self, field: str) -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer=attrgetter(field), min_df=self.config.min_df, sublinear_tf=self.config.sublinear_tf
        )

    def matrices(
        self,
        train: list[Document],
        y_train: NDArray[np.int_],
        dev: list[Document],
        augmented: list[list[Document]],
        sections: TrainingSections | None = None,
    ) -> tuple[Any, NDArray[np.int_], Any]:
        """Fit the vocabulary on the real train posts only (so min_df still drops one-off terms),
        then stack the augmented copies under them with the same labels, and the sections of long
        posts with their own labels last."""
        x_train = self.union.fit_transform(train)
        parts = [x_train] + [self.union.transform(copy) for copy in augmented]
        labels = [y_train] * len(parts)
        if sections is not None and sections.docs:
            parts.append(self.union.transform(sections.docs))
            labels.append(sections.y)
        return sparse.vstack(parts).tocsr(), np.vstack(labels), self.union.transform(dev)

    def fit(
        self,
        train: list[Document],
        y_train: NDArray[np.int_],
        dev: list[Document],
        y_dev: NDArray[np.int_],
        augmented: list[list[Document]] | None = None,
        sections: TrainingSections | None = None,
    ) -> Reference:
        """Fit vectorizers and classifiers on train; Platt-calibrate each on dev. Sections of long
        posts train the hard-sell labels only: story is a judgement of the whole draft."""
        x_train, y_train, x_dev = self.matrices(train, y_train, dev, augmented or [], sections)
        whole = x_train.shape[0] - (len(sections.docs) if sections is not None else 0)
        self.classifiers = []
        for column, label in enumerate(LABELS):
            rows = slice(None) if label in HARD_SELL_LABELS else slice(0, whole)
            base = self._estimator().fit(x_train[rows], y_train[rows, column])
            calibrated = CalibratedClassifierCV(FrozenEstimator(base), method="sigmoid")
            self.classifiers.append(calibrated.fit(x_dev, y_dev[:, column]))
        return self

    def _estimator(self) -> LogisticRegression | LinearSVC:
        """A fresh linear estimator of the configured kind (both export as coef_ + intercept_)."""
        if self.config.estimator == "svm":
            return LinearSVC(C=self.config.C, class_weight=self.config.class_weight, max_iter=20000, random_state=0)
        return LogisticRegression(C=self.config.C, class_weight=self.config.class_weight, max_iter=5000)

    def predict_proba(self, docs: list[Document]) -> NDArray[np.float64]:
        """(n, labels) probabilities of the positive class."""
        x = self.union.transform(docs)
        return np.column_stack([c.predict_proba(x)[:, 1] for c in self.classifiers])

    def export(self) -> tuple[list[str], list[str], dict[str, NDArray[np.float64]]]:
        """Vocabularies in column order and the arrays the serving model applies."""
        word_vec: TfidfVectorizer = self.union.transformer_list[0][1]
        char_vec: TfidfVectorizer = self.union.transformer_list[1][1]
        word_terms = sorted(word_vec.vocabulary_, key=word_vec.vocabulary_.__getitem__)
        char_terms = sorted(char_vec.vocabulary_, key=char_vec.vocabulary_.__getitem__)
        coef, intercept, calib_a, calib_b = [], [], [], []
        for calibrated in self.classifiers:
            inner = calibrated.calibrated_classifiers_[0]
            base = inner.estimator.estimator  # FrozenEstimator → LogisticRegression
            coef.append(base.coef_[0])
            intercept.append(base.intercept_[0])
            calib_a.append(inner.calibrators[0].a_)
            calib_b.append(inner.calibrators[0].b_)
        arrays = {
            "idf": np.concatenate((word_vec.idf_, char_vec.idf_)).astype(np.float64),
            "coef": np.array(coef, dtype=np.float64),
            "intercept": np.array(intercept, dtype=np.float64),
            "calib_a": np.array(calib_a, dtype=np.float64),
            "calib_b": np.array(calib_b, dtype=np.float64),
        }
        return word_terms, char_terms, arrays


def served_proba(model: LinearModel, docs: list[Document]) -> NDArray[np.float64]:
    """(n, labels) probabilities from the plain-data serving model."""
    return np.array([[model.score(d).probabilities[label] for label in LABELS] for d in docs])


def served_block_proba(model: LinearModel, docs: list[Document]) -> NDArray[np.float64]:
    """What the analyzer serves: per label, hard-sell labels raised to a long draft's strongest block."""
    return np.array([[blocks.probabilities(model, model.encode(d))[label] for label in LABELS] for d in docs])


def fit(data: Dataset, config: TrainConfig, reference_type: type[Reference] | None = None) -> Reference:
    """Fit the reference model on the train split (plus its augmented copies), calibrated on dev."""
    train_posts, train_docs, y_train = data.part(Split.TRAIN)
    _, dev_docs, y_dev = data.part(Split.DEV)
    augmented: list[list[Document]] = []
    tokenizer = Tokenizer()
    if config.augment_hashtags:
        for copy in range(HASHTAG_COPIES):
            augmented.append(featurize([with_hashtags(p.id, p.text, copy) for p in train_posts], tokenizer, config))
    if config.augment_exclamations:
        for copy in range(EXCLAMATION_COPIES):
            augmented.append(featurize([with_exclamations(p.id, p.text, copy) for p in train_posts], tokenizer, config))
    if config.augment_closings:
        augmented.append(featurize([with_closing(p.id, p.text) for p in train_posts], tokenizer, config))
    if config.augment_emoji:
        augmented.append(featurize([with_emoji_breaks(p.id, p.text) for p in train_posts], tokenizer, config))
    sections = training_sections(train_posts, tokenizer, config) if config.section_examples else None
    return (reference_type or Reference)(config).fit(train_docs, y_train, dev_docs, y_dev, augmented, sections)


@dataclass
class TrainingSections:
    """Sections of long train posts as extra examples, with labels of their own."""

    docs: list[Document]
    y: NDArray[np.int_]


def training_sections(posts: list[Post], tokenizer: Tokenizer, config: TrainConfig) -> TrainingSections:
    """Each section of a long post (as the analyzer cuts it) labelled by what it does: a hard-sell
    label only where an annotated key phrase lies in it (discount_spam where that phrase names a
    deal), so the story before a pitch and an essay's paragraph that discusses campaigns teach the
    block reader what they are (story is copied and unused: the story classifier reads whole posts)."""
    texts: list[str] = []
    rows: list[list[int]] = []
    for post in posts:
        if len(post.text) < SECTION_MIN_CHARS:
            continue
        normalized = normalize(post.text)
        phrases = [(at, at + len(p), is_deal_phrase(p)) for p in post.key_phrases if (at := post.text.find(p)) >= 0]
        for a, b in blocks.block_ranges(normalized.text):
            start, end = normalized.to_original(a, b)
            inside = [deal for p, q, deal in phrases if start <= p and q <= end]
            # a story's closing deal blast, read alone, is a deal blast (the whole post is not one)
            discount = bool(post.discount_spam or post.story) and any(inside)
            texts.append(post.text[start:end])
            rows.append([int(discount), post.pushy_pitch * bool(inside), post.story])
    return TrainingSections(featurize(texts, tokenizer, config), np.array(rows, dtype=int).reshape(-1, len(LABELS)))


def with_feedback(data: Dataset, feedback_db: Path, tokenizer: Tokenizer, config: TrainConfig) -> int:
    """Add the users' judgements (those stored with text) to the train split only; returns how many."""
    from app.feedback import feedback_posts

    extra = list(feedback_posts(feedback_db))
    if extra:
        data.posts.extend(extra)
        data.docs.extend(featurize([p.text for p in extra], tokenizer, config))
        rows = np.array([[getattr(p, label.value) for label in LABELS] for p in extra], dtype=int)
        data.y = np.vstack((data.y, rows))
        data.split.extend([Split.TRAIN] * len(extra))
    return len(extra)


def train(
    data_dir: Path,
    model_dir: Path,
    config: TrainConfig | None = None,
    feedback_db: Path | None = None,
    probes: list[tuple[str, Path]] | None = None,
) -> dict[str, Any]:
    """Train, export, verify against scikit-learn, evaluate on test, and save. Returns metadata."""
    from app.engine.analyze import Analyzer
    from app.engine.catalogue import load_catalogue
    from app.engine.tagger import PhraseTagger
    from app.training.evaluate import CHALLENGE_PATH, challenge_metrics, evaluate_model, softening_metrics
    from app.training.model_card import write_model_card
    from app.training.probe import load_probe, probe_metrics
    from app.training.tagger import train_hard_sells, train_tagger

    config = config or TrainConfig()
    tokenizer = Tokenizer()
    data = load_dataset(data_dir, tokenizer, config)
    feedback_rows = with_feedback(data, feedback_db, tokenizer, config) if feedback_db else 0
    reference = fit(data, config)
    _, dev_docs, y_dev = data.part(Split.DEV)
    dev_proba = reference.predict_proba(dev_docs)
    thresholds, caution = choose_thresholds(dev_proba, y_dev)
    data_hash = corpus_hash(data_dir)
    metadata: dict[str, Any] = {
        "version": f"{MODEL_FAMILY}-{data_hash[:12]}" + (f"+feedback{feedback_rows}" if feedback_rows else ""),
        "labels": [label.value for label in LABELS],
        "training_data_sha256": data_hash,
        "split_seed": SPLIT_SEED,
        "split_counts": {s.value: data.split.count(s) for s in Split},
        "thresholds": thresholds,
        "caution_thresholds": caution,
        "features": {
            "word": "lemma unigrams + bigrams",
            "char_ngrams": list(config.char_ngrams),
            "style": config.style,
            "mask_mentions": config.mask_mentions,
            "min_df": config.min_df,
            "sublinear_tf": config.sublinear_tf,
        },
        "config": asdict(config),
        "trained_with": {"scikit-learn": sklearn.__version__, "numpy": np.__version__},
    }
    if feedback_db:
        metadata["feedback"] = {"posts": feedback_rows, "sha256": hashlib.sha256(feedback_db.read_bytes()).hexdigest()}
    word_terms, char_terms, arrays = reference.export()
    save_model(model_dir, metadata, word_terms, char_terms, arrays)
    _verify_against_reference(model_dir, reference, data)
    # decide on what is served: a long draft's hard-sell scores are the max over its blocks
    metadata["thresholds"], metadata["caution_thresholds"] = choose_thresholds(
        served_block_proba(load_model(model_dir), dev_docs), y_dev
    )
    save_model(model_dir, metadata, word_terms, char_terms, arrays)
    # the phrase tagger reads this model's contributions, so it is trained on them before anything
    # that analyses drafts (the spans of every report below) is measured
    train_tagger(Analyzer(load_model(model_dir), load_catalogue(), tokenizer), train_hard_sells(data.part(Split.TRAIN)[0])).save(model_dir)
    metadata["test_metrics"] = evaluate_model(model_dir, data)
    if CHALLENGE_PATH.exists():
        metadata["challenge_metrics"] = challenge_metrics(model_dir, load_corpus(CHALLENGE_PATH))
    test_posts, _, _ = data.part(Split.TEST)
    analyzer = Analyzer(load_model(model_dir), load_catalogue(), tokenizer, PhraseTagger.load(model_dir))
    metadata["softening"] = softening_metrics(analyzer, test_posts)
    if probes:
        metadata["real_probes"] = {}
        for name, path in probes:
            figures = probe_metrics(analyzer, load_probe(path))
            metadata["real_probes"][name] = {k: v for k, v in figures.items() if k != "mistakes"}
    save_model(model_dir, metadata, word_terms, char_terms, arrays)
    write_model_card(model_dir.parent / "MODEL_CARD.md", metadata, data)
    return metadata


def _verify_against_reference(model_dir: Path, reference: Reference, data: Dataset) -> None:
    """Refuse to ship a model whose served probabilities differ from scikit-learn's."""
    served = load_model(model_dir)
    for which in (Split.DEV, Split.TEST):
        _, docs, _ = data.part(which)
        delta = np.abs(served_proba(served, docs) - reference.predict_proba(docs)).max(initial=0.0)
        if delta >= MAX_REFERENCE_DELTA:
            raise RuntimeError(f"served model differs from scikit-learn on {which}: max |Δ| = {delta:g}")


def _feedback_path(option: str | None) -> Path | None:
    """The feedback file named on the command line, else the configured one."""
    if option is None:
        return None
    if option:
        return Path(option)
    from app.config import get_settings

    return get_settings().feedback_db


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: train from a corpus directory into a model directory."""
    from app.training.probe import ProbeError, parse_spec

    parser = argparse.ArgumentParser(prog="urikomi train", description="Train the shipped model.")
    parser.add_argument("--data", type=Path, default=Path("training_data"))
    parser.add_argument("--out", type=Path, default=Path("models/urikomi"))
    parser.add_argument("--C", type=float, default=TrainConfig.C)
    parser.add_argument(
        "--with-feedback",
        nargs="?",
        const="",
        metavar="DB",
        help="also train on the judgements stored with text in this SQLite file (default: URIKOMI_FEEDBACK_DB)",
    )
    parser.add_argument(
        "--probe", action="append", default=[], metavar="[NAME=]FILE",
        help="also score a local real-text probe and record its figures (repeatable)",
    )
    args = parser.parse_args(argv)
    try:
        probes = [parse_spec(spec) for spec in args.probe]
    except ProbeError as exc:
        print(f"urikomi train: {exc}", file=sys.stderr)
        return 2
    missing = [str(path) for _, path in probes if not path.is_file()]
    if missing:
        print(f"urikomi train: no probe file at {', '.join(missing)}", file=sys.stderr)
        return 2
    feedback_db = _feedback_path(args.with_feedback)
    if args.with_feedback is not None and (feedback_db is None or not feedback_db.is_file()):
        print(f"urikomi train: no feedback file at {feedback_db or 'URIKOMI_FEEDBACK_DB (unset)'}", file=sys.stderr)
        return 2
    if not args.data.exists():
        print(f"urikomi train: no training data at {args.data}", file=sys.stderr)
        return 2
    try:
        metadata = train(args.data, args.out, TrainConfig(C=args.C), feedback_db, probes)
    except ValueError as exc:
        print(f"urikomi train: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({k: metadata[k] for k in ("version", "thresholds", "test_metrics")}, ensure_ascii=False, indent=2))
    return 0
