"""The suggestion catalogue: valid data, examples per family, replacements that are not hard sells."""

from __future__ import annotations

import pytest

from app.engine.analyze import Analyzer
from app.engine.catalogue import Catalogue, Family, load_catalogue
from app.engine.normalize import normalize
from app.labels import HARD_SELL_LABELS, Verdict

FAMILIES = load_catalogue().families
REQUIRED_FAMILIES = {
    "discount.headline", "discount.campaign", "discount.points", "discount.free_shipping", "discount.giveaway",
    "pushy.urgency", "pushy.scarcity", "pushy.imperative", "pushy.fomo", "pushy.guarantee", "pushy.follow_rt",
    "pushy.dm_funnel", "pushy.exclusivity", "pushy.exclamation", "pushy.hashtags",
}


def test_catalogue_has_every_required_family(catalogue: Catalogue) -> None:
    assert REQUIRED_FAMILIES <= {f.id for f in catalogue.families}


def test_every_hard_sell_category_has_a_fallback(catalogue: Catalogue) -> None:
    assert set(HARD_SELL_LABELS) <= set(catalogue.fallbacks)


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.id)
def test_family_patterns_flag_their_examples(family: Family) -> None:
    for example in family.examples.should_flag:
        assert any(p.search(normalize(example).text) for p in family.compiled), example


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.id)
def test_family_patterns_pass_their_counter_examples(family: Family) -> None:
    for example in family.examples.should_pass:
        assert not any(p.search(normalize(example).text) for p in family.compiled), example


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.id)
def test_family_messages_are_polite_japanese_and_english(family: Family) -> None:
    assert family.message.ja.rstrip("。").endswith(("ます", "です", "ください", "ましょう", "ません", "ませんか"))
    assert family.message.en.isascii()


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.id)
def test_replacements_are_not_flagged_in_a_neutral_sentence(analyzer: Analyzer, family: Family) -> None:
    for template in family.replacements:
        replacement = template.replace("{span}", "新しい焼き菓子").replace("{n}", "3").replace("{qty}", "3個")
        sentence = "今週から店頭に並べています" + ("" if replacement in ("!", "。") else "。")
        report = analyzer.analyze(sentence + replacement)
        assert report.verdict == Verdict.OK, replacement
        assert not [s for s in report.spans if s.category in HARD_SELL_LABELS], replacement


def test_a_broken_pattern_is_refused_at_load() -> None:
    from pydantic import ValidationError

    from app.engine.catalogue import Family

    entry = {
        "id": "pushy.broken", "category": "pushy_pitch", "patterns": ["(unclosed"],
        "message": {"ja": "あ", "en": "a"}, "replacements": ["x"], "story_prompt": {"ja": "あ", "en": "a"},
        "examples": {"should_flag": ["a"], "should_pass": ["b"]},
    }
    with pytest.raises(ValidationError, match="invalid pattern"):
        Family.model_validate(entry)
