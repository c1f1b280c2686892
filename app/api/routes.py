"""The v1 routes: validate, hand the drafts to the analysis pool once, return its JSON (see pool.py)."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from app.api import jobs
from app.api.access import authorize
from app.api.deps import PoolDep, RulesDep, SettingsDep
from app.api.models import (
    AnalyzeRequest,
    AnalyzeResponse,
    BatchRequest,
    BatchResponse,
    Controls,
    FeedbackRequest,
    FeedbackResponse,
    FeedRequest,
    FeedResponse,
    Health,
    Lang,
    ModelResponse,
    RewriteRequest,
    RewriteResponse,
)
from app.api.pool import AnalysisPool
from app.config import Settings
from app.engine.analyze import InvalidText, check_text
from app.engine.policy import Policy
from app.engine.rewrite import Answers, check_answer
from app.feedback import FeedbackStore, Judgement

router = APIRouter()  # operations: no key, no rate limit
v1 = APIRouter(dependencies=[Depends(authorize)])  # the API proper
_READY_FOR_SECONDS = 1.0  # /readyz has no key and no limit: one probe a second at most


def _json(body: bytes, status_code: int = 200) -> Response:
    """A body serialised in the analysis process (FastAPI would validate it again first)."""
    return Response(content=body, media_type="application/json", status_code=status_code)


def _job(body: Controls, drafts: tuple[jobs.Draft, ...], settings: Settings, rules: Policy, pool: AnalysisPool) -> jobs.Job:
    lang: Lang = getattr(body, "lang", "ja")
    return jobs.Job(drafts, lang, rules.merged(body.policy()), settings.max_chars, pool.deadline())


def _check_size(kind: str, count: int, texts: list[Any], max_items: int, max_chars: int) -> None:
    """Refuse (413) a batch or feed over its item count or its characters in all: a few hundred
    kilobytes of drafts are seconds of work, so the limit is on the drafts, not only the bytes."""
    if count > max_items:
        raise HTTPException(status_code=413, detail=f"a {kind} holds at most {max_items} items; got {count}")
    total = sum(len(t) for t in texts if isinstance(t, str))
    if total > max_chars:
        raise HTTPException(
            status_code=413, detail=f"a {kind} holds at most {max_chars} characters of drafts in all; got {total}"
        )


@v1.post("/v1/analyze", response_model=AnalyzeResponse, tags=["analysis"])
async def analyze(body: AnalyzeRequest, pool: PoolDep, settings: SettingsDep, rules: RulesDep) -> Response:
    """Score one draft, highlight its hard-sell phrases and suggest story-first wording."""
    check_text(body.text, settings.max_chars)  # cheap: refuse before queueing
    draft = jobs.Draft(body.text, jobs.item_id(body.id), body.platform)
    return _json(await pool.run(jobs.analyze, _job(body, (draft,), settings, rules, pool)))


@v1.post("/v1/rewrite", response_model=RewriteResponse, tags=["analysis"])
async def rewrite_draft(body: RewriteRequest, pool: PoolDep, settings: SettingsDep, rules: RulesDep) -> Response:
    """Rewrite a draft as a story: the writer's episode and reason first, then its facts, then one
    gentle invitation; the report is the analysis of the rewrite."""
    check_text(body.text, settings.max_chars)  # cheap: refuse before queueing
    answers = Answers(check_answer("episode", body.answers.episode), check_answer("reason", body.answers.reason))
    draft = jobs.Draft(body.text, None, body.platform)
    job = jobs.Job((draft,), body.lang, rules.merged(Policy()), settings.max_chars, pool.deadline())
    return _json(await pool.run(jobs.rewrite, job, answers))


@v1.post("/v1/analyze/batch", response_model=BatchResponse, tags=["analysis"])
async def analyze_batch(body: BatchRequest, pool: PoolDep, settings: SettingsDep, rules: RulesDep) -> Response:
    """Score many drafts; a bad item gets its own error and the rest still succeed."""
    _check_size("batch", len(body.items), [i.text for i in body.items], settings.max_batch_items, settings.max_batch_chars)
    drafts = tuple(jobs.Draft(i.text, i.id, i.platform) for i in body.items)
    return _json(await pool.run(jobs.batch, _job(body, drafts, settings, rules, pool)))


@v1.post("/v1/feed", response_model=FeedResponse, tags=["analysis"])
async def feed(body: FeedRequest, pool: PoolDep, settings: SettingsDep, rules: RulesDep) -> Response:
    """Queue health for an account's posts: promo share, runs, per-day load, repeats, story share."""
    _check_size("feed", len(body.posts), [p.text for p in body.posts], settings.max_feed_posts, settings.max_batch_chars)
    drafts = tuple(jobs.Draft(p.text, p.id, None, p.time) for p in body.posts)
    return _json(await pool.run(jobs.feed, _job(body, drafts, settings, rules, pool), settings.feed_limits))


