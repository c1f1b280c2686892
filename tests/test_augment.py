"""Training-time augmentation: same post, other surface style, reproducible from the post id."""

from __future__ import annotations

from app.training.augment import CLOSINGS, EMOJI, EXCLAMATIONS, with_closing, with_emoji_breaks, with_exclamations, with_hashtags

STORY = "開店して十年。最初のお客様が、今日はお孫さんと来てくれました。本当にうれしい一日でした。また来てね。"


def test_exclamation_copies_are_reproducible_from_the_post_id() -> None:
    assert with_exclamations("a-1", STORY) == with_exclamations("a-1", STORY)
    assert len({with_exclamations(f"a-{i}", STORY) for i in range(20)}) > 5


def test_exclamation_copies_turn_one_to_three_sentence_ends_into_exclamations() -> None:
    for i in range(50):
        copy = with_exclamations(f"id-{i}", STORY)
        assert 1 <= STORY.count("。") - copy.count("。") <= 3
        assert any(mark in copy for mark in EXCLAMATIONS)
        assert copy.replace("。", "").startswith("開店して十年")


def test_a_post_without_full_stops_gets_exclamations_after_its_first_line() -> None:
    copy = with_exclamations("b-1", "新作のパンが焼けました\n#パン屋")
    assert copy.startswith("新作のパンが焼けました") and copy.endswith("\n#パン屋")
    assert copy != "新作のパンが焼けました\n#パン屋"


def test_hashtag_copies_keep_the_text_and_add_a_line_of_tags() -> None:
    copy = with_hashtags("c-1", STORY, 0)
    first, tags = copy.split("\n")
    assert first == STORY and all(tag.startswith("#") for tag in tags.split())


def test_closing_copies_append_one_quiet_line() -> None:
    copy = with_closing("d-1", STORY)
    text, closing = copy.rsplit("\n", 1)
    assert text == STORY and closing in CLOSINGS
    assert copy == with_closing("d-1", STORY)


def test_emoji_copies_add_an_emoji_and_a_line_break_after_one_or_two_sentences() -> None:
    for i in range(30):
        copy = with_emoji_breaks(f"e-{i}", STORY)
        added = [e for e in EMOJI if e in copy]
        assert added and 1 <= copy.count("\n") <= 2
        assert "".join(c for c in copy if c not in EMOJI and c != "\n") == STORY
    assert with_emoji_breaks("e-1", "新作のパン")[:5] == "新作のパン"
