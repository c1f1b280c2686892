"""The v1 routes: validate, call the engine once, return a typed response."""

from __future__ import annotations

from datetime import UTC
from typing import Any, get_args

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel

from app.api.access import authorize
from app.api.deps import AnalyzerDep, RulesDep, SettingsDep
from app.api.models import (
    AnalyzeRequest,
    AnalyzeResponse,
    BatchRequest,
    BatchResponse,
    FeedbackRequest,
    FeedbackResponse,
    FeedRequest,
    FeedResponse,
    FeedSummary,
    Health,
    ItemError,
    Lang,
    LengthInfo,
    ModelResponse,
    RewriteRequest,
    RewriteResponse,
)
from app.config import Settings
from app.engine.analyze import Analyzer, InvalidText, check_text
from app.engine.feed import FeedItem, summarize
from app.engine.length import Platform, length_hint
from app.engine.policy import Policy
from app.engine.rewrite import Answers, check_answer, rewrite
from app.feedback import FeedbackStore, Judgement
from app.labels import Label

router = APIRouter()  # operations: no key, no rate limit
v1 = APIRouter(dependencies=[Depends(authorize)])  # the API proper
_PLATFORMS = frozenset(get_args(Platform))


def analyze_one(
    analyzer: Analyzer,
    settings: Settings,
    text: str,
    platform: Platform | None,
    lang: Lang,
    item_id: str | None,
    policy: Policy | None = None,
) -> AnalyzeResponse:
    """One draft → report (+ length hint); raises InvalidText for drafts that cannot be analysed."""
    check_text(text, settings.max_chars)
    report = analyzer.analyze(text, id=item_id, lang=lang, policy=policy)
    length = None
    if platform is not None:
        hint = length_hint(text, platform)
        length = LengthInfo(platform=hint.platform, count=hint.count, limit=hint.limit, unit=hint.unit, over=hint.over)
    # the report is already validated: assemble without a second validation pass
    return AnalyzeResponse.model_construct(**dict(report), length=length)


def _json(model: BaseModel) -> Response:
    """Serialise a response model once, in pydantic-core (FastAPI would validate it again first)."""
    return Response(content=model.model_dump_json(), media_type="application/json")


@v1.post("/v1/analyze", response_model=AnalyzeResponse, tags=["analysis"])
async def analyze(body: AnalyzeRequest, analyzer: AnalyzerDep, settings: SettingsDep, rules: RulesDep) -> Response:
    """Score one draft, highlight its hard-sell phrases and suggest story-first wording."""
    policy = rules.merged(body.policy())
    return _json(analyze_one(analyzer, settings, body.text, body.platform, body.lang, body.id, policy))


@v1.post("/v1/rewrite", response_model=RewriteResponse, tags=["analysis"])
async def rewrite_draft(body: RewriteRequest, analyzer: AnalyzerDep, settings: SettingsDep, rules: RulesDep) -> Response:
    """Rewrite a draft as a story: the writer's episode and reason first, then its facts, then one
    gentle invitation; the report is the analysis of the rewrite."""
    check_text(body.text, settings.max_chars)
    answers = Answers(check_answer("episode", body.answers.episode), check_answer("reason", body.answers.reason))
    text = rewrite(analyzer, body.text, answers)
    report = analyze_one(analyzer, settings, text, body.platform, body.lang, None, rules.merged(Policy()))
    return _json(RewriteResponse.model_construct(text=text, report=report))


@v1.post("/v1/analyze/batch", response_model=BatchResponse, tags=["analysis"])
async def analyze_batch(body: BatchRequest, analyzer: AnalyzerDep, settings: SettingsDep, rules: RulesDep) -> Response:
    """Score many drafts; a bad item gets its own error and the rest still succeed."""
    if len(body.items) > settings.max_batch_items:
        raise HTTPException(
            status_code=413, detail=f"a batch holds at most {settings.max_batch_items} items; got {len(body.items)}"
        )
    results: list[AnalyzeResponse | ItemError] = []
    policy = rules.merged(body.policy())
    for item in body.items:
        item_id = None if item.id is None else str(item.id)
        try:
            text, platform = _item_fields(item.text, item.platform)
            results.append(analyze_one(analyzer, settings, text, platform, body.lang, item_id, policy))
        except InvalidText as exc:
            results.append(ItemError(id=item_id, error=str(exc)))
    return _json(BatchResponse.model_construct(results=results))


