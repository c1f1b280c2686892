"""Japanese tokenisation with fugashi + unidic-lite, returned as plain records with offsets.

fugashi nodes are views into MeCab's memory and are reused by the next parse, so every field
we need is copied out at once into a frozen `Token`. Only the raw feature string is read (not the
parsed feature tuple), which costs a fraction of the full feature access.
"""

from __future__ import annotations

import csv
import threading
from dataclasses import dataclass

import fugashi

_LEMMA_FIELD = 7  # unidic-lite feature layout: pos1..pos4, cType, cForm, lForm, lemma, ...


@dataclass(frozen=True, slots=True)
class Token:
    """One morpheme of the folded text: [start, end) are offsets in the folded text."""

    surface: str
    lemma: str
    pos: str
    start: int
    end: int


def _split_feature(raw: str) -> list[str]:
    """Split a MeCab feature string; quoted fields (surfaces containing commas) need csv."""
    if '"' in raw:
        return next(csv.reader([raw]))
    return raw.split(",", _LEMMA_FIELD + 1)


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
                position += len(node.white_space)
                fields = _split_feature(node.feature_raw)
                lemma = fields[_LEMMA_FIELD] if len(fields) > _LEMMA_FIELD else ""
                start = text.find(surface, position) if surface else position
                if start < 0:  # MeCab skipped something we did not predict; resynchronise
                    start = position
                end = start + len(surface)
                tokens.append(Token(surface, lemma or surface, fields[0], start, end))
                position = end
        return tokens

    def surfaces(self, text: str) -> list[str]:
        """Bare surfaces only: the cheapest parse, the benchmark's unit of cost."""
        with self._lock:
            return [node.surface for node in self._tagger(text)]
