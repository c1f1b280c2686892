"""The trained classifier as plain data (JSON + NumPy), scored directly without scikit-learn.

scikit-learn trains the model and stays the reference (a test proves these probabilities equal its
`predict_proba`); serving applies the fitted vocabulary, idf, coefficients and Platt calibration
itself, because the stock pipeline's per-call overhead is ~100x the work for one short post.
Files: `model.json` (metadata), `vocabulary.json` (terms in column order), `weights.npz` (arrays,
loaded with allow_pickle=False so a model file can never execute code).
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.engine.features import Document
from app.labels import LABELS, Label

METADATA_FILE = "model.json"
VOCABULARY_FILE = "vocabulary.json"
WEIGHTS_FILE = "weights.npz"
FORMAT_VERSION = 1


class ModelLoadError(RuntimeError):
    """The model directory is missing, incomplete or not a model of this format."""


@dataclass(frozen=True)
class Scored:
    """Per-label probabilities plus what the explainer needs to attribute them."""

    probabilities: dict[Label, float]
    # Per feature occurrence: its region in the folded text and its contribution to each label's
    # calibrated log-odds (so explanation thresholds mean the same for any linear estimator).
    starts: NDArray[np.intp] = field(repr=False)
    ends: NDArray[np.intp] = field(repr=False)
    contributions: NDArray[np.float64] = field(repr=False)  # shape (labels, occurrences)


@dataclass(frozen=True)
class LinearModel:
    """TF-IDF blocks (words, characters) → one logistic regression per label → Platt scaling."""

    metadata: dict[str, Any]
    word_index: dict[str, int]
    char_index: dict[str, int]
    idf: NDArray[np.float64]  # word columns first, then character columns
    coef: NDArray[np.float64]  # (labels, columns)
    intercept: NDArray[np.float64]  # (labels,)
    calib_a: NDArray[np.float64]  # (labels,)
    calib_b: NDArray[np.float64]  # (labels,)

    @property
    def version(self) -> str:
        """The model's version string from its metadata."""
        return str(self.metadata["version"])

    @property
    def sublinear_tf(self) -> bool:
        """Whether term counts were log-scaled in training."""
        return bool(self.metadata["features"]["sublinear_tf"])

    def threshold(self, label: Label) -> float:
        """The decision threshold chosen on the dev split for `label`."""
        return float(self.metadata["thresholds"][label.value])

    def caution_threshold(self, label: Label) -> float:
        """The lower threshold from which a hard-sell score earns a 'caution' verdict."""
        return float(self.metadata["caution_thresholds"][label.value])

    def score(self, doc: Document) -> Scored:
        """Probabilities for every label, with per-occurrence logit contributions."""
        word_cols, word_kept = _columns(doc.word_terms, self.word_index, 0)
        char_cols, char_kept = _columns(doc.char_terms, self.char_index, len(self.word_index))
        cols = np.concatenate((word_cols, char_cols))
        vals = np.concatenate((self._block_values(word_cols), self._block_values(char_cols)))
        contributions = self.coef[:, cols] * vals
        logits = contributions.sum(axis=1) + self.intercept
        probs = 1.0 / (1.0 + np.exp(self.calib_a * logits + self.calib_b))
        return Scored(
            {label: float(probs[i]) for i, label in enumerate(LABELS)},
            np.concatenate((doc.word_starts[word_kept], doc.char_starts[char_kept])),
            np.concatenate((doc.word_ends[word_kept], doc.char_ends[char_kept])),
            # in units of the calibrated log-odds, whatever the estimator's own scale
            contributions * -self.calib_a[:, np.newaxis],
        )

    def probabilities(self, doc: Document) -> dict[Label, float]:
        """Probabilities only: no per-occurrence contributions (what a rewrite check needs)."""
        word_cols, _ = _columns(doc.word_terms, self.word_index, 0)
        char_cols, _ = _columns(doc.char_terms, self.char_index, len(self.word_index))
        logits = self.intercept.copy()
        for cols in (word_cols, char_cols):
            if cols.size:
                logits += self.coef[:, cols] @ self._block_values(cols)
        probs = 1.0 / (1.0 + np.exp(self.calib_a * logits + self.calib_b))
        return {label: float(probs[i]) for i, label in enumerate(LABELS)}

    def without(self, scored: Scored, regions: list[tuple[int, int]]) -> Scored:
        """The same scores with every feature that lies inside `regions` contributing nothing."""
        inside = np.zeros(scored.starts.shape, dtype=bool)
        for a, b in regions:
            inside |= (scored.starts >= a) & (scored.ends <= b)
        contributions = np.where(inside, 0.0, scored.contributions)
        # contributions are in calibrated log-odds: undo the slope to get the raw margin back
        logits = contributions.sum(axis=1) / -self.calib_a + self.intercept
        probs = 1.0 / (1.0 + np.exp(self.calib_a * logits + self.calib_b))
        return Scored({label: float(probs[i]) for i, label in enumerate(LABELS)}, scored.starts, scored.ends, contributions)

    def _block_values(self, cols: NDArray[np.intp]) -> NDArray[np.float64]:
        """TF-IDF value per occurrence, L2-normalised over the block, split evenly among repeats.

        Splitting by count makes the occurrences of one term sum to that term's TF-IDF value,
        so the contributions add up exactly to the linear model's logit.
        """
        if cols.size == 0:
            return np.zeros(0)
        unique, inverse, counts = np.unique(cols, return_inverse=True, return_counts=True)
        tf = counts.astype(np.float64)
        if self.sublinear_tf:
            tf = 1.0 + np.log(tf)
        weights = tf * self.idf[unique]
        norm = math.sqrt(float(weights @ weights)) or 1.0
        return (weights / norm / counts)[inverse]


