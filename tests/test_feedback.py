"""Local feedback: off by default, stores text only when the operator says so, and can be trained on."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, Server, start_server, stop_server

STORY = "常連の佐藤さんが「この前のシフォン、母の誕生日に出したら喜んでくれたよ」と話してくれました。焼いてよかった。"
BLAST = "【本日限り】全品50%OFF!!今すぐご来店ください!"


@pytest.fixture(scope="module")
def feedback_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    folder = tmp_path_factory.mktemp("feedback")
    db = folder / "feedback.sqlite"
    running = start_server(folder, {"URIKOMI_FEEDBACK_DB": str(db), "URIKOMI_FEEDBACK_STORE_TEXT": "true"})
    yield running, db
    stop_server(running)


def rows(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("select text, text_sha256, discount_spam, pushy_pitch, story, key_phrases from feedback").fetchall()


def test_feedback_is_off_by_default(client: httpx.Client) -> None:
    response = client.post("/v1/feedback", json={"text": STORY, "is_hard_sell": False})
    assert response.status_code == 404
    assert "not enabled" in response.json()["detail"]


def test_feedback_without_text_storage_keeps_only_a_keyed_hash(tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite"
    server = start_server(tmp_path, {"URIKOMI_FEEDBACK_DB": str(db), "URIKOMI_FEEDBACK_HASH_KEY": "operator-secret"})
    try:
        response = httpx.post(f"{server.base_url}/v1/feedback", json={"text": STORY, "is_hard_sell": False})
        assert response.status_code == 201
        assert response.json()["text_stored"] is False
        [(text, digest, *_)] = rows(db)
        assert text is None and len(str(digest)) == 64
        # keyed: whoever holds the file cannot confirm a guessed draft by hashing it
        assert digest != hashlib.sha256(STORY.encode("utf-8")).hexdigest()
        assert digest == hmac.new(b"operator-secret", STORY.encode("utf-8"), hashlib.sha256).hexdigest()
        assert "佐藤さん" not in server.logs()
    finally:
        stop_server(server)


def test_hard_sell_feedback_records_labels_and_phrases(feedback_server: tuple[Server, Path]) -> None:
    server, db = feedback_server
    response = httpx.post(f"{server.base_url}/v1/feedback", json={"text": BLAST, "is_hard_sell": True})
    assert response.status_code == 201 and response.json()["text_stored"] is True
    text, _, discount, pushy, story, phrases = rows(db)[-1]
    assert text == BLAST and (discount or pushy) and story == 0
    assert all(p in BLAST for p in json.loads(str(phrases)))


def test_feedback_with_a_phrase_not_in_the_text_is_refused(feedback_server: tuple[Server, Path]) -> None:
    server, _ = feedback_server
    body = {"text": BLAST, "is_hard_sell": True, "key_phrases": ["どこにもない言葉"]}
    assert httpx.post(f"{server.base_url}/v1/feedback", json=body).status_code == 422


def test_train_with_feedback_folds_it_into_the_train_split(feedback_server: tuple[Server, Path], tmp_path: Path) -> None:
    server, db = feedback_server
    httpx.post(f"{server.base_url}/v1/feedback", json={"text": STORY, "is_hard_sell": False, "story": True})
    out = tmp_path / "model"
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "train", "--with-feedback", str(db), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env={**os.environ},
    )
    assert result.returncode == 0, result.stderr
    meta = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert meta["feedback"]["posts"] == len([r for r in rows(db) if r[0] is not None])
    assert "+feedback" in meta["version"]


def test_train_with_a_missing_feedback_file_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "train", "--with-feedback", str(tmp_path / "none.sqlite"), "--out", str(tmp_path / "m")],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "no feedback file" in result.stderr
