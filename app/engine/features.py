"""Turn a folded, tokenised draft into feature terms, each tied to the text region it came from.

Training (scikit-learn vectorizers with these lists as analyzers) and serving (direct vocabulary
lookups) share this one function, so the model sees identical terms in both. Regions are offsets
in the folded text; they let the explainer say which characters pushed a score up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from app.engine.normalize import NormalizedText
from app.engine.tokenize import Token

CHAR_NGRAMS = (1, 2, 3)
# Typographic and numeric cues, as pseudo-terms in the word block so the explainer can point at
# them like at words: a run of exclamation marks, a percentage or yen figure, an emoji run, ...
_STYLE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("s:excl_run", re.compile(r"[!‼❗❕]{2,}")),
    ("s:percent", re.compile(r"\d+\s*(?:%|パーセント|割)")),
    ("s:yen", re.compile(r"[\d,]+\s*円|¥\s*[\d,]+")),
    ("s:emoji_run", re.compile(r"(?:[\U0001F300-\U0001FAFF\u2600-\u27BF]\ufe0f?){2,}")),
    ("s:hashtag", re.compile(r"#[^\s#]+")),
    ("s:url", re.compile(r"https?://\S+|(?:[a-z0-9-]+\.)+(?:com|jp|net|org)(?:/\S*)?")),
    ("s:question", re.compile(r"[^。!\n]{2,}\?")),
    ("s:quote", re.compile(r"「[^」]{2,}」")),
    ("s:date", re.compile(r"\d{1,2}\s*(?:/|月)\s*\d{1,2}")),
)
_DIGITS = str.maketrans("0123456789", "0000000000")
SKIP_POS = "空白"  # white space: no word term
NUMBER_POS = "名詞"  # a noun that starts with a digit is the word <num>


# A character n-gram's key packs its code points (each + 1, 21 bits apiece) into one integer, so
# the serving path looks grams up in a sorted array of the vocabulary's keys instead of building
# a string per gram. Exact (no collisions) up to three characters.
KEY_BITS = 21
MAX_KEYED_NGRAM = 3


@dataclass(frozen=True, slots=True)
class Document:
    """Everything the classifier and the explainer need to know about one draft."""

    normalized: NormalizedText
    tokens: tuple[Token, ...]
    style_terms: list[str]  # typographic cues (see `style_features`), with their regions
    style_starts: list[int]
    style_ends: list[int]
    char_ngrams: tuple[int, ...]

    def word_occurrences(self) -> tuple[list[str], NDArray[np.intp], NDArray[np.intp]]:
        """The word block's terms (lemma unigrams, bigrams, then style cues) with the region of
        each in the folded text. Built on request: serving looks the same terms up in C from the
        tokens (`LinearModel.encode`) and never needs them as strings."""
        terms, starts, ends = word_features(list(self.tokens))
        return (
            terms + self.style_terms,
            np.array(starts + self.style_starts, dtype=np.intp),
            np.array(ends + self.style_ends, dtype=np.intp),
        )

    @property
    def word_terms(self) -> list[str]:
        """The word block's terms as strings (what training's vectorizers count)."""
        return self.word_occurrences()[0]

    @property
    def char_terms(self) -> list[str]:
        """The character n-grams as strings (what training's vectorizers count), in region order."""
        return char_terms(self.normalized.text, self.char_ngrams)

    @property
    def char_keys(self) -> NDArray[np.int64]:
        """The character n-grams as integer keys (see `gram_keys`), in region order."""
        return char_keys(self.normalized.text, self.char_ngrams)


def gram_keys(grams: list[str]) -> NDArray[np.int64] | None:
    """Integer keys of n-grams (already digit-folded, as in a vocabulary), or None when some gram
    is too long (or empty) to have one. Vectorised: a vocabulary has tens of thousands of grams."""
    lengths = np.fromiter(map(len, grams), dtype=np.intp, count=len(grams))
    if lengths.size and (lengths.min() < 1 or lengths.max() > MAX_KEYED_NGRAM):
        return None
    points = np.frombuffer("".join(grams).encode("utf-32-le"), dtype=np.uint32).astype(np.int64) + 1
    firsts = np.cumsum(lengths) - lengths
    keys = np.zeros(len(grams), dtype=np.int64)
    for offset in range(MAX_KEYED_NGRAM):
        longer = lengths > offset
        keys[longer] = (keys[longer] << KEY_BITS) | points[firsts[longer] + offset]
    return keys


def _code_points(folded: str) -> NDArray[np.int64]:
    """Code point + 1 of every character, digits folded to 0 (as in the vocabulary)."""
    encoded = folded.translate(_DIGITS).encode("utf-32-le")
    return np.frombuffer(encoded, dtype=np.uint32).astype(np.int64) + 1


def char_keys(folded: str, ngrams: tuple[int, ...]) -> NDArray[np.int64]:
    """Keys of every n-gram, n by n and position by position (the order of `char_regions`)."""
    if max(ngrams, default=0) > MAX_KEYED_NGRAM:
        raise ValueError(f"character n-grams longer than {MAX_KEYED_NGRAM} have no integer keys")
    points = _code_points(folded)
    blocks = []
    for n in ngrams:
        count = len(points) - n + 1
        if count <= 0:
            continue
        key = points[:count]
        for offset in range(1, n):
            key = (key << KEY_BITS) | points[offset : offset + count]
        blocks.append(key)
    return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int64)


