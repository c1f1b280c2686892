"""The suggestion catalogue: phrase families as data, validated once at load."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from app.engine.prefilter import Screened, looks_outside, screened
from app.labels import HARD_SELL_LABELS, Label

Lang = Literal["ja", "en"]


def _compiles(pattern: str) -> str:
    """Reject a catalogue pattern that is not a valid regular expression, at load time."""
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"invalid pattern {pattern!r}: {exc}") from exc
    return pattern


Regex = Annotated[str, AfterValidator(_compiles)]
DEFAULT_CATALOGUE = Path(__file__).resolve().parent.parent / "suggestions" / "catalogue.yaml"


class Localized(BaseModel):
    """A text in Japanese and English."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ja: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: Lang) -> str:
        """The text in `lang`."""
        return self.ja if lang == "ja" else self.en


class Examples(BaseModel):
    """Should-flag / should-pass phrases that test the family's patterns."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    should_flag: list[str] = Field(min_length=1)
    should_pass: list[str] = Field(min_length=1)


class Family(BaseModel):
    """One hard-sell phrase family: how it is recognised and what to write instead."""

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    id: str = Field(pattern=r"^(discount|pushy)\.[a-z_]+$")
    category: Label
    patterns: list[Regex] = Field(min_length=1)
    message: Localized
    replacements: list[str] = Field(min_length=1)
    heading: list[str] = Field(default_factory=list)  # inside 【】＼／■: short replacements only
    removable: list[Regex] = Field(default_factory=list)
    story_prompt: Localized
    examples: Examples

    @cached_property
    def compiled(self) -> tuple[re.Pattern[str], ...]:
        """The patterns, compiled once."""
        return tuple(re.compile(p) for p in self.patterns)

    @cached_property
    def screened(self) -> tuple[Screened, ...]:
        """Each pattern with the character class every match of it contains (see `prefilter`)."""
        return screened(self.patterns, self.compiled)

    @cached_property
    def context_sensitive(self) -> bool:
        """Whether a pattern looks outside its match (anchors, word boundaries, lookarounds): such a
        pattern may match in a phrase cut out of a draft and not in the draft itself."""
        return any(looks_outside(p) for p in self.patterns)

    @cached_property
    def screen(self) -> re.Pattern[str]:
        """All patterns as one alternation: on a short phrase, one scan tells whether any of them
        can match at all, which spares a scan per pattern for the families that cannot."""
        return any_of(self.patterns)


class Fallback(BaseModel):
    """The advice for a flagged phrase that no family recognises."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    message: Localized
    # no canned text: a phrase no family knows has no replacement that keeps what it says
    replacements: list[str] = Field(default_factory=list)
    story_prompt: Localized
    # which words carry the model's reading ({words}: the strongest words of the phrase)
    evidence: Localized | None = None


class Outline(BaseModel):
    """A three-line story-first outline with {subject} and {invitation} placeholders."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ja: list[str] = Field(min_length=3, max_length=3)
    en: list[str] = Field(min_length=3, max_length=3)


class PostAdvice(BaseModel):
    """Post-level advice: one entry per situation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    message: Localized
    outline: Outline | None = None


class ComplianceRule(BaseModel):
    """A compliance prompt: fires on a trigger pattern unless an `unless` pattern is present."""

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    id: str = Field(pattern=r"^compliance\.[a-z_]+$")
    triggers: list[Regex] = Field(min_length=1)
    unless: list[Regex] = Field(default_factory=list)
    message: Localized

    @cached_property
    def compiled_triggers(self) -> tuple[re.Pattern[str], ...]:
        """Trigger patterns, compiled once."""
        return tuple(re.compile(p) for p in self.triggers)

    @cached_property
    def screened_triggers(self) -> tuple[Screened, ...]:
        """Each trigger with the character class every match of it contains (see `prefilter`)."""
        return screened(self.triggers, self.compiled_triggers)

    @cached_property
    def compiled_unless(self) -> tuple[re.Pattern[str], ...]:
        """Exemption patterns, compiled once."""
        return tuple(re.compile(p) for p in self.unless)


class Catalogue(BaseModel):
    """The whole catalogue file."""

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    families: list[Family] = Field(min_length=1)
    fallbacks: dict[Label, Fallback]
    post_advice: dict[Literal["story_first", "keep_story"], PostAdvice]
    compliance: list[ComplianceRule] = Field(default_factory=list)

    @field_validator("families")
    @classmethod
    def _ids_unique(cls, families: list[Family]) -> list[Family]:
        ids = [f.id for f in families]
        if len(ids) != len(set(ids)):
            raise ValueError("family ids must be unique")
        return families

    def families_for(self, label: Label) -> tuple[Family, ...]:
        """Families of one hard-sell category, in catalogue order."""
        return self._by_label.get(label, ())

    @cached_property
    def removable_words(self) -> dict[str, re.Pattern[str]]:
        """Per family id, the removable pressure words of every family of its category: 「今すぐ」
        presses as much in a call to action (「今すぐプロフのリンクへ」) as in a deadline, and
        「お早めに」 as much in 「お早めにご来店ください」. Families of a category without any get none."""
        words: dict[Label, list[str]] = {}
        for family in self.families:
            words.setdefault(family.category, []).extend(family.removable)
        return {f.id: any_of(words[f.category]) for f in self.families if words[f.category]}

    @cached_property
    def placeholders(self) -> frozenset[str]:
        """Every placeholder （…） the catalogue's replacements write for the writer to fill."""
        found = re.compile(r"（[^（）\n]{1,30}）")
        return frozenset(p for f in self.families for r in f.replacements + f.heading for p in found.findall(r))

    @cached_property
    def pressure_words(self) -> re.Pattern[str] | None:
        """Every family's removable pressure words: a replacement that repeats a phrase ({span})
        repeats it without them (「今なら送料無料」→「送料無料でお送りします」)."""
        words = [w for family in self.families for w in family.removable]
        return any_of(words) if words else None

    @cached_property
    def _by_label(self) -> dict[Label, tuple[Family, ...]]:
        """Families grouped by category once (every flagged phrase asks for its category's)."""
        return {label: tuple(f for f in self.families if f.category == label) for label in Label}


def any_of(patterns: list[str]) -> re.Pattern[str]:
    """One regular expression that matches where any of `patterns` matches."""
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def load_catalogue(path: Path = DEFAULT_CATALOGUE) -> Catalogue:
    """Read and validate the catalogue; hard-sell categories must each have a fallback."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    catalogue = Catalogue.model_validate(data)
    missing = [label for label in HARD_SELL_LABELS if label not in catalogue.fallbacks]
    if missing:
        raise ValueError(f"catalogue has no fallback for {missing}")
    return catalogue
