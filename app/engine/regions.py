"""Regions of a draft, [start, end) offsets, asked whether they overlap or hold a stretch.

A draft can hold thousands of highlighted phrases, pattern matches and names, and the steps after
classification ask such questions for each of thousands of stretches: a scan of the list per
question costs the square of the draft (issue 20). Sorted once, each answer is a bisection.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable
from itertools import accumulate


class Regions:
    """A fixed set of regions, answering `overlaps` and `holds` in O(log n)."""

    __slots__ = ("_starts", "_reach")

    def __init__(self, regions: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(regions)
        self._starts = [start for start, _ in ordered]
        # the furthest end among the first k regions: the one that matters for any question
        self._reach = list(accumulate((end for _, end in ordered), max))

    def overlaps(self, a: int, b: int) -> bool:
        """Whether some region [x, y) has x < b and a < y (what `any(...)` over the list says)."""
        k = bisect_left(self._starts, b)
        return k > 0 and self._reach[k - 1] > a

    def holds(self, a: int, b: int) -> bool:
        """Whether some region [x, y) has x <= a and b <= y: [a, b) lies inside it."""
        k = bisect_right(self._starts, a)
        return k > 0 and self._reach[k - 1] >= b

    def __bool__(self) -> bool:
        return bool(self._starts)


class Taken:
    """Regions claimed one at a time, none overlapping an earlier claim (the caller checks)."""

    __slots__ = ("_starts", "_ends", "_points")

    def __init__(self) -> None:
        self._starts: list[int] = []  # non-empty claims: disjoint, so sorted by start they are sorted by end
        self._ends: list[int] = []
        self._points: list[int] = []  # empty claims [x, x)

    def overlaps(self, a: int, b: int) -> bool:
        """Whether a claim [x, y) has x < b and a < y: of the disjoint claims, the last one that
        starts before `b` ends furthest; an empty claim overlaps when a < x < b."""
        k = bisect_left(self._starts, b)
        if k > 0 and self._ends[k - 1] > a:
            return True
        j = bisect_right(self._points, a)
        return j < len(self._points) and self._points[j] < b

    def claim(self, a: int, b: int) -> None:
        """Record [a, b)."""
        if a == b:
            insort(self._points, a)
            return
        k = bisect_left(self._starts, a)
        self._starts.insert(k, a)
        self._ends.insert(k, b)


class Ordered:
    """Non-empty regions that do not overlap, in text order (highlighted spans, names, matches of
    one regex): the ones that overlap a stretch are a slice, found by bisection. Regions given in
    any other shape are scanned one by one, so the answers never depend on the shape."""

    __slots__ = ("_starts", "_ends", "_sorted")

    def __init__(self, regions: Iterable[tuple[int, int]]) -> None:
        pairs = list(regions)
        self._starts = [start for start, _ in pairs]
        self._ends = [end for _, end in pairs]
        self._sorted = all(a < b for a, b in pairs) and all(b <= c for b, c in zip(self._ends, self._starts[1:]))

    def over(self, a: int, b: int) -> range | list[int]:
        """Indices, in order, of the regions [x, y) with x < b and a < y."""
        if self._sorted:
            return range(bisect_right(self._ends, a), bisect_left(self._starts, b))
        return [k for k, (x, y) in enumerate(zip(self._starts, self._ends)) if x < b and a < y]
