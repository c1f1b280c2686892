"""Request and response models of the HTTP API (the report itself lives in app.schemas)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.engine.length import Platform
from app.engine.policy import Policy, Sensitivity
from app.schemas import Report

Lang = Literal["ja", "en"]


Term = Annotated[str, Field(min_length=1, max_length=50)]
RuleId = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z_]+(\.[a-z_]+)*$")]


class Controls(BaseModel):
    """Per-request control over what is flagged (merged with the operator's rules file)."""

    ignore: list[RuleId] = Field(
        default_factory=list, max_length=50, description="rule ids or prefixes to skip, e.g. pushy.exclamation, compliance"
    )
    allow_terms: list[Term] = Field(
        default_factory=list, max_length=50, description="surface forms never flagged, e.g. a shop called 半額堂"
    )
    sensitivity: Sensitivity = Field(default="default", description="low flags later, high flags earlier")

    def policy(self) -> Policy:
        """The engine's view of these controls."""
        return Policy(frozenset(self.ignore), tuple(self.allow_terms), self.sensitivity)


class AnalyzeRequest(Controls):
    """One draft to analyse."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="the draft, 1..URIKOMI_MAX_CHARS characters after trimming")
    platform: Platform | None = Field(default=None, description="adds that platform's length hint")
    lang: Lang = Field(default="ja", description="language of messages")
    id: str | None = Field(default=None, max_length=200, description="echoed in the report")


class LengthInfo(BaseModel):
    """The draft's length as the platform counts it."""

    platform: Platform
    count: int
    limit: int | None
    unit: str
    over: bool


class AnalyzeResponse(Report):
    """The report, plus the length hint when a platform was named."""

    length: LengthInfo | None = None


class BatchItem(BaseModel):
    """One item of a batch; validated one by one so a bad item cannot fail the batch."""

    model_config = ConfigDict(extra="allow")

    id: Any = None
    text: Any = None
    platform: Any = None


class BatchRequest(Controls):
    """Up to URIKOMI_MAX_BATCH_ITEMS drafts (the controls apply to every item)."""

    model_config = ConfigDict(extra="forbid")

    items: list[BatchItem] = Field(min_length=1)
    lang: Lang = "ja"


class ItemError(BaseModel):
    """Why one batch item could not be analysed."""

    id: str | None
    error: str


class BatchResponse(BaseModel):
    """Results in input order: a report or an error per item."""

    results: list[AnalyzeResponse | ItemError]


class FeedPost(BaseModel):
    """One post of an account's queue; validated one by one like batch items."""

    model_config = ConfigDict(extra="allow")

    id: Any = None
    text: Any = None
    time: Any = Field(
        default=None,
        description="ISO 8601 (datetime); when every post has one, the feed is read in time order; a bad one fails its post only",
        json_schema_extra={"type": "string", "format": "date-time"},
    )


class FeedRequest(Controls):
    """An account's upcoming or recent posts."""

    model_config = ConfigDict(extra="forbid")

    posts: list[FeedPost] = Field(min_length=1)
    lang: Lang = "ja"


class FeedSummary(BaseModel):
    """Queue health for the whole feed."""

    posts: int
    promotional: int
    promotional_share: float
    hard_sell: int
    hard_sell_share: float
    longest_promotional_run: int
    promotional_per_day: dict[str, int]
    story_posts: int
    story_share: float
    near_duplicate_deals: list[list[str | None]] = Field(description="groups of post ids that repeat one offer")
    timeline: list[Literal["promo", "story", "other"]]
    verdict: Literal["healthy", "too_promotional"]
    advice: list[str]


class FeedResponse(BaseModel):
    """The summary plus each post's report (or error), in input order."""

    summary: FeedSummary | None
    results: list[AnalyzeResponse | ItemError]


class FeedbackRequest(BaseModel):
    """A user's judgement of one draft."""

    model_config = ConfigDict(extra="forbid")

    text: str
    is_hard_sell: bool = Field(description="true: this is hard selling; false: it is not")
    discount_spam: bool | None = Field(default=None, description="which hard sell (default: what the model found)")
    pushy_pitch: bool | None = None
    story: bool = Field(default=False, description="the post tells a story / builds fans")
    key_phrases: list[Term] = Field(default_factory=list, max_length=20, description="exact phrases carrying the hard sell")
    platform: Platform = "x"


class FeedbackResponse(BaseModel):
    """Where the judgement went."""

    id: int
    text_stored: bool


class ModelResponse(BaseModel):
    """What the serving model is and how it was measured."""

    version: str
    labels: list[str]
    thresholds: dict[str, float]
    caution_thresholds: dict[str, float]
    training_data_sha256: str
    test_metrics: dict[str, Any]


class Health(BaseModel):
    """Liveness / readiness answer."""

    status: Literal["ok", "loading"]


class StoryAnswers(BaseModel):
    """The writer's answers to the two story questions, used word for word."""

    model_config = ConfigDict(extra="forbid")

    episode: str = Field(min_length=1, max_length=300, description="a moment: a customer's words, a scene from the work")
    reason: str = Field(min_length=1, max_length=300, description="why you offer this, or who it is for")


class RewriteRequest(BaseModel):
    """A draft and the writer's story: the guided story rewrite."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="the draft, 1..URIKOMI_MAX_CHARS characters after trimming")
    answers: StoryAnswers
    platform: Platform | None = Field(default=None, description="adds that platform's length hint to the report")
    lang: Lang = Field(default="ja", description="language of messages")


class RewriteResponse(BaseModel):
    """The rewritten draft and the analysis of it."""

    text: str = Field(description="episode, reason, the draft's facts, one gentle invitation")
    report: AnalyzeResponse
