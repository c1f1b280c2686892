"""The HTTP API against a real uvicorn server started by the tests."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import Server

BLAST = "【本日限り】全品50%OFF!!今すぐご来店ください!"
STORY = "常連の佐藤さんが「この前のシフォン、母の誕生日に出したら喜んでくれたよ」と写真を見せてくれました。焼いてよかった。"
PRIVATE_DRAFT = "ひみつの下書き・社外秘の新作ロールケーキ全品50%OFF"


def test_analyze_returns_the_report(client: httpx.Client) -> None:
    response = client.post("/v1/analyze", json={"text": BLAST, "platform": "x", "id": "draft-1"})
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == "draft-1"
    assert body["verdict"] == "hard_sell"
    assert {"本日限り", "全品50%OFF", "今すぐご来店ください"} <= {s["text"] for s in body["spans"]}
    assert body["length"]["platform"] == "x"
    assert body["model"]["version"]


def test_analyze_counts_cjk_as_two_on_x(client: httpx.Client) -> None:
    body = client.post("/v1/analyze", json={"text": "あいう abc", "platform": "x"}).json()
    assert body["length"]["count"] == 10


def test_analyze_story_is_ok(client: httpx.Client) -> None:
    body = client.post("/v1/analyze", json={"text": STORY}).json()
    assert body["verdict"] == "ok"
    assert "story" in body["labels"]


def test_analyze_english_messages(client: httpx.Client) -> None:
    body = client.post("/v1/analyze", json={"text": BLAST, "lang": "en"}).json()
    assert all(s["message"].isascii() for s in body["suggestions"])


def test_batch_keeps_order_and_reports_bad_items_alone(client: httpx.Client) -> None:
    items = [{"id": i, "text": BLAST if i % 2 else STORY} for i in range(98)]
    items += [{"id": "empty", "text": " "}, {"id": "number", "text": 42}]
    response = client.post("/v1/analyze/batch", json={"items": items})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [str(i) for i in range(98)] + ["empty", "number"]
    assert results[1]["verdict"] == "hard_sell"
    assert "empty" in results[98]["error"]
    assert "not a string" in results[99]["error"]


def test_batch_over_the_limit_is_413(client: httpx.Client) -> None:
    response = client.post("/v1/analyze/batch", json={"items": [{"text": "a"}] * 101})
    assert response.status_code == 413
    assert "at most 100" in response.json()["detail"]


def test_model_endpoint_describes_the_model(client: httpx.Client) -> None:
    body = client.get("/v1/model").json()
    assert set(body["labels"]) == {"discount_spam", "pushy_pitch", "story"}
    assert len(body["training_data_sha256"]) == 64
    assert body["test_metrics"]["hard_sell_f1"] > 0


def test_health_and_readiness(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"text": ""}, "empty"),
        ({"text": "  \n "}, "empty"),
        ({"text": "a\u0000b"}, "control character"),
        ({"text": 5}, "string"),
        ({}, "Field required"),
        ({"text": "ok", "platform": "myspace"}, "platform"),
        ({"text": "あ" * 10_001}, "limit is 10000"),
    ],
)
def test_bad_input_is_422_with_a_detail(client: httpx.Client, body: dict[str, object], expected: str) -> None:
    response = client.post("/v1/analyze", json=body)
    assert response.status_code == 422
    assert expected in json.dumps(response.json()["detail"], ensure_ascii=False)


def test_lone_surrogate_is_a_clear_error(client: httpx.Client) -> None:
    response = client.post(
        "/v1/analyze", content=b'{"text": "abc\\ud800def"}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "detail" in response.json()


def test_invalid_json_is_422(client: httpx.Client) -> None:
    response = client.post("/v1/analyze", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


def test_oversize_body_is_413_before_it_is_read(client: httpx.Client) -> None:
    response = client.post(
        "/v1/analyze", content=b"x" * 2_000_000, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]


def test_responses_carry_security_headers_and_no_server_banner(client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "server" not in response.headers
    assert response.headers["x-request-id"]


def test_the_draft_never_reaches_the_logs(client: httpx.Client, server: Server) -> None:
    client.post("/v1/analyze", json={"text": PRIVATE_DRAFT})
    client.post("/v1/analyze", json={"text": PRIVATE_DRAFT + "\u0000"})
    client.post("/v1/analyze/batch", json={"items": [{"text": PRIVATE_DRAFT}]})
    logs = server.logs()
    assert '"path": "/v1/analyze"' in logs  # the access log is there, as JSON
    assert "ひみつの下書き" not in logs
    assert "ロールケーキ" not in logs


def test_a_long_draft_comes_back_with_sections_that_tile_it_and_are_in_the_contract(client: httpx.Client) -> None:
    story = "店を始めて十年になります。最初の冬は、お客さんが一人も来ない日もありました。" * 6
    text = story + "\n\n本日限り全品半額!今すぐご来店ください!残りわずかです!"
    report = client.post("/v1/analyze", json={"text": text}).json()
    sections = report["sections"]
    assert len(sections) >= 2
    assert sections[-1]["verdict"] == "hard_sell" and sections[0]["verdict"] == "ok"
    for section in sections:
        assert text[section["start"] : section["end"]] == section["text"]
        assert set(section["scores"]) == {"discount_spam", "pushy_pitch", "story"}
    assert [s["start"] for s in sections] == sorted(s["start"] for s in sections)
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert {"scores", "verdict", "start", "end", "text"} <= set(schema["Section"]["properties"])
    short = client.post("/v1/analyze", json={"text": "新しいパンが焼き上がりました。"}).json()
    assert short["sections"] == []
