"""The corpus consistency rules themselves: what counts as a deal phrase and as a bare fact."""

from __future__ import annotations

import pytest

from app.training.consistency import bare_fact, is_deal_phrase, load_rules


def test_the_rules_file_loads_and_validates() -> None:
    rules = load_rules()
    assert rules.deal_markers and rules.bare_fact_patterns


@pytest.mark.parametrize("phrase", ["全品３０％ＯＦＦ", "半額", "ポイント5倍", "送料無料", "抽選で10名様にプレゼント", "BIG SALE", "ｸｰﾎﾟﾝ配布中"])
def test_deal_phrases_are_recognised_in_any_width(phrase: str) -> None:
    assert is_deal_phrase(phrase)


@pytest.mark.parametrize("phrase", ["今すぐ", "残りわずか", "詳しくはDMで", "後悔しますよ", "迷っている時間はない"])
def test_pressure_phrases_are_not_deal_phrases(phrase: str) -> None:
    assert not is_deal_phrase(phrase)


@pytest.mark.parametrize(
    "phrase, kind",
    [("12/1〜12/7", "range"), ("2,980円", "price"), ("¥５００", "price"), ("3月31日", "date"), ("48時間", "count"), ("21:00", "time")],
)
def test_bare_facts_are_recognised(phrase: str, kind: str) -> None:
    assert bare_fact(phrase) == kind


@pytest.mark.parametrize("phrase", ["2,980円ポッキリ", "12/7まで!急いで", "先着30名様", "3日間限定", "本日限り"])
def test_phrases_that_sell_are_not_bare_facts(phrase: str) -> None:
    assert bare_fact(phrase) is None