@v1.post("/v1/feed", response_model=FeedResponse, tags=["analysis"])
async def feed(body: FeedRequest, analyzer: AnalyzerDep, settings: SettingsDep, rules: RulesDep) -> Response:
    """Queue health for an account's posts: promo share, runs, per-day load, repeats, story share."""
    if len(body.posts) > settings.max_feed_posts:
        raise HTTPException(
            status_code=413, detail=f"a feed holds at most {settings.max_feed_posts} posts; got {len(body.posts)}"
        )
    policy = rules.merged(body.policy())
    results: list[AnalyzeResponse | ItemError] = []
    items: list[FeedItem] = []
    for post in body.posts:
        post_id = None if post.id is None else str(post.id)
        try:
            text, _ = _item_fields(post.text, None)
            report = analyze_one(analyzer, settings, text, None, body.lang, post_id, policy)
        except InvalidText as exc:
            results.append(ItemError(id=post_id, error=str(exc)))
            continue
        results.append(report)
        when = post.time.replace(tzinfo=UTC) if post.time and post.time.tzinfo is None else post.time
        items.append(FeedItem(post_id, text, when, report))
    summary = FeedSummary.model_validate(summarize(items, settings.feed_limits, body.lang)) if items else None
    return _json(FeedResponse.model_construct(summary=summary, results=results))


@v1.post("/v1/feedback", response_model=FeedbackResponse, status_code=201, tags=["feedback"])
async def feedback(body: FeedbackRequest, analyzer: AnalyzerDep, settings: SettingsDep, request: Request) -> FeedbackResponse:
    """Record "this is / is not hard selling" in the operator's local SQLite file (off by default)."""
    store: FeedbackStore | None = request.app.state.feedback
    if store is None:
        raise HTTPException(status_code=404, detail="feedback is not enabled on this server (URIKOMI_FEEDBACK_DB)")
    check_text(body.text, settings.max_chars)
    discount = pushy = False
    phrases: list[str] = []
    if body.is_hard_sell:  # the model's reading fills in only what the user left out
        report = analyzer.analyze(body.text)
        found = set(report.labels)
        discount = body.discount_spam if body.discount_spam is not None else Label.DISCOUNT_SPAM in found
        pushy = body.pushy_pitch if body.pushy_pitch is not None else (Label.PUSHY_PITCH in found or not discount)
        phrases = body.key_phrases or [s.text for s in report.spans if s.category != Label.STORY][:10]
        missing = [p for p in phrases if p not in body.text]
        if missing:
            raise InvalidText(f"key phrase {missing[0]!r} is not part of the text")
        if not phrases:
            raise InvalidText("name the phrases that carry the hard sell in key_phrases")
    judgement = Judgement(body.text, body.platform, discount, pushy, body.story, tuple(phrases))
    row = store.add(judgement, analyzer.model.version)
    return FeedbackResponse(id=row, text_stored=store.store_text)


def _item_fields(text: Any, platform: Any) -> tuple[str, Platform | None]:
    if not isinstance(text, str):
        raise InvalidText("text is missing or not a string")
    if platform is not None and platform not in _PLATFORMS:
        raise InvalidText(f"platform must be one of {', '.join(sorted(_PLATFORMS))}")
    return text, platform


@v1.get("/v1/model", response_model=ModelResponse, tags=["model"])
async def model_info(analyzer: AnalyzerDep) -> ModelResponse:
    """Version, labels, thresholds, test metrics and training-data hash of the serving model."""
    meta = analyzer.model.metadata
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
async def readyz(request: Request) -> Health:
    """Ready: the model is loaded."""
    if getattr(request.app.state, "analyzer", None) is None:
        raise HTTPException(status_code=503, detail="the model is not loaded yet")
    return Health(status="ok")
