"""The real analyzer (fugashi + shipped model) on what users paste."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine.analyze import Analyzer, InvalidText, check_text
from app.labels import Label, Verdict

BLAST = "【本日限り】全品50%OFF!!今すぐご来店ください!"
BAKERY_STORY = (
    "今朝、この店で初めての食パンが焼き上がりました。修業先で失敗ばかりしていた頃を思い出します。"
    "常連になってくださった田中さんが「懐かしい香りだね」と言ってくれて、胸がいっぱいです。"
)
PIECES = st.sampled_from(
    ["今だけ", "全品50%OFF", "ｾｰﾙ", "５０％ＯＦＦ", "!!", "👨‍👩‍👧", "🇯🇵", "か\u3099", "e\u0301", "👍🏽", "\n",
     "ありがとうございました。", "急いで", "「おいしい」", "残りわずか", "ﾗｽﾄﾁｬﾝｽ", "#拡散希望", " ", "パン"]
)
DRAFTS = st.lists(PIECES | st.text(max_size=3), min_size=1, max_size=12).map("".join).filter(lambda t: t.strip())


def test_blast_is_hard_sell_with_its_phrases_highlighted(analyzer: Analyzer) -> None:
    report = analyzer.analyze(BLAST)
    assert report.verdict == Verdict.HARD_SELL
    highlighted = {span.text for span in report.spans if span.category != Label.STORY}
    assert {"本日限り", "全品50%OFF", "今すぐご来店ください"} <= highlighted


def test_bakery_story_is_ok_and_recognised_as_story(analyzer: Analyzer) -> None:
    report = analyzer.analyze(BAKERY_STORY)
    assert report.verdict == Verdict.OK
    assert Label.STORY in report.labels
    assert any(span.category == Label.STORY for span in report.spans)
    assert report.suggestions[-1].id == "post.keep_story"


def test_half_width_blast_is_flagged_like_the_full_width_one(analyzer: Analyzer) -> None:
    report = analyzer.analyze("ｳｨﾝﾀｰｾｰﾙ!!ｺｰﾄ全品３０％ＯＦＦ 在庫限り👉 example.com/shop")
    assert report.verdict == Verdict.HARD_SELL
    assert any("全品３０％ＯＦＦ" in span.text for span in report.spans)


def test_plain_notice_is_ok(analyzer: Analyzer) -> None:
    assert analyzer.analyze("明日4日は臨時休業いたします。ご迷惑をおかけします。").verdict == Verdict.OK


def test_grateful_post_with_stacked_exclamations_is_ok_and_a_story(analyzer: Analyzer) -> None:
    report = analyzer.analyze("今日で開店10年になりました!!常連の田中さん、いつも本当にありがとうございます!!")
    assert report.verdict == Verdict.OK
    assert Label.STORY in report.labels


@pytest.mark.parametrize(
    "draft",
    [
        "先着順でお席をご案内しています。ご了承ください。",
        "残りわずかになった今年、みなさんはどんな一年でしたか?",
        "今すぐには答えが出ないけど、ゆっくり考えてみます。",
        "見逃した方のために、昨日のライブ配信のアーカイブを置いておきます。",
        "セール時期でも、うちは値段を変えません。その理由を少しお話しさせてください。",
        "うちの看板猫、今日も最強にかわいいです。",
    ],
)
def test_sales_words_in_ordinary_senses_are_not_hard_sell(analyzer: Analyzer, draft: str) -> None:
    assert analyzer.analyze(draft).verdict != Verdict.HARD_SELL


def test_every_hard_sell_span_gets_a_suggestion_quoting_it(analyzer: Analyzer) -> None:
    report = analyzer.analyze(BLAST)
    quoted = {(s.span.start, s.span.end) for s in report.suggestions if s.span is not None}
    for span in report.spans:
        if span.category != Label.STORY:
            assert (span.start, span.end) in quoted
            assert span.rule is not None


def test_at_most_one_post_level_tip(analyzer: Analyzer) -> None:
    report = analyzer.analyze(BLAST)
    assert sum(s.id.startswith("post.") for s in report.suggestions) == 1


def test_english_messages_on_request(analyzer: Analyzer) -> None:
    report = analyzer.analyze(BLAST, lang="en")
    assert all(s.message.isascii() for s in report.suggestions)


def test_replacements_keep_the_numbers_of_the_phrase(analyzer: Analyzer) -> None:
    report = analyzer.analyze(BLAST)
    headline = next(s for s in report.suggestions if s.span is not None and s.span.text == "全品50%OFF")
    assert all("50" in r for r in headline.replacements)


@pytest.mark.parametrize("bad", ["", "   \n\t", "a\x00b", "\x1b[31m", "x\ud800y"])
def test_check_text_rejects_what_cannot_be_a_draft(bad: str) -> None:
    with pytest.raises(InvalidText):
        check_text(bad)


def test_check_text_rejects_oversize_drafts() -> None:
    with pytest.raises(InvalidText, match="limit is 10"):
        check_text("あ" * 11, max_chars=10)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DRAFTS)
def test_spans_slice_the_original_text_exactly(analyzer: Analyzer, text: str) -> None:
    try:
        report = analyzer.analyze(text)
    except InvalidText:
        return
    utf16 = text.encode("utf-16-le")
    for span in report.spans:
        assert text[span.start : span.end] == span.text
        assert utf16[2 * span.start_utf16 : 2 * span.end_utf16].decode("utf-16-le") == span.text
    for suggestion in report.suggestions:
        if suggestion.span is not None:
            assert text[suggestion.span.start : suggestion.span.end] == suggestion.span.text
    assert all(0.0 <= score <= 1.0 for score in report.scores.model_dump().values())


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_any_unicode_yields_a_report_or_a_clear_error(analyzer: Analyzer, text: str) -> None:
    try:
        report = analyzer.analyze(text)
    except InvalidText as exc:
        assert str(exc)
    else:
        assert report.verdict in set(Verdict)


def test_a_price_with_a_thousands_comma_is_highlighted_whole(analyzer: Analyzer) -> None:
    report = analyzer.analyze("今だけ全品1,000円!!5,000円以上のお買い上げで送料無料。急いでください!")
    texts = [s.text for s in report.spans]
    assert not any(t.startswith(("000", ",")) for t in texts), texts
    assert any("5,000円" in t for t in texts), texts


def test_a_letter_that_mecab_files_as_a_symbol_stays_inside_its_word(analyzer: Analyzer) -> None:
    # 「ハイフ全顔」 is the product's name: never highlighted alone, and never cut after its ハ
    spans = analyzer.analyze("ハイフ全顔 29,800円→14,800円 今月だけ!").spans
    assert not any(0 < s.start < 5 for s in spans), [s.text for s in spans]
