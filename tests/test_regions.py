"""Regions answer by bisection exactly what a scan of the list answers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.engine.regions import Ordered, Regions, Taken

REGION = st.tuples(st.integers(0, 30), st.integers(0, 6)).map(lambda p: (p[0], p[0] + p[1]))
QUERIES = st.lists(REGION, min_size=1, max_size=15)


@given(st.lists(REGION, max_size=10), QUERIES)
def test_regions_answer_overlap_and_hold_as_a_scan_does(regions: list[tuple[int, int]], queries: list[tuple[int, int]]) -> None:
    index = Regions(regions)
    for a, b in queries:
        assert index.overlaps(a, b) == any(x < b and a < y for x, y in regions)
        assert index.holds(a, b) == any(x <= a and b <= y for x, y in regions)


@given(QUERIES)
def test_taken_claims_answer_overlap_as_a_scan_does(claims: list[tuple[int, int]]) -> None:
    taken, claimed = Taken(), []
    for a, b in claims:  # empty claims too: they overlap what strictly surrounds them
        assert taken.overlaps(a, b) == any(x < b and a < y for x, y in claimed)
        if not taken.overlaps(a, b):
            taken.claim(a, b)
            claimed.append((a, b))


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4)), max_size=8), st.booleans(), QUERIES)
def test_ordered_regions_give_the_overlapping_ones_in_order_as_a_scan_does(
    steps: list[tuple[int, int]], shuffled: bool, queries: list[tuple[int, int]]
) -> None:
    regions, position = [], 0
    for gap, length in steps:  # in text order, or (shuffled) in any order: the answers are the same
        regions.append((position + gap, position + gap + length))
        position += gap + length
    if shuffled:
        regions.reverse()
    index = Ordered(regions)
    for a, b in queries:
        assert list(index.over(a, b)) == [k for k, (x, y) in enumerate(regions) if x < b and a < y]
