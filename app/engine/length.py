"""Platform length hints: how long a draft is by each platform's own way of counting."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Platform = Literal["x", "instagram", "facebook", "line", "blog"]

# X counts most Latin and punctuation as 1 and everything else (CJK, kana, emoji) as 2 of 280;
# every URL counts as 23 (twitter-text's weighted ranges and transformed URL length).
_X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
# bounded labels and depth: linear on long runs of letters or dots (issue 20), same matches on real text
_X_URL = re.compile(r"https?://\S+|(?<![\w@.])(?:[a-z0-9-]{1,63}\.){1,10}(?:com|jp|net|org|io|co|shop|me)(?:/\S*)?", re.I)
_X_URL_WEIGHT = 23
LIMITS: dict[Platform, int | None] = {"x": 280, "instagram": 2200, "facebook": 63206, "line": 500, "blog": None}


@dataclass(frozen=True)
class LengthHint:
    """The draft's length on one platform and whether it fits."""

    platform: Platform
    count: int
    limit: int | None
    unit: str

    @property
    def over(self) -> bool:
        """True when the draft is longer than the platform allows."""
        return self.limit is not None and self.count > self.limit


def x_weight(text: str) -> int:
    """X's weighted length: URLs 23 each, light characters 1, others 2."""
    total = 0
    cursor = 0
    for match in _X_URL.finditer(text):
        total += _char_weights(text[cursor : match.start()]) + _X_URL_WEIGHT
        cursor = match.end()
    return total + _char_weights(text[cursor:])


def _char_weights(text: str) -> int:
    return sum(1 if any(low <= ord(ch) <= high for low, high in _X_LIGHT_RANGES) else 2 for ch in text)


def length_hint(text: str, platform: Platform) -> LengthHint:
    """Length as the platform counts it: weighted for X, code points elsewhere."""
    if platform == "x":
        return LengthHint(platform, x_weight(text), LIMITS[platform], "weighted characters (CJK and emoji count 2)")
    return LengthHint(platform, len(text), LIMITS[platform], "characters")
