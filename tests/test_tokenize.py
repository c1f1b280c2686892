"""The real fugashi tokenizer returns plain records whose offsets slice the text exactly."""

from __future__ import annotations

from pathlib import Path

import fugashi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine import _kernel
from app.engine.tokenize import MAX_RUN, Token, Tokenizer, char_categories

JAPANESE = st.text(
    alphabet=st.sampled_from(list("今だけ全品半額のパンを焼きました。お客様「ありがとう」!? 50%offセール\n、,\"'👍🏽👨‍👩‍👧ｾｰﾙ")),
    max_size=50,
)


def test_tokenize_returns_lemma_and_part_of_speech(tokenizer: Tokenizer) -> None:
    tokens = tokenizer.tokenize("買ってください")
    assert tokens[0].surface == "買っ"
    assert tokens[0].lemma == "買う"
    assert tokens[0].pos == "動詞"


def test_tokenize_handles_quoted_comma_features(tokenizer: Tokenizer) -> None:
    tokens = tokenizer.tokenize("a,b、c")
    assert [t.surface for t in tokens] == ["a", ",", "b", "、", "c"]


@settings(max_examples=150)
@given(JAPANESE)
def test_token_offsets_slice_the_text(tokenizer: Tokenizer, text: str) -> None:
    previous_end = 0
    for token in tokenizer.tokenize(text):
        assert text[token.start : token.end] == token.surface
        assert token.start >= previous_end
        previous_end = token.end


@settings(max_examples=150)
@given(JAPANESE)
def test_printed_fields_read_the_same_tokens_as_the_node_reader(tokenizer: Tokenizer, text: str) -> None:
    assert tokenizer.tokenize(text) == tokenizer.tokenize_by_node(text)


def test_printed_fields_read_the_same_tokens_as_the_node_reader_on_the_corpus(tokenizer: Tokenizer) -> None:
    from app.engine.normalize import normalize
    from app.training.corpus import load_corpus
    from tests.conftest import DATA_DIR

    texts = [normalize(p.text).text for p in load_corpus(DATA_DIR)[::5]]
    assert [t for t in texts if tokenizer.tokenize(t) != tokenizer.tokenize_by_node(t)] == []


@pytest.mark.parametrize(
    ("printed", "text"),
    [
        ("パン\tパン\t名詞\nEO", "パン"),  # cut short before EOS
        ("\tパン\t名詞\nEOS", "パン"),  # a line without a surface
        ("パン\tパン\nEOS", "パン"),  # two fields
        ("パン\tパン\t名詞\t余分\nEOS", "パン"),  # four fields
        ("ケーキ\tケーキ\t名詞\nEOS", "パン"),  # a surface the text does not hold
    ],
)
def test_printed_output_that_does_not_read_as_expected_is_refused_so_the_node_reader_takes_over(printed: str, text: str) -> None:
    assert _kernel.tokens(printed, text, Token) is None


def test_printed_output_finds_each_surface_after_skipped_white_space() -> None:
    tokens = _kernel.tokens("パン\tパン\t名詞\nを\tを\t助詞\nEOS", "パン　 を", Token)
    assert tokens == [Token("パン", "パン", "名詞", 0, 2), Token("を", "を", "助詞", 4, 5)]
    assert _kernel.tokens("EOS", "", Token) == []


LONG_RUNS = st.lists(
    st.tuples(st.sampled_from(["!?。、", "「", "。", "🔥", "a", "1", "ア", "━", "今だけ", " ", "\n"]), st.integers(1, 700)),
    min_size=1,
    max_size=4,
)


@settings(max_examples=40, deadline=None)
@given(LONG_RUNS)
def test_a_text_with_long_runs_is_parsed_in_pieces_whose_offsets_still_slice_the_text(
    tokenizer: Tokenizer, runs: list[tuple[str, int]]
) -> None:
    text = "".join(unit * count for unit, count in runs)
    tokens = tokenizer.tokenize(text)
    assert all(text[t.start : t.end] == t.surface for t in tokens)
    assert all(a.end <= b.start for a, b in zip(tokens, tokens[1:]))
    assert "".join(t.surface for t in tokens) == "".join(text.split())
    assert tokens == tokenizer.tokenize_by_node(text)


def test_a_run_of_grouped_characters_is_cut_every_max_run_characters_from_its_start(tokenizer: Tokenizer) -> None:
    text = "今だけ" + "!?。、" * 200 + "です"  # 「だけ」 is hiragana, 「!?。、」 all symbols, 「です」 hiragana again
    assert [len(piece) for piece in tokenizer.pieces(text)] == [3 + MAX_RUN, MAX_RUN, MAX_RUN, 800 - 3 * MAX_RUN + 2]
    # white space is skipped once, never scanned: a long run of it stays whole, as do short runs
    assert tokenizer.pieces(" " * 2000 + "a" * MAX_RUN) == [" " * 2000 + "a" * MAX_RUN]


def test_no_corpus_post_has_a_run_long_enough_to_be_cut_so_its_parse_is_unchanged(tokenizer: Tokenizer) -> None:
    from app.engine.normalize import normalize
    from app.training.corpus import load_corpus
    from tests.conftest import DATA_DIR

    texts = [normalize(p.text).text for p in load_corpus(DATA_DIR)]
    assert [t for t in texts if tokenizer.pieces(t) != [t]] == []


def test_the_character_categories_are_mecabs(tokenizer: Tokenizer) -> None:
    categories = char_categories(Path(fugashi.Tagger().dictionary_info[0]["filename"]).with_name("char.bin"))
    assert categories.shape == (0x10000,)
    assert categories[ord("!")] & categories[ord("。")]  # both symbols: one run
    assert not categories[ord("a")] & categories[ord("。")]
    assert categories[0xFFFF] == categories[0]  # what MeCab reads for a character beyond U+FFFF


def test_a_file_that_is_not_a_char_bin_is_refused_with_its_name(tmp_path: Path) -> None:
    broken = tmp_path / "char.bin"
    broken.write_bytes(b"\x01\x00\x00\x00" + b"x" * 40)
    with pytest.raises(ValueError, match="char.bin"):
        char_categories(broken)
