"""Mentioned, not used: quotes a draft talks about are masked; quotes it uses are read as written."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.engine.mentions import MASK, mask_mentions, mention_regions, quotes
from app.engine.normalize import normalize


def masked(text: str) -> str:
    return mask_mentions(normalize(text)).text


@pytest.mark.parametrize(
    "text, hidden",
    [
        ("毎日「今だけ!」と投稿していた頃は、誰も来てくれませんでした。", "今だけ!"),
        ("「期間限定」「残りわずか」といった言葉は、使うほど効かなくなります。", "期間限定"),
        ("「期間限定」「残りわずか」といった言葉は、使うほど効かなくなります。", "残りわずか"),
        ("『本日限り全品半額!!』のような投稿ばかりのアカウントは、そっとミュートしています。", "本日限り全品半額!!"),
        ("「フォロー&RTで当たる!」という告知を毎日流すのは、もうやめました。", "フォロー&rtで当たる!"),
        ("「＼本日限り／全品半額!!急いで!!」\nこういう投稿、タイムラインで見かけませんか。", "\uff3c本日限り\uff0f全品半額!!急いで!!"),
        ("悪い例:「今すぐ買わないと後悔します」", "今すぐ買わないと後悔します"),
        # a selling voice the writer reports: a shop sign, a barker, an unsolicited DM
        ("駅前の靴屋の看板には「閉店セール!全品90%OFF!」の文字。もう三年くらい掛かっています。", "閉店セール!全品90%OFF!"),
        ("商店街を歩くと呼び込みの声。\n「いらっしゃい!今日だけ半額だよ!」\n年末だなあと思います。", "いらっしゃい!今日だけ半額だよ!"),
        ("昨日、怪しいDMが届きました。「誰でも月50万円稼げます!今すぐ登録を!」もちろん無視です。", "誰でも月50万円稼げます!今すぐ登録を!"),
        ("「期間限定で半額!」ってな告知、正直もう見飽きました。", "期間限定で半額!"),
    ],
)
def test_a_quote_the_writer_talks_about_is_masked(text: str, hidden: str) -> None:
    folded_hidden = normalize(hidden).text
    result = masked(text)
    assert folded_hidden not in result
    assert MASK * len(folded_hidden) in result


@pytest.mark.parametrize(
    "text",
    [
        "常連の佐藤さんが「この前のシフォン、母の誕生日に出したら喜んでくれたよ」と写真を見せてくれました。",
        "「たった1日5分で月10万円!」という声が続々!今すぐLINE登録で無料プレゼント",
        "「冬のパン祭り」を開催します!全品20%OFF",
        "「美味しかった」と言ってくださったお客様、ありがとうございます。",
        "お客様からのメッセージ。「また来月も伺います」本当にうれしい一言でした。",
        "【本日限り】全品半額!残りわずか!",
    ],
)
def test_a_quote_the_writer_uses_is_read_as_written(text: str) -> None:
    assert masked(text) == normalize(text).text


def test_nested_quotes_are_masked_whole() -> None:
    text = "「新作『とろける食パン』が本日限り半額!」のような告知は逆効果です。"
    assert "半額" not in masked(text)
    assert masked(text).startswith("「" + MASK)


def test_an_unclosed_quote_masks_nothing() -> None:
    text = "「今だけ半額のような投稿は逆効果です"
    assert quotes(normalize(text).text) == []
    assert masked(text) == normalize(text).text


_PIECES = st.sampled_from(["「", "」", "『", "』", "今だけ", "といった", "のような", "半額", "\n", "こういう", "。", "a", "😊"])


@given(st.lists(_PIECES, max_size=30).map("".join))
def test_masking_keeps_every_offset_and_every_character_outside_mentions(text: str) -> None:
    normalized = normalize(text)
    result = mask_mentions(normalized)
    assert len(result.text) == len(normalized.text)
    assert result.original == normalized.original
    regions = mention_regions(normalized.text)
    inside = {i for a, b in regions for i in range(a, b)}
    for i, (before, after) in enumerate(zip(normalized.text, result.text)):
        assert after == (MASK if i in inside else before)