@v1.post("/v1/feedback", response_model=FeedbackResponse, status_code=201, tags=["feedback"])
async def feedback(body: FeedbackRequest, pool: PoolDep, settings: SettingsDep, request: Request) -> FeedbackResponse:
    """Record "this is / is not hard selling" in the operator's local SQLite file (off by default).
    Without URIKOMI_FEEDBACK_STORE_TEXT nothing of the draft is kept: no text, no key phrases."""
    store: FeedbackStore | None = request.app.state.feedback
    if store is None:
        raise HTTPException(status_code=404, detail="feedback is not enabled on this server (URIKOMI_FEEDBACK_DB)")
    check_text(body.text, settings.max_chars)
    missing = [p for p in body.key_phrases if p not in body.text]
    if missing:
        raise InvalidText(f"key phrase {missing[0]!r} is not part of the text")
    discount = pushy = False
    phrases: list[str] = list(body.key_phrases)
    if body.is_hard_sell:  # the model's reading fills in only what the user left out
        wants_phrases = store.store_text and not phrases
        if body.discount_spam is None or body.pushy_pitch is None or wants_phrases:
            found_discount, found_pushy, found_phrases = await pool.run(jobs.labels, body.text, wants_phrases)
        else:
            found_discount, found_pushy, found_phrases = False, False, []
        discount = body.discount_spam if body.discount_spam is not None else found_discount
        pushy = body.pushy_pitch if body.pushy_pitch is not None else (found_pushy or not discount)
        phrases = phrases or found_phrases
        if store.store_text and not phrases:
            raise InvalidText("name the phrases that carry the hard sell in key_phrases")
    judgement = Judgement(body.text, body.platform, discount, pushy, body.story, tuple(phrases))
    row = await run_in_threadpool(store.add, judgement, request.app.state.model_version)
    return FeedbackResponse(id=row, text_stored=store.store_text)


@v1.get("/v1/model", response_model=ModelResponse, tags=["model"])
async def model_info(request: Request) -> ModelResponse:
    """Version, labels, thresholds, test metrics and training-data hash of the serving model."""
    meta = request.app.state.model_metadata
    return ModelResponse(
        version=meta["version"],
        labels=meta["labels"],
        thresholds=meta["thresholds"],
        caution_thresholds=meta["caution_thresholds"],
        training_data_sha256=meta["training_data_sha256"],
        test_metrics=meta.get("test_metrics", {}),
    )


@router.get("/healthz", response_model=Health, tags=["operations"])
async def healthz() -> Health:
    """Alive: the process answers."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, tags=["operations"])
async def readyz(request: Request, pool: PoolDep) -> Health:
    """Ready: an analysis process scores a probe draft, and the feedback store (when enabled)
    answers a query. One probe a second at most; the answer is reused in between."""
    state = request.app.state
    if time.monotonic() - state.ready_at < _READY_FOR_SECONDS:
        return Health(status="ok")
    if not await pool.run(jobs.probe):
        raise HTTPException(status_code=503, detail="the model does not score the probe draft")
    store: FeedbackStore | None = state.feedback
    if store is not None:
        await run_in_threadpool(store.check)
    state.ready_at = time.monotonic()
    return Health(status="ok")
