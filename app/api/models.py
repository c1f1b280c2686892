"""Request and response models of the HTTP API (the report itself lives in app.schemas)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.engine.length import Platform
from app.schemas import Report

Lang = Literal["ja", "en"]


class AnalyzeRequest(BaseModel):
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


class BatchRequest(BaseModel):
    """Up to URIKOMI_MAX_BATCH_ITEMS drafts."""

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
