"""Width and case folding of a draft, with a map from every folded character back to the original.

The classifier should see ｾｰﾙ, セール and セ－ル alike, and ５０％ＯＦＦ like 50%off, but every span
we report must point into what the user typed. So folding works cluster by cluster (a base
character with the combining or half-width sound marks that follow it), and each folded character
remembers the original cluster it came from.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass

# Marks that fold into the character before them (dakuten/handakuten in both widths, combining
# diacritics, variation selectors). A run of them joins the preceding base character's cluster.
_JOINING = (
    "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    "\u3099\u309a\uff9e\uff9f\ufe00-\ufe0f"
)
_JOINING_RE = re.compile(f"[{_JOINING}]")
_JOINED_CLUSTER_RE = re.compile(f"[^{_JOINING}]?[{_JOINING}]+")


# A character folds to at most this many (「㍿」 to 「株式会社」): a longer compatibility form (「㌖」 to
# 「キロメートル」, 「ﷺ」 to eighteen characters) stays as typed, so folding can never multiply the
# length of a draft, and every step's work with it, by more (issue 20). No corpus post has one.
MAX_FOLD = 4


def fold(chunk: str) -> str:
    """Fold one cluster: NFKC (width, compatibility forms, composition) then case folding."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFKC", chunk).casefold())
    if len(folded) > MAX_FOLD * len(chunk):
        return chunk
    return folded or chunk  # never drop a character: offsets rely on it


class _FoldTable(dict[int, str]):
    """A per-character fold cache usable by `str.translate` (misses are computed once)."""

    def __missing__(self, codepoint: int) -> str:
        value = fold(chr(codepoint))
        self[codepoint] = value
        return value


_FOLD_TABLE = _FoldTable()


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """Folded text plus, per folded character, the original [start, end) it came from.

    `starts`/`ends` are None when folding kept every character in place (the common case),
    which means folded offsets equal original offsets.
    """

    original: str
    text: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a folded [start, end) to the smallest original range that covers it."""
        if start >= end:
            raise ValueError("empty range")
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]

    def to_folded(self, start: int, end: int) -> tuple[int, int]:
        """Map an original [start, end) to the folded range whose characters come from it."""
        if self.starts is None:
            return start, end
        return bisect_left(self.starts, start), bisect_left(self.starts, end)


def normalize(original: str) -> NormalizedText:
    """Fold `original`; fast when no character changes length, exact cluster mapping otherwise."""
    folded = original.translate(_FOLD_TABLE)
    if len(folded) == len(original) and not _JOINING_RE.search(original):
        return NormalizedText(original, folded)
    return _normalize_by_cluster(original)


def _normalize_by_cluster(original: str) -> NormalizedText:
    """Slow path: fold cluster by cluster and record where each folded character came from.

    Only clusters with joining marks need folding as a whole; the stretches between them are
    folded by the per-character table, stretch by stretch when no character changes length.
    """
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    done = 0
    for match in _JOINED_CLUSTER_RE.finditer(original):
        start, end = match.span()
        _fold_stretch(original, done, start, pieces, starts, ends)
        folded = fold(match.group())
        pieces.append(folded)
        starts.extend([start] * len(folded))
        ends.extend([end] * len(folded))
        done = end
    _fold_stretch(original, done, len(original), pieces, starts, ends)
    return NormalizedText(original, "".join(pieces), tuple(starts), tuple(ends))


def _fold_stretch(original: str, start: int, end: int, pieces: list[str], starts: list[int], ends: list[int]) -> None:
    """Fold original[start:end] (no joining marks in it) character by character, appending the
    folded text and each folded character's original [start, end)."""
    folded = original[start:end].translate(_FOLD_TABLE)
    pieces.append(folded)
    if len(folded) == end - start:
        starts.extend(range(start, end))
        ends.extend(range(start + 1, end + 1))
        return
    for position in range(start, end):
        width = len(_FOLD_TABLE[ord(original[position])])
        starts.extend([position] * width)
        ends.extend([position + 1] * width)
