"""The guided story rewrite: from a blast to a story, with the story only the writer can tell.

The writer answers two questions (what happened, and why they offer this); the rewrite puts their
episode first and their reason second, word for word, then the draft's facts in calm sentences
(every number, price, date, link, product and place the draft holds, taken from its softened
sentences), then one gentle invitation. The tool adds no word of its own beyond the neutral list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.engine.analyze import Analyzer, InvalidText, check_text
from app.engine.neutral import PLACEHOLDER
from app.engine.soften import PRESSURE_PUNCT, may_end, units
from app.schemas import Report

MAX_ANSWER_CHARS = 300
INVITATION = "気になった方は、のぞいてみてください。"
_ENDS = "。.!！?？」』)）"
_HASHTAGS = re.compile(r"(?:[#＃][^\s#＃]+\s*)+$")


@dataclass(frozen=True)
class Answers:
    """The writer's own words: an episode (a moment, a customer's words) and the reason behind the offer."""

    episode: str
    reason: str


def check_answer(name: str, value: object) -> str:
    """An answer is the writer's text: 1–300 characters after trimming, no control characters."""
    text = check_text(value, max_chars=MAX_ANSWER_CHARS) if isinstance(value, str) else None
    if text is None:
        raise InvalidText(f"answers.{name} must be a string")
    return text.strip()


def _sentence(text: str) -> str:
    """The writer's answer as it stands, closed with 「。」 when it ends mid-air."""
    return text if text.endswith(tuple(_ENDS)) or text[-1:] in "\u2600\u27bf" else text + "。"


_DECORATION = re.compile(r"[\u200d★☆＼／【】《》≪≫■◆▼▽◇□●○※✨❗❕‼⁉]+|[\U0001F000-\U0001FAFF\u2600-\u27BF]\ufe0f?")
_URL_END = re.compile(r"(?:https?://|www\.)\S+$|[#＃]\S+$")


def _calm(sentence: str, pressure: re.Pattern[str] | None) -> str:
    """A sentence of the draft without decoration, stacked marks and the removable pressure words
    (今すぐ, 絶対: adverbs a sentence reads well without); its other words stay as written, so no
    sentence is left broken by a phrase cut out of its middle."""
    if pressure is not None:
        sentence = pressure.sub("", sentence)
    sentence = _DECORATION.sub(" ", PRESSURE_PUNCT.sub("", sentence))
    return re.sub(r"\s+", " ", sentence).strip(" 、,。")


def _clauses(sentence: str) -> list[str]:
    """A sentence split at 「、」 outside brackets and quotes."""
    clauses, depth, start = [], 0, 0
    for k, char in enumerate(sentence):
        if char in "「『(（【":
            depth += 1
        elif char in "」』)）】" and depth:
            depth -= 1
        elif depth == 0 and char in "、,":
            clauses.append(sentence[start:k])
            start = k + 1
    clauses.append(sentence[start:])
    return [c.strip() for c in clauses if c.strip()]


def _fact_clauses(sentence: str, facts: list[str], pressed: list[str]) -> str:
    """The clauses of a sentence that hold a fact; a clause without one that the checker flags
    (「急いで」「迷ったら負け」) is pressure the rewrite does without. A clause kept must be able to end
    the sentence if what followed it goes (「…目指したのは」 cannot): then the sentence stays whole."""
    clauses = _clauses(sentence)
    kept = [c for c in clauses if any(f in c for f in facts) or not any(p in c for p in pressed)]
    if not any(any(f in c for f in facts) for c in kept):
        return ""
    if kept and kept[-1] != clauses[-1] and not may_end(kept[-1]):
        return sentence
    return "、".join(kept)


def _closed(sentence: str) -> str:
    """A sentence closed with 「。」, unless it ends in a link or a hashtag (a mark would join them)."""
    if sentence.endswith(tuple(_ENDS)) or _URL_END.search(sentence):
        return sentence
    return sentence + "。"


def calmed(analyzer: Analyzer, text: str, facts: list[str]) -> str:
    """The text with each flagged phrase that holds a fact given its first catalogue replacement
    that keeps every fact and needs nothing filled in (「残り3枠」→「3枠まで」)."""
    report = analyzer.analyze(text)
    edits = []
    for suggestion in report.suggestions:
        span = suggestion.span
        if span is None or suggestion.category == "story" or not any(f in span.text for f in facts):
            continue
        for replacement in suggestion.replacements:
            kept = all(f in replacement for f in facts if f in span.text)
            if replacement and kept and not PLACEHOLDER.search(replacement):
                edits.append((span.start, span.end, replacement))
                break
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def fact_sentences(analyzer: Analyzer, draft: str, softened: str) -> tuple[list[str], list[str]]:
    """The softened draft's sentences that hold a fact of the draft, calmed (decoration, marks and
    removable pressure words out; clauses that are flagged pressure and hold no fact dropped), and the
    hashtags that name something; facts no sentence kept follow on a line of their own."""
    facts = analyzer.facts(draft)
    softened = calmed(analyzer, softened, facts)
    report = analyzer.analyze(softened)
    pressed = [s.text for s in report.spans if s.category != "story" and not any(f in s.text for f in facts)]
    body = softened
    tags = _HASHTAGS.search(softened)
    hashtags = [t for t in (tags.group().split() if tags else []) if any(f in t for f in facts)]
    if tags:
        body = softened[: tags.start()]
    kept: list[str] = []
    for unit in units(body):
        sentence = _fact_clauses(_calm(body[unit.start : unit.end], analyzer.catalogue.pressure_words), facts, pressed)
        if sentence:
            kept.append(_closed(sentence))
    said = "\n".join(kept + hashtags)
    missing = [fact for fact in facts if fact not in said]
    if missing:
        kept.append("、".join(missing) + "。")
    return kept, hashtags


def rewrite(analyzer: Analyzer, draft: str, answers: Answers) -> str:
    """Episode, reason, the draft's facts, one invitation (and the draft's closing hashtags)."""
    softened = analyzer.analyze(draft).softened_text
    facts, hashtags = fact_sentences(analyzer, draft, softened)
    lines = [_sentence(answers.episode.strip()), _sentence(answers.reason.strip()), *facts, INVITATION]
    text = "\n".join(lines)
    return text + ("\n" + " ".join(hashtags) if hashtags else "")


def rewrite_report(analyzer: Analyzer, draft: str, answers: Answers) -> tuple[str, Report]:
    """The rewrite and the analysis of it (what the writer sees before applying)."""
    text = rewrite(analyzer, draft, answers)
    return text, analyzer.analyze(text)
