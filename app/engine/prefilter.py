"""Which characters every match of a regular expression must contain: a cheap test that skips
most catalogue patterns on most drafts.

Most catalogue patterns begin with an optional word (「(?:最大|全品)?\\s*\\d+…%…」), which leaves the
regular-expression engine no literal to search for, so each one is tried at every position of
every draft. But a match of that pattern must contain 「%」 or 「パ」 (of パーセント); a draft with
neither cannot match, and a one-class search says so at once. The required characters are read
from the pattern's parse tree: the rarest set that some mandatory element of the top-level
sequence draws from. The test never skips a match (a test checks every pattern on the corpus).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator
from typing import Any

sre_parse: Any
sre_constants: Any
try:  # the parser of the standard `re` module (internal; without it, no pattern is skipped)
    sre_parse = importlib.import_module("re._parser")
    sre_constants = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover - other Python versions
    sre_parse = sre_constants = None

Screened = tuple[re.Pattern[str] | None, re.Pattern[str]]  # (a class every match contains, pattern)
MAX_REQUIRED = 40  # a wider set skips too few drafts to pay for its own search
COMMON_WEIGHT = 8  # hiragana turn up in nearly every draft: a set of them skips little
LATIN_WEIGHT = 3  # Latin letters come with every link and hashtag


def screened(sources: Iterable[str], compiled: Iterable[re.Pattern[str]]) -> tuple[Screened, ...]:
    """Each compiled pattern with the class its matches require (from its source)."""
    return tuple((required_class(source), pattern) for source, pattern in zip(sources, compiled))


def runnable(text: str, patterns: Iterable[Screened]) -> Iterator[re.Pattern[str]]:
    """The patterns that may match `text`: those whose required characters it holds."""
    return (pattern for required, pattern in patterns if required is None or required.search(text) is not None)


def looks_outside(pattern: str) -> bool:
    """Whether a match of `pattern` depends on the text around it (anchors, word boundaries,
    lookarounds): such a pattern may match a phrase cut out of a draft and not the draft itself.
    True when the pattern cannot be read, which is the safe answer."""
    if sre_parse is None:
        return True
    try:
        return _looks_outside(sre_parse.parse(pattern))
    except re.error:
        return True


def _looks_outside(items: Any) -> bool:
    """Walk a parse tree for an anchor or a lookaround, at any depth."""
    c = sre_constants
    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            return True
        for part in av if isinstance(av, tuple | list) else (av,):
            nested = part if isinstance(part, list) else [part]
            if any(isinstance(sub, sre_parse.SubPattern) and _looks_outside(sub) for sub in nested):
                return True
    return False


def required_class(pattern: str) -> re.Pattern[str] | None:
    """A one-class pattern that finds a character every match of `pattern` contains, or None
    when no small such set can be read from it."""
    if sre_parse is None:
        return None
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return None
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return None  # a literal set would have to cover every case form
    chars = _sequence_chars(list(parsed))
    if not chars or len(chars) > MAX_REQUIRED:
        return None
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]")


def _sequence_chars(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """The rarest set that one mandatory element of a sequence draws every character from."""
    best: frozenset[str] | None = None
    for op, av in items:
        chars = _element_chars(op, av)
        if chars is not None and (best is None or _commonness(chars) < _commonness(best)):
            best = chars
    return best


def _commonness(chars: frozenset[str]) -> int:
    """How often a draft is likely to hold one of `chars` (kanji and symbols are rarer than kana
    and Latin letters)."""
    return sum(COMMON_WEIGHT if "\u3041" <= c <= "\u309f" else LATIN_WEIGHT if c.isascii() and c.isalpha() else 1 for c in chars)


def _element_chars(op: Any, av: Any) -> frozenset[str] | None:
    """Characters one element must match at least one of, or None when it may match nothing or
    draws from a class too open to list (\\d, [^…], .)."""
    c = sre_constants
    if op is c.LITERAL:
        return frozenset(chr(av))
    if op is c.IN:
        return _set_chars(av)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
        low, _, item = av
        return _sequence_chars(list(item)) if low >= 1 else None
    if op is c.SUBPATTERN:
        _, add_flags, _, item = av
        if add_flags & (re.IGNORECASE | re.VERBOSE):
            return None  # (?i:…): a literal set would have to cover every case form
        return _sequence_chars(list(item))
    if op is c.ATOMIC_GROUP:
        return _sequence_chars(list(av))
    if op is c.BRANCH:
        _, alternatives = av
        union: set[str] = set()
        for alternative in alternatives:
            chars = _sequence_chars(list(alternative))
            if chars is None:
                return None  # one way to match needs none of the others' characters
            union |= chars
        return frozenset(union)
    return None


def _set_chars(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """The characters of a [...] set of literals and small ranges (None for \\d, [^…] and the like)."""
    c = sre_constants
    chars: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            chars.add(chr(av))
        elif op is c.RANGE and av[1] - av[0] < MAX_REQUIRED:
            chars.update(chr(point) for point in range(av[0], av[1] + 1))
        else:
            return None
    return frozenset(chars)
