"""The required-character test never skips a draft that a catalogue pattern matches."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.engine.catalogue import load_catalogue
from app.engine.normalize import normalize
from app.engine.prefilter import looks_outside, required_class
from app.training.corpus import load_corpus
from tests.conftest import DATA_DIR

CATALOGUE = load_catalogue()
FAMILIES = CATALOGUE.families
SCREENED = [(f.id, required, pattern) for f in FAMILIES for required, pattern in f.screened]
SCREENED += [(rule.id, required, pattern) for rule in CATALOGUE.compliance for required, pattern in rule.screened_triggers]


@pytest.mark.parametrize(
    ("pattern", "required"),
    [
        (r"(?:最大|全品)?\s*\d+\s*(?:%|パーセント)\s*off", "[%パ]"),  # optional words are not required
        (r"(?:今すぐ|すぐに?)?(?:購入|来店)\s*(?:ください|してね)", "[来購]"),  # kanji are rarer than kana
        (r"セール|sale", "[sセ]"),  # each way to match brings its own character
        (r"ポイント\s*\d+\s*倍", "[ポ]"),  # of equally rare ones, the first
    ],
)
def test_the_rarest_characters_every_match_holds_are_required(pattern: str, required: str) -> None:
    found = required_class(pattern)
    assert found is not None and found.pattern == required


@pytest.mark.parametrize("pattern", [r"\d+", r"[^」]+", r"(?i)sale", r"(?i:sale)", r"a|\d", r".{2,}"])
def test_no_class_is_required_when_a_match_may_hold_any_character(pattern: str) -> None:
    assert required_class(pattern) is None


def test_every_catalogue_pattern_has_a_required_class() -> None:
    assert [pattern.pattern for _, required, pattern in SCREENED if required is None] == []


def test_no_catalogue_pattern_matches_a_corpus_draft_that_lacks_its_required_characters() -> None:
    texts = [normalize(post.text).text for post in load_corpus(DATA_DIR)]
    texts += [normalize(example).text for family in FAMILIES for example in family.examples.should_flag]
    skipped_matches = [
        (family, pattern.pattern, text[:40])
        for text in texts
        for family, required, pattern in SCREENED
        if required is not None and required.search(text) is None and pattern.search(text)
    ]
    assert skipped_matches == []


@given(st.text(alphabet=st.sampled_from(list("全品半額50%オフoffセール今すぐご来店ください!!🔥残りわずかパーセント 円引き")), max_size=40))
def test_a_pattern_never_matches_text_without_its_required_characters(text: str) -> None:
    for _, required, pattern in SCREENED:
        if required is not None and required.search(text) is None:
            assert pattern.search(text) is None, (pattern.pattern, text)


def test_required_classes_are_plain_character_classes() -> None:
    for _, required, _ in SCREENED:
        assert required is not None and re.fullmatch(r"\[.+\]", required.pattern, re.S)


@pytest.mark.parametrize(
    ("pattern", "outside"),
    [(r"\bhurry\b", True), (r"ご連絡(?!します)", True), (r"^今すぐ", True), (r"(?:今|(?<=本)日)限り", True),
     (r"「[^」]{1,12}」と", False), (r"(?:全品)?\s*半額", False), (r"今すぐ$?", True)],
)
def test_a_pattern_that_reads_the_text_around_its_match_is_found_at_any_depth(pattern: str, outside: bool) -> None:
    assert looks_outside(pattern) is outside
