"""From flagged spans to advice: catalogue lookup per phrase, one post-level tip, a softened draft."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from app.engine.catalogue import Catalogue, Fallback, Family, Lang
from app.engine.features import Document
from app.labels import HARD_SELL_LABELS, Label
from app.schemas import Span, Suggestion, TextRange

_NUMBER = re.compile(r"[0-9０-９][0-9０-９,，.．]*")
_QUANTITY = re.compile(r"[0-9０-９]+\s*(?:名様|名|個|枠|点|席|台|組|セット|本|着|部|杯|食|室|区画|口)")
_FACT = re.compile(r"https?://[^\s!！?？、。「」()（）【】<>]+|@[A-Za-z0-9_.]+|[0-9０-９]+")
_EMPTY_BRACKETS = re.compile(r"【\s*】|《\s*》|≪\s*≫|\[\s*\]|＼\s*／|「\s*」")
_SPACES = re.compile(r"[ \t]{2,}")
_OPENERS = {"【": "】", "「": "」", "『": "』", "(": ")", "（": "）", "＼": "／", "《": "》", "≪": "≫", "[": "]"}
_PRESSURE_PUNCT = re.compile(r"[!！‼⁉❗❕]+|(?:🔥|💥|⚡|🚨|⏰|💰){2,}")
_EDGE_PUNCT = "!！‼⁉❗❕?？。、・ 　【】《》≪≫<>＜＞＼／\\/"
_SUBJECT_POS = frozenset({"名詞"})
# Nouns that name the reader's action, not the product (「購入」「予約」...): never the subject.
_ACTION_NOUNS = frozenset(
    {"購入", "予約", "来店", "申込", "申し込み", "注文", "登録", "参加", "応募", "利用", "開催", "実施", "販売",
     "発売", "確認", "チェック", "フォロー", "リツイート", "拡散", "連絡", "問い合わせ", "相談"}
)


ScoreFn = Callable[[str], dict[Label, float]]


@dataclass(frozen=True)
class FamilyMatch:
    """The catalogue entry for a span and the part of the span its pattern matched."""

    entry: Family | Fallback
    core: str  # original text of the match (the whole span for fallbacks)


def folded_range(doc: Document, span: Span) -> tuple[int, int]:
    """The folded-text range whose characters come from the original span."""
    norm = doc.normalized
    if norm.starts is None:
        return span.start, span.end
    return bisect_left(norm.starts, span.start), bisect_left(norm.starts, span.end)


def match_family(span: Span, doc: Document, catalogue: Catalogue) -> FamilyMatch:
    """The family whose pattern covers most of the span (catalogue order breaks ties)."""
    fs, fe = folded_range(doc, span)
    folded = doc.normalized.text[fs:fe]
    best: FamilyMatch = FamilyMatch(catalogue.fallbacks[span.category], span.text)
    best_cover = 0
    for family in catalogue.families_for(span.category):
        if family.screen.search(folded) is None:
            continue
        for pattern in family.compiled:
            for match in pattern.finditer(folded):
                cover = len(match.group().strip())
                if cover > best_cover:
                    a, b = doc.normalized.to_original(fs + match.start(), fs + match.end())
                    best, best_cover = FamilyMatch(family, doc.normalized.original[a:b].strip()), cover
    return best


def _range_of(span: Span) -> TextRange:
    """The bare range of a span (built field by field: this runs for every flagged phrase)."""
    return TextRange(
        start=span.start, end=span.end, start_utf16=span.start_utf16, end_utf16=span.end_utf16, text=span.text
    )


def render_replacements(templates: list[str], core: str) -> list[str]:
    """Fill {span} (the matched phrase, pressure punctuation removed), {n} (its first number) and
    {qty} (its first number with its counter, e.g. 5名様); skip templates the phrase cannot fill."""
    calm = core.strip(_EDGE_PUNCT) or core
    numbers = _NUMBER.findall(core)
    quantity = _QUANTITY.search(core)
    rendered = []
    for template in templates:
        if ("{n}" in template and not numbers) or ("{qty}" in template and not quantity):
            continue
        text = template.replace("{span}", calm).replace("{n}", numbers[0] if numbers else "")
        rendered.append(text.replace("{qty}", quantity.group() if quantity else ""))
    return rendered


def facts_in(text: str) -> list[str]:
    """What a rewrite must keep: numbers, URLs and @mentions."""
    return _FACT.findall(text)


def keeps_facts(replacement: str, span_text: str) -> bool:
    """A replacement may stand in for a span only if every fact of the span survives in it."""
    return not Counter(facts_in(span_text)) - Counter(facts_in(replacement))


def span_suggestions(
    spans: list[Span], doc: Document, catalogue: Catalogue, lang: Lang
) -> list[Suggestion]:
    """One suggestion per hard-sell span, quoting it, with replacements that keep its facts."""
    suggestions = []
    for span in spans:
        if span.category == Label.STORY:
            continue
        found = match_family(span, doc, catalogue)
        suggestions.append(
            Suggestion(
                id=found.entry.id,
                category=span.category,
                message=found.entry.message.get(lang),
                span=_range_of(span),
                replacements=render_replacements(found.entry.replacements, found.core),
                story_prompt=found.entry.story_prompt.get(lang),
            )
        )
    return suggestions


def post_advice(
    doc: Document,
    spans: list[Span],
    salesy: list[tuple[int, int]],
    story_high: bool,
    hard_sell: bool,
    catalogue: Catalogue,
    lang: Lang,
) -> Suggestion | None:
    """At most one post-level tip: keep the story when there is one, else a story-first outline."""
    if story_high:
        advice = catalogue.post_advice["keep_story"]
        story_spans = sorted((s for s in spans if s.category == Label.STORY), key=lambda s: -s.weight)
        anchor = story_spans[0] if story_spans else None
        return Suggestion(
            id=advice.id,
            category=Label.STORY,
            message=advice.message.get(lang),
            span=_range_of(anchor) if anchor else None,
        )
    if not hard_sell:
        return None
    advice = catalogue.post_advice["story_first"]
    outline = advice.outline
    lines: list[str] = []
    if outline is not None:
        subject = _subject(doc, salesy, spans) or ("この商品" if lang == "ja" else "this")
        invitation = "のぞいてみてください。" if lang == "ja" else "take a look."
        template = outline.ja if lang == "ja" else outline.en
        lines = [line.replace("{subject}", subject).replace("{invitation}", invitation) for line in template]
    return Suggestion(
        id=advice.id,
        category=Label.STORY,
        message=advice.message.get(lang),
        replacements=["\n".join(lines)] if lines else [],
    )


def soften(
    original: str,
    suggestions: list[Suggestion],
    fallback_ids: frozenset[str],
    score: ScoreFn,
    before: dict[Label, float],
) -> str:
    """The draft with flagged phrases rewritten, facts kept, and no hard-sell score raised.

    Each recognised phrase that stands as its own clause takes its first fact-keeping replacement;
    anything else is left as written (its suggestion still asks the writer to rethink it). The rewrite is scored once; if any hard-sell score rose, edits are
    taken one by one and each is kept only if it does not raise a score.
    """
    edits = _edits(original, suggestions, fallback_ids)
    if not edits and not _PRESSURE_PUNCT.search(original):
        return original
    def acceptable(text: str) -> bool:
        return bool(text.strip()) and not _raises(score(text), before)

    candidate = _apply(original, edits)
    if acceptable(candidate):
        return candidate
    if not acceptable(_apply(original, [])):
        return original
    kept: list[tuple[int, int, str]] = []
    for edit in edits:
        if acceptable(_apply(original, kept + [edit])):
            kept.append(edit)
    return _apply(original, kept)


def _edits(original: str, suggestions: list[Suggestion], fallback_ids: frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, replacement) per flagged span, in text order, never overlapping."""
    edits: list[tuple[int, int, str]] = []
    facts = [m.span() for m in _FACT.finditer(original)]
    for suggestion in sorted((s for s in suggestions if s.span), key=lambda s: s.span.start):  # type: ignore[union-attr]
        span = suggestion.span
        assert span is not None
        if edits and span.start < edits[-1][1]:
            continue
        if any(a < span.end and span.start < b and not (span.start <= a and b <= span.end) for a, b in facts):
            continue  # the phrase cuts through a number, link or mention: never rewrite half a fact
        if suggestion.id in fallback_ids:
            # No family knows this phrase: a whole clause without facts is dropped (the sentence
            # still reads); anything else is left as written for the writer to rethink.
            continue  # no family knows the phrase: rewriting or dropping it could lose a name or fact
        hashtag = span.text.startswith("#")
        if not hashtag and not _is_clause(original, span.start, span.end):
            continue  # a replacement sentence dropped into the middle of a clause reads broken
        fitting = (r for r in suggestion.replacements if r.startswith("#") == hashtag and keeps_facts(r, span.text))
        choice = next(fitting, span.text)
        if choice != span.text:
            edits.append((span.start, span.end, choice))
    return edits


