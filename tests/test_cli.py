"""The `urikomi` command as a user runs it: real process, real model."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import MODEL_DIR, ROOT

BLAST = "【本日限り】全品50%OFF!!今すぐご来店ください!"
NOTICE = "明日4日は臨時休業いたします。ご迷惑をおかけします。"


def run(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "URIKOMI_MODEL_PATH": str(MODEL_DIR), **(env or {})},
        timeout=120,
    )


def test_check_stdin_blast_exits_1_with_marked_phrases() -> None:
    result = run("check", "-", stdin=BLAST)
    assert result.returncode == 1
    for phrase in ("本日限り", "全品50%OFF", "今すぐご来店ください"):
        assert re.search(rf"(\[\[|<<){phrase}(\]\]|>>)", result.stdout), phrase
    assert "\033[" not in result.stdout  # no colour when not a terminal


def test_check_notice_file_exits_0(tmp_path: Path) -> None:
    draft = tmp_path / "notice.txt"
    draft.write_text(NOTICE, encoding="utf-8")
    result = run("check", str(draft))
    assert result.returncode == 0
    assert "判定: OK" in result.stdout


def test_check_json_prints_the_report() -> None:
    result = run("check", "--json", "-", stdin=BLAST)
    report = json.loads(result.stdout)
    assert report["verdict"] == "hard_sell"
    assert all(BLAST[s["start"] : s["end"]] == s["text"] for s in report["spans"])


def test_fail_on_never_exits_0_even_for_a_blast() -> None:
    assert run("check", "--fail-on", "never", "-", stdin=BLAST).returncode == 0


def test_jsonl_streams_reports_in_order_with_ids_and_errors() -> None:
    lines = [
        json.dumps({"id": "a", "text": BLAST}, ensure_ascii=False),
        "this is not json",
        json.dumps({"id": 3, "text": NOTICE}, ensure_ascii=False),
        json.dumps({"id": "e", "text": "  "}),
    ]
    result = run("check", "--jsonl", stdin="\n".join(lines) + "\n")
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["a", None, "3", "e"]
    assert out[0]["verdict"] == "hard_sell"
    assert "not valid JSON" in out[1]["error"]
    assert out[2]["verdict"] == "ok"
    assert "empty" in out[3]["error"]
    assert result.returncode == 2
    assert "line 2" in result.stderr


def test_missing_file_is_a_usage_error_without_traceback() -> None:
    result = run("check", "no-such-draft.txt")
    assert result.returncode == 2
    assert "no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_empty_draft_is_an_input_error() -> None:
    result = run("check", "-", stdin="   \n")
    assert result.returncode == 2
    assert "empty" in result.stderr


def test_missing_model_is_a_clear_error() -> None:
    result = run("check", "-", stdin=BLAST, env={"URIKOMI_MODEL_PATH": "/nonexistent/model"})
    assert result.returncode == 2
    assert "cannot load the model" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_configuration_names_the_variable() -> None:
    result = run("check", "-", stdin=BLAST, env={"URIKOMI_MAX_CHARS": "lots"})
    assert result.returncode == 2
    assert "URIKOMI_MAX_CHARS" in result.stderr


def test_serve_with_a_missing_model_stops_with_a_message() -> None:
    result = run("serve", "--port", "1", env={"URIKOMI_MODEL_PATH": "/nonexistent/model"})
    assert result.returncode == 2
    assert "cannot load the model" in result.stderr
