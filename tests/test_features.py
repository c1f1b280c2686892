"""Features: character n-grams found by integer key are exactly the n-grams training counted."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine import _kernel
from app.engine.analyze import Analyzer
from app.engine.features import MAX_KEYED_NGRAM, gram_keys
from app.engine.model import VOCABULARY_FILE, WEIGHTS_FILE, LinearModel
from app.engine.tokenize import Token
from app.training.corpus import load_corpus
from tests.conftest import DATA_DIR, MODEL_DIR

grams = st.text(min_size=1, max_size=MAX_KEYED_NGRAM)
drafts = st.text(alphabet=st.sampled_from(list("今だけ全品半額50%offｾｰﾙ!?👍🏽\n 「」")) | st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40)


@given(grams, grams)
def test_two_grams_share_a_key_only_when_they_are_the_same_gram(a: str, b: str) -> None:
    keys = gram_keys([a, b])
    assert keys is not None
    assert (keys[0] == keys[1]) == (a == b)


def test_grams_longer_than_three_characters_have_no_keys() -> None:
    assert gram_keys(["セール", "セールス"]) is None


@given(drafts)
def test_document_keys_are_the_keys_of_its_character_terms(analyzer: Analyzer, text: str) -> None:
    doc = analyzer.document(text)
    keys = gram_keys(doc.char_terms)
    assert keys is not None
    assert np.array_equal(keys, doc.char_keys)


@pytest.fixture(scope="module")
def char_columns() -> tuple[dict[str, int], np.ndarray]:
    """The shipped vocabulary's character terms → column, and per column [idf, coef per label]."""
    vocabulary = json.loads((MODEL_DIR / VOCABULARY_FILE).read_text(encoding="utf-8"))
    words = len(vocabulary["word"])
    with np.load(MODEL_DIR / WEIGHTS_FILE, allow_pickle=False) as npz:
        table = np.column_stack((npz["idf"][words:], npz["coef"][:, words:].T))
    return {t: i for i, t in enumerate(vocabulary["char"])}, table


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drafts)
def test_lookup_by_key_finds_each_gram_s_own_weights(
    analyzer: Analyzer, model: LinearModel, char_columns: tuple[dict[str, int], np.ndarray], text: str
) -> None:
    columns, table = char_columns
    doc = analyzer.document(text)
    rows, kept = model.chars.rows_of_keys(doc.char_keys)
    terms = doc.char_terms
    assert [t in columns for t in terms] == kept.tolist()
    expected = table[[columns[t] for t, k in zip(terms, kept) if k]].reshape(-1, table.shape[1])
    assert np.array_equal(model.table[len(model.words) + rows], expected)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drafts)
def test_compiled_scorer_equals_the_numpy_reference(analyzer: Analyzer, model: LinearModel, text: str) -> None:
    _assert_same_parts(analyzer, model, text)


def test_compiled_scorer_equals_the_numpy_reference_on_the_corpus(analyzer: Analyzer, model: LinearModel) -> None:
    for post in load_corpus(DATA_DIR)[::25]:
        _assert_same_parts(analyzer, model, post.text)


def _assert_same_parts(analyzer: Analyzer, model: LinearModel, text: str) -> None:
    doc = analyzer.document(text)
    compiled = model.linear_parts(doc, detail=True)
    reference = model.linear_parts(doc, detail=True, compiled=False)
    np.testing.assert_allclose(compiled.margins, reference.margins, rtol=0, atol=1e-12)
    assert np.array_equal(compiled.starts, reference.starts) and np.array_equal(compiled.ends, reference.ends)
    np.testing.assert_allclose(compiled.contributions, reference.contributions, rtol=0, atol=1e-12)
    brief = model.linear_parts(doc, detail=False)
    np.testing.assert_allclose(brief.margins, reference.margins, rtol=0, atol=1e-12)
    assert brief.starts.size == 0 and brief.contributions.size == 0


@pytest.mark.parametrize("keys", [[3, 2], [2, 2], [0, 5]], ids=["unsorted", "repeated", "zero"])
def test_the_compiled_key_index_refuses_keys_it_could_not_find_again(keys: list[int]) -> None:
    with pytest.raises(ValueError, match="sorted, distinct and non-zero"):
        _kernel.index(np.array(keys, dtype=np.int64))


@given(st.sets(st.integers(min_value=1, max_value=2**62), max_size=200))
def test_the_compiled_key_index_finds_every_key_at_its_sorted_position(keys: set[int]) -> None:
    """Every key sits in exactly one slot, paired with its position in the sorted keys."""
    ordered = np.array(sorted(keys), dtype=np.int64)
    index = np.frombuffer(_kernel.index(ordered), dtype=np.int64).reshape(-1, 2)
    used = index[index[:, 0] != 0]
    assert sorted(used[:, 0].tolist()) == ordered.tolist()
    assert all(ordered[position] == key for key, position in used.tolist())


def _assert_same_encoding(analyzer: Analyzer, model: LinearModel, text: str) -> None:
    doc = analyzer.document(text)
    compiled, reference = model.encode(doc), model.encode(doc, compiled=False)
    assert compiled.word_rows.tolist() == reference.word_rows.tolist()
    assert compiled.word_starts.tolist() == reference.word_starts.tolist()
    assert compiled.word_ends.tolist() == reference.word_ends.tolist()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drafts)
def test_word_terms_found_from_tokens_in_c_equal_the_string_terms_looked_up(analyzer: Analyzer, model: LinearModel, text: str) -> None:
    _assert_same_encoding(analyzer, model, text)


def test_word_terms_found_from_tokens_in_c_equal_the_string_terms_on_the_corpus(analyzer: Analyzer, model: LinearModel) -> None:
    for post in load_corpus(DATA_DIR)[::7]:
        _assert_same_encoding(analyzer, model, post.text)


def test_a_word_term_is_found_only_when_every_code_point_matches() -> None:
    """The lookup is exact: a term missing from the vocabulary is not found, whatever its hash."""
    index = _kernel.word_index(["w:今", "w:すぐ", "b:今 すぐ", "w:<num>"])
    tokens = [Token("今", "今", "名詞", 0, 1), Token("すぐ", "すぐ", "副詞", 1, 3), Token("5", "5", "名詞", 3, 4), Token("個", "個", "接尾辞", 4, 5)]
    rows, starts, ends = (np.frombuffer(part, dtype=np.int64).tolist() for part in _kernel.word_rows(tokens, "空白", "名詞", *index, 8))
    assert rows == [0, 1, 3, 2]  # 今, すぐ, <num>, then the bigram 今 すぐ (個 and the other bigrams are unknown)
    assert list(zip(starts, ends)) == [(0, 1), (1, 3), (3, 4), (0, 3)]