def char_terms(folded: str, ngrams: tuple[int, ...]) -> list[str]:
    """Every n-gram as a string, digits folded to 0, in the order of `char_regions`."""
    text = folded.translate(_DIGITS)
    starts, ends = char_regions(len(folded), ngrams)
    return [text[a:b] for a, b in zip(starts.tolist(), ends.tolist())]


def char_regions(length: int, ngrams: tuple[int, ...] = CHAR_NGRAMS) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Start and end offsets of every character n-gram of a text of `length`, n by n."""
    starts: list[NDArray[np.intp]] = []
    ends: list[NDArray[np.intp]] = []
    for n in ngrams:
        count = length - n + 1
        if count <= 0:
            continue
        positions = np.arange(count, dtype=np.intp)
        starts.append(positions)
        ends.append(positions + n)
    if not starts:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    return np.concatenate(starts), np.concatenate(ends)


def word_features(tokens: list[Token]) -> tuple[list[str], list[int], list[int]]:
    """Lemma unigrams, then bigrams, with the folded-text region (starts, ends) each spans.

    A token's word-level identity is its lemma with digits folded to 0, or <num> for a number.
    Serving finds the same terms in C (`_kernel.word_rows`); a test holds the two equal.
    """
    kept = [t for t in tokens if t.pos != SKIP_POS and t.surface.strip()]
    # one translate over all lemmas (a newline never occurs inside a lemma)
    folded = "\n".join([t.lemma for t in kept]).translate(_DIGITS).split("\n") if kept else []
    keys = ["<num>" if t.pos == NUMBER_POS and t.surface[:1].isdigit() else key for t, key in zip(kept, folded)]
    starts = [t.start for t in kept]
    ends = [t.end for t in kept]
    terms = ["w:" + key for key in keys]
    terms += ["b:" + a + " " + b for a, b in zip(keys, keys[1:])]
    return terms, starts + starts[:-1], ends + ends[1:]


def style_features(folded: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Pseudo-terms for typographic and numeric cues, each with the region that shows it."""
    terms: list[str] = []
    regions: list[tuple[int, int]] = []
    for name, pattern in _STYLE_PATTERNS:
        for match in pattern.finditer(folded):
            terms.append(name)
            regions.append(match.span())
    return terms, regions


def build_document(
    normalized: NormalizedText,
    tokens: list[Token],
    char_ngrams: tuple[int, ...] = CHAR_NGRAMS,
    style: bool = False,
) -> Document:
    """Assemble a Document from the outputs of normalisation and tokenisation."""
    style_terms, style_regions = style_features(normalized.text) if style else ([], [])
    return Document(
        normalized, tuple(tokens), style_terms, [a for a, _ in style_regions], [b for _, b in style_regions], char_ngrams
    )
