"""Japanese tokenisation with fugashi + unidic-lite, returned as plain records with offsets.

MeCab is asked to print exactly the three fields we use (surface, lemma, first part-of-speech
level) as one string, which the compiled kernel reads into tokens, finding each surface's offsets
by walking the text: one C call per draft instead of one Python object per morpheme, so tokenising
costs about what a bare surface-only parse costs. Should a line ever not read as expected, the
node-by-node reader (the reference, slower; a test compares the two) takes over for that draft.

MeCab groups unknown characters of one category: from every start position it scans to the end of
the run of characters that share a category with their neighbour, so a parse costs the square of
the longest such run (10,000 「!?。、」 cost six times a normal draft of that length, issue 20). A run
longer than MAX_RUN is therefore parsed in pieces of MAX_RUN characters, each on its own; the
categories are MeCab's own, read from the dictionary's char.bin. No ordinary draft has such a run
(the corpus's longest is far shorter), so its parse is the single parse it always was.
"""

from __future__ import annotations

import csv
import threading
from pathlib import Path
from typing import NamedTuple

import fugashi
import numpy as np

from app.engine import _kernel

_LEMMA_FIELD = 7  # unidic-lite feature layout: pos1..pos4, cType, cForm, lForm, lemma, ...
# Known words print their lemma; unknown words have none, so their surface stands in for it.
# (Backslashes are doubled because fugashi splits the argument string shell-style.)
_FORMAT_ARGS = r'-O "" -F "%m\\t%f[7]\\t%f[0]\\n" -U "%m\\t%m\\t%f[0]\\n" -B "" -E "EOS\\n"'
_EOS = "EOS"
# The longest run of one character category a parse sees: its grouping scan costs MAX_RUN per
# character at most. Far above any run in real posts (decorative lines of 「━」 are a few dozen).
MAX_RUN = 256
_UCS2 = 0xFFFF  # char.bin has one entry per code point below this; MeCab reads any other as U+0000


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
        self._categories = char_categories(Path(self._tagger.dictionary_info[0]["filename"]).with_name("char.bin"))

    def tokenize(self, text: str) -> list[Token]:
        """Tokens of `text` with character offsets into `text` itself."""
        pieces = self.pieces(text)
        with self._lock:
            printed = [self._formatted.parse(piece) for piece in pieces]
        if len(printed) > 1:  # one token list: each piece's lines without its "EOS", then the last "EOS"
            if not all(p.endswith(_EOS) for p in printed):
                return self.tokenize_by_node(text)
            printed = ["".join(p[: -len(_EOS)] for p in printed) + _EOS]
        tokens: list[Token] | None = _kernel.tokens(printed[0], text, Token)
        return tokens if tokens is not None else self.tokenize_by_node(text)

    def tokenize_by_node(self, text: str) -> list[Token]:
        """The reference reader: every node's surface and raw feature string, one by one."""
        tokens: list[Token] = []
        position = 0
        with self._lock:
            for piece in self.pieces(text):
                for node in self._tagger(piece):
                    surface = node.surface
                    raw = node.feature_raw
                    fields = next(csv.reader([raw])) if '"' in raw else raw.split(",", _LEMMA_FIELD + 1)
                    lemma = fields[_LEMMA_FIELD] if len(fields) > _LEMMA_FIELD else ""
                    position = _locate(text, surface, position + len(node.white_space))
                    end = position + len(surface)
                    tokens.append(Token(surface, lemma or surface, fields[0], position, end))
                    position = end
        return tokens

    def pieces(self, text: str) -> list[str]:
        """`text` cut inside every run longer than MAX_RUN of characters that MeCab groups (each
        shares a category with the one before it), every MAX_RUN characters from the run's start;
        most texts come back whole."""
        if len(text) <= MAX_RUN:
            return [text]
        cuts = run_cuts(self._categories, text)
        if not cuts:
            return [text]
        return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]

    def surfaces(self, text: str) -> list[str]:
        """Bare surfaces only: the cheapest parse, the benchmark's unit of cost."""
        with self._lock:
            return [node.surface for node in self._tagger(text)]


def char_categories(path: Path) -> np.ndarray:
    """MeCab's category bits of every code point below U+FFFF, from the dictionary's char.bin (a
    4-byte count of categories, their 32-byte names, then one 32-bit CharInfo per code point whose
    low 18 bits are its categories), with U+FFFF read as U+0000, as MeCab reads what lies beyond."""
    data = path.read_bytes()
    count = int.from_bytes(data[:4], "little")
    offset = 4 + 32 * count
    if len(data) != offset + 4 * _UCS2:
        raise ValueError(f"{path}: not a MeCab char.bin ({len(data)} bytes for {count} categories)")
    info = np.frombuffer(data, dtype="<u4", offset=offset) & ((1 << 18) - 1)
    return np.append(info, info[0]).astype(np.uint32)


def run_cuts(categories: np.ndarray, text: str) -> list[int]:
    """Offsets that cut every run of grouped characters into pieces of MAX_RUN: positions
    MAX_RUN, 2 × MAX_RUN, ... after the start of each longer run. Two neighbours are in one run
    when they share a category other than SPACE (white space is skipped once, never scanned)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    bits = categories[np.minimum(codes, _UCS2)] & ~np.uint32(categories[0x20])
    linked = np.concatenate(([False], (bits[1:] & bits[:-1]) != 0, [False]))
    # runs are [start, end) spans of consecutive linked pairs: start = i-1 for the first linked i
    edges = np.flatnonzero(np.diff(linked.astype(np.int8)))
    starts, ends = edges[::2], edges[1::2] + 1  # the first linked pair is (start, start + 1)
    long = ends - starts > MAX_RUN
    return [cut for start, end in zip(starts[long].tolist(), ends[long].tolist()) for cut in range(start + MAX_RUN, end, MAX_RUN)]


def _locate(text: str, surface: str, position: int) -> int:
    """Where `surface` starts at or after `position` (MeCab skips white space between morphemes)."""
    if text.startswith(surface, position):
        return position
    found = text.find(surface, position)
    return found if found >= 0 else position
