"""A report rendered for a terminal: the draft with phrases marked, scores, verdict, suggestions."""

from __future__ import annotations

from app.labels import Label
from app.schemas import Report

_COLOURS = {Label.DISCOUNT_SPAM: "\033[1;31m", Label.PUSHY_PITCH: "\033[1;35m", Label.STORY: "\033[32m"}
_RESET = "\033[0m"
_MARKS = {Label.DISCOUNT_SPAM: ("[[", "]]"), Label.PUSHY_PITCH: ("<<", ">>"), Label.STORY: ("{", "}")}
_VERDICTS = {"ok": "OK(売り込み感は強くありません)", "caution": "注意(売り込み感が出かけています)", "hard_sell": "売り込み(ハードセル)です"}


def marked_text(text: str, report: Report, colour: bool) -> str:
    """The draft with each span wrapped in a colour (TTY) or in bracket marks (pipes, files)."""
    pieces: list[str] = []
    cursor = 0
    for span in report.spans:
        pieces.append(text[cursor : span.start])
        if colour:
            pieces.append(f"{_COLOURS[span.category]}{span.text}{_RESET}")
        else:
            left, right = _MARKS[span.category]
            pieces.append(f"{left}{span.text}{right}")
        cursor = span.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def render(text: str, report: Report, *, colour: bool, source: str | None = None) -> str:
    """The whole human-readable report."""
    lines = []
    if source:
        lines.append(f"== {source}")
    lines.append(f"判定: {_VERDICTS[report.verdict.value]}")
    scores = report.scores
    lines.append(
        f"スコア: 割引スパム {scores.discount_spam:.2f} / 押し売り {scores.pushy_pitch:.2f} / ストーリー {scores.story:.2f}"
    )
    lines.append("")
    lines.append(marked_text(text, report, colour))
    if not colour and report.spans:
        lines.append("(凡例: [[割引スパム]] <<押し売り>> {ストーリー})")
    if report.suggestions:
        lines.append("")
        lines.append("提案:")
    for suggestion in report.suggestions:
        where = f"「{suggestion.span.text}」: " if suggestion.span else ""
        lines.append(f"- {where}{suggestion.message} [{suggestion.id}]")
        for replacement in suggestion.replacements:
            lines.append("    → " + replacement.replace("\n", "\n      "))
        if suggestion.story_prompt:
            lines.append(f"    ? {suggestion.story_prompt}")
    lines.append("")
    return "\n".join(lines)
