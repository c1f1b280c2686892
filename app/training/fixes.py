"""Does the fix loop close? Re-runnable measurements of highlights, replacements and rewrites.

Every figure here is a function of the analyzer it is given, so it can be measured again on any
retrained model (`bench/suggestions.py`, the model card's softening section, and the tests read them):

- highlight precision and recall against the annotated key phrases (stacked-mark spans aside);
- one-click replacements: how many the checker highlights once applied, how many fail to lower
  their category's score when applied alone at their span, how many add a content word;
- softened drafts: highlighted by the checker, content words added, facts lost, rises;
- guided story rewrites: the share that comes back ok with the story label, every fact kept.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.engine.analyze import Analyzer
from app.engine.facts import lost_facts
from app.engine.neutral import added_content_words
from app.engine.regions import Regions
from app.engine.rewrite import Answers, rewrite_report
from app.engine.soften import raises
from app.labels import HARD_SELL_LABELS, Label, Verdict
from app.schemas import Report
from app.training.corpus import Post, occurrences

STORY_ANSWERS_PATH = Path(__file__).resolve().parents[2] / "tests" / "data" / "story_answers.jsonl"
STACKED_MARKS = "pushy.exclamation"  # 「!!」 spans: annotators rarely list them, so precision sets them aside
CATCH_ALL = frozenset({"pushy.other", "discount.other"})


def written_regions(old: str, new: str) -> list[tuple[int, int]]:
    """Ranges of `new` that the tool wrote (inserted or replaced characters, not the writer's own
    text carried over), keeping only those with a letter in them: a calmed 「!」 is not writing."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [
        (j1, j2)
        for tag, _, _, j1, j2 in matcher.get_opcodes()
        if tag in ("insert", "replace") and any(char.isalnum() for char in new[j1:j2])
    ]


def highlighted_writing(report: Report, regions: list[tuple[int, int]]) -> list[str]:
    """Hard-sell spans of a re-checked rewrite that touch text the tool wrote."""
    written = Regions(regions)
    return [s.text for s in report.spans if s.category in HARD_SELL_LABELS and written.overlaps(s.start, s.end)]


@dataclass
class HighlightCounts:
    """Span precision and key-phrase recall, with the catch-all spans counted apart."""

    spans: int = 0
    true_spans: int = 0
    catch_all: int = 0
    true_catch_all: int = 0
    phrases: int = 0
    found: int = 0
    fact_phrases: int = 0  # key phrases that are only a fact (a price, a date): never highlighted alone
    found_facts: int = 0
    misses: list[tuple[str, str]] = field(default_factory=list)  # (span, post) that touch no key phrase

    def as_dict(self) -> dict[str, Any]:
        """Rounded figures for the bench and the model card."""
        return {
            "precision": round(self.true_spans / self.spans, 4) if self.spans else 1.0,
            "recall": round(self.found / self.phrases, 4) if self.phrases else 1.0,
            "recall_with_facts": round((self.found + self.found_facts) / (self.phrases + self.fact_phrases), 4)
            if self.phrases + self.fact_phrases
            else 1.0,
            "fact_key_phrases": self.fact_phrases,
            "spans": self.spans,
            "catch_all_share": round(self.catch_all / self.spans, 4) if self.spans else 0.0,
            "catch_all_precision": round(self.true_catch_all / self.catch_all, 4) if self.catch_all else 1.0,
            "key_phrases": self.phrases,
        }


