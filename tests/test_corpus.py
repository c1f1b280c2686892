"""The training corpus: valid, broad, not templated, free of near-duplicates, split by group."""

from __future__ import annotations

from collections import Counter

import pytest

from app.training.corpus import HARD_NEGATIVE_KINDS, Kind, Post, load_corpus, near_duplicates
from app.training.splits import assign_splits, paraphrase_groups
from tests.conftest import DATA_DIR


@pytest.fixture(scope="module")
def posts() -> list[Post]:
    return load_corpus(DATA_DIR)


def _share(posts: list[Post], kinds: set[Kind] | frozenset[Kind]) -> float:
    return sum(p.kind in kinds for p in posts) / len(posts)


def test_corpus_has_at_least_4000_posts(posts: list[Post]) -> None:
    assert len(posts) >= 4000


def test_corpus_has_no_near_duplicates(posts: list[Post]) -> None:
    assert near_duplicates(posts, threshold=0.8) == []


def test_corpus_spans_thirty_domains_and_five_platforms(posts: list[Post]) -> None:
    assert len({p.domain for p in posts}) >= 30
    assert {p.platform for p in posts} == {"x", "instagram", "facebook", "line", "blog"}


def test_corpus_covers_short_and_long_posts(posts: list[Post]) -> None:
    lengths = [len(p.text) for p in posts]
    assert min(lengths) <= 20
    assert max(lengths) >= 600


def test_hard_negatives_are_at_least_35_percent(posts: list[Post]) -> None:
    assert _share(posts, HARD_NEGATIVE_KINDS) >= 0.35


def test_subtle_pressure_and_obfuscated_forms_have_their_share(posts: list[Post]) -> None:
    assert _share(posts, {Kind.SUBTLE_PRESSURE}) >= 0.10
    assert _share(posts, {Kind.OBFUSCATED}) >= 0.05


def test_templated_posts_are_at_most_15_percent(posts: list[Post]) -> None:
    assert sum(p.source == "template" for p in posts) / len(posts) <= 0.15


def test_every_label_has_positives_and_negatives(posts: list[Post]) -> None:
    for label in ("discount_spam", "pushy_pitch", "story"):
        counts = Counter(getattr(p, label) for p in posts)
        assert counts[0] > 0.2 * len(posts) and counts[1] > 0.1 * len(posts)


def test_paraphrase_groups_never_straddle_splits(posts: list[Post]) -> None:
    splits = assign_splits(posts)
    groups = paraphrase_groups(posts)
    by_group: dict[str, set[str]] = {}
    for post in posts:
        by_group.setdefault(groups[post.id], set()).add(splits[post.id])
    assert all(len(s) == 1 for s in by_group.values())


def test_splits_are_roughly_70_15_15(posts: list[Post]) -> None:
    counts = Counter(assign_splits(posts).values())
    assert 0.62 <= counts["train"] / len(posts) <= 0.78
    assert 0.10 <= counts["test"] / len(posts) <= 0.20


def test_data_card_is_up_to_date(posts: list[Post]) -> None:
    from app.training.datacard import CARD, render

    assert CARD.read_text(encoding="utf-8") == render(posts), "run `python -m app.training.datacard`"


def test_every_discount_spam_post_names_a_deal_among_its_key_phrases(posts: list[Post]) -> None:
    from app.training.consistency import violations

    wrong = [v for v in violations(posts) if v.rule == "deal_without_deal_phrase"]
    assert wrong == [], f"{len(wrong)} posts, e.g. {wrong[:5]}"


def test_no_key_phrase_is_a_bare_date_time_price_or_count(posts: list[Post]) -> None:
    from app.training.consistency import violations

    wrong = [v for v in violations(posts) if v.rule == "bare_fact_key_phrase"]
    assert wrong == [], f"{len(wrong)} key phrases, e.g. {wrong[:5]}"


def test_long_form_genres_are_written_on_both_sides(posts: list[Post]) -> None:
    long_form = [p for p in posts if len(p.text) >= 800]
    assert len(long_form) >= 300
    assert sum(p.hard_sell for p in long_form) >= 60
    assert sum(not p.hard_sell for p in long_form) >= 150
    for kind in (Kind.ARTICLE, Kind.REFERENCE, Kind.NEWS):
        assert sum(p.kind == kind for p in posts) >= 60, kind


def test_the_corpus_key_phrases_are_the_first_pass_plus_what_the_second_pass_found(posts: list[Post]) -> None:
    from app.training.agreement import read_key_phrase_rows, second_pass_additions
    from app.training.consistency import bare_fact

    by_id = {p.id: p for p in posts}
    rows = read_key_phrase_rows()
    assert {r.id for r in rows} == {p.id for p in posts if p.hard_sell}, "every hard sell had a second pass"
    for row in rows:
        post = by_id[row.id]
        expected = list(row.first) + second_pass_additions(post.text, row, lambda phrase: bare_fact(phrase) is not None)
        assert post.key_phrases == expected, row.id


def test_a_second_pass_phrase_that_recuts_a_first_phrase_is_the_same_finding() -> None:
    from app.training.agreement import KeyPhraseRow, key_phrase_agreement, second_pass_additions

    text = "本日限り!全品半額!今すぐご来店ください。12/31まで。"
    row = KeyPhraseRow("x", ("本日限り", "全品半額"), ("本日限り!", "半額", "今すぐご来店ください", "12/31まで"))
    added = second_pass_additions(text, row, lambda phrase: phrase == "12/31まで")
    assert added == ["今すぐご来店ください"]
    result = key_phrase_agreement([row], {"x": text}, lambda phrase: phrase == "12/31まで")
    assert (result.first_matched, result.first, result.second_matched, result.second, result.added) == (2, 2, 2, 4, 1)
