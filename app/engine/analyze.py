"""The Analyzer: the one place that joins the steps into a report.

text → check → normalise → tokenise → features → classify → explain → suggest → Report
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args

import numpy as np

from app.engine import blocks, explain, precise
from app.engine.catalogue import Catalogue, Lang, load_catalogue
from app.engine.compliance import compliance_prompts
from app.engine.facts import fact_strings
from app.engine.features import Document, build_document
from app.engine.mentions import mask_mentions
from app.engine.model import Encoded, LinearModel, Scored, load_model
from app.engine.neutral import mask_placeholders
from app.engine.normalize import normalize
from app.engine.offsets import Utf16Offsets
from app.engine.policy import Policy, Sensitivity, Thresholds, allowed_regions, thresholds_for
from app.engine.regions import Regions, Taken
from app.engine.soften import Reading, is_name, soften
from app.engine.suggest import post_advice, span_suggestions
from app.engine.tagger import PhraseTagger, TokenScores, context_for
from app.engine.tokenize import Tokenizer
from app.labels import HARD_SELL_LABELS, LABELS, Label, Verdict
from app.schemas import Cut, ModelInfo, Report, Scores, Section, Span, Suggestion

DEFAULT_MAX_CHARS = 10_000
# Checking a one-click fix, or a softening edit tried alone, re-analyses the whole draft, and a draft
# can hold a phrase to fix every few characters: without a bound the work grows with the square of
# the draft (issue 20: 10,000 characters of 「!?。、」 after a hard sell had 34 fixes to check). Each
# of the two steps may re-analyse RESCORE_CHARS characters, or RESCORE_DRAFTS whole draft when that
# is more; a fix left unchecked is not offered, an edit left untried is not made. The busiest corpus
# post re-analyses 33,153 characters to check its fixes (11 checks of a 3,009-character post), and
# a draft of the service's longest gets 6 re-analyses per step (counted in folded characters: what
# each re-analysis tokenises).
RESCORE_CHARS = 64_000
RESCORE_DRAFTS = 1
_VERDICT_RANK = {Verdict.OK: 0, Verdict.CAUTION: 1, Verdict.HARD_SELL: 2}
_STORY_RULE = "story.cue"  # the rule id of story spans (so `ignore` can hide them too)
# C0/C1 controls other than tab, newline and carriage return; lone UTF-16 surrogates.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class InvalidText(ValueError):
    """The draft cannot be analysed; the message says why, in words a user understands."""


def check_text(text: object, max_chars: int | None = DEFAULT_MAX_CHARS) -> str:
    """Reject what cannot be a draft: non-strings, blank text, oversize text, control characters."""
    if not isinstance(text, str):
        raise InvalidText("text must be a string")
    # the limit applies to the text as sent, before any other look at it: the whole text is
    # analysed, so 100,000 newlines around one word are 100,000 characters of work (issue 20)
    if max_chars is not None and len(text) > max_chars:
        raise InvalidText(f"text is {len(text)} characters long; the limit is {max_chars}")
    if not text.strip():
        raise InvalidText("text is empty or only whitespace")
    bad = _FORBIDDEN.search(text)
    if bad is not None:
        char, position = bad.group(), bad.start()
        kind = "a lone surrogate" if "\ud800" <= char <= "\udfff" else "control character"
        raise InvalidText(f"text contains {kind} U+{ord(char):04X} at character {position}")
    return text


def rescores(folded: str) -> int:
    """How many whole-draft re-analyses checking fixes (and, apart, softening) may spend on a draft
    whose folded text is `folded`: that is what each one tokenises, and folding can lengthen a draft
    (「…」 is 「...」, and one character can become eighteen)."""
    return max(RESCORE_CHARS // max(len(folded), 1), RESCORE_DRAFTS)


def _range_fields(original: str, utf16: Utf16Offsets, start: int, end: int) -> dict[str, Any]:
    """The TextRange fields of original[start:end] (code-point and UTF-16 offsets, the text)."""
    return {"start": start, "end": end, "start_utf16": utf16(start), "end_utf16": utf16(end), "text": original[start:end]}


def _inside_flagged_sections(spans: list[Span], sections: list[Section]) -> list[Span]:
    """In a long draft, hard-sell phrases only where a section reads as one: a story's sentences
    are not highlighted as a pitch because the paragraph after them pushes."""
    if not sections:
        return spans
    flagged = [(s.start, s.end) for s in sections if s.verdict != Verdict.OK]
    return [
        span
        for span in spans
        if span.category == Label.STORY or any(a < span.end and span.start < b for a, b in flagged)
    ]


def _unfiltered(suggestions: list[Suggestion], fitting: list[Suggestion]) -> list[Suggestion]:
    """The report's suggestions with each span suggestion's full list of fitting replacements back."""
    full = {(f.id, f.span.start, f.span.end): f for f in fitting if f.span is not None}
    return [full.get((s.id, s.span.start, s.span.end), s) if s.span is not None else s for s in suggestions]


class Analyzer:
    """Holds the heavy parts (tokenizer, model, catalogue), loaded once, and analyses drafts."""

    def __init__(
        self, model: LinearModel, catalogue: Catalogue, tokenizer: Tokenizer | None = None, tagger: PhraseTagger | None = None
    ) -> None:
        self.model = model
        self.tagger = tagger
        self.catalogue = catalogue
        self.tokenizer = tokenizer or Tokenizer()
        self._fallback_ids = frozenset(f.id for f in catalogue.fallbacks.values())
        self._removable = catalogue.removable_words
        self._cuts = {sensitivity: thresholds_for(model, sensitivity) for sensitivity in get_args(Sensitivity)}
        features = model.metadata["features"]
        self._char_ngrams = tuple(int(n) for n in features["char_ngrams"])
        self._style = bool(features.get("style", False))
        self._mask_mentions = bool(features.get("mask_mentions", False))
        self._highlight_rules = precise.load_highlight_rules()
        self._placeholders = catalogue.placeholders

    @classmethod
    def from_path(cls, model_dir: Path) -> Analyzer:
        """Load the model directory and the packaged catalogue."""
        return cls(load_model(model_dir), load_catalogue(), tagger=PhraseTagger.load(model_dir))

    def document(self, text: str) -> Document:
        """Normalise, tokenise and extract features (no validation: callers check first)."""
        normalized = normalize(text)
        if self._mask_mentions:
            normalized = mask_mentions(normalized)
        if self._placeholders and "（" in text:
            normalized = mask_placeholders(normalized, self._placeholders)
        return build_document(normalized, self.tokenizer.tokenize(normalized.text), self._char_ngrams, self._style)

    def analyze(self, text: str, *, id: str | None = None, lang: Lang = "ja", policy: Policy | None = None) -> Report:
        """The full report for one draft (callers with their own length limit check first)."""
        check_text(text, max_chars=None)
        policy = policy or Policy()
        cuts = self._cuts[policy.sensitivity]
        doc = self.document(text)
        allowed = allowed_regions(doc, policy.allow_terms, self.tokenizer) if policy.allow_terms else []
        encoded = self.model.encode(doc)
        scored = blocks.scored(self.model, encoded, every_block=True)
        # the softened draft is checked with plain scores, so compare it with the draft's plain scores
        unmasked = scored.probabilities
        read = scored  # what the phrase tagger was trained on: the draft as written, allowed terms included
        if allowed:
            scored = self.model.without(scored, allowed)
        probs = scored.probabilities
        labels = [label for label in LABELS if probs[label] >= cuts.decision[label]]
        verdict = self.verdict(probs, cuts)
        # catalogue matches serve hard-sell spans, their suggestions and the story-first outline: an
        # ok draft needs none of them
        hits = self.family_matches(doc.normalized.text) if verdict != Verdict.OK else {}
        matched = {
            label: explain.trimmed(doc.normalized.text, (m for f in self.catalogue.families_for(label) for m in hits[f.id]))
            if hits
            else []
            for label in HARD_SELL_LABELS
        }
        prefixes = self.densities(doc, scored, cuts)
        sections = self.sections(doc, encoded, verdict, cuts)
        tagged = self.tagger.on_request(context_for(doc, read, hits)) if self.tagger is not None and hits else None
        spans = _inside_flagged_sections(self.spans(doc, prefixes, matched, allowed, tagged), sections)
        # softening weighs its edits together (the whole rewrite must not rise), so it works from every
        # fitting replacement; the report offers only those that lower their score when applied alone
        fitting = span_suggestions(spans, doc, self.catalogue, lang, hits or None)
        suggestions = self._with_evidence(doc, prefixes, self._lowering(text, encoded, fitting), lang)
        rules = {(s.span.start, s.span.end): s.id for s in suggestions if s.span is not None}
        spans = [s.model_copy(update={"rule": rules.get((s.start, s.end), _STORY_RULE)}) for s in spans]
        salesy = [region for regions in matched.values() for region in regions]
        tip = post_advice(doc, spans, salesy, Label.STORY in labels, verdict != Verdict.OK, self.catalogue, lang)
        suggestions += ([tip] if tip else []) + compliance_prompts(doc, self.catalogue, lang)
        spans = [s for s in spans if not policy.ignores(s.rule)]
        suggestions = [s for s in suggestions if not policy.ignores(s.id)]
        return Report(
            id=id,
            scores=Scores(**{label.value: round(probs[label], 6) for label in LABELS}),
            labels=labels,
            verdict=verdict,
            spans=spans,
            sections=sections,
            suggestions=suggestions,
            # an ok draft is left as written: there is nothing to soften, and its "!!" may be joy
            softened_text=soften(
                text, self._reading(doc, encoded, spans, _unfiltered(suggestions, fitting), cuts, salesy), self._fallback_ids,
                self.hard_sell_scores, unmasked, rescores(doc.normalized.text),
            )
            if verdict != Verdict.OK
            else text,
            sensitivity=policy.sensitivity,
            thresholds={label: Cut(caution=round(cuts.caution[label], 4), hard_sell=round(cuts.decision[label], 4)) for label in LABELS},
            model=ModelInfo(version=self.model.version),
        )

    def sections(self, doc: Document, encoded: Encoded, verdict: Verdict, cuts: Thresholds) -> list[Section]:
        """A long draft's sections, each read as its block is (with the sentence before it, so a
        pitch split over a section edge reads whole, and a section agrees with the block that may
        have outvoted the draft); a section's verdict never exceeds the draft's (what the text does
        as a whole decides: an essay's paragraph about selling is not a sale)."""
        ranges = blocks.section_ranges(encoded.text)
        if not ranges:
            return []
        read = blocks.block_ranges(encoded.text)  # block i is section i with the sentence before it
        utf16 = Utf16Offsets(doc.normalized.original)
        cap = _VERDICT_RANK[verdict]
        found = []
        for (a, b), (c, d) in zip(ranges, read):
            probs = self.model.probabilities(encoded.part(c, d))
            own = self.verdict(probs, cuts)
            start, end = doc.normalized.to_original(a, b)
            found.append(
                Section(
                    **_range_fields(doc.normalized.original, utf16, start, end),
                    scores=Scores(**{label.value: round(probs[label], 6) for label in LABELS}),
                    verdict=own if _VERDICT_RANK[own] <= cap else verdict,
                )
            )
        return found

    def _reading(
        self,
        doc: Document,
        encoded: Encoded,
        spans: list[Span],
        suggestions: list[Suggestion],
        cuts: Thresholds,
        salesy: list[tuple[int, int]],
    ) -> Reading:
        """What softening works from, in original offsets: the findings, and each sentence's
        probabilities read alone (a part of the draft's encoding: no second parse or word lookup)."""

        def alone(start: int, end: int) -> dict[Label, float]:
            return self.model.probabilities(encoded.part(*doc.normalized.to_folded(start, end)))

        return Reading(spans, suggestions, alone, cuts, self._names(doc, salesy), self._removable)

    @staticmethod
    def _names(doc: Document, salesy: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
        """Runs of adjacent nouns that read as names, outside the catalogue's pressure phrases, as
        (start, end, text) in original offsets."""
        runs: list[tuple[int, int]] = []
        for token in doc.tokens:
            if token.pos != "名詞":
                continue
            if runs and runs[-1][1] == token.start:
                runs[-1] = (runs[-1][0], token.end)
            else:
                runs.append((token.start, token.end))
        names = []
        pressure = Regions(salesy)
        for a, b in runs:
            if pressure.holds(a, b) or not is_name(doc.normalized.text[a:b]):
                continue
            start, end = doc.normalized.to_original(a, b)
            names.append((start, end, doc.normalized.original[start:end]))
        return names

    def _with_evidence(
        self, doc: Document, prefixes: dict[Label, explain.Prefix], suggestions: list[Suggestion], lang: Lang
    ) -> list[Suggestion]:
        """A phrase no family knows says which of its words carry the model's reading (the two
        strongest content words), so the writer sees why a sentence of their own was marked."""
        result = []
        for suggestion in suggestions:
            fallback = self.catalogue.fallbacks.get(Label(suggestion.category)) if suggestion.category in HARD_SELL_LABELS else None
            span = suggestion.span
            if fallback is None or fallback.evidence is None or suggestion.id != fallback.id or span is None:
                result.append(suggestion)
                continue
            words = precise.strongest_words(doc, prefixes[Label(suggestion.category)], *doc.normalized.to_folded(span.start, span.end))
            if not words:
                result.append(suggestion)
                continue
            joiner = "」「" if lang == "ja" else "”, “"
            note = fallback.evidence.get(lang).replace("{words}", joiner.join(words))
            result.append(suggestion.model_copy(update={"message": f"{suggestion.message}{'' if lang == 'ja' else ' '}{note}"}))
        return result

    def _lowering(self, text: str, encoded: Encoded, suggestions: list[Suggestion]) -> list[Suggestion]:
        """Only replacements that lower their category's score when applied alone at their span: a
        fix that leaves the phrase reading as pushy as before is no fix (with fewer words around
        them, the draft's other terms weigh more, so removing a weak phrase can raise a score).
        `encoded` is the draft's own encoding (its plain scores are the ones to lower). Past the
        draft's `rescores`, fixes go unchecked and are not offered."""
        if not any(s.replacements for s in suggestions):
            return suggestions
        before = self.model.log_odds(encoded)
        left = rescores(encoded.text)
        kept = []
        for suggestion in suggestions:
            span = suggestion.span
            if span is None or not suggestion.replacements or suggestion.category not in HARD_SELL_LABELS:
                kept.append(suggestion)
                continue
            label = Label(suggestion.category)
            fixes = []
            for r in suggestion.replacements:
                edited = text[: span.start] + r + text[span.end :]
                if not edited.strip() or left <= 0:
                    continue
                left -= 1
                if self.plain_log_odds(edited)[label] < before[label]:
                    fixes.append(r)
            kept.append(suggestion if fixes == suggestion.replacements else suggestion.model_copy(update={"replacements": fixes}))
        return kept

    def plain_scores(self, text: str) -> dict[Label, float]:
        """The whole draft's probabilities read as one text (no block rule): what a one-click
        replacement must lower, wherever in a long draft it stands."""
        return self.model.probabilities(self.model.encode(self.document(text)))

    def cuts(self, sensitivity: Sensitivity = "default") -> Thresholds:
        """The thresholds in force at a sensitivity (what a verdict and the labels are read against)."""
        return self._cuts[sensitivity]

    def plain_log_odds(self, text: str) -> dict[Label, float]:
        """`plain_scores` as calibrated log-odds: what "lowers a score" compares, since near 0 or 1
        a probability barely moves while the reading still does."""
        return self.model.log_odds(self.model.encode(self.document(text)))

    def facts(self, text: str) -> list[str]:
        """What no rewrite may lose: numbers with their units, links, mentions, and the names that
        no catalogue pattern knows as pressure (「最終日」「フォロー」 are not names)."""
        doc = self.document(text)
        salesy = [r for regions in self.family_matches(doc.normalized.text).values() for r in regions]
        names = [(a, b) for a, b, _ in self._names(doc, salesy)]
        folded = [doc.normalized.to_folded(a, b) for a, b in names]
        # 「コスパ最強」「絶対後悔」: a run that holds a pressure phrase names nothing a reader needs
        return fact_strings(text, [n for n, (x, y) in zip(names, folded) if not any(p < y and x < q for p, q in salesy)])

    def only_fact(self, text: str, start: int, end: int) -> bool:
        """Whether text[start:end] is only a fact (a date, count, price, link, place, product or
        neutral hashtag) by the highlight rules: such a phrase is never highlighted alone."""
        doc = self.document(text)
        a, b = doc.normalized.to_folded(start, end)
        folded = doc.normalized.text
        salesy = [r for regions in self.family_matches(folded).values() for r in regions]
        view = precise.TokenView(doc.tokens, np.zeros(len(folded) + 1))
        urls = Regions(explain.clauses(doc).urls)
        return precise.bare_fact(explain.Phrase(a, b, 0.0), view, folded, Regions(salesy), urls, self._highlight_rules)

    def family_matches(self, folded: str) -> dict[str, list[tuple[int, int]]]:
        """Where each catalogue family's patterns match the folded draft, by family id."""
        return {family.id: explain.pattern_matches(folded, family.screened) for family in self.catalogue.families}

    def hard_sell_scores(self, text: str) -> dict[Label, float]:
        """Probabilities only (no explanation): what softening needs to check a rewrite."""
        return blocks.probabilities(self.model, self.model.encode(self.document(text)))

    @staticmethod
    def verdict(probs: dict[Label, float], cuts: Thresholds) -> Verdict:
        """hard_sell at a label's threshold, caution at its caution threshold, else ok."""
        if any(probs[label] >= cuts.decision[label] for label in HARD_SELL_LABELS):
            return Verdict.HARD_SELL
        if any(probs[label] >= cuts.caution[label] for label in HARD_SELL_LABELS):
            return Verdict.CAUTION
        return Verdict.OK

    def densities(self, doc: Document, scored: Scored, cuts: Thresholds) -> dict[Label, explain.Prefix]:
        """Per-character contribution prefix sums for every raised label (story at its decision
        threshold, hard-sell labels already at caution): what the spans are weighed by."""
        length = len(doc.normalized.text)
        return {
            label: explain.char_density(length, scored.starts, scored.ends, scored.contributions[row])
            for row, label in enumerate(LABELS)
            if scored.probabilities[label] >= (cuts.decision[label] if label == Label.STORY else cuts.caution[label])
        }

    def spans(
        self,
        doc: Document,
        prefixes: dict[Label, explain.Prefix],
        matched: dict[Label, list[tuple[int, int]]],
        allowed: list[tuple[int, int]] | None = None,
        tagged: TokenScores | None = None,
    ) -> list[Span]:
        """Phrases for every raised label, outside allowed terms, non-overlapping, in text order;
        `tagged` is the phrase tagger's probability per token (the catch-all gate), when there is one."""
        candidates: list[tuple[Label, explain.Phrase]] = []
        layout: explain.Clauses | None = None  # found once, shared by both hard-sell labels
        salesy = [region for regions in matched.values() for region in regions]
        # the phrases each raised hard-sell label's own families know and its model counts
        claims = {
            label: [(p.start, p.end) for p in explain.pattern_phrases(matched[label], prefixes[label])]
            for label in HARD_SELL_LABELS
            if label in prefixes
        }
        for label, prefix in prefixes.items():
            if label == Label.STORY:
                phrases = explain.sentence_phrases(doc, prefix)
            else:
                layout = layout or explain.clauses(doc)
                phrases = explain.attributed_phrases(layout, prefix)
                phrases += explain.pattern_phrases(matched[label], prefix)
                phrases = explain.merge_phrases(phrases, prefix)
                view = precise.TokenView(doc.tokens, prefix)
                others = [c for other, cs in claims.items() if other != label for c in cs]
                elsewhere = precise.claimed_elsewhere(matched[label], others, view) if others else []
                if elsewhere:  # 「フォロー&RT」 inside a giveaway clause keeps its own finding
                    phrases = explain.excluding(phrases, elsewhere, prefix)
                phrases = precise.refined(
                    phrases, view, prefix, doc.normalized.text, matched[label], salesy, layout.urls, self._highlight_rules, tagged
                )
            if allowed:  # allowed terms are never highlighted, whatever the category
                phrases = explain.excluding(phrases, allowed, prefix)
            candidates.extend((label, p) for p in phrases)
        return self._to_spans(doc, candidates, matched)

    def _to_spans(
        self,
        doc: Document,
        candidates: list[tuple[Label, explain.Phrase]],
        matched: dict[Label, list[tuple[int, int]]],
    ) -> list[Span]:
        """Resolve overlaps and map to original offsets. Hard sell claims text before story; a phrase
        that a catalogue family of its own category recognises claims it before one that none does
        (so 「詳しくはDMで」 stays a DM funnel even where the discount score weighs it more); then weight."""
        families = {label: Regions(regions) for label, regions in matched.items()}

        def known(label: Label, phrase: explain.Phrase) -> bool:
            return label in families and families[label].overlaps(phrase.start, phrase.end)

        ordered = sorted(candidates, key=lambda c: (c[0] == Label.STORY, not known(*c), -c[1].weight))
        taken = Taken()
        utf16 = Utf16Offsets(doc.normalized.original)
        spans = []
        for label, phrase in ordered:
            start, end = doc.normalized.to_original(phrase.start, phrase.end)
            if taken.overlaps(start, end):
                continue
            taken.claim(start, end)
            spans.append(
                Span(**_range_fields(doc.normalized.original, utf16, start, end), category=label, weight=round(phrase.weight, 4))
            )
        return sorted(spans, key=lambda s: s.start)
