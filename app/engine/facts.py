"""The facts of a draft: what no rewrite may lose (numbers, prices, dates, links, mentions, names).

A fact is kept when its text appears in the rewrite as the writer typed it. Numbers come with the
words that make them readable (「50%OFF」「3,980円」「12/24」「2種類」), so a rewrite that keeps the
digits but drops the unit is not counted as keeping the fact by accident of a shared digit.
"""

from __future__ import annotations

import re

from app.engine.neutral import load_neutral_words

# A link, a mention, or a number with its separators, its units and counters around it.
LINK = re.compile(r"https?://[^\s!！?？、。「」()（）【】<>]+|(?:[a-z0-9-]+\.)+(?:com|jp|net|org|io|co|shop|me)(?:/[^\s、。!！]*)?", re.I)
MENTION = re.compile(r"@[A-Za-z0-9_.]+")
NUMBER = re.compile(
    r"[0-9０-９][0-9０-９,，.．:：/／]*(?:[~〜～\-ー][0-9０-９][0-9０-９,，.．:：/／]*)?"
    r"(?:\s?(?:%|％|円|名様|名|個|枠|点|席|台|組|セット|本|着|部|杯|食|室|区画|口|倍|割|日間|日|時間|時|分|月|年|週|回|種類|kg|g|ml|cm|歳|才|件|周年|号店|階|丁目|番地))?"
)
# A price said in words: 「月会費半額」「送料無料」 tell the reader what it costs as much as 「50%OFF」
# or 「0円」 do (the softened draft and the story rewrite may calm the sentence, not drop the price).
PRICE_WORDS = re.compile(r"半額|無料")
# A deadline said in words is a date: the day of 「本日限り」「今週末まで」 (the day only: 「限り」 is
# the pressure, and a rewrite says 「本日まで」).
DAY_WORDS = re.compile(
    r"(?:本日|今日|明日|明後日|今夜|今晩|今週末|今週|来週|週末|今月末|今月|月末|年内|年末)"
    r"(?=(?:中|いっぱい)?(?:まで|限り|限定|のみ|だけ|締め?切))"
)
# 「#恵比寿グルメ」: a hashtag names a place or a product as much as the prose does.
HASHTAG = re.compile(r"[#＃][^\s#＃!！?？、。]+")


def fact_strings(text: str, names: list[tuple[int, int]] | None = None) -> list[str]:
    """Links, mentions, numbers with their units, prices and deadline days in words and the given name ranges (see
    `Analyzer.facts`, which finds the names), in text order."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern in (LINK, MENTION, NUMBER, PRICE_WORDS, DAY_WORDS):
        for match in pattern.finditer(text):
            a, b = match.span()
            if any(x < b and a < y for x, y in taken):
                continue
            taken.append((a, b))
            found.append((a, match.group()))
    selling = load_neutral_words().selling_letters
    for a, b in names or []:
        name = text[a:b]
        if not any(x < b and a < y for x, y in taken) and name.casefold() not in selling:
            found.append((a, name))
    return [fact for _, fact in sorted(found)]


def lost_facts(facts: list[str], rewrite: str) -> list[str]:
    """The facts (from `Analyzer.facts`) that the rewrite no longer says."""
    return [fact for fact in facts if fact not in rewrite]
