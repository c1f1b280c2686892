"""The real-text probe: a local file of labelled passages, scored by genre; its text never leaves it.

The passages here are written for the test (a probe's real passages stay on the machine that
collected them); what is tested is the reading, the figures and the sources list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.engine.analyze import Analyzer
from app.training.probe import ProbeError, load_probe, parse_spec, probe_metrics, sources
from tests.test_cli import run

PASSAGES = [
    {"url": "https://example.jp/a", "genre": "campaign", "text": "＼本日限り／全品50%OFF!!残りわずか!今すぐご来店ください🔥", "discount_spam": 1, "pushy_pitch": 1, "story": 0, "key_phrases": ["全品50%OFF", "今すぐご来店ください"]},
    {"url": "https://example.jp/b", "genre": "article", "text": "「今だけ」「残りわずか」といった言葉を毎日使うと、読む人は慣れてしまい、誰も急がなくなります。告知は週に一度にして、残りの日はお店の人の話を書くほうが、長く読まれると感じています。", "discount_spam": 0, "pushy_pitch": 0, "story": 0},
    {"url": "https://example.jp/c", "genre": "reference", "text": "明日4日は臨時休業いたします。ご迷惑をおかけしますが、よろしくお願いいたします。", "discount_spam": 0, "pushy_pitch": 0, "story": 0},
]


def write_probe(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_probe_is_scored_overall_per_genre_and_on_essays(analyzer: Analyzer, tmp_path: Path) -> None:
    metrics = probe_metrics(analyzer, load_probe(write_probe(tmp_path / "p.jsonl", PASSAGES)))
    assert metrics["n"] == 3
    assert metrics["overall"]["hard_sells"] == 1
    assert set(metrics["per_genre"]) == {"campaign", "article", "reference"}
    assert metrics["articles_and_essays"]["n"] == 1
    assert metrics["overall"]["recall"] == 1.0 and metrics["overall"]["false_alarm_rate"] == 0.0
    assert metrics["keyword_baseline"]["articles_and_essays"]["false_alarm_rate"] == 1.0  # 今だけ is in the list
    assert metrics["mistakes"] == []


def test_the_sources_list_holds_addresses_and_labels_but_no_text(tmp_path: Path) -> None:
    listed = sources(load_probe(write_probe(tmp_path / "p.jsonl", PASSAGES)))
    assert [s["url"] for s in listed] == [p["url"] for p in PASSAGES]
    for entry, passage in zip(listed, PASSAGES):
        assert "text" not in entry and "key_phrases" not in entry
        assert all(str(value) not in str(passage["text"]) or len(str(value)) < 5 for value in entry.values())


@pytest.mark.parametrize(
    "row, message",
    [
        ({**PASSAGES[0], "key_phrases": ["半額"]}, "not in the passage"),
        ({**PASSAGES[1], "genre": "tweet"}, "genre"),
        ({**PASSAGES[1], "story": 2}, "story"),
    ],
)
def test_a_bad_probe_line_is_named(tmp_path: Path, row: dict[str, object], message: str) -> None:
    path = write_probe(tmp_path / "bad.jsonl", [PASSAGES[2], row])
    with pytest.raises(ProbeError, match=r"bad\.jsonl:2"):
        load_probe(path)


def test_probe_specs_name_a_file() -> None:
    assert parse_spec("dev=/tmp/x.jsonl") == ("dev", Path("/tmp/x.jsonl"))
    assert parse_spec("/tmp/heldout.jsonl") == ("heldout", Path("/tmp/heldout.jsonl"))
    with pytest.raises(ProbeError):
        parse_spec("=x.jsonl")


def test_evaluate_probe_prints_a_table_and_writes_sources_without_text(tmp_path: Path) -> None:
    probe = write_probe(tmp_path / "p.jsonl", PASSAGES)
    out = tmp_path / "sources.jsonl"
    result = run("evaluate", "--probe", f"dev={probe}", "--sources-out", str(out))
    assert result.returncode == 0, result.stderr
    assert "articles and essays" in result.stdout and "campaign" in result.stdout
    written = out.read_text(encoding="utf-8")
    assert "example.jp/a" in written and "全品50%OFF" not in written


def test_evaluate_probe_with_a_missing_or_bad_file_exits_2_with_a_message(tmp_path: Path) -> None:
    missing = run("evaluate", "--probe", str(tmp_path / "none.jsonl"))
    assert missing.returncode == 2 and "cannot read probe file" in missing.stderr and "Traceback" not in missing.stderr
    bad = write_probe(tmp_path / "bad.jsonl", [{"url": "x"}])
    result = run("evaluate", "--probe", str(bad))
    assert result.returncode == 2 and "bad.jsonl:1" in result.stderr
    lonely = run("evaluate", "--record")
    assert lonely.returncode == 2 and "need --probe" in lonely.stderr
