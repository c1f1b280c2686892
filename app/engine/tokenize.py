"""Japanese tokenisation with fugashi + unidic-lite, returned as plain records with offsets.

fugashi nodes are views into MeCab's memory and are reused by the next parse, so every field
we need is copied out at once into a frozen `Token`. Only the raw feature string is read (not the
parsed feature tuple), which costs a fraction of the full feature access.
"""

from __future__ import annotations

import csv
import threading
from typing import NamedTuple

import fugashi

_LEMMA_FIELD = 7  # unidic-lite feature layout: pos1..pos4, cType, cForm, lForm, lemma, ...


class Token(NamedTuple):
    """One morpheme of the folded text: [start, end) are offsets in the folded text.

    A NamedTuple (immutable, cheap to build: a post has dozens of tokens on every request).
    """

    surface: str
    lemma: str
    pos: str
    start: int
    end: int


class Tokenizer:
    """A fugashi tagger guarded for concurrent use (MeCab's lattice is not thread-safe)."""

    def __init__(self) -> None:
        self._tagger = fugashi.Tagger()
        self._lock = threading.Lock()

    def tokenize(self, text: str) -> list[Token]:
        """Tokens of `text` with character offsets into `text` itself."""
        tokens: list[Token] = []
        position = 0
        with self._lock:
            for node in self._tagger(text):
                surface = node.surface
                white = node.white_space
                if white:
                    position += len(white)
                raw = node.feature_raw
                fields = next(csv.reader([raw])) if '"' in raw else raw.split(",", _LEMMA_FIELD + 1)
                lemma = fields[_LEMMA_FIELD] if len(fields) > _LEMMA_FIELD else ""
                if not text.startswith(surface, position):  # MeCab skipped what we did not expect
                    found = text.find(surface, position)
                    position = found if found >= 0 else position
                end = position + len(surface)
                tokens.append(Token(surface, lemma or surface, fields[0], position, end))
                position = end
        return tokens

    def surfaces(self, text: str) -> list[str]:
        """Bare surfaces only: the cheapest parse, the benchmark's unit of cost."""
        with self._lock:
            return [node.surface for node in self._tagger(text)]
