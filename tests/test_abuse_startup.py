"""Start-up, shutdown and the limiter's memory under abuse (issue 20).

A server that cannot serve says so in one line naming the file or variable and exits 2, before any
worker starts; a SIGTERM ends the server within its graceful-shutdown timeout even while an
analysis runs; the rate limiter's memory is bounded without letting a throttled client start afresh.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from app.api.access import RateLimiter
from tests.conftest import BLAST, MODEL_DIR, ROOT, free_port, start_server


def serve(env_extra: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `urikomi serve` expecting it to refuse to start (bounded by `timeout`)."""
    env = {**os.environ, "URIKOMI_MODEL_PATH": str(MODEL_DIR), **env_extra}
    command = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(free_port())]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


@pytest.fixture()
def model_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "model"
    shutil.copytree(MODEL_DIR, copy)
    return copy


def test_nan_weights_stop_start_up_naming_the_weights_file(model_copy: Path) -> None:
    weights = model_copy / "weights.npz"
    with np.load(weights) as npz:
        arrays = {name: npz[name] for name in npz.files}
    arrays["coef"] = arrays["coef"].copy()
    arrays["coef"][0, 0] = np.nan
    np.savez(weights, **arrays)
    line = one_line(serve({"URIKOMI_MODEL_PATH": str(model_copy)}))
    assert "weights.npz" in line and "NaN" in line


def test_a_truncated_weights_file_stops_start_up_naming_it(model_copy: Path) -> None:
    weights = model_copy / "weights.npz"
    weights.write_bytes(weights.read_bytes()[:1000])
    assert "weights.npz" in one_line(serve({"URIKOMI_MODEL_PATH": str(model_copy)}))


def test_thresholds_of_the_wrong_type_stop_start_up_naming_model_json(model_copy: Path) -> None:
    meta_path = model_copy / "model.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["thresholds"] = {label: "high" for label in meta["thresholds"]}
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    line = one_line(serve({"URIKOMI_MODEL_PATH": str(model_copy)}))
    assert "model.json" in line and "thresholds" in line


def test_an_unusable_feedback_path_stops_start_up_naming_the_variable(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    line = one_line(serve({"URIKOMI_FEEDBACK_DB": str(blocker / "feedback.sqlite")}))
    assert "URIKOMI_FEEDBACK_DB" in line


@pytest.mark.parametrize(
    ("variable", "value"),
    [("URIKOMI_TRUSTED_PROXIES", "the-proxy"), ("URIKOMI_ANALYSIS_TIMEOUT_SECONDS", "soon"), ("URIKOMI_MAX_BATCH_CHARS", "-1")],
)
def test_an_invalid_setting_stops_start_up_naming_the_variable(variable: str, value: str) -> None:
    assert variable in one_line(serve({variable: value}))


def test_sigterm_ends_the_server_within_its_shutdown_timeout_while_an_analysis_runs(tmp_path: Path) -> None:
    server = start_server(
        tmp_path,
        {
            "URIKOMI_SHUTDOWN_TIMEOUT_SECONDS": "1",
            "URIKOMI_ANALYSIS_TIMEOUT_SECONDS": "120",
            "URIKOMI_ANALYSIS_PROCESSES": "1",
            "URIKOMI_MAX_BATCH_ITEMS": "200",
            "URIKOMI_MAX_BATCH_CHARS": "400000",
        },
    )
    # 200 blasts of 2,000 characters, each full of findings and fixes to check: ~13 s of analysis
    items = [{"id": str(n), "text": (BLAST * 40)[n % 7 : n % 7 + 2000]} for n in range(200)]

    def batch() -> None:
        try:
            httpx.post(f"{server.base_url}/v1/analyze/batch", json={"items": items}, timeout=120)
        except httpx.HTTPError:
            pass  # the server went away: expected

    client = threading.Thread(target=batch, daemon=True)
    client.start()
    time.sleep(1.0)  # the batch is being analysed
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=30)
    finally:
        if server.process.poll() is None:
            server.process.kill()
    took = time.monotonic() - started
    print(f"SIGTERM to exit: {took:.2f} s (shutdown timeout 1 s, the batch needed ~13 s or more)")
    assert took < 5


def test_the_limiter_keeps_a_throttled_client_throttled_past_its_memory_bound() -> None:
    limiter = RateLimiter(per_minute=2, max_clients=100)
    now = 1000.0
    assert limiter.retry_after("victim", now) is None and limiter.retry_after("victim", now) is None
    assert limiter.retry_after("victim", now) is not None  # throttled
    for n in range(10_000):  # 10,000 other clients within the same second
        limiter.retry_after(f"client-{n}", now + n / 10_000)
    assert len(limiter) <= 101  # the table (plus one shared overflow bucket) stays bounded
    assert limiter.retry_after("victim", now + 1.0) is not None  # and the victim is still throttled


def test_the_limiter_forgets_clients_that_have_refilled() -> None:
    limiter = RateLimiter(per_minute=60, max_clients=10)
    for n in range(10):
        limiter.retry_after(f"old-{n}", 0.0)
    assert limiter.retry_after("new", 120.0) is None  # the old buckets are full again: dropped
    assert len(limiter) <= 10 and "new" in limiter._buckets