def _columns(terms: list[str], index: dict[str, int], offset: int) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
    """Columns of the in-vocabulary terms, and a mask saying which occurrences those are."""
    found = np.fromiter(map(index.get, terms, repeat(-1)), dtype=np.intp, count=len(terms))
    kept = found >= 0
    return found[kept] + offset, kept


def save_model(
    directory: Path,
    metadata: dict[str, Any],
    word_terms: list[str],
    char_terms: list[str],
    arrays: dict[str, NDArray[np.float64]],
) -> None:
    """Write the three model files; byte-identical output for identical inputs."""
    directory.mkdir(parents=True, exist_ok=True)
    meta = {"format": FORMAT_VERSION, **metadata}
    (directory / METADATA_FILE).write_text(
        json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    (directory / VOCABULARY_FILE).write_text(
        json.dumps({"word": word_terms, "char": char_terms}, ensure_ascii=False), encoding="utf-8"
    )
    _write_npz(directory / WEIGHTS_FILE, arrays)


def _write_npz(path: Path, arrays: dict[str, NDArray[np.float64]]) -> None:
    """An .npz with fixed timestamps, so identical arrays give identical bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            buffer = io.BytesIO()
            np.save(buffer, arrays[name], allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())


def load_model(directory: Path) -> LinearModel:
    """Load a model directory, or raise ModelLoadError saying what is wrong with it."""
    try:
        metadata = json.loads((directory / METADATA_FILE).read_text(encoding="utf-8"))
        vocabulary = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        with np.load(directory / WEIGHTS_FILE, allow_pickle=False) as npz:
            arrays = {name: np.asarray(npz[name], dtype=np.float64) for name in npz.files}
    except FileNotFoundError as exc:
        raise ModelLoadError(f"model file missing: {exc.filename}") from exc
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ModelLoadError(f"model files in {directory} are unreadable or corrupt: {exc}") from exc
    return _assemble(metadata, vocabulary, arrays, directory)


def _assemble(
    metadata: Any, vocabulary: Any, arrays: dict[str, NDArray[np.float64]], directory: Path
) -> LinearModel:
    """Check shapes and metadata before trusting the files."""
    try:
        if metadata.get("format") != FORMAT_VERSION:
            raise ModelLoadError(f"{directory}: unsupported model format {metadata.get('format')!r}")
        word_terms, char_terms = list(vocabulary["word"]), list(vocabulary["char"])
        columns = len(word_terms) + len(char_terms)
        idf, coef = arrays["idf"], arrays["coef"]
        if idf.shape != (columns,) or coef.shape != (len(LABELS), columns):
            raise ModelLoadError(f"{directory}: weights do not match the vocabulary")
        for name in ("intercept", "calib_a", "calib_b"):
            if arrays[name].shape != (len(LABELS),):
                raise ModelLoadError(f"{directory}: {name} has the wrong shape")
        for key in ("version", "thresholds", "caution_thresholds", "features"):
            metadata[key]  # noqa: B018 - presence check
        return LinearModel(
            metadata=metadata,
            word_index={t: i for i, t in enumerate(word_terms)},
            char_index={t: i for i, t in enumerate(char_terms)},
            idf=idf,
            coef=coef,
            intercept=arrays["intercept"],
            calib_a=arrays["calib_a"],
            calib_b=arrays["calib_b"],
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ModelLoadError(f"{directory}: model files are incomplete ({exc!r})") from exc
