"""Adversarial drafts cost about what a normal draft of the same length costs (issue 20).

Times are CPU seconds of this process, the best of a few interleaved runs, and every goal is a
ratio against a normal draft of the same length measured in the same run: the machine is shared
and noisy, so no absolute time is asserted. The normal draft is real corpus posts (hard sells,
stories and notices as they come) joined up to the length. The adversarial drafts are long runs of
digits, spaces, punctuation, emoji and letters, after a hard-sell opening so the costly path runs.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest

from app.engine.analyze import RESCORE_CHARS, Analyzer, rescores
from app.engine.catalogue import Catalogue
from app.engine.soften import apply_edits
from app.labels import HARD_SELL_LABELS, LABELS, Label
from app.training.corpus import load_corpus
from tests.conftest import DATA_DIR

LENGTH = 10_000  # URIKOMI_MAX_CHARS: the longest draft the service accepts
OPENING = "今だけ!全品50%OFF"
RUNS = {
    "digits": "1",
    "spaces": " ",
    "ideographic spaces": "\u3000",
    "newlines": "\n",
    "exclamation marks": "!",
    "emoji": "🔥",
    "digits and commas": "1,",
    "letters": "a",
    "letters and dots": "a.",
}
# Runs MeCab groups as unknown symbols: its grouping scans the rest of the run from every start
# position, so a parse of the whole run cost its square (tokenize.py parses long runs in pieces),
# and a hard sell then 「!?」 after 「!?」 is a phrase to fix every four characters, each fix checked
# on the whole draft (analyze.py bounds those checks).
SYMBOL_RUNS = {"full stops": "。", "opening brackets": "「", "mixed punctuation": "!?。、"}
# Drafts that make the later steps work: characters that fold to several (「…」 is 「...」, 「㌖」 would
# be 「キロメートル」, normalize.py caps it), and a pushy clause or sentence repeated, thousands of
# phrases to highlight, fix and soften (each looked up by bisection, regions.py).
LATER_STEP_RUNS = {"ellipses": "…", "long compatibility forms": "㌖", "a pushy clause": "今だけ、", "a pushy sentence": "残りわずか!"}
PATTERN_RUNS = {**RUNS, **SYMBOL_RUNS, "rt then spaces": "rt" + " " * LENGTH, "dm then spaces": "dm" + " " * LENGTH}


def fill(unit: str, length: int, opening: str = "") -> str:
    """`opening` then `unit` repeated, cut to `length` characters."""
    return (opening + unit * (length // len(unit) + 1))[:length]


def cpu_seconds(work: Callable[[], object], runs: int = 3) -> float:
    """Best CPU time of `runs` calls (the least disturbed by the other tenants)."""
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


@pytest.fixture(scope="module")
def normal_draft() -> str:
    """Real posts of every kind joined by blank lines, cut to LENGTH characters."""
    posts = load_corpus(DATA_DIR)[::7]
    text = ""
    for post in posts:
        text += post.text + "\n\n"
        if len(text) >= LENGTH:
            break
    return text[:LENGTH]


@pytest.fixture(scope="module")
def normal_cost(analyzer: Analyzer, normal_draft: str) -> float:
    analyzer.analyze(normal_draft)  # warm
    return cpu_seconds(lambda: analyzer.analyze(normal_draft))


def catalogue_patterns(catalogue: Catalogue) -> list[tuple[str, re.Pattern[str]]]:
    """Every regular expression the catalogue runs: family patterns, compliance triggers and
    exemptions, and the removable pressure words."""
    found = [(family.id, pattern) for family in catalogue.families for pattern in family.compiled]
    for rule in catalogue.compliance:
        found += [(rule.id, pattern) for pattern in (*rule.compiled_triggers, *rule.compiled_unless)]
    found += [(f"{family_id} (removable)", pattern) for family_id, pattern in catalogue.removable_words.items()]
    return found


def test_every_catalogue_pattern_scans_an_adversarial_run_in_a_fraction_of_a_normal_analysis(
    catalogue: Catalogue, normal_cost: float
) -> None:
    # a pattern that backtracks over a run costs the square of it: seconds at 10,000 characters,
    # many times a whole analysis; a linear one costs a few milliseconds at most
    worst: list[tuple[float, str, str]] = []
    for family_id, pattern in catalogue_patterns(catalogue):
        for name, unit in PATTERN_RUNS.items():
            text = fill(unit, LENGTH)
            cost = cpu_seconds(lambda: list(pattern.finditer(text)), runs=2)  # noqa: B023 - used at once
            worst.append((cost / normal_cost, family_id, name))
    worst.sort(reverse=True)
    print("worst pattern / normal analysis:", [(round(r, 3), f, n) for r, f, n in worst[:3]])
    assert worst[0][0] <= 0.5, f"{worst[0][1]} on a run of {worst[0][2]} costs {worst[0][0]:.2f}x a normal analysis"


def ratio_to_normal(analyzer: Analyzer, adversarial: str, normal_draft: str, rounds: int = 2, runs: int = 2) -> float:
    """Adversarial ÷ normal CPU time, the lowest of `rounds` interleaved measurements."""
    ratios = []
    for _ in range(rounds):  # interleaved, so both see the same machine
        normal = cpu_seconds(lambda: analyzer.analyze(normal_draft), runs=2)
        ratios.append(cpu_seconds(lambda: analyzer.analyze(adversarial), runs=runs) / normal)
    return min(ratios)


@pytest.mark.parametrize("name", sorted({**RUNS, **SYMBOL_RUNS, **LATER_STEP_RUNS}))
def test_an_adversarial_draft_costs_at_most_three_times_a_normal_draft_of_the_same_length(
    analyzer: Analyzer, normal_draft: str, name: str
) -> None:
    # measured on 2026-12-07 before the tokenizer's pieces and the bounded fix checks: full stops
    # 2.1-5.8x, opening brackets 2.9-8x, mixed punctuation 15-22x; before the bisections and the
    # fold cap, a pushy sentence 13x, a pushy clause 7.8x, 「ﷺ」 3.3x; after: 0.4-1.6x
    adversarial = fill({**RUNS, **SYMBOL_RUNS, **LATER_STEP_RUNS}[name], LENGTH, OPENING)
    assert len(adversarial) == len(normal_draft) == LENGTH
    ratio = ratio_to_normal(analyzer, adversarial, normal_draft)
    print(f"{name}: {ratio:.2f}x a normal draft")
    assert ratio <= 3.0


def test_the_catalogue_has_no_unbounded_repeat_of_digits_or_spaces(catalogue: Catalogue) -> None:
    # the rule the timing test enforces, stated where a reviewer of a new pattern will look
    sources = [pattern.pattern for _, pattern in catalogue_patterns(catalogue)]
    unbounded = re.compile(r"\\[sd](?:[*+]|\{\d*,\})|\[\\d,\][*+]")
    offenders = [source for source in sources if unbounded.search(source)]
    assert not offenders


def test_checking_fixes_re_analyses_a_long_draft_at_most_its_rescores_and_offers_only_checked_fixes(
    analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 「!?」 after 「!?」: dozens of phrases to fix, each fix a whole-draft analysis to check
    text = fill(SYMBOL_RUNS["mixed punctuation"], LENGTH, OPENING)
    checked: list[str] = []
    plain = analyzer.plain_log_odds

    def counting(edited: str) -> dict[Label, float]:
        checked.append(edited)
        return plain(edited)

    monkeypatch.setattr(analyzer, "plain_log_odds", counting)
    report = analyzer.analyze(text)
    assert 0 < len(checked) == rescores(analyzer.document(text).normalized.text) < sum(1 for s in report.suggestions if s.span is not None)
    offered = {text[: s.span.start] + r + text[s.span.end :] for s in report.suggestions if s.span is not None for r in s.replacements}
    assert offered <= set(checked)


def test_a_short_draft_checks_every_fix(analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    # the bound is far above what a post needs: the busiest corpus post checks 35 fixes
    text = "【本日限定】全品50%OFF!!今すぐご来店ください!お早めに!残りわずか!"
    assert rescores(analyzer.document(text).normalized.text) >= RESCORE_CHARS // len(text) > 35
    checked: list[str] = []
    plain = analyzer.plain_log_odds
    monkeypatch.setattr(analyzer, "plain_log_odds", lambda edited: checked.append(edited) or plain(edited))
    report = analyzer.analyze(text)
    fitting = [s for s in report.suggestions if s.span is not None and s.category in HARD_SELL_LABELS]
    assert fitting and len(checked) >= sum(len(s.replacements) for s in fitting)


def test_softening_tries_edits_one_by_one_at_most_its_rescores(analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    text = fill("今すぐ!!お早めに!!\n", LENGTH, OPENING)
    calmed = apply_edits(text, [])
    scored: list[str] = []

    def every_edit_raises(candidate: str) -> dict[Label, float]:  # so each edit is tried alone
        scored.append(candidate)
        return dict.fromkeys(LABELS, 0.0 if candidate == calmed else 1.0)

    monkeypatch.setattr(analyzer, "hard_sell_scores", every_edit_raises)
    report = analyzer.analyze(text)
    assert report.softened_text == calmed  # no edit kept: each one tried raised, the rest were not tried
    assert len(scored) == 2 + rescores(analyzer.document(text).normalized.text)  # all edits together, none, then one by one up to the bound