def _is_clause(original: str, start: int, end: int) -> bool:
    """True when [start, end) stands as its own sentence or bracketed heading, so that a
    replacement phrase can take its place and still read (「【本日限り】」, 「…。今すぐ!」)."""
    left = original[start - 1] if start > 0 else ""
    right = original[end] if end < len(original) else ""
    if left in _OPENERS:
        return right == _OPENERS[left]
    if start > 0 and original[start - 1] == "#" or original[start] == "#":
        return False  # a hashtag: only a hashtag may replace it (see _fits)
    return _starts_sentence(left) and _ends_sentence(right)


def _starts_sentence(char: str) -> bool:
    return not char or char in "。!！?？\n" or char.isspace() or unicodedata.category(char) == "So"


def _ends_sentence(char: str) -> bool:
    return not char or char in "。、!！?？\n" or char.isspace() or unicodedata.category(char) == "So"


def _apply(original: str, edits: list[tuple[int, int, str]]) -> str:
    """Apply non-overlapping edits, calm the punctuation, and tidy what the edits left behind."""
    pieces: list[str] = []
    cursor = 0
    for start, end, replacement in sorted(edits):
        pieces.append(original[cursor:start])
        pieces.append(replacement)
        cursor = end
    pieces.append(original[cursor:])
    text = _PRESSURE_PUNCT.sub(lambda m: m.group()[0], "".join(pieces))
    text = _EMPTY_BRACKETS.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _raises(after: dict[Label, float], before: dict[Label, float]) -> bool:
    return any(after[label] > before[label] + 1e-9 for label in HARD_SELL_LABELS)


def _subject(doc: Document, salesy: list[tuple[int, int]], spans: list[Span]) -> str | None:
    """The product the post is about: the longest noun run outside the flagged phrases, else
    outside the hard-sell patterns (a short blast is often one flagged clause around the product)."""
    flagged = [folded_range(doc, s) for s in spans if s.category != Label.STORY]
    return _longest_noun_run(doc, salesy + flagged) or _longest_noun_run(doc, salesy)


def _longest_noun_run(doc: Document, excluded: list[tuple[int, int]]) -> str | None:
    covered = bytearray(len(doc.normalized.text) + 1)
    for a, b in excluded:
        covered[a:b] = b"\x01" * (b - a)
    best = ""
    run = ""
    for token in doc.tokens:
        noun = token.pos in _SUBJECT_POS and token.lemma not in _ACTION_NOUNS and not token.surface[:1].isdigit()
        if noun and not any(covered[token.start : token.end]):
            start, end = doc.normalized.to_original(token.start, token.end)
            run += doc.normalized.original[start:end]
        else:
            run = ""
        if len(run) > len(best):
            best = run
    return best if len(best) >= 2 else None