def highlight_metrics(
    posts: Sequence[Post], reports: Sequence[Report], only_fact: Callable[[str, int, int], bool], min_cover: float = 0.5
) -> HighlightCounts:
    """Precision: hard-sell spans (stacked marks aside) that touch an annotated key phrase, on the
    hard-sell posts. Recall: key phrases (bare marks aside) with at least `min_cover` of their
    characters highlighted at one of the places they occur; key phrases that are only a fact (`only_fact`: 「9,800円」「1/15まで」,
    which the highlight rules never mark alone) are counted apart."""
    counts = HighlightCounts()
    for post, report in zip(posts, reports):
        if not post.hard_sell:
            continue
        keys = Regions(r for phrase in post.key_phrases for r in occurrences(post.text, phrase))
        marked = [(s.start, s.end) for s in report.spans if s.category in HARD_SELL_LABELS]
        for span in report.spans:
            if span.category not in HARD_SELL_LABELS or span.rule == STACKED_MARKS:
                continue
            hit = keys.overlaps(span.start, span.end)
            counts.spans += 1
            counts.true_spans += hit
            if span.rule in CATCH_ALL:
                counts.catch_all += 1
                counts.true_catch_all += hit
            if not hit:
                counts.misses.append((span.text, post.text))
        for phrase in post.key_phrases:
            places = occurrences(post.text, phrase)
            if not places or not any(char.isalnum() for char in phrase):
                continue
            # a phrase said twice is found where either saying of it is highlighted
            hit = any(_covered(start, end, marked) >= min_cover * (end - start) for start, end in places)
            if only_fact(post.text, *places[0]):
                counts.fact_phrases += 1
                counts.found_facts += hit
                continue
            counts.phrases += 1
            counts.found += hit
    return counts


def _covered(start: int, end: int, marked: list[tuple[int, int]]) -> int:
    """How many characters of [start, end) the (non-overlapping) spans cover."""
    return sum(max(0, min(e, end) - max(s, start)) for s, e in marked)


def apply_at(text: str, start: int, end: int, replacement: str) -> str:
    """The draft with one replacement applied at its span (an empty one removes the span)."""
    return text[:start] + replacement + text[end:]


@dataclass
class ReplacementCounts:
    """One-click replacements applied alone, over posts × replacements."""

    n: int = 0
    highlighted: int = 0
    not_lowered: int = 0
    inventing: int = 0
    examples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Counts for the bench and the model card."""
        return {"n": self.n, "highlighted": self.highlighted, "not_lowered": self.not_lowered, "inventing": self.inventing}


def replacement_metrics(analyzer: Analyzer, posts: Sequence[Post]) -> ReplacementCounts:
    """Every replacement of every span suggestion of every hard-sell post, applied alone at its span:
    is the tool's text highlighted, does its category's score go down, does it add a content word?"""
    counts = ReplacementCounts()
    for post in posts:
        if not post.hard_sell:
            continue
        report = analyzer.analyze(post.text)
        before = analyzer.plain_log_odds(post.text)
        for suggestion in report.suggestions:
            span = suggestion.span
            if span is None or suggestion.category not in HARD_SELL_LABELS:
                continue
            for replacement in suggestion.replacements:
                edited = apply_at(post.text, span.start, span.end, replacement)
                if not edited.strip():
                    continue
                counts.n += 1
                after = analyzer.analyze(edited)
                # the tool's words: the replacement less the writer's own words it repeats ({span})
                regions = [(span.start + a, span.start + b) for a, b in written_regions(span.text, replacement)]
                marked = highlighted_writing(after, regions)
                lowered = analyzer.plain_log_odds(edited)[Label(suggestion.category)] < before[Label(suggestion.category)]
                added = added_content_words(post.text, edited, analyzer.tokenizer)
                counts.highlighted += bool(marked)
                counts.not_lowered += not lowered
                counts.inventing += bool(added)
                if (marked or not lowered or added) and len(counts.examples) < 40:
                    counts.examples.append(
                        f"{suggestion.id}: {span.text!r} → {replacement!r} marked={marked} lowered={lowered} added={added}"
                    )
    return counts


@dataclass
class SoftenedCounts:
    """Softened drafts checked again."""

    n: int = 0
    highlighted: int = 0
    inventing: int = 0
    lost: int = 0
    raised: int = 0
    below_caution: int = 0
    examples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Counts for the bench and the model card."""
        return {
            "n": self.n,
            "highlighted": self.highlighted,
            "inventing": self.inventing,
            "lost_facts": self.lost,
            "raised": self.raised,
            "below_caution": round(self.below_caution / self.n, 4) if self.n else 0.0,
        }


