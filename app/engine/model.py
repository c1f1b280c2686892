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
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from app.engine import _kernel
from app.engine.features import NUMBER_POS, SKIP_POS, Document, char_keys, char_regions, char_terms, gram_keys
from app.engine.tokenize import Token
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


class LinearParts(NamedTuple):
    """A draft's linear margins per label (intercept included) and, when asked for, each feature
    occurrence's region in the folded text and contribution to each margin."""

    margins: NDArray[np.float64]  # (labels,)
    starts: NDArray[np.intp]
    ends: NDArray[np.intp]
    contributions: NDArray[np.float64]  # (labels, occurrences), in the estimator's own units


@dataclass(frozen=True, slots=True)
class Encoded:
    """A draft, or a part of one, as one model reads it: the folded text (its character n-grams
    are looked up while scoring) and its in-vocabulary word occurrences as table rows with their
    regions. A draft is encoded once; its blocks and sentences are parts of that encoding, so
    scoring them looks no word up again."""

    text: str
    char_ngrams: tuple[int, ...]
    word_rows: NDArray[np.int64]
    word_starts: NDArray[np.int64]
    word_ends: NDArray[np.int64]

    def part(self, start: int, end: int) -> Encoded:
        """The folded text's [start, end) read on its own: the word occurrences that lie wholly
        inside, with offsets from `start` (add it to map them back)."""
        inside = (self.word_starts >= start) & (self.word_ends <= end)
        return Encoded(
            self.text[start:end], self.char_ngrams, self.word_rows[inside], self.word_starts[inside] - start, self.word_ends[inside] - start
        )


