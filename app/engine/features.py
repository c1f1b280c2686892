"""Turn a folded, tokenised draft into feature terms, each tied to the text region it came from.

Training (scikit-learn vectorizers with these lists as analyzers) and serving (direct vocabulary
lookups) share this one function, so the model sees identical terms in both. Regions are offsets
in the folded text; they let the explainer say which characters pushed a score up.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.engine.normalize import NormalizedText
from app.engine.tokenize import Token

CHAR_NGRAMS = (1, 2, 3)
_DIGITS = str.maketrans("0123456789", "0000000000")
_SKIP_POS = frozenset({"空白"})


@dataclass(frozen=True, slots=True)
class Document:
    """Everything the classifier and the explainer need to know about one draft."""

    normalized: NormalizedText
    tokens: tuple[Token, ...]
    word_terms: tuple[str, ...]
    word_regions: tuple[tuple[int, int], ...]
    char_terms: tuple[str, ...]
    char_regions: tuple[tuple[int, int], ...]


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


def char_features(folded: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Character n-grams of the folded text (digits folded to 0, whitespace runs kept as one)."""
    text = folded.translate(_DIGITS)
    terms: list[str] = []
    regions: list[tuple[int, int]] = []
    length = len(text)
    for n in CHAR_NGRAMS:
        for start in range(length - n + 1):
            gram = text[start : start + n]
            if gram.isspace():
                continue
            terms.append(gram)
            regions.append((start, start + n))
    return terms, regions


def build_document(normalized: NormalizedText, tokens: list[Token]) -> Document:
    """Assemble a Document from the outputs of normalisation and tokenisation."""
    word_terms, word_regions = word_features(tokens)
    char_terms, char_regions = char_features(normalized.text)
    return Document(
        normalized,
        tuple(tokens),
        tuple(word_terms),
        tuple(word_regions),
        tuple(char_terms),
        tuple(char_regions),
    )
