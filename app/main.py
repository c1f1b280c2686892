"""create_app(): the FastAPI application, its lifespan (model and analysis processes), routes and middleware."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.api import errors
from app.api.access import RateLimiter
from app.api.middleware import AccessLog, BodyLimit, RequireJson
from app.api.pool import AnalysisPool
from app.api.routes import router, v1
from app.api.web import mount_static, web_router
from app.config import Settings, get_settings
from app.engine.model import load_model
from app.engine.policy import Policy, load_rules_file
from app.feedback import FeedbackStore


def _configure_logging() -> None:
    """JSON access lines to stderr, once per process (uvicorn configures only its own loggers)."""
    logger = logging.getLogger("urikomi")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def _model_facts(path: Path) -> tuple[dict[str, Any], str]:
    """What /v1/model shows. The model is loaded (and so checked) here, then dropped: the analysis
    processes hold their own copy, and the server process would otherwise keep its arrays for good
    (a local of the suspended lifespan stays alive)."""
    model = load_model(path)
    return model.metadata, model.version


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the model and the analysis processes load in the lifespan, not at import time."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _configure_logging()
        app.state.model_metadata, app.state.model_version = _model_facts(settings.model_path)
        app.state.rules = load_rules_file(settings.rules_file) if settings.rules_file else Policy()
        pool = AnalysisPool(
            settings.model_path, settings.analysis_processes, settings.analysis_queue, settings.analysis_timeout_seconds
        )
        try:
            await pool.warm_up()
            app.state.pool = pool
            yield
        finally:
            app.state.pool = None
            pool.close()

    app = FastAPI(
        title="Urikomi",
        summary="Scores Japanese social-media drafts for discount spam and pushy pitches, and suggests story-first wording.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # Swagger UI loads from a CDN; /docs is a local page instead (app/api/web.py)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.pool = None
    app.state.ready_at = float("-inf")
    app.state.rules = Policy()
    app.state.feedback = (
        FeedbackStore(settings.feedback_db, settings.feedback_store_text, settings.feedback_hash_key)
        if settings.feedback_db
        else None
    )
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    app.state.auth_failures = RateLimiter(settings.auth_failures_per_minute)
    errors.install(app)
    app.include_router(router)
    app.include_router(web_router)
    mount_static(app)
    app.include_router(v1)
    # BodyLimit reads the body before routing, so before any key check; RequireJson refuses a
    # non-JSON POST (such as the form posted with JavaScript off) before a byte of it is read
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, timeout=settings.body_timeout_seconds)
    app.add_middleware(RequireJson)
    if settings.cors_origin_list:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_methods=["GET", "POST"],
            allow_headers=["content-type", "x-api-key"],
            max_age=600,
        )
    app.add_middleware(AccessLog)  # outermost: logs every request, even refused ones
    return app
