"""The report: the one wire shape that the CLI and the API both return."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.labels import Label, Verdict


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class TextRange(_Frozen):
    """A range of the ORIGINAL text: code-point offsets, UTF-16 offsets, and the text itself."""

    start: int = Field(ge=0, description="code-point offset, inclusive")
    end: int = Field(ge=0, description="code-point offset, exclusive")
    start_utf16: int = Field(ge=0, description="UTF-16 code-unit offset for JavaScript callers")
    end_utf16: int = Field(ge=0)
    text: str = Field(description="exactly original_text[start:end]")


class Span(TextRange):
    """A highlighted phrase and the category it pushed up (or, for story, the fan-building cue)."""

    category: Label
    weight: float = Field(description="contribution to the category's logit; larger is stronger")
    rule: str | None = Field(default=None, description="catalogue family id, when one matched")


class Suggestion(_Frozen):
    """What to write instead: tied to a span, or advice for the whole post."""

    id: str = Field(description="stable rule id, e.g. pushy.urgency, post.story_first, compliance.deadline")
    category: Label | Literal["compliance"]
    message: str
    span: TextRange | None = None
    replacements: list[str] = Field(default_factory=list)
    story_prompt: str | None = None


class Scores(_Frozen):
    """Calibrated probabilities per label."""

    discount_spam: float = Field(ge=0, le=1)
    pushy_pitch: float = Field(ge=0, le=1)
    story: float = Field(ge=0, le=1)


class Cut(_Frozen):
    """Where a label's score turns into a caution and into a hard_sell verdict."""

    caution: float
    hard_sell: float


class ModelInfo(_Frozen):
    """Which model produced the report."""

    version: str


class Section(TextRange):
    """One part of a long draft (whole sentences, about one X post) with its own reading."""

    scores: Scores = Field(description="the section's probabilities, read on its own")
    verdict: Verdict = Field(
        description="the section's verdict, never stronger than the whole draft's: a section of an essay that "
        "discusses selling reads like a pitch alone, and what the text does as a whole decides"
    )


class Report(_Frozen):
    """The analysis of one draft."""

    id: str | None = None
    scores: Scores
    labels: list[Label]
    verdict: Verdict
    spans: list[Span]
    sections: list[Section] = Field(
        default_factory=list,
        description="for a long draft (200 characters and more), its sections in order, each with its own scores "
        "and verdict, so a reader sees which part is fine and which part pushes; empty for a short draft",
    )
    suggestions: list[Suggestion]
    softened_text: str = Field(
        description=(
            "the draft with sentences that are pressure and nothing else dropped (a call to action becomes one "
            "gentle invitation), each recognised phrase that stands as its own sentence or heading replaced by a "
            "replacement that keeps its facts and names, and stacked exclamations calmed; every number, link, "
            "@mention and name is kept, and it never reads as more of a hard sell than the draft; an ok draft "
            "is returned as written"
        )
    )
    sensitivity: Literal["low", "default", "high"] = "default"
    thresholds: dict[Label, Cut] = Field(description="the cuts in force for this report (after sensitivity)")
    model: ModelInfo
