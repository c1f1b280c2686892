"""Control over what is flagged: ignore, allow_terms, sensitivity, the rules file, compliance prompts."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine.analyze import Analyzer
from app.engine.policy import Policy, load_rules_file
from app.labels import Verdict

SHOP = "半額堂の新作どら焼きができました。本日は全品半額です!!"


@pytest.mark.parametrize(
    ("policy", "present", "absent"),
    [
        (Policy(), {"本日は全品半額"}, set()),
        (Policy(allow_terms=("半額堂",)), {"本日は全品半額"}, {"半額堂"}),
        (Policy(ignore=frozenset({"pushy.exclamation"})), {"本日は全品半額"}, {"!!"}),
        (Policy(ignore=frozenset({"discount"})), set(), {"本日は全品半額"}),
    ],
    ids=["nothing", "allow shop name", "ignore one rule", "ignore a family"],
)
def test_allowlist_and_rule_switch_examples(analyzer: Analyzer, policy: Policy, present: set[str], absent: set[str]) -> None:
    spans = [s.text for s in analyzer.analyze(SHOP, policy=policy).spans]
    for phrase in present:
        assert any(phrase in s for s in spans), (phrase, spans)
    for phrase in absent:
        assert not any(phrase in s for s in spans), (phrase, spans)


def test_ignored_rules_leave_no_suggestion(analyzer: Analyzer) -> None:
    report = analyzer.analyze(SHOP, policy=Policy(ignore=frozenset({"pushy", "post"})))
    assert not [s for s in report.suggestions if s.id.startswith(("pushy.", "post."))]


def test_allowed_term_does_not_push_the_score(analyzer: Analyzer) -> None:
    plain = analyzer.analyze("ラストチャンスという名前の新しいブレンドを作りました。")
    allowed = analyzer.analyze("ラストチャンスという名前の新しいブレンドを作りました。", policy=Policy(allow_terms=("ラストチャンス",)))
    assert allowed.scores.pushy_pitch <= plain.scores.pushy_pitch
    assert not any("ラストチャンス" in s.text for s in allowed.spans)


def test_allow_terms_match_whole_tokens_only(analyzer: Analyzer) -> None:
    report = analyzer.analyze("半額堂より。明日は全品半額!!今すぐ!", policy=Policy(allow_terms=("半額堂",)))
    assert any("半額" in s.text and "半額堂" not in s.text for s in report.spans)


def test_sensitivity_moves_the_thresholds(analyzer: Analyzer) -> None:
    cuts = {s: analyzer.analyze(SHOP, policy=Policy(sensitivity=s)).thresholds for s in ("low", "default", "high")}
    for label in ("discount_spam", "pushy_pitch"):
        assert cuts["high"][label].hard_sell < cuts["default"][label].hard_sell < cuts["low"][label].hard_sell
        for s in cuts:
            assert cuts[s][label].caution <= cuts[s][label].hard_sell


def test_high_sensitivity_flags_what_default_only_cautions(analyzer: Analyzer) -> None:
    drafts = ["気になる方はお早めにどうぞ。", "今週もお待ちしています。売り切れたらごめんなさい。", "新作できました!ぜひ!"]
    default = [analyzer.analyze(d).verdict for d in drafts]
    high = [analyzer.analyze(d, policy=Policy(sensitivity="high")).verdict for d in drafts]
    order = {Verdict.OK: 0, Verdict.CAUTION: 1, Verdict.HARD_SELL: 2}
    assert all(order[h] >= order[d] for h, d in zip(high, default))


ALLOWED = st.sampled_from(["半額堂", "ラストチャンス", "今だけ", "セール", "限定", "特価", "DM"])
PIECES = st.sampled_from(["【本日限り】", "全品50%OFF", "!!", "今すぐ", "半額堂", "ラストチャンス", "セール開催中", "限定10名", "特価品", "DMください", "です。", "\n"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, min_size=1, max_size=8).map("".join), st.lists(ALLOWED, min_size=1, max_size=3))
def test_no_span_overlaps_an_allowed_term(analyzer: Analyzer, text: str, allowed: list[str]) -> None:
    if not text.strip():
        return
    report = analyzer.analyze(text, policy=Policy(allow_terms=tuple(allowed)))
    doc = analyzer.document(text)
    from app.engine.policy import allowed_regions

    regions = [doc.normalized.to_original(a, b) for a, b in allowed_regions(doc, tuple(allowed), analyzer.tokenizer)]
    for span in report.spans:
        assert not any(a < span.end and span.start < b for a, b in regions), (span.text, allowed)


def test_rules_file_loads_allow_terms_and_disabled_rules(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("allow_terms: [半額堂]\ndisabled_rules: [compliance, pushy.exclamation]\n", encoding="utf-8")
    policy = load_rules_file(path)
    assert policy.allow_terms == ("半額堂",)
    assert policy.ignores("compliance.deadline") and policy.ignores("pushy.exclamation")
    assert not policy.ignores("pushy.urgency")


def test_rules_file_with_unknown_keys_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("allow: [x]\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_rules_file(path)


@pytest.mark.parametrize(
    ("draft", "rule"),
    [
        ("期間限定!全品20%OFFです。", "compliance.deadline"),
        ("通常価格3,000円→今だけ1,980円!", "compliance.former_price"),
        ("〇〇社さんから新作コスメをいただきました!毎日使っています。", "compliance.stealth_marketing"),
    ],
)
def test_compliance_prompts_fire(analyzer: Analyzer, draft: str, rule: str) -> None:
    prompts = [s for s in analyzer.analyze(draft).suggestions if s.category == "compliance"]
    assert rule in {p.id for p in prompts}
    prompt = next(p for p in prompts if p.id == rule)
    assert "法的助言ではなく" in prompt.message
    assert prompt.span is not None and draft[prompt.span.start : prompt.span.end] == prompt.span.text


@pytest.mark.parametrize(
    "draft",
    [
        "期間限定、12/24までの販売です。",
        "#PR 〇〇社さんから新作コスメをいただきました。",
        "明日は定休日です。",
    ],
)
def test_compliance_prompts_stay_quiet_when_the_facts_are_there(analyzer: Analyzer, draft: str) -> None:
    ids = {s.id for s in analyzer.analyze(draft).suggestions}
    assert not ids & {"compliance.deadline", "compliance.stealth_marketing", "compliance.former_price"}


def test_compliance_prompts_can_be_switched_off(analyzer: Analyzer) -> None:
    report = analyzer.analyze("期間限定!全品20%OFFです。", policy=Policy(ignore=frozenset({"compliance"})))
    assert not [s for s in report.suggestions if s.category == "compliance"]


def test_the_operators_rules_file_applies_to_every_request(tmp_path: Path) -> None:
    import httpx

    from tests.conftest import start_server, stop_server

    rules = tmp_path / "rules.yaml"
    rules.write_text("allow_terms: [半額堂]\ndisabled_rules: [pushy.exclamation, compliance]\n", encoding="utf-8")
    server = start_server(tmp_path, {"URIKOMI_RULES_FILE": str(rules)})
    try:
        body = httpx.post(f"{server.base_url}/v1/analyze", json={"text": "半額堂です。期間限定!全品半額!!"}).json()
    finally:
        stop_server(server)
    assert not any("半額堂" in s["text"] for s in body["spans"])
    assert any("半額" in s["text"] for s in body["spans"])
    assert not [s for s in body["suggestions"] if s["id"].startswith(("pushy.exclamation", "compliance"))]


def test_a_broken_rules_file_stops_the_server_with_a_message(tmp_path: Path) -> None:
    from tests.conftest import start_server

    rules = tmp_path / "rules.yaml"
    rules.write_text("allow_terms: [\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="URIKOMI_RULES_FILE"):
        start_server(tmp_path, {"URIKOMI_RULES_FILE": str(rules)})
