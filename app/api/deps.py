"""Dependencies: the heavy objects loaded at start-up, reached by handlers through `Annotated` aliases.

They are `async def` although they never wait: FastAPI runs a plain `def` dependency in a worker
thread, a thread hop per dependency per request for what is an attribute read.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from app.api.pool import AnalysisPool
from app.config import Settings
from app.engine.policy import Policy


async def get_pool(request: Request) -> AnalysisPool:
    """The analysis processes started by the lifespan; 503 while they are not there yet."""
    pool: AnalysisPool | None = getattr(request.app.state, "pool", None)
    if pool is None:
        raise HTTPException(status_code=503, detail="the model is not loaded yet", headers={"Retry-After": "1"})
    return pool


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_rules(request: Request) -> Policy:
    """The operator's rules (URIKOMI_RULES_FILE), loaded at start-up; empty when none is set."""
    rules: Policy = request.app.state.rules
    return rules


PoolDep = Annotated[AnalysisPool, Depends(get_pool)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
RulesDep = Annotated[Policy, Depends(get_rules)]
