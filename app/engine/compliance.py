"""Compliance prompts (Japan): reminders tied to the phrase that triggered them, never a verdict."""

from __future__ import annotations

from app.engine.catalogue import Catalogue, Lang
from app.engine.features import Document
from app.engine.offsets import Utf16Offsets
from app.engine.prefilter import runnable
from app.schemas import Suggestion, TextRange


def compliance_prompts(doc: Document, catalogue: Catalogue, lang: Lang) -> list[Suggestion]:
    """One prompt per compliance rule whose trigger occurs and whose exemptions do not."""
    folded = doc.normalized.text
    prompts = []
    utf16: Utf16Offsets | None = None
    for rule in catalogue.compliance:
        # the trigger first (most drafts lack its characters, see `prefilter`), then the exemptions
        searched = (p.search(folded) for p in runnable(folded, rule.screened_triggers))
        match = next((m for m in searched if m and m.end() > m.start()), None)
        if match is None or any(p.search(folded) for p in rule.compiled_unless):
            continue
        start, end = doc.normalized.to_original(*match.span())
        utf16 = utf16 or Utf16Offsets(doc.normalized.original)
        prompts.append(
            Suggestion(
                id=rule.id,
                category="compliance",
                message=rule.message.get(lang),
                span=TextRange(
                    start=start,
                    end=end,
                    start_utf16=utf16(start),
                    end_utf16=utf16(end),
                    text=doc.normalized.original[start:end],
                ),
            )
        )
    return prompts
