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
_SKIP_POS = frozenset({"空白"})


@dataclass(frozen=True, slots=True)
class Document:
    """Everything the classifier and the explainer need to know about one draft."""

    normalized: NormalizedText
    tokens: tuple[Token, ...]
    word_terms: list[str]
    word_starts: NDArray[np.intp]  # region of each word term in the folded text
    word_ends: NDArray[np.intp]
    char_terms: list[str]
    char_starts: NDArray[np.intp]  # region of each character n-gram in the folded text
    char_ends: NDArray[np.intp]


def _token_key(token: Token) -> str:
    """The word-level identity of a token: its lemma, with every number folded to one shape."""
    if token.pos == "名詞" and token.surface[:1].isdigit():
        return "<num>"
    return token.lemma.translate(_DIGITS)


def word_features(tokens: list[Token]) -> tuple[list[str], list[tuple[int, int]]]:
    """Lemma unigrams and bigrams, each with the folded-text region it spans."""
    kept = [t for t in tokens if t.pos not in _SKIP_POS and t.surface.strip()]
    keys = [_token_key(t) for t in kept]
    terms: list[str] = []
    regions: list[tuple[int, int]] = []
    for i, token in enumerate(kept):
        terms.append("w:" + keys[i])
        regions.append((token.start, token.end))
        if i + 1 < len(kept):
            terms.append("b:" + keys[i] + " " + keys[i + 1])
            regions.append((token.start, kept[i + 1].end))
    return terms, regions


def char_features(
    folded: str, ngrams: tuple[int, ...] = CHAR_NGRAMS
) -> tuple[list[str], NDArray[np.intp], NDArray[np.intp]]:
    """Character n-grams of the folded text (digits folded to 0), with their start and end offsets.

    Built with comprehensions and arrays rather than per-gram tuples: on a 400-character post
    this is ~1,200 grams, and this function sits on the serving path of every request.
    """
    text = folded.translate(_DIGITS)
    length = len(text)
    terms: list[str] = []
    starts: list[NDArray[np.intp]] = []
    ends: list[NDArray[np.intp]] = []
    for n in ngrams:
        count = length - n + 1
        if count <= 0:
            continue
        terms.extend([text[i : i + n] for i in range(count)])
        positions = np.arange(count, dtype=np.intp)
        starts.append(positions)
        ends.append(positions + n)
    if not terms:
        return [], np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    return terms, np.concatenate(starts), np.concatenate(ends)


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
    word_terms, word_regions = word_features(tokens)
    if style:
        style_terms, style_regions = style_features(normalized.text)
        word_terms += style_terms
        word_regions += style_regions
    char_terms, char_starts, char_ends = char_features(normalized.text, char_ngrams)
    word_bounds = np.array(word_regions, dtype=np.intp).reshape(-1, 2)
    return Document(
        normalized,
        tuple(tokens),
        word_terms,
        word_bounds[:, 0],
        word_bounds[:, 1],
        char_terms,
        char_starts,
        char_ends,
    )
