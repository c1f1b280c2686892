"""The keyword-list baseline the model must beat: a label fires when any of its keywords occurs.

It is what a careful person would write in an afternoon without a model, matched on the same
folded text the model sees (so width tricks alone do not beat it).
"""

from __future__ import annotations

from app.engine.normalize import normalize
from app.labels import Label

KEYWORDS: dict[Label, tuple[str, ...]] = {
    Label.DISCOUNT_SPAM: (
        "%off", "％off", "%オフ", "半額", "割引", "値引き", "円引き", "セール", "sale", "バーゲン",
        "キャンペーン", "クーポン", "ポイント", "送料無料", "お得", "激安", "特価", "最安", "プレゼント企画",
    ),
    Label.PUSHY_PITCH: (
        "今すぐ", "本日限り", "今だけ", "今なら", "急いで", "残りわずか", "先着", "限定", "見逃", "損",
        "後悔", "絶対", "必ず", "最強", "no.1", "フォロー", "rt", "拡散", "dm", "ラストチャンス", "締切",
        "お申し込み", "ご購入", "買って", "あなただけ",
    ),
    Label.STORY: (
        "ありがとう", "「", "きっかけ", "思い出", "嬉しかった", "うれしかった", "お客様が", "常連",
        "ですよね", "でしょうか", "みなさんは", "皆さんは", "実は", "昔", "失敗",
    ),
}


def keyword_labels(text: str) -> dict[Label, int]:
    """1 for each label with a keyword in the folded text, else 0."""
    folded = normalize(text).text
    return {label: int(any(k in folded for k in words)) for label, words in KEYWORDS.items()}