@dataclass(frozen=True)
class LinearModel:
    """TF-IDF blocks (words, characters) → one logistic regression per label → Platt scaling.

    `table` has one row per term, word terms first, then character n-grams in the order their
    lookup keeps them: [idf, coefficient per label]. Idf and coefficients share a row so that one
    gather (one cache line) fetches all a term needs: with a vocabulary of megabytes and a few
    hundred terms per post, memory latency and per-call overhead, not arithmetic, cost the most.
    """

    metadata: dict[str, Any]
    words: TermLookup  # lemma unigrams and bigrams
    chars: TermLookup  # character n-grams
    table: NDArray[np.float64]  # (words + chars, 1 + labels)
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

    def encode(self, doc: Document, compiled: bool = True) -> Encoded:
        """The draft as this model reads it (words looked up in the vocabulary once). The kernel
        finds the lemma unigrams and bigrams straight from the tokens, without building their
        strings; the string terms (`compiled=False`) are the reference a test compares it with."""
        if compiled:
            rows, starts, ends = self.words.rows_of_tokens(doc.tokens)
            style_rows, kept = self.words.rows_of_terms(doc.style_terms)
            if style_rows.size:
                rows = np.concatenate((rows, style_rows))
                starts = np.concatenate((starts, np.array(doc.style_starts, dtype=np.int64)[kept]))
                ends = np.concatenate((ends, np.array(doc.style_ends, dtype=np.int64)[kept]))
            return Encoded(doc.normalized.text, doc.char_ngrams, rows.astype(np.int64, copy=False), starts, ends)
        terms, term_starts, term_ends = doc.word_occurrences()
        found, kept = self.words.rows_of_terms(terms)
        return Encoded(
            doc.normalized.text,
            doc.char_ngrams,
            found.astype(np.int64, copy=False),
            term_starts[kept].astype(np.int64, copy=False),
            term_ends[kept].astype(np.int64, copy=False),
        )

    def score(self, source: Document | Encoded) -> Scored:
        """Probabilities for every label, with per-occurrence logit contributions."""
        parts = self.linear_parts(source, detail=True)
        probs = self._calibrated(parts.margins)
        return Scored(
            dict(zip(LABELS, probs.tolist())),
            parts.starts,
            parts.ends,
            # in units of the calibrated log-odds, whatever the estimator's own scale
            parts.contributions * -self.calib_a[:, np.newaxis],
        )

    def probabilities(self, source: Document | Encoded) -> dict[Label, float]:
        """Probabilities only: no per-occurrence contributions (what a rewrite check needs)."""
        return dict(zip(LABELS, self._calibrated(self.linear_parts(source, detail=False).margins).tolist()))

    def log_odds(self, source: Document | Encoded) -> dict[Label, float]:
        """Calibrated log-odds per label: ordered as the probabilities are, but never saturated (a
        blast at 0.99999 still shows how much an edit calms it; its probability hardly moves)."""
        margins = self.linear_parts(source, detail=False).margins
        return dict(zip(LABELS, (-(self.calib_a * margins + self.calib_b)).tolist()))

    def _calibrated(self, margins: NDArray[np.float64]) -> NDArray[np.float64]:
        """Platt scaling of the linear margins (intercept included)."""
        return 1.0 / (1.0 + np.exp(self.calib_a * margins + self.calib_b))

    def linear_parts(self, source: Document | Encoded, detail: bool, compiled: bool = True) -> LinearParts:
        """The linear margins of a draft, and with `detail` each feature occurrence's region and
        contribution. The compiled kernel serves keyed character blocks; NumPy does the rest and
        is the reference the kernel is tested against (`compiled=False`)."""
        encoded = source if isinstance(source, Encoded) else self.encode(source)
        if compiled and self.chars.keyed:
            raw = _kernel.score(
                encoded.text, encoded.char_ngrams, self.chars.index, self.table, self.table.shape[1],
                len(self.words), encoded.word_rows, encoded.word_starts, encoded.word_ends, self.sublinear_tf, detail,
            )
            margins = np.frombuffer(raw[0]) + self.intercept
            starts = np.frombuffer(raw[1], dtype=np.int64).astype(np.intp, copy=False)
            ends = np.frombuffer(raw[2], dtype=np.int64).astype(np.intp, copy=False)
            return LinearParts(margins, starts, ends, np.frombuffer(raw[3]).reshape(len(LABELS), -1))
        char_rows, char_kept = self._char_rows(encoded)
        word_rows = encoded.word_rows.astype(np.intp, copy=False)
        values, coefs = self._weigh(word_rows, char_rows)
        contributions = (coefs * values[:, np.newaxis]).T
        char_starts, char_ends = char_regions(len(encoded.text), encoded.char_ngrams)
        return LinearParts(
            contributions.sum(axis=1) + self.intercept,
            np.concatenate((encoded.word_starts.astype(np.intp, copy=False), char_starts[char_kept])),
            np.concatenate((encoded.word_ends.astype(np.intp, copy=False), char_ends[char_kept])),
            contributions,
        )

    def _char_rows(self, encoded: Encoded) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
        """Lookup positions of the draft's character n-grams: by integer key where possible."""
        if self.chars.keyed:
            return self.chars.rows_of_keys(char_keys(encoded.text, encoded.char_ngrams))
        return self.chars.rows_of_terms(char_terms(encoded.text, encoded.char_ngrams))

    def _weigh(self, word_rows: NDArray[np.intp], char_rows: NDArray[np.intp]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """TF-IDF value per occurrence and each occurrence's coefficients (occurrences, labels).

        Values are L2-normalised per block and split evenly among the repeats of a term, so the
        occurrences of one term sum to its value and contributions add up exactly to the logit.
        Both blocks go through one pass (character rows follow all word rows in the table, so
        sorting keeps the blocks apart); `np.unique` does the same grouping at several times the cost.
        """
        rows = np.concatenate((word_rows, char_rows + len(self.words)))
        picked = self.table[rows]
        if rows.size == 0:
            return np.zeros(0), picked[:, 1:]
        ordered = np.sort(rows)
        first = np.empty(ordered.size, dtype=bool)
        first[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
        per_term = np.diff(np.append(np.flatnonzero(first), ordered.size)).astype(np.float64)
        counts = per_term[np.searchsorted(ordered[first], rows)]
        values = (1.0 + np.log(counts) if self.sublinear_tf else counts) * picked[:, 0]
        squares = values * values / counts  # a term's square, shared among its occurrences
        split = word_rows.size
        norms = np.empty(rows.size)
        norms[:split] = math.sqrt(float(squares[:split].sum())) or 1.0
        norms[split:] = math.sqrt(float(squares[split:].sum())) or 1.0
        return values / norms / counts, picked[:, 1:]

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


class TermLookup:
    """How one block's terms find their rows in the model's table.

    Word terms use a dictionary. Character n-grams, when every gram has an integer key (see
    `gram_keys`), are found in a sorted key array; the table keeps their rows in key order
    (`order` says which vocabulary column each row holds).
    """

    def __init__(self, terms: list[str], keyed: bool) -> None:
        keys = gram_keys(terms) if keyed else None
        self.keyed = keys is not None
        self._rows: dict[str, int] = {}
        self._keys = np.zeros(0, dtype=np.int64)
        self.order = np.arange(len(terms), dtype=np.intp)
        if keys is None:
            self._rows = {t: i for i, t in enumerate(terms)}
        else:
            self.order = np.argsort(keys, kind="stable").astype(np.intp)
            self._keys = np.ascontiguousarray(keys[self.order])
        # The compiled lookups, built once at load: a keyed block's hash index of its sorted keys
        # (one probe per gram, not a search), and for a block of terms, the index the kernel finds
        # word terms from tokens with (see `rows_of_tokens`).
        self.index = _kernel.index(self._keys) if self.keyed else b""
        self._term_index = _kernel.word_index(list(terms)) if not self.keyed else (b"", b"", b"")
        self._longest_term = max(map(len, terms), default=0)

    def __len__(self) -> int:
        return int(self.order.size)

    @property
    def keys(self) -> NDArray[np.int64]:
        """The sorted integer keys (empty unless keyed)."""
        return self._keys

    def rows_of_terms(self, terms: list[str]) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
        """Rows of the in-vocabulary terms, and a mask saying which occurrences those are."""
        if self.keyed:
            keys = gram_keys(terms)
            if keys is None:
                raise ValueError("this block finds grams by key, and some of these terms have none")
            return self.rows_of_keys(keys)
        found = np.fromiter(map(self._rows.get, terms, repeat(-1)), dtype=np.intp, count=len(terms))
        kept = found >= 0
        return found[kept], kept

    def rows_of_tokens(self, tokens: tuple[Token, ...]) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """Rows and regions of the in-vocabulary lemma unigrams and bigrams of `tokens`, in the
        order of `features.word_features` (found in C, without building the terms' strings)."""
        if self.keyed:
            raise ValueError("a block keyed by character n-grams holds no word terms")
        raw = _kernel.word_rows(tokens, SKIP_POS, NUMBER_POS, *self._term_index, self._longest_term)
        return tuple(np.frombuffer(part, dtype=np.int64) for part in raw)  # type: ignore[return-value]

    def rows_of_keys(self, keys: NDArray[np.int64]) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
        """Rows of the in-vocabulary grams given by key, and a mask of which occurrences those are."""
        if not self._keys.size:
            return np.zeros(0, dtype=np.intp), np.zeros(keys.size, dtype=bool)
        where = np.searchsorted(self._keys, keys)
        where[where == self._keys.size] = 0
        kept = self._keys[where] == keys
        return where[kept], kept


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
    metadata = _read(directory / METADATA_FILE, lambda path: json.loads(path.read_text(encoding="utf-8")))
    vocabulary = _read(directory / VOCABULARY_FILE, lambda path: json.loads(path.read_text(encoding="utf-8")))
    arrays = _read(directory / WEIGHTS_FILE, _load_arrays)
    _require_sound(metadata, arrays, directory)
    return _assemble(metadata, vocabulary, arrays, directory)


def _load_arrays(path: Path) -> dict[str, NDArray[np.float64]]:
    with np.load(path, allow_pickle=False) as npz:
        return {name: np.asarray(npz[name], dtype=np.float64) for name in npz.files}


def _read(path: Path, reader: Callable[[Path], Any]) -> Any:
    """One model file, or ModelLoadError naming it (a truncated weights.npz raises BadZipFile or
    EOFError, which name no file)."""
    try:
        return reader(path)
    except FileNotFoundError as exc:
        raise ModelLoadError(f"model file missing: {exc.filename}") from exc
    except (OSError, ValueError, UnicodeDecodeError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelLoadError(f"{path} is unreadable or corrupt ({type(exc).__name__}: {exc})") from exc


def _require_sound(metadata: Any, arrays: dict[str, NDArray[np.float64]], directory: Path) -> None:
    """Refuse weights that are not finite and thresholds that are not probabilities: either would
    start a server that answers every draft with an error (issue 20) instead of failing at load."""
    for name, array in arrays.items():
        if not np.isfinite(array).all():
            raise ModelLoadError(f"{directory / WEIGHTS_FILE}: array {name!r} holds NaN or infinite values")
    if not isinstance(metadata, dict):
        raise ModelLoadError(f"{directory / METADATA_FILE}: not a JSON object")
    for key in ("thresholds", "caution_thresholds"):
        table = metadata.get(key)
        if not isinstance(table, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1 for v in table.values()
        ):
            raise ModelLoadError(f"{directory / METADATA_FILE}: {key} must map each label to a number from 0 to 1")


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
        words, chars = TermLookup(word_terms, keyed=False), TermLookup(char_terms, keyed=True)
        table = np.column_stack((idf, coef.T))
        return LinearModel(
            metadata=metadata,
            words=words,
            chars=chars,
            table=np.ascontiguousarray(np.concatenate((table[words.order], table[len(words) + chars.order]))),
            intercept=arrays["intercept"],
            calib_a=arrays["calib_a"],
            calib_b=arrays["calib_b"],
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ModelLoadError(f"{directory}: model files are incomplete ({exc!r})") from exc
