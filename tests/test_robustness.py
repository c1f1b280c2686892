"""Metamorphic robustness: rewrites that do not change meaning do not change the verdict."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable

import pytest

from app.engine.analyze import Analyzer
from app.labels import HARD_SELL_LABELS, Verdict
from app.training.corpus import Post, load_corpus
from app.training.splits import Split, assign_splits
from tests.conftest import DATA_DIR

_HALF = {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0xFF61, 0xFFA0)}
_TO_FULL = {c: chr(ord(c) + 0xFEE0) for c in map(chr, range(0x21, 0x7F))}


def to_full_width(text: str) -> str:
    """ASCII letters, digits and symbols as their full-width forms."""
    return "".join(_TO_FULL.get(c, c) for c in text)


def to_half_width(text: str) -> str:
    """Katakana and Japanese punctuation as half-width forms where they exist."""
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        if decomposed[0] in _HALF and len(decomposed) == 2 and decomposed[1] in "\u3099\u309a":
            out.append(_HALF[decomposed[0]] + ("ﾞ" if decomposed[1] == "\u3099" else "ﾟ"))
        else:
            out.append(_HALF.get(char, char))
    return "".join(out)


def with_emoji_and_breaks(text: str) -> str:
    # ✨, the commonest decoration, is also among the emoji training adds (app/training/augment.py)
    return text.replace("。", "。✨\n", 2)


def with_unseen_emoji_and_breaks(text: str) -> str:
    # an emoji training never adds: generalisation, not memory
    return text.replace("。", "。🌷\n", 2)


def with_hashtags(text: str) -> str:
    # topical tags only: a tag like #ありがとう is a message (gratitude is a story cue), not neutral
    return text + "\n#日々のこと #お店 #いつもの風景"


def with_english_hashtags(text: str) -> str:
    return text + "\n#instagood #japan #photooftheday"


def with_exclamations(text: str) -> str:
    # joy, not pressure: training sees sentence ends as 「!!」 too (app/training/augment.py), at
    # other positions and in other forms; the written excited posts are the real-data side
    return text.replace("。", "!!", 2)


def with_gentle_invitation(text: str) -> str:
    # a single gentle invitation is no pressure (labelling guide); training appends other lines
    return text + "\n気になった方は、プロフィールのリンクからのぞいてみてくださいね。"


REWRITES: dict[str, Callable[[str], str]] = {
    "full-width": to_full_width,
    "half-width": to_half_width,
    "emoji and line breaks": with_emoji_and_breaks,
    "an unseen emoji and line breaks": with_unseen_emoji_and_breaks,
    "hashtags appended": with_hashtags,
    "English hashtags appended": with_english_hashtags,
    "exclamation marks at sentence ends": with_exclamations,
    "a gentle invitation appended": with_gentle_invitation,
}


@pytest.fixture(scope="module")
def test_posts() -> list[Post]:
    posts = load_corpus(DATA_DIR)
    splits = assign_splits(posts)
    return [p for p in posts if splits[p.id] == Split.TEST]


@pytest.mark.parametrize("name", REWRITES)
def test_verdicts_survive_meaning_preserving_rewrites(analyzer: Analyzer, test_posts: list[Post], name: str) -> None:
    rewrite = REWRITES[name]
    pairs = [(p.id, analyzer.analyze(p.text).verdict, analyzer.analyze(rewrite(p.text)).verdict) for p in test_posts]
    flipped = [i for i, before, after in pairs if (before == Verdict.HARD_SELL) != (after == Verdict.HARD_SELL)]
    moved = [i for i, before, after in pairs if before != after]
    # A hard-sell verdict flips for at most 3 % of posts. The three-way verdict (ok / caution /
    # hard_sell) moves for at most 5 %: the model regularised for real text (C=0.03) holds more
    # posts near the caution line, and most moves are ok <-> caution (measured 1.2-4.2 %; at
    # C=0.3 under 3 %, but it raised twice the false alarms on real passages).
    assert len(flipped) / len(test_posts) <= 0.03, flipped[:10]
    assert len(moved) / len(test_posts) <= 0.05, moved[:10]


@pytest.mark.parametrize("name", REWRITES)
def test_clear_blast_and_clear_story_keep_their_verdicts(analyzer: Analyzer, name: str) -> None:
    blast = "【本日限り】全品50%OFF!!今すぐご来店ください!残りわずかです。"
    story = "開店して十年。最初のお客様だった田中さんが、今日はお孫さんと来てくれました。本当にありがとうございます。"
    assert analyzer.analyze(REWRITES[name](blast)).verdict == Verdict.HARD_SELL
    assert analyzer.analyze(REWRITES[name](story)).verdict == Verdict.OK


def log_odds(analyzer: Analyzer, text: str) -> float:
    """Summed log-odds of the hard-sell labels (no rounding, no saturation at 1.0)."""
    scores = analyzer.hard_sell_scores(text)
    return sum(math.log(max(scores[l], 1e-300)) - math.log1p(-min(scores[l], 1 - 1e-16)) for l in HARD_SELL_LABELS)


def test_removing_the_key_phrases_lowers_the_hard_sell_scores(analyzer: Analyzer, test_posts: list[Post]) -> None:
    hard = [p for p in test_posts if p.hard_sell]
    lowered = 0
    for post in hard:
        stripped = post.text
        for phrase in sorted(post.key_phrases, key=len, reverse=True):
            stripped = stripped.replace(phrase, "")
        if not stripped.strip():
            lowered += 1
            continue
        lowered += log_odds(analyzer, stripped) < log_odds(analyzer, post.text)
    # measured 92% (TF-IDF normalisation lets leftover pressure words weigh more in a shorter text)
    assert lowered / len(hard) >= 0.90


def test_rewrite_helpers_do_what_they_say() -> None:
    assert to_full_width("50%OFF") == "５０％ＯＦＦ"
    assert to_half_width("セール") == "ｾｰﾙ"
    assert to_half_width("バーゲン") == "ﾊﾞｰｹﾞﾝ"
