"""What an analysis process runs: one request's drafts → the response body as JSON bytes.

These functions run in the processes of `app.api.pool`, never on the event loop, so a slow draft
holds back neither /healthz nor other clients (fugashi keeps the GIL while it parses, so a thread
would not do). Each process loads the analyzer once (`load`). No FastAPI import here: a process
only needs the engine and the wire models. Jobs are plain picklable records; a batch or feed checks
its deadline between drafts and stops with `OverBudget` once the request's time budget is spent.
"""

from __future__ import annotations

import math
import signal
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, get_args

from pydantic import TypeAdapter, ValidationError

from app.api.models import (
    AnalyzeResponse,
    BatchResponse,
    FeedResponse,
    FeedSummary,
    ItemError,
    Lang,
    LengthInfo,
    RewriteResponse,
)
from app.engine.analyze import Analyzer, InvalidText, check_text
from app.engine.feed import FeedItem, FeedLimits, summarize
from app.engine.length import Platform, length_hint
from app.engine.policy import Policy
from app.engine.rewrite import Answers
from app.engine.rewrite import rewrite as story_rewrite
from app.labels import Label

PLATFORMS = frozenset(get_args(Platform))
PROBE_DRAFT = "【本日限り】全品50%OFF!今すぐご来店ください!"  # a hard sell: exercises every step
MAX_ID_CHARS = 200
_TIME = TypeAdapter(datetime)
_analyzer: Analyzer | None = None


class OverBudget(Exception):
    """The request's time budget ran out between two drafts."""


def load(model_path: Path) -> None:
    """Load the analyzer once per process; Ctrl-C is the parent's to handle."""
    global _analyzer
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _analyzer = Analyzer.from_path(model_path)


def serve(conn: Connection, model_path: Path) -> None:
    """An analysis process: answer (function, arguments) messages with ("ok", result) or
    ("error", exception) until the server closes the pipe (or goes away)."""
    load(model_path)
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[str, Any] = ("ok", fn(*args))
        except Exception as exc:  # noqa: BLE001 - every error goes back to the request that caused it
            answer = ("error", exc)
        try:
            conn.send(answer)
        except (EOFError, OSError):
            return
        except Exception as exc:  # noqa: BLE001 - an exception that cannot be pickled
            conn.send(("error", RuntimeError(f"unsendable {type(exc).__name__}")))


def _engine() -> Analyzer:
    if _analyzer is None:  # pragma: no cover - the pool always runs `load` first
        raise RuntimeError("analysis process started without a model")
    return _analyzer


@dataclass(frozen=True)
class Draft:
    """One draft of a request, as sent (fields of any JSON type; validated here, item by item)."""

    text: Any
    id: Any = None
    platform: Any = None
    time: Any = None


@dataclass(frozen=True)
class Job:
    """One request's drafts and what applies to all of them."""

    drafts: tuple[Draft, ...]
    lang: Lang
    policy: Policy
    max_chars: int
    deadline: float  # time.monotonic() value (one clock for every process on the machine)


def item_id(value: Any) -> str | None:
    """A batch or feed id as echoed back: a string or number of at most 200 characters, without
    control characters or lone surrogates (which cannot be written as UTF-8 JSON)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidText("id must be a string or a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidText("id must be a finite number")
    text = str(value)
    if len(text) > MAX_ID_CHARS:
        raise InvalidText(f"id is longer than {MAX_ID_CHARS} characters")
    try:
        check_text(text, None)
    except InvalidText as exc:
        raise InvalidText(f"id is not usable: {exc}") from None
    return text


def _platform(value: Any) -> Platform | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in PLATFORMS:  # a list or object is not hashable
        raise InvalidText(f"platform must be one of {', '.join(sorted(PLATFORMS))}")
    platform: Platform = value  # type: ignore[assignment]  # checked against PLATFORMS just above
    return platform


def _report(draft: Draft, job: Job, draft_id: str | None) -> AnalyzeResponse:
    """One draft → report (+ length hint); raises InvalidText for drafts that cannot be analysed."""
    if not isinstance(draft.text, str):
        raise InvalidText("text is missing or not a string")
    text = check_text(draft.text, job.max_chars)
    platform = _platform(draft.platform)
    report = _engine().analyze(text, id=draft_id, lang=job.lang, policy=job.policy)
    length = None
    if platform is not None:
        hint = length_hint(text, platform)
        length = LengthInfo(platform=hint.platform, count=hint.count, limit=hint.limit, unit=hint.unit, over=hint.over)
    # the report is already validated: assemble without a second validation pass
    return AnalyzeResponse.model_construct(**dict(report), length=length)


def _check_deadline(job: Job) -> None:
    if time.monotonic() > job.deadline:
        raise OverBudget


def analyze(job: Job) -> bytes:
    """POST /v1/analyze: one draft (the route has validated the request's fields)."""
    _check_deadline(job)
    (draft,) = job.drafts
    return _report(draft, job, draft.id).model_dump_json().encode()


def rewrite(job: Job, answers: Answers) -> bytes:
    """POST /v1/rewrite: the guided story rewrite of one draft and the report of the rewrite."""
    _check_deadline(job)
    (draft,) = job.drafts
    text = story_rewrite(_engine(), check_text(draft.text, job.max_chars), answers)
    report = _report(Draft(text, None, draft.platform), job, None)
    return RewriteResponse.model_construct(text=text, report=report).model_dump_json().encode()


def batch(job: Job) -> bytes:
    """POST /v1/analyze/batch: a report or an error per item, in input order."""
    results: list[AnalyzeResponse | ItemError] = []
    for draft in job.drafts:
        _check_deadline(job)
        draft_id = None
        try:
            draft_id = item_id(draft.id)
            results.append(_report(draft, job, draft_id))
        except InvalidText as exc:
            results.append(ItemError(id=draft_id, error=str(exc)))
    return BatchResponse.model_construct(results=results).model_dump_json().encode()


def _when(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        when = _TIME.validate_python(value)
    except ValidationError:
        raise InvalidText("time must be an ISO 8601 date and time") from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def feed(job: Job, limits: FeedLimits) -> bytes:
    """POST /v1/feed: each post's report (or error) and the queue-health summary."""
    results: list[AnalyzeResponse | ItemError] = []
    items: list[FeedItem] = []
    for draft in job.drafts:
        _check_deadline(job)
        post_id = None
        try:
            post_id = item_id(draft.id)
            when = _when(draft.time)
            report = _report(Draft(draft.text), job, post_id)
        except InvalidText as exc:
            results.append(ItemError(id=post_id, error=str(exc)))
            continue
        results.append(report)
        items.append(FeedItem(post_id, draft.text, when, report))
    summary = FeedSummary.model_validate(summarize(items, limits, job.lang)) if items else None
    return FeedResponse.model_construct(summary=summary, results=results).model_dump_json().encode()


def labels(text: str, with_phrases: bool) -> tuple[bool, bool, list[str]]:
    """POST /v1/feedback: what the model finds (discount, pushy) and, only when the draft's text
    may be kept, the phrases it highlights."""
    report = _engine().analyze(text)
    found = set(report.labels)
    phrases = [s.text for s in report.spans if s.category != Label.STORY][:10] if with_phrases else []
    return Label.DISCOUNT_SPAM in found, Label.PUSHY_PITCH in found, phrases


def probe() -> bool:
    """/readyz: the model scores a known hard sell with finite probabilities and flags it."""
    report = _engine().analyze(PROBE_DRAFT)
    scores = report.scores.model_dump().values()
    return all(isinstance(v, float) and math.isfinite(v) for v in scores) and bool(report.labels)
