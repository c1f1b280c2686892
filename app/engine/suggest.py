"""From flagged spans to advice: catalogue lookup per phrase, one post-level tip, a softened draft."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.engine.catalogue import Catalogue, Family, Fallback, Lang
from app.engine.features import Document
from app.labels import Label
from app.schemas import Span, Suggestion, TextRange

_NUMBER = re.compile(r"[0-9０-９][0-9０-９,，.．]*")
_PRESSURE_PUNCT = re.compile(r"[!！‼⁉❗❕]+|(?:🔥|💥|⚡|🚨|⏰|💰){2,}")
_EDGE_PUNCT = "!！‼⁉❗❕?？。、・ 　【】《》≪≫<>＜＞＼／\\/"
_SUBJECT_POS = frozenset({"名詞"})


@dataclass(frozen=True)
class Advice:
    """Suggestions for the report plus the softened draft."""

    suggestions: list[Suggestion]
    softened_text: str


def family_of(span: Span, folded: str, catalogue: Catalogue) -> Family | Fallback:
    """The family whose pattern covers most of the span (catalogue order breaks ties)."""
    best: Family | Fallback = catalogue.fallbacks[span.category]
    best_cover = 0
    for family in catalogue.families_for(span.category):
        for pattern in family.compiled:
            for match in pattern.finditer(folded):
                if len(match.group().strip()) > best_cover:
                    best, best_cover = family, len(match.group().strip())
    return best


def render_replacements(templates: list[str], span_text: str) -> list[str]:
    """Fill {span} and {n}; drop templates whose placeholders the span cannot fill."""
    calm = span_text.strip(_EDGE_PUNCT) or span_text
    numbers = _NUMBER.findall(span_text)
    rendered = []
    for template in templates:
        if "{n}" in template and not numbers:
            continue
        rendered.append(template.replace("{span}", calm).replace("{n}", numbers[0] if numbers else ""))
    return rendered


def keeps_facts(replacement: str, span_text: str) -> bool:
    """A replacement may stand in for a span only if every number of the span survives in it."""
    return all(number in replacement for number in _NUMBER.findall(span_text))


def span_suggestions(
    spans: list[Span], doc: Document, catalogue: Catalogue, lang: Lang
) -> list[Suggestion]:
    """One suggestion per hard-sell span, quoting it, with replacements that keep its facts."""
    suggestions = []
    for span in spans:
        if span.category == Label.STORY:
            continue
        folded = _folded_slice(doc, span)
        entry = family_of(span, folded, catalogue)
        replacements = render_replacements(entry.replacements, span.text)
        suggestions.append(
            Suggestion(
                id=entry.id,
                category=span.category,
                message=entry.message.get(lang),
                span=TextRange(**span.model_dump(include=set(TextRange.model_fields))),
                replacements=replacements,
                story_prompt=entry.story_prompt.get(lang),
            )
        )
    return suggestions


def post_advice(
    doc: Document, spans: list[Span], story_high: bool, hard_sell: bool, catalogue: Catalogue, lang: Lang
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
            span=TextRange(**anchor.model_dump(include=set(TextRange.model_fields))) if anchor else None,
        )
    if not hard_sell:
        return None
    advice = catalogue.post_advice["story_first"]
    outline = advice.outline
    lines: list[str] = []
    if outline is not None:
        subject = _subject(doc, spans) or ("この商品" if lang == "ja" else "this")
        invitation = "のぞいてみてください。" if lang == "ja" else "take a look."
        template = outline.ja if lang == "ja" else outline.en
        lines = [line.replace("{subject}", subject).replace("{invitation}", invitation) for line in template]
    return Suggestion(
        id=advice.id,
        category=Label.STORY,
        message=advice.message.get(lang),
        replacements=["\n".join(lines)] if lines else [],
    )


def softened_text(original: str, suggestions: list[Suggestion]) -> str:
    """The draft with each flagged phrase replaced by its first fact-keeping replacement."""
    pieces: list[str] = []
    cursor = 0
    for suggestion in sorted((s for s in suggestions if s.span), key=lambda s: s.span.start):  # type: ignore[union-attr]
        span = suggestion.span
        assert span is not None
        if span.start < cursor:
            continue
        choice = next((r for r in suggestion.replacements if keeps_facts(r, span.text)), span.text)
        pieces.append(original[cursor : span.start])
        pieces.append(choice)
        cursor = span.end
    pieces.append(original[cursor:])
    return _calm_punctuation("".join(pieces))


def _calm_punctuation(text: str) -> str:
    """Collapse stacked exclamation marks and emoji to one."""
    return _PRESSURE_PUNCT.sub(lambda m: m.group()[0], text)


def _folded_slice(doc: Document, span: Span) -> str:
    """The folded text under an original-text span (patterns are written for folded text)."""
    norm = doc.normalized
    if norm.starts is None:
        return norm.text[span.start : span.end]
    chars = [c for c, s in zip(norm.text, norm.starts) if span.start <= s < span.end]
    return "".join(chars)


def _subject(doc: Document, spans: list[Span]) -> str | None:
    """A product-like noun phrase outside the flagged spans: the longest run of common nouns."""
    flagged = [(s.start, s.end) for s in spans if s.category != Label.STORY]
    best = ""
    run = ""
    for token in doc.tokens:
        start, end = doc.normalized.to_original(token.start, token.end)
        inside = any(a < end and start < b for a, b in flagged)
        if token.pos in _SUBJECT_POS and not inside and not token.surface[:1].isdigit():
            run += doc.normalized.original[start:end]
        else:
            run = ""
        if len(run) > len(best):
            best = run
    return best if len(best) >= 2 else None
