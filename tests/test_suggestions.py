"""Suggestions: specific to each phrase, golden examples, and a softened draft that keeps facts."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine.analyze import Analyzer
from app.labels import HARD_SELL_LABELS, Label, Verdict

FACT = re.compile(r"https?://[\w./:%?=&#-]+|@[A-Za-z0-9_.]+|[0-9０-９]+")
PIECES = st.sampled_from(
    [
        "【本日限り】", "全品50%OFF", "!!", "今すぐご購入ください", "残り3名", "先着10名様", "詳しくはDMで",
        "https://example.com/shop", "@urikomi_shop", "12/24まで", "ポイント5倍", "フォロー&RTで", "絶対痩せる",
        "焼きたてのパンです。", "常連さんが「おいしい」と言ってくれました。", "\n", "🔥🔥🔥", "送料無料", "１,９８０円",
    ]
)
DRAFTS = st.lists(PIECES, min_size=1, max_size=8).map("".join).filter(str.strip)

GOLDEN = [
    ("【本日限り】全品50%OFF!!今すぐご来店ください!", {"pushy.urgency", "discount.headline", "pushy.exclamation"}),
    ("フォロー&RTで抽選5名様にプレゼント!締切は今夜23:59!", {"pushy.follow_rt"}),
    ("残りわずか!先着10名様限定です。詳しくはDMでお問い合わせください", {"pushy.scarcity", "pushy.dm_funnel"}),
    ("絶対儲かる方法、誰でも簡単に月収100万!知らないと損します", {"pushy.guarantee", "pushy.fomo"}),
]


@pytest.mark.parametrize(("draft", "expected"), GOLDEN)
def test_golden_drafts_get_the_expected_suggestion_families(analyzer: Analyzer, draft: str, expected: set[str]) -> None:
    ids = {s.id for s in analyzer.analyze(draft).suggestions}
    assert expected <= ids


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DRAFTS)
def test_softened_text_keeps_every_number_url_and_mention(analyzer: Analyzer, draft: str) -> None:
    softened = analyzer.analyze(draft).softened_text
    remaining = softened
    for fact in FACT.findall(draft):
        assert fact in remaining, (fact, softened)
        remaining = remaining.replace(fact, "", 1)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DRAFTS)
def test_softened_text_never_raises_a_hard_sell_score(analyzer: Analyzer, draft: str) -> None:
    report = analyzer.analyze(draft)
    after = analyzer.analyze(report.softened_text)
    for label in HARD_SELL_LABELS:
        assert getattr(after.scores, label.value) <= getattr(report.scores, label.value) + 1e-6


def test_softened_text_calms_stacked_exclamations(analyzer: Analyzer) -> None:
    softened = analyzer.analyze("【本日限り】全品50%OFF!!!今すぐご来店ください!!🔥🔥🔥").softened_text
    assert "!!" not in softened and "🔥🔥" not in softened
    assert "50%" in softened


def test_story_post_is_left_as_written(analyzer: Analyzer) -> None:
    story = "常連の佐藤さんが「この前のシフォン、母の誕生日に出したら喜んでくれたよ」と話してくれました。焼いてよかった。"
    assert analyzer.analyze(story).softened_text == story


def test_an_ok_draft_keeps_its_exclamation_marks(analyzer: Analyzer) -> None:
    draft = "初めて自分で焼いたバゲットが、ちゃんと膨らみました!!師匠に見せたら「まあまあやな」って笑われました。"
    report = analyzer.analyze(draft)
    assert report.verdict == Verdict.OK
    assert report.softened_text == draft


def test_low_story_hard_sell_gets_a_story_first_outline_with_its_subject(analyzer: Analyzer) -> None:
    report = analyzer.analyze("抹茶ロールケーキ全品半額!!今すぐご予約ください!")
    tip = report.suggestions[-1]
    assert tip.id == "post.story_first"
    assert len(tip.replacements[0].splitlines()) == 3
    assert "ロールケーキ" in tip.replacements[0]


def test_high_story_post_is_told_what_works(analyzer: Analyzer) -> None:
    report = analyzer.analyze("開店から十年、毎朝パンを焼いてきました。最初のお客様だった田中さんが、今日はお孫さんと来てくれました。")
    assert report.suggestions[-1].id == "post.keep_story"
    assert report.suggestions[-1].category == Label.STORY


def test_softening_never_drops_a_sentence_into_the_middle_of_a_clause(analyzer: Analyzer) -> None:
    draft = "仲介手数料0円!業界最安級の賃貸なら「部屋ナビ太郎」で!"
    assert "業界最安級の賃貸なら「部屋ナビ太郎」で" in analyzer.analyze(draft).softened_text


def test_hashtags_are_only_ever_replaced_by_hashtags(analyzer: Analyzer) -> None:
    softened = analyzer.analyze("冬のセール開催中!!今すぐチェック!\n#拡散希望 #半額 #プレゼント企画").softened_text
    last_line = softened.splitlines()[-1]
    assert all(word.startswith("#") for word in last_line.split()), softened


def test_bracketed_headline_is_rewritten_inside_its_brackets(analyzer: Analyzer) -> None:
    softened = analyzer.analyze("【本日限り】全品50%OFF!!今すぐご来店ください!").softened_text
    assert softened.startswith("【") and "】" in softened and "本日限り" not in softened
