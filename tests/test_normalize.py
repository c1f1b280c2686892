"""Folding makes width variants alike and always maps back to what the user typed."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.engine.normalize import _JOINING, MAX_FOLD, fold, normalize

# Characters that exercise every path: half-width kana with sound marks, full-width ASCII,
# combining marks, emoji with ZWJ and skin tones, variation selectors, ligature-like symbols.
TRICKY = list("ｾｰﾙﾊﾞﾟｶﾞﾝ５０％ＯＦＦＳＡＬＥ！？　abcあア漢\u3099\u309a\u0301\u200d\ufe0f👨👩👧👍🏽🇯🇵㍿①ﬁ\n\t ")
drafts = st.text(alphabet=st.sampled_from(TRICKY) | st.characters(), max_size=60)


@pytest.mark.parametrize(
    ("original", "folded"),
    [
        ("ｾｰﾙ", "セール"),
        ("５０％ＯＦＦ", "50%off"),
        ("ﾊﾞｰｹﾞﾝ", "バーゲン"),
        ("ＳＡＬＥ！！", "sale!!"),
        ("か\u3099", "が"),
        ("㍿", "株式会社"),
        ("今だけ", "今だけ"),
    ],
)
def test_normalize_folds_width_and_case_variants(original: str, folded: str) -> None:
    assert normalize(original).text == folded


def test_normalize_keeps_offsets_identity_when_nothing_changes_length() -> None:
    result = normalize("全品５０％ＯＦＦ")
    assert result.starts is None
    assert result.to_original(2, 4) == (2, 4)


def test_normalize_maps_composed_kana_back_to_both_half_width_characters() -> None:
    result = normalize("ﾊﾞｰｹﾞﾝ")
    assert result.to_original(0, 1) == (0, 2)
    assert result.to_original(2, 3) == (3, 5)


@given(drafts)
def test_every_folded_range_maps_to_a_valid_original_range(text: str) -> None:
    result = normalize(text)
    for start in range(len(result.text)):
        for end in range(start + 1, min(len(result.text), start + 4) + 1):
            a, b = result.to_original(start, end)
            assert 0 <= a < b <= len(text)


@given(drafts)
def test_an_original_range_maps_back_onto_every_folded_character_it_covers(text: str) -> None:
    result = normalize(text)
    for start in range(len(result.text)):
        for end in range(start + 1, min(len(result.text), start + 4) + 1):
            # a cluster that folds to several characters (㍻ → 平成) comes back whole
            a, b = result.to_folded(*result.to_original(start, end))
            assert a <= start < end <= b
            assert result.to_original(a, b) == result.to_original(start, end)


@given(drafts)
def test_folded_characters_come_from_their_original_cluster(text: str) -> None:
    result = normalize(text)
    for i, char in enumerate(result.text):
        a, b = result.to_original(i, i + 1)
        assert char in fold(text[a:b])


@given(drafts)
def test_normalize_is_idempotent_on_folded_text(text: str) -> None:
    once = normalize(text).text
    assert normalize(once).text == once


@given(drafts)
def test_offset_maps_are_monotonic(text: str) -> None:
    result = normalize(text)
    if result.starts is not None and result.ends is not None:
        assert list(result.starts) == sorted(result.starts)
        assert list(result.ends) == sorted(result.ends)
        assert len(result.starts) == len(result.text)


def _fold_every_cluster(original: str) -> tuple[str, list[int], list[int]]:
    """The reference: every cluster (a base character and its joining marks) folded on its own."""
    cluster = re.compile(f"[^{_JOINING}]?[{_JOINING}]*", re.DOTALL)
    pieces, starts, ends = [], [], []
    for match in cluster.finditer(original):
        start, end = match.span()
        if start == end:
            continue
        folded = fold(match.group())
        pieces.append(folded)
        starts += [start] * len(folded)
        ends += [end] * len(folded)
    return "".join(pieces), starts, ends


@given(drafts)
def test_normalize_equals_folding_every_cluster_on_its_own(text: str) -> None:
    result = normalize(text)
    folded, starts, ends = _fold_every_cluster(text)
    assert result.text == folded
    if result.starts is None:
        assert starts == list(range(len(text))) and ends == list(range(1, len(text) + 1))
    else:
        assert (list(result.starts), list(result.ends)) == (starts, ends)


@pytest.mark.parametrize("char", ["\u3316", "\ufdfa", "\u3332"])  # 「㌖」 キロメートル, 「ﷺ」 18 characters, 「㌲」 ファラッド
def test_a_character_whose_compatibility_form_is_longer_than_max_fold_stays_as_typed(char: str) -> None:
    # folding must not multiply a draft's length (issue 20): 10,000 「ﷺ」 would be 180,000 characters
    assert len(unicodedata.normalize("NFKC", char)) > MAX_FOLD
    result = normalize("今だけ" + char * 100)
    assert result.text == "今だけ" + char * 100
    assert len(normalize("…㍿" * 100).text) == 700  # 「...」 and 「株式会社」 still fold
