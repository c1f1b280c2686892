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
from app.engine.prefilter import Screened, runnable
from app.engine.tokenize import Token

# Tuned on the dev split (see key-phrase coverage in `urikomi evaluate`): a token must carry at
# least this much logit on its own, or this share of the strongest token, to start a phrase.
MIN_TOKEN_LOGIT = 0.05
MIN_SHARE_OF_TOP = 0.06
MIN_PHRASE_LOGIT = 0.05
MIN_SENTENCE_LOGIT = 0.5
MIN_PHRASE_CHARS = 2  # a lone kana is noise to a reader, however much it weighs
MAX_CLAUSE_CHARS = 26  # longer clauses are not highlighted whole
_JOINING_SYMBOLS = frozenset({"%", "&", "・", "ー", "~", "〜", ".", "-", "+", "#", "@", "/", "×", "→", ":", "_", "="})
# A sentence ends at 。!? or a line break, but never inside a quotation 「…」.
# A link is where the reader goes, not pressure in itself: it is never highlighted alone.
# Domain labels are bounded (DNS allows 63 characters, ten levels are plenty) and start where a
# run of label characters starts: `(?:[a-z0-9-]+\.)+` was tried from every letter of a long run
# and cost the square of it (issue 20). Matches on real text are unchanged.
URL = re.compile(r"(?:https?:)?//\S+|(?<![a-z0-9-])(?:[a-z0-9-]{1,63}\.){1,10}(?:com|jp|net|org|io|co|shop|me)(?:/\S*)?")
_SENTENCE = re.compile(r"(?:「[^」\n]*」?|[^。!?\n「])+[。!?]*")


Prefix = NDArray[np.float64]  # prefix sums of a per-character contribution density (length + 1)


@dataclass(frozen=True, slots=True)
class Phrase:
    """A region of the folded text and the logit it contributes to one label."""

    start: int
    end: int
    weight: float


