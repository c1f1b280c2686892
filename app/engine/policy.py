"""What a caller or an operator tells the analyzer to skip, allow, or weigh differently."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from app.engine.features import Document
from app.engine.model import LinearModel
from app.engine.normalize import normalize
from app.engine.tokenize import Tokenizer
from app.labels import HARD_SELL_LABELS, Label

Sensitivity = Literal["low", "default", "high"]
# How far each setting moves the calibrated thresholds: "high" flags earlier, "low" later.
_HIGH_FACTOR = 0.6
_LOW_TOWARD_ONE = 0.5


@dataclass(frozen=True)
class Thresholds:
    """The cuts in force for one request: hard_sell from `decision`, caution from `caution`."""

    decision: dict[Label, float]
    caution: dict[Label, float]


def thresholds_for(model: LinearModel, sensitivity: Sensitivity) -> Thresholds:
    """Move the hard-sell thresholds along the calibrated scores; story stays where dev put it."""
    decision = {label: model.threshold(label) for label in Label}
    caution = {label: model.caution_threshold(label) for label in Label}
    for label in HARD_SELL_LABELS:
        if sensitivity == "high":
            decision[label] *= _HIGH_FACTOR
            caution[label] *= _HIGH_FACTOR
        elif sensitivity == "low":
            decision[label] += (1 - decision[label]) * _LOW_TOWARD_ONE
            caution[label] += (1 - caution[label]) * _LOW_TOWARD_ONE
    return Thresholds(decision, caution)


@dataclass(frozen=True)
class Policy:
    """Rule ids to ignore (a prefix like `pushy` or `compliance` ignores a whole family), terms
    never to flag (a shop called 半額堂, a product called ラストチャンス), and the sensitivity."""

    ignore: frozenset[str] = field(default_factory=frozenset)
    allow_terms: tuple[str, ...] = ()
    sensitivity: Sensitivity = "default"

    def ignores(self, rule: str | None) -> bool:
        """True when `rule` or one of its dotted prefixes is ignored."""
        if not rule or not self.ignore:
            return False
        parts = rule.split(".")
        return any(".".join(parts[:i]) in self.ignore for i in range(1, len(parts) + 1))

    def merged(self, request: Policy) -> Policy:
        """The deployment's policy combined with a request's (the request's sensitivity wins)."""
        return Policy(
            self.ignore | request.ignore,
            tuple(dict.fromkeys(self.allow_terms + request.allow_terms)),
            request.sensitivity,
        )


class RulesFile(BaseModel):
    """The operator's rules file (URIKOMI_RULES_FILE)."""

    model_config = ConfigDict(extra="forbid")

    allow_terms: list[str] = Field(default_factory=list)
    disabled_rules: list[str] = Field(default_factory=list)


def load_rules_file(path: Path) -> Policy:
    """A deployment policy from YAML; raises ValueError naming the problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"cannot read rules file {path}: {exc}") from exc
    rules = RulesFile.model_validate(data)
    return Policy(frozenset(rules.disabled_rules), tuple(rules.allow_terms))


def allowed_regions(doc: Document, terms: tuple[str, ...], tokenizer: Tokenizer) -> list[tuple[int, int]]:
    """Folded-text regions where an allowed term stands as whole tokens with the same parts of speech.

    Matching on tokens, not substrings, is what lets 半額堂 through while 半額 in another
    sentence is still found.
    """
    regions: list[tuple[int, int]] = []
    folded = doc.normalized.text
    by_start = {token.start: i for i, token in enumerate(doc.tokens)}
    for term in terms:
        needle = normalize(term).text.strip()
        if not needle:
            continue
        shape = [(t.surface, t.pos) for t in tokenizer.tokenize(needle)]
        for match in re.finditer(re.escape(needle), folded):
            first = by_start.get(match.start())
            if first is None:
                continue
            window = doc.tokens[first : first + len(shape)]
            if [(t.surface, t.pos) for t in window] == shape and window[-1].end == match.end():
                regions.append(match.span())
    return regions
