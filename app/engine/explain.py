"""Which phrases pushed a score up: model contributions spread over characters, merged into phrases.

Each feature occurrence's logit contribution is spread evenly over the characters it covers, which
gives a per-character density; tokens are scored by summing it, strong tokens are merged into
phrases that never cross punctuation, and catalogue patterns (known phrase families) add clean
phrase boundaries wherever the model agrees that the phrase pushes the score up. Story cues live
in whole sentences, so they are reported sentence by sentence. Offsets here are in the folded text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from app.engine.features import Document
from app.engine.tokenize import Token

# Tuned on the dev split (see key-phrase coverage in `urikomi evaluate`): a token must carry at
# least this much logit on its own, or this share of the strongest token, to start a phrase.
MIN_TOKEN_LOGIT = 0.08
MIN_SHARE_OF_TOP = 0.25
MIN_PHRASE_LOGIT = 0.15
MIN_SENTENCE_LOGIT = 0.5
MIN_PHRASE_CHARS = 2  # a lone kana is noise to a reader, however much it weighs
MAX_PHRASES = 8
_JOINING_SYMBOLS = frozenset({"%", "&", "・", "ー", "~", "〜", ".", "-", "+", "#", "@", "/", "×", "→"})
# A sentence ends at 。!? or a line break, but never inside a quotation 「…」.
_SENTENCE = re.compile(r"(?:「[^」\n]*」?|[^。!?\n「])+[。!?]*")


@dataclass(frozen=True, slots=True)
class Phrase:
    """A region of the folded text and the logit it contributes to one label."""

    start: int
    end: int
    weight: float


def char_density(
    doc: Document, regions: list[tuple[int, int]], contrib: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Prefix sums of the per-character contribution density (length = folded length + 1)."""
    length = len(doc.normalized.text)
    diff = np.zeros(length + 1)
    if regions:
        bounds = np.asarray(regions, dtype=np.intp)
        share = contrib / (bounds[:, 1] - bounds[:, 0])
        np.add.at(diff, bounds[:, 0], share)
        np.add.at(diff, bounds[:, 1], -share)
    density = np.cumsum(diff[:length])
    return np.concatenate(([0.0], np.cumsum(density)))


def region_weight(prefix: NDArray[np.float64], start: int, end: int) -> float:
    """Total contribution of the characters in [start, end)."""
    return float(prefix[end] - prefix[start])


def is_break(token: Token) -> bool:
    """Punctuation, brackets, symbols and emoji end a phrase; '%' or '&' inside one do not."""
    if not token.surface.strip():
        return True
    if token.pos in ("補助記号", "記号"):
        return token.surface not in _JOINING_SYMBOLS
    return False


def attributed_phrases(doc: Document, prefix: NDArray[np.float64]) -> list[Phrase]:
    """Runs of strongly contributing tokens, never crossing punctuation, brackets or emoji."""
    tokens = doc.tokens
    scores = [region_weight(prefix, t.start, t.end) for t in tokens]
    breaks = [is_break(t) for t in tokens]
    top = max((sc for sc, br in zip(scores, breaks) if not br), default=0.0)
    if top <= 0:
        return []
    floor = max(MIN_TOKEN_LOGIT, MIN_SHARE_OF_TOP * top)

    def joins(k: int) -> bool:
        """Token k continues the phrase: strong itself, or a neutral bridge to a strong token."""
        if k >= len(tokens) or breaks[k]:
            return False
        if scores[k] >= floor:
            return True
        return k + 1 < len(tokens) and not breaks[k + 1] and scores[k] >= 0 and scores[k + 1] >= floor

    phrases: list[Phrase] = []
    i = 0
    while i < len(tokens):
        if breaks[i] or scores[i] < floor:
            i += 1
            continue
        j = i
        while joins(j + 1):
            j += 1
        start, end = tokens[i].start, tokens[j].end
        weight = region_weight(prefix, start, end)
        if weight >= MIN_PHRASE_LOGIT and end - start >= MIN_PHRASE_CHARS:
            phrases.append(Phrase(start, end, weight))
        i = j + 1
    return phrases


def sentence_phrases(doc: Document, prefix: NDArray[np.float64], limit: int = 3) -> list[Phrase]:
    """The sentences that carry a label most (story cues live in whole sentences)."""
    text = doc.normalized.text
    found = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            weight = region_weight(prefix, start, end)
            if weight >= MIN_SENTENCE_LOGIT:
                found.append(Phrase(start, end, weight))
    strongest = sorted(found, key=lambda p: -p.weight)[:limit]
    return sorted(strongest, key=lambda p: p.start)


def pattern_phrases(
    folded: str, patterns: Iterable[re.Pattern[str]], prefix: NDArray[np.float64]
) -> list[Phrase]:
    """Catalogue pattern matches that the model also counts as pushing the score up."""
    phrases = []
    for pattern in patterns:
        for match in pattern.finditer(folded):
            start, end = match.span()
            while start < end and folded[start].isspace():
                start += 1
            while end > start and folded[end - 1].isspace():
                end -= 1
            if end > start:
                weight = region_weight(prefix, start, end)
                if weight > 0:
                    phrases.append(Phrase(start, end, weight))
    return phrases


def merge_phrases(phrases: list[Phrase], prefix: NDArray[np.float64]) -> list[Phrase]:
    """Union overlapping phrases, re-weigh them, keep the strongest few in text order."""
    merged: list[tuple[int, int]] = []
    for phrase in sorted(phrases, key=lambda p: (p.start, p.end)):
        if merged and phrase.start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], phrase.end))
        else:
            merged.append((phrase.start, phrase.end))
    weighed = [Phrase(s, e, region_weight(prefix, s, e)) for s, e in merged]
    strongest = sorted(weighed, key=lambda p: -p.weight)[:MAX_PHRASES]
    return sorted(strongest, key=lambda p: p.start)
