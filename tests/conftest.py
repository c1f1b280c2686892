"""Shared fixtures: the real tokenizer, the shipped model, and a real uvicorn server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from hypothesis import settings as hypothesis_settings

from app.engine.analyze import Analyzer
from app.engine.catalogue import Catalogue, load_catalogue
from app.engine.model import LinearModel, load_model
from app.engine.tagger import PhraseTagger
from app.engine.tokenize import Tokenizer

# CI runs the property tests derandomised (same examples every run, no example database), so a
# landing never depends on luck; locally they explore new examples each run.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
MODEL_DIR = ROOT / "models" / "urikomi"
DATA_DIR = ROOT / "training_data"
# A short blast full of findings and fixes to check: the abuse suites' long, ordinary work
BLAST = "【本日限り】全品50%OFF!!残りわずか!今すぐご来店ください🔥詳しくはDMで!フォロー&RTで抽選5名様にプレゼント!締切は今夜23:59!絶対後悔させません!"


@pytest.fixture(scope="session")
def tokenizer() -> Tokenizer:
    return Tokenizer()


@pytest.fixture(scope="session")
def model() -> LinearModel:
    return load_model(MODEL_DIR)


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def analyzer(model: LinearModel, catalogue: Catalogue, tokenizer: Tokenizer) -> Analyzer:
    return Analyzer(model, catalogue, tokenizer, PhraseTagger.load(MODEL_DIR))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A real `urikomi serve` process and where its output goes."""

    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def logs(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def start_server(tmp_dir: Path, env_extra: dict[str, str] | None = None) -> Server:
    """Start `urikomi serve` on a free port and wait until /readyz answers."""
    port = free_port()
    log_path = tmp_dir / f"server-{port}.log"
    env = {
        **os.environ,
        "URIKOMI_MODEL_PATH": str(MODEL_DIR),
        "URIKOMI_RATE_LIMIT_PER_MINUTE": "0",  # the suite sends hundreds of requests a minute
        **(env_extra or {}),
    }
    with log_path.open("wb") as handle:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return Server(base_url, process, log_path)
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not become ready")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("server"))
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=30) as http:
        yield http
