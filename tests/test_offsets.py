"""UTF-16 offsets agree with JavaScript's string indexing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.engine.offsets import Utf16Offsets


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40))
def test_utf16_offset_equals_code_units_before_the_offset(text: str) -> None:
    convert = Utf16Offsets(text)
    for i in range(len(text) + 1):
        assert convert(i) == len(text[:i].encode("utf-16-le")) // 2


def test_utf16_offsets_count_emoji_as_two_units() -> None:
    convert = Utf16Offsets("👍セール")
    assert (convert(0), convert(1), convert(4)) == (0, 2, 5)
