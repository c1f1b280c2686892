"""Japanese tokenisation with fugashi + unidic-lite, returned as plain records with offsets.

MeCab is asked to print exactly the three fields we use (surface, lemma, first part-of-speech
level) as one string, which the compiled kernel reads into tokens, finding each surface's offsets
by walking the text: one C call per draft instead of one Python object per morpheme, so tokenising
costs about what a bare surface-only parse costs. Should a line ever not read as expected, the
node-by-node reader (the reference, slower; a test compares the two) takes over for that draft.
"""

from __future__ import annotations

import csv
import threading
from typing import NamedTuple

import fugashi

from app.engine import _kernel

_LEMMA_FIELD = 7  # unidic-lite feature layout: pos1..pos4, cType, cForm, lForm, lemma, ...
# Known words print their lemma; unknown words have none, so their surface stands in for it.
# (Backslashes are doubled because fugashi splits the argument string shell-style.)
_FORMAT_ARGS = r'-O "" -F "%m\\t%f[7]\\t%f[0]\\n" -U "%m\\t%m\\t%f[0]\\n" -B "" -E "EOS\\n"'


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
        self._formatted = fugashi.Tagger(_FORMAT_ARGS)
        self._lock = threading.Lock()

    def tokenize(self, text: str) -> list[Token]:
        """Tokens of `text` with character offsets into `text` itself."""
        with self._lock:
            printed = self._formatted.parse(text)
        tokens: list[Token] | None = _kernel.tokens(printed, text, Token)
        return tokens if tokens is not None else self.tokenize_by_node(text)

    def tokenize_by_node(self, text: str) -> list[Token]:
        """The reference reader: every node's surface and raw feature string, one by one."""
        tokens: list[Token] = []
        position = 0
        with self._lock:
            for node in self._tagger(text):
                surface = node.surface
                raw = node.feature_raw
                fields = next(csv.reader([raw])) if '"' in raw else raw.split(",", _LEMMA_FIELD + 1)
                lemma = fields[_LEMMA_FIELD] if len(fields) > _LEMMA_FIELD else ""
                position = _locate(text, surface, position + len(node.white_space))
                end = position + len(surface)
                tokens.append(Token(surface, lemma or surface, fields[0], position, end))
                position = end
        return tokens

    def surfaces(self, text: str) -> list[str]:
        """Bare surfaces only: the cheapest parse, the benchmark's unit of cost."""
        with self._lock:
            return [node.surface for node in self._tagger(text)]


def _locate(text: str, surface: str, position: int) -> int:
    """Where `surface` starts at or after `position` (MeCab skips white space between morphemes)."""
    if text.startswith(surface, position):
        return position
    found = text.find(surface, position)
    return found if found >= 0 else position
