"""Every error is JSON with a `detail` that names the problem, never a traceback or the draft."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from app.api.pool import Unavailable
from app.engine.analyze import InvalidText
from app.feedback import StoreUnavailable

log = logging.getLogger("urikomi.errors")


def _validation_detail(exc: RequestValidationError) -> list[dict[str, Any]]:
    """pydantic's errors without the offending input (it may be the draft, or unencodable)."""
    detail = []
    for error in exc.errors():
        loc = [part if isinstance(part, int) else str(part) for part in error.get("loc", ())]
        detail.append({"loc": loc, "msg": str(error.get("msg", "invalid")), "type": str(error.get("type", "invalid"))})
    return detail


async def invalid_text(_: Request, exc: Exception) -> JSONResponse:
    """A draft that cannot be analysed: 422 with the reason."""
    return JSONResponse(status_code=422, content={"detail": str(exc)})


async def invalid_request(_: Request, exc: Exception) -> JSONResponse:
    """A body that does not fit the schema (or is not JSON): 422 with where and why."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(status_code=422, content={"detail": _validation_detail(exc)})


async def unavailable(_: Request, exc: Exception) -> JSONResponse:
    """Busy, over the time budget, or a process stopped: 503 with when to retry."""
    assert isinstance(exc, Unavailable)
    return JSONResponse(status_code=503, content={"detail": exc.detail}, headers={"Retry-After": str(exc.retry_after)})


async def store_unavailable(_: Request, exc: Exception) -> JSONResponse:
    """The feedback file cannot be used: 503 with the reason (never its path)."""
    log.error("feedback store unavailable: %s", exc)
    return JSONResponse(status_code=503, content={"detail": str(exc)}, headers={"Retry-After": "30"})


async def unexpected(_: Request, exc: Exception) -> JSONResponse:
    """A bug: log its type only (never the draft) and answer without internals."""
    log.error("unhandled error: %s", type(exc).__name__)
    return JSONResponse(status_code=500, content={"detail": "internal error"})


def install(app: FastAPI) -> None:
    """Register the handlers on an app."""
    app.add_exception_handler(InvalidText, invalid_text)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(Unavailable, unavailable)
    app.add_exception_handler(StoreUnavailable, store_unavailable)
    app.add_exception_handler(Exception, unexpected)
