"""Offsets in the original text, for Python callers (code points) and JavaScript (UTF-16 units)."""

from __future__ import annotations

import re
from bisect import bisect_left

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class Utf16Offsets:
    """Converts code-point offsets of one text to UTF-16 offsets (astral characters count 2)."""

    def __init__(self, text: str) -> None:
        # code-point positions of characters outside the BMP, ascending
        self._astral = [m.start() for m in _ASTRAL.finditer(text)]

    def __call__(self, offset: int) -> int:
        """UTF-16 offset of the code-point offset `offset`."""
        return offset + bisect_left(self._astral, offset)
