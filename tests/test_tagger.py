"""The phrase tagger: learned from the train split's key phrases, stored as data, and the gate of
the catch-all highlights."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from app.engine import precise
from app.engine.analyze import Analyzer
from app.engine.explain import Phrase
from app.engine.model import ModelLoadError
from app.engine.tagger import TAGGER_FILE, PhraseTagger
from app.labels import HARD_SELL_LABELS
from app.training.tagger import train_posts, train_tagger
from tests.conftest import MODEL_DIR


def test_the_shipped_tagger_is_what_training_on_the_train_split_learns(analyzer: Analyzer) -> None:
    shipped = PhraseTagger.load(MODEL_DIR)
    assert shipped is not None
    again = train_tagger(analyzer, train_posts())
    assert abs(again.intercept - shipped.intercept) < 1e-5
    kept = {name: w for name, w in again.weights.items() if round(w, 6) != 0.0}
    assert kept.keys() == shipped.weights.keys()
    assert max(abs(w - shipped.weights[name]) for name, w in kept.items()) < 1e-5


def test_the_analyzer_serves_with_the_tagger_beside_the_model() -> None:
    assert Analyzer.from_path(MODEL_DIR).tagger is not None


def test_a_model_directory_without_a_tagger_falls_back_to_the_selling_word_gate(tmp_path: Path) -> None:
    target = tmp_path / "model"
    shutil.copytree(MODEL_DIR, target)
    (target / TAGGER_FILE).unlink()
    analyzer = Analyzer.from_path(target)
    assert analyzer.tagger is None
    report = analyzer.analyze("本日限り!全品半額!!今すぐご来店ください")
    assert report.verdict == "hard_sell" and any(s.category in HARD_SELL_LABELS for s in report.spans)


@pytest.mark.parametrize(
    "content",
    ["{", json.dumps({"format": 99, "weights": {}, "intercept": 0}), json.dumps({"format": 1, "weights": {"a": "x"}, "intercept": 0}),
     json.dumps({"format": 1, "weights": {"a": 1.0}, "intercept": float("nan")}), json.dumps([1, 2])],
)
def test_a_corrupt_tagger_is_a_clear_load_error(tmp_path: Path, content: str) -> None:
    (tmp_path / TAGGER_FILE).write_text(content, encoding="utf-8")
    with pytest.raises(ModelLoadError, match="tagger|corrupt|NaN"):
        PhraseTagger.load(tmp_path)


def test_saving_and_loading_keeps_every_weight(tmp_path: Path) -> None:
    tagger = PhraseTagger({"0w=今すぐ": 1.25, "0p=名詞": -0.5}, 0.125)
    tagger.save(tmp_path)
    assert PhraseTagger.load(tmp_path) == tagger


def test_a_catch_all_phrase_is_shown_only_where_the_tagger_marks_a_token_of_it(analyzer: Analyzer) -> None:
    rules = precise.load_highlight_rules()
    text = "このあなた"
    doc = analyzer.document(text)
    prefix = np.linspace(0.0, 2.0, len(doc.normalized.text) + 1)  # every character pushes the label up
    view = precise.TokenView(doc.tokens, prefix)
    phrase = [Phrase(0, len(text), 2.0)]
    floor = rules.catch_all.min_tagger
    shown = precise.refined(phrase, view, prefix, doc.normalized.text, [], [], [], rules, [floor] * len(doc.tokens))
    hidden = precise.refined(phrase, view, prefix, doc.normalized.text, [], [], [], rules, [floor - 0.01] * len(doc.tokens))
    known = precise.refined(phrase, view, prefix, doc.normalized.text, [(0, len(text))], [], [], rules, [0.0] * len(doc.tokens))
    assert shown and not hidden and known


def test_the_tagger_marks_the_selling_words_of_a_pitch_more_than_its_pronouns(analyzer: Analyzer) -> None:
    draft = "まだ迷っているあなたへ。この冬だけの特別価格、今すぐプロフのリンクからお申し込みください!"
    doc = analyzer.document(draft)
    from app.engine import blocks
    from app.engine.tagger import context_for

    assert analyzer.tagger is not None
    scored = blocks.scored(analyzer.model, analyzer.model.encode(doc), every_block=True)
    probabilities = analyzer.tagger.probabilities(context_for(doc, scored, analyzer.family_matches(doc.normalized.text)))
    by_surface = {t.surface: p for t, p in zip(doc.tokens, probabilities)}
    assert min(by_surface["今"], by_surface["すぐ"], by_surface["特別"], by_surface["だけ"]) > 0.5
    assert by_surface["あなた"] < 0.5 and by_surface["。"] < 0.5


def test_probabilities_on_request_equal_the_full_pass_and_are_computed_only_when_asked(analyzer: Analyzer) -> None:
    from app.engine import blocks
    from app.engine.tagger import TokenProbabilities, context_for

    draft = "＼本日限り／全品半額!!まだ迷っているあなたへ。この冬だけの特別価格、今すぐプロフのリンクから!"
    doc = analyzer.document(draft)
    scored = blocks.scored(analyzer.model, analyzer.model.encode(doc), every_block=True)
    context = context_for(doc, scored, analyzer.family_matches(doc.normalized.text))
    assert analyzer.tagger is not None
    every = analyzer.tagger.probabilities(context)
    lazy = analyzer.tagger.on_request(context)
    assert isinstance(lazy, TokenProbabilities)
    assert lazy[3] == every[3] and len(lazy._known) == 1  # one token asked, one computed
    assert [lazy[k] for k in range(len(doc.tokens))] == every