def char_density(
    length: int, starts: NDArray[np.intp], ends: NDArray[np.intp], contrib: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Prefix sums of the per-character contribution density over a folded text of `length`."""
    if not starts.size:
        return np.zeros(length + 1)
    share = contrib / (ends - starts)
    # bincount with weights is the fast scatter-add (np.add.at is an order of magnitude slower)
    diff = np.bincount(starts, weights=share, minlength=length + 1) - np.bincount(ends, weights=share, minlength=length + 1)
    density = np.cumsum(diff[:length])
    return np.concatenate(([0.0], np.cumsum(density)))


def region_weight(prefix: Prefix, start: int, end: int) -> float:
    """Total contribution of the characters in [start, end)."""
    return float(prefix[end] - prefix[start])


def is_break(token: Token) -> bool:
    """Punctuation, brackets, symbols and emoji end a phrase; '%' or '&' inside one do not, nor
    does a letter tagged as a symbol."""
    if not token.surface.strip():
        return True
    if token.pos in ("補助記号", "記号"):
        # a letter MeCab files as a symbol (the ハ of 「ハイフ」) is still part of a word
        return token.surface not in _JOINING_SYMBOLS and not token.surface.isalnum()
    return False


@dataclass(frozen=True, slots=True)
class Clauses:
    """Where a draft's clauses are, whatever the label: each token's place, the runs of tokens
    between punctuation, and the links (never highlighted). Found once per draft and shared by
    every label's phrases."""

    tokens: tuple[Token, ...]
    runs: list[tuple[int, int]]  # (first, last) token indices
    members: list[int]  # every token index inside a run
    urls: list[tuple[int, int]]


def clauses(doc: Document) -> Clauses:
    """The clause layout of a draft (see `Clauses`)."""
    tokens = doc.tokens
    text = doc.normalized.text
    breaks = list(map(is_break, tokens))
    for k in range(1, len(tokens) - 1):  # 「5,000円」: a comma between digits is part of the number
        if breaks[k] and tokens[k].surface == "," and _digit_at(text, tokens[k].start - 1) and _digit_at(text, tokens[k].end):
            breaks[k] = False
    runs = _clauses(tokens, breaks, text)
    members = [k for first, last in runs for k in range(first, last + 1)]
    return Clauses(tokens, runs, members, [m.span() for m in URL.finditer(text)])


def _digit_at(text: str, position: int) -> bool:
    return 0 <= position < len(text) and text[position].isdigit()


def attributed_phrases(layout: Clauses, prefix: Prefix) -> list[Phrase]:
    """Clauses (token runs between punctuation) that carry the label, as a reader would mark them.

    A short clause with a strong token is reported whole (「今すぐお電話を」, not 「今すぐ」); in a long
    clause the strong tokens grow over their non-negative neighbours up to a readable length.
    """
    tokens = layout.tokens
    sums = prefix.tolist()  # plain floats: indexing a NumPy array per token costs more than the sum
    scores = [sums[t.end] - sums[t.start] for t in tokens]
    top = max(map(scores.__getitem__, layout.members), default=0.0)
    if top <= 0:
        return []
    floor = max(MIN_TOKEN_LOGIT, MIN_SHARE_OF_TOP * top)
    phrases: list[Phrase] = []
    for first, last in layout.runs:
        strong = [k for k in range(first, last + 1) if scores[k] >= floor]
        if not strong:
            continue
        if tokens[last].end - tokens[first].start <= MAX_CLAUSE_CHARS:
            runs = [(first, last)]
        else:
            runs = [_grow(tokens, scores, k, first, last) for k in strong]
        for a, b in runs:
            start, end = outside_urls(tokens[a].start, tokens[b].end, layout.urls)
            if end - start < MIN_PHRASE_CHARS:
                continue
            weight = region_weight(prefix, start, end)
            if weight >= MIN_PHRASE_LOGIT:
                phrases.append(Phrase(start, end, weight))
    return phrases


def outside_urls(start: int, end: int, urls: list[tuple[int, int]]) -> tuple[int, int]:
    """Trim a phrase so it neither cuts into nor lies inside a link (empty when it is all link)."""
    for a, b in urls:
        if a <= start and end <= b:
            return start, start
        if start < a < end:
            end = a
        if start < b < end:
            start = b
    return start, end


def _clauses(tokens: tuple[Token, ...], breaks: list[bool], text: str) -> list[tuple[int, int]]:
    """Maximal runs of non-break tokens not separated by a line break, as (first, last) indices."""
    runs = []
    first: int | None = None
    for k in range(len(tokens) + 1):
        ends_here = k == len(tokens) or breaks[k]
        if not ends_here and first is not None and _gap_breaks(text, tokens[k - 1].end, tokens[k].start):
            runs.append((first, k - 1))
            first = None
        if ends_here:
            if first is not None:
                runs.append((first, k - 1))
            first = None
        elif first is None:
            first = k
    return runs


def _gap_breaks(text: str, end: int, start: int) -> bool:
    """A line break, or a space between phrases (not between two words of English), ends a clause."""
    gap = text[end:start]
    if not gap:
        return False
    if "\n" in gap:
        return True
    if gap in (" ", "\u3000") and _lone(text, end - 1) and _lone(text, start):
        return False  # letters spaced out for show (「セ ー ル」「ラ ス ト 5 個」) are one word
    return not (text[end - 1 : end].isascii() and text[start : start + 1].isascii())


def _lone(text: str, position: int) -> bool:
    """Whether the character at `position` stands alone between spaces (or the text's ends)."""
    before = position == 0 or text[position - 1].isspace()
    after = position + 1 >= len(text) or text[position + 1].isspace()
    return before and after


def _grow(tokens: tuple[Token, ...], scores: list[float], k: int, first: int, last: int) -> tuple[int, int]:
    """Extend token k over non-negative neighbours inside [first, last], up to MAX_CLAUSE_CHARS."""
    a = b = k
    while True:
        left = a - 1 if a > first and scores[a - 1] >= 0 else None
        right = b + 1 if b < last and scores[b + 1] >= 0 else None
        options = [i for i in (left, right) if i is not None]
        if not options:
            return a, b
        best = max(options, key=lambda i: scores[i])
        na, nb = min(a, best), max(b, best)
        if tokens[nb].end - tokens[na].start > MAX_CLAUSE_CHARS:
            return a, b
        a, b = na, nb


def sentence_phrases(doc: Document, prefix: Prefix, limit: int = 3) -> list[Phrase]:
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


def pattern_matches(folded: str, screened: Iterable[Screened]) -> list[tuple[int, int]]:
    """Where catalogue patterns match the folded text, pattern by pattern; a pattern whose
    required characters (see `prefilter`) the text lacks is not run at all."""
    return [match.span() for pattern in runnable(folded, screened) for match in pattern.finditer(folded)]


def trimmed(folded: str, regions: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Regions trimmed of surrounding spaces; those left empty are dropped."""
    result = []
    for start, end in regions:
        while start < end and folded[start].isspace():
            start += 1
        while end > start and folded[end - 1].isspace():
            end -= 1
        if end > start:
            result.append((start, end))
    return result


def pattern_phrases(regions: list[tuple[int, int]], prefix: Prefix) -> list[Phrase]:
    """Catalogue matches that the model also counts as pushing the score up."""
    weighed = (Phrase(start, end, region_weight(prefix, start, end)) for start, end in regions)
    return [phrase for phrase in weighed if phrase.weight > 0]


def excluding(phrases: list[Phrase], allowed: list[tuple[int, int]], prefix: Prefix) -> list[Phrase]:
    """Cut allowed regions out of phrases; keep the remaining pieces that still read as phrases."""
    result = []
    for phrase in phrases:
        pieces = [(phrase.start, phrase.end)]
        for a, b in allowed:
            kept = []
            for start, end in pieces:
                if end <= a or b <= start:
                    kept.append((start, end))
                    continue
                if start < a:
                    kept.append((start, a))
                if b < end:
                    kept.append((b, end))
            pieces = kept
        weighed = [Phrase(s, e, region_weight(prefix, s, e)) for s, e in pieces if e - s >= MIN_PHRASE_CHARS]
        result += [p for p in weighed if p.weight >= MIN_PHRASE_LOGIT]
    return result


def merge_phrases(phrases: list[Phrase], prefix: Prefix) -> list[Phrase]:
    """Union overlapping phrases and re-weigh them, in text order. Every phrase is kept: a long draft's
    findings are all reported (the web form folds the less important ones, it never drops them)."""
    merged: list[tuple[int, int]] = []
    for phrase in sorted(phrases, key=lambda p: (p.start, p.end)):
        if merged and phrase.start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], phrase.end))
        else:
            merged.append((phrase.start, phrase.end))
    return [Phrase(s, e, region_weight(prefix, s, e)) for s, e in merged]
