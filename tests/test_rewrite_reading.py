"""The guided story rewrite reads as something a shop owner would post: a date keeps the particle
that gives it its meaning, a count that is the offer's condition stays a cap, no line ends in a
particle whose words were cut away, and the facts read as calm sentences (drafts written for
these tests)."""

from __future__ import annotations

import re

import pytest

from app.engine.analyze import Analyzer
from app.engine.neutral import added_content_words
from app.engine.rewrite import INVITATION, Answers, fact_phrases, joined, rewrite_report

PAIR = Answers(
    episode="先週、閉店間際に来たお客さんが「ここのパンで朝が楽しみになった」と言ってくれました",
    reason="その一言がうれしくて、もっと多くの人に知ってほしいと思いました",
)
BLASTS = [
    "＼冬物クリアランス／ニット全品40%OFF‼️1/15まで✨なくなり次第終了!!急いで!!",
    "今だけ!!先着15名様限定で入会金0円🔥迷ったら負け!!今すぐ無料カウンセリングを👉 https://example.org/fit",
    "【週末だけ】焼き菓子セット1,200円!!土曜10時から!!売り切れ必至、お早めに!!",
    "【本日限り】全品半額!!残りわずか!!今すぐご来店を🔥",
]
DANGLING_END = re.compile(r"[をにでがはとものや]。?$")
LINK = re.compile(r"https?://\S+")


def facts_part(text: str) -> list[str]:
    """The rewrite's lines between the writer's two answers and the closing invitation."""
    lines = text.split("\n")
    return lines[2 : lines.index(INVITATION)]


@pytest.mark.parametrize(
    ("sentence", "fact", "phrase"),
    [
        ("ニット全品40%OFF、1/15まで急いで", "1/15", "1/15まで"),
        ("土曜10時から開店", "10時", "土曜10時から"),
        ("ランチは980円から選べます", "980円", "980円から"),
    ],
)
def test_a_date_time_or_price_keeps_the_particle_that_gives_it_its_meaning(
    analyzer: Analyzer, sentence: str, fact: str, phrase: str
) -> None:
    assert fact_phrases(analyzer, sentence, [fact]) == [phrase]


def test_a_deadline_in_a_rewrite_still_says_it_is_the_last_day(analyzer: Analyzer) -> None:
    text, report = rewrite_report(analyzer, BLASTS[0], PAIR)
    assert "1/15まで" in text, text
    assert not any(line.rstrip("。").endswith("1/15") for line in text.split("\n")), text


def test_a_count_that_is_the_offers_condition_stays_a_cap_said_calmly(analyzer: Analyzer) -> None:
    assert fact_phrases(analyzer, "先着15名様にはタオルもプレゼント", ["15名様"]) == ["15名様まで"]
    assert fact_phrases(analyzer, "限定30個のシュトーレン", ["30個"]) == ["30個まで"]
    text, _ = rewrite_report(analyzer, BLASTS[1], PAIR)
    assert "15名様まで" in text, text
    assert not any(line in ("15名様。", "15名様です。") for line in text.split("\n")), text


@pytest.mark.parametrize("draft", BLASTS)
def test_no_line_of_the_facts_ends_in_a_dangling_particle(analyzer: Analyzer, draft: str) -> None:
    text, _ = rewrite_report(analyzer, draft, PAIR)
    for line in facts_part(text):
        assert not DANGLING_END.search(LINK.sub("", line).rstrip(" :")), (line, text)


@pytest.mark.parametrize("draft", BLASTS)
def test_the_facts_read_as_sentences_or_a_phrase_with_its_link(analyzer: Analyzer, draft: str) -> None:
    text, report = rewrite_report(analyzer, draft, PAIR)
    facts = facts_part(text)
    assert facts and len(facts) <= 2, text  # short facts are joined, not stacked a phrase a line
    for line in facts:
        assert line.endswith(("です。", "ます。")) or LINK.search(line), (line, text)
    assert report.verdict == "ok" and "story" in report.labels, text
    assert all(fact in text for fact in analyzer.facts(draft)), text
    assert added_content_words(draft + PAIR.episode + PAIR.reason, text, analyzer.tokenizer) == [], text


def test_the_issue_blast_joins_its_day_and_price_into_one_calm_sentence(analyzer: Analyzer) -> None:
    text, _ = rewrite_report(analyzer, BLASTS[3], PAIR)
    assert facts_part(text) == ["本日まで、全品半額です。"], text


def test_short_fact_sentences_join_and_a_bare_link_takes_the_phrase_before_it_as_its_label(analyzer: Analyzer) -> None:
    assert joined(analyzer, ["本日までです。", "全品50%OFFです。"]) == ["本日まで、全品50%OFFです。"]
    assert joined(analyzer, ["入会金0円です。", "体験予約です。", "https://example.jp/x"]) == [
        "入会金0円です。",
        "体験予約: https://example.jp/x",
    ]
    # a sentence with a verb, a bullet and a long line each stay as they are
    kept = ["朝から焼いています。", "・全粒粉100%です。", "ソイプロテイン 1kg 3,480円 チョコレート味 バニラ味 抹茶味です。"]
    assert joined(analyzer, kept) == kept