def softened_fix_metrics(analyzer: Analyzer, posts: Sequence[Post]) -> SoftenedCounts:
    """Each hard-sell post's softened draft: highlighted where the tool wrote, content words added,
    facts lost, hard-sell scores raised."""
    counts = SoftenedCounts()
    for post in posts:
        if not post.hard_sell:
            continue
        report = analyzer.analyze(post.text)
        softened = report.softened_text
        after = analyzer.analyze(softened)
        counts.n += 1
        marked = highlighted_writing(after, written_regions(post.text, softened))
        added = added_content_words(post.text, softened, analyzer.tokenizer)
        lost = lost_facts(analyzer.facts(post.text), softened)
        was = {label: getattr(report.scores, label.value) for label in HARD_SELL_LABELS}
        now = {label: getattr(after.scores, label.value) for label in HARD_SELL_LABELS}
        worse = raises(now, was, {label: report.thresholds[label].caution for label in HARD_SELL_LABELS})
        counts.highlighted += bool(marked)
        counts.inventing += bool(added)
        counts.lost += bool(lost)
        counts.raised += worse
        counts.below_caution += after.verdict == Verdict.OK
        if (marked or added or lost or worse) and len(counts.examples) < 40:
            counts.examples.append(f"{post.text[:60]!r} → {softened[:80]!r} marked={marked} added={added} lost={lost} raised={worse}")
    return counts


def load_story_answers(path: Path = STORY_ANSWERS_PATH) -> list[Answers]:
    """The fixed episode/reason pairs written for the guided-rewrite measurement (one JSON a line)."""
    return [Answers(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class RewriteCounts:
    """Guided story rewrites of hard sells, the answer pairs taken in turn."""

    n: int = 0
    ok_story: int = 0
    facts_kept: int = 0
    inventing: int = 0
    examples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Shares and counts for the bench and the model card."""
        n = self.n or 1
        return {
            "n": self.n,
            "ok_story": round(self.ok_story / n, 4),
            "facts_kept": round(self.facts_kept / n, 4),
            "inventing": self.inventing,
        }


def guided_rewrite_metrics(analyzer: Analyzer, posts: Sequence[Post], answers: Sequence[Answers]) -> RewriteCounts:
    """Each hard-sell post rewritten with the next answer pair: does it come back ok with the story
    label, with every fact of the draft, adding no word beyond the writer's and the neutral list?"""
    counts = RewriteCounts()
    hard = [p for p in posts if p.hard_sell]
    for k, post in enumerate(hard):
        pair = answers[k % len(answers)]
        text, report = rewrite_report(analyzer, post.text, pair)
        counts.n += 1
        good = report.verdict == Verdict.OK and Label.STORY in report.labels
        counts.ok_story += good
        counts.facts_kept += not lost_facts(analyzer.facts(post.text), text)
        counts.inventing += bool(added_content_words(post.text + pair.episode + pair.reason, text, analyzer.tokenizer))
        if not good and len(counts.examples) < 20:
            counts.examples.append(f"{report.verdict.value} {report.scores.model_dump()}: {text[:160]!r}")
    return counts


def fix_loop_metrics(analyzer: Analyzer, posts: Sequence[Post]) -> dict[str, Any]:
    """Every fix-loop figure on one split (see the module docstring)."""
    hard = [p for p in posts if p.hard_sell]
    reports = [analyzer.analyze(p.text) for p in hard]
    return {
        "highlights": highlight_metrics(hard, reports, analyzer.only_fact).as_dict(),
        "replacements": replacement_metrics(analyzer, hard).as_dict(),
        "softened": softened_fix_metrics(analyzer, hard).as_dict(),
        "guided_rewrite": guided_rewrite_metrics(analyzer, hard, load_story_answers()).as_dict(),
    }
