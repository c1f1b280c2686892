"""Long drafts are also read block by block, so a blast after a long story is still a blast."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine import blocks
from app.engine.analyze import Analyzer
from app.engine.blocks import BLOCK_CHARS, LONG_CHARS, block_ranges
from app.labels import HARD_SELL_LABELS, Verdict
from app.training.corpus import load_corpus
from app.training.splits import Split, assign_splits
from tests.conftest import DATA_DIR

LONG_STORY = (
    "パン屋を始めて今年で十二年になります。最初の年は、朝四時に起きても思うように生地が膨らまず、"
    "売れ残ったパンを近所の保育園に届けて回る毎日でした。そんなとき、毎朝同じ時間に来てくださる"
    "おばあさんが「ここのあんぱんは、亡くなった主人が好きだった味に似ているの」と話してくれました。"
    "その言葉がうれしくて、あんこを炊く時間を少しずつ延ばし、豆の産地も何度か変えてみました。"
    "おばあさんは去年、娘さんの住む町へ引っ越していきましたが、先月お孫さんと一緒に顔を見せて"
    "くださり、「やっぱりこの味ね」と笑ってくれました。焼き続けてきて本当によかったと思います。"
)
BLAST = "本日限り全品半額!今すぐご来店ください!残りわずかです!"
sentences = st.lists(st.text(alphabet=st.sampled_from(list("今日はパンを焼いたよ店が好き半額セール")), min_size=1, max_size=60), max_size=12)


def test_short_drafts_are_one_block() -> None:
    assert block_ranges("短い投稿です。" * 3) == []


@given(sentences, st.sampled_from(["。", "!", "\n", "?"]))
def test_blocks_cover_a_long_text_in_order_with_one_sentence_of_overlap(parts: list[str], end: str) -> None:
    text = (end.join(parts) + end) * 4
    ranges = block_ranges(text)
    if len(text) < LONG_CHARS:
        assert ranges == []
        return
    assert ranges, text
    assert text[: ranges[0][0]].strip(" 。!?\n") == ""
    assert text[ranges[-1][1] :].strip() == ""
    for (a, b), (c, d) in zip(ranges, ranges[1:]):
        assert a < c < b <= d  # the next block starts inside this one (the repeated sentence)


def test_a_block_is_at_most_about_one_x_post_unless_one_sentence_is_longer() -> None:
    text = LONG_STORY + "\n\n" + BLAST
    for a, b in block_ranges(text):
        assert b - a <= 2 * BLOCK_CHARS


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=len(LONG_STORY) - 40))
def test_a_block_is_the_slice_of_the_encoded_draft_with_the_word_occurrences_inside(analyzer: Analyzer, start: int) -> None:
    doc = analyzer.document(LONG_STORY)
    end = start + 40
    encoded = analyzer.model.encode(doc)
    block = encoded.part(start, end)
    assert block.text == doc.normalized.text[start:end]
    terms, starts, ends = doc.word_occurrences()
    rows, kept = analyzer.model.words.rows_of_terms(terms)
    regions = zip(rows.tolist(), starts[kept].tolist(), ends[kept].tolist())
    inside = [(r, a - start, b - start) for r, a, b in regions if start <= a and b <= end]
    assert list(zip(block.word_rows.tolist(), block.word_starts.tolist(), block.word_ends.tolist())) == inside


def test_a_blast_after_a_long_story_is_a_hard_sell_with_its_phrases_highlighted(analyzer: Analyzer) -> None:
    assert analyzer.analyze(LONG_STORY).verdict == Verdict.OK
    draft = LONG_STORY + "\n\n" + BLAST
    report = analyzer.analyze(draft)
    assert report.verdict == Verdict.HARD_SELL
    blast_at = draft.index(BLAST)
    flagged = [s for s in report.spans if s.category in HARD_SELL_LABELS]
    assert flagged and all(s.start >= blast_at for s in flagged)
    assert any("半額" in s.text for s in flagged)


def test_most_hard_sells_stay_flagged_behind_a_long_story(analyzer: Analyzer) -> None:
    posts = load_corpus(DATA_DIR)
    splits = assign_splits(posts)
    hard = [p for p in posts if splits[p.id] == Split.TEST and p.hard_sell]
    flagged = [analyzer.analyze(LONG_STORY + "\n\n" + p.text).verdict != Verdict.OK for p in hard]
    # measured 0.89; whole-draft scoring alone: 0.61 (blocks outvote the draft only when clearly hard sells)
    assert sum(flagged) / len(flagged) >= 0.8


@given(sentences, st.sampled_from(["。", "!", "\n", "?"]))
def test_sections_tile_a_long_text_in_order_without_overlap(parts: list[str], end: str) -> None:
    from app.engine.blocks import section_ranges

    text = (end.join(parts) + end) * 4
    sections = section_ranges(text)
    assert len(sections) == len(block_ranges(text))
    for (a, b), (c, d) in zip(sections, sections[1:]):
        assert a < b <= c < d
        assert text[b:c].strip(" 。!?\n") == ""  # only sentence ends and blank text between them


def test_a_long_story_that_ends_in_a_blast_reports_a_fine_story_and_a_pushing_end(analyzer: Analyzer) -> None:
    text = LONG_STORY + "\n\n" + BLAST
    report = analyzer.analyze(text)
    assert report.verdict == Verdict.HARD_SELL
    assert report.sections[0].verdict == Verdict.OK
    assert report.sections[-1].verdict == Verdict.HARD_SELL
    assert BLAST in report.sections[-1].text
    for section in report.sections:
        assert text[section.start : section.end] == section.text


def test_no_section_reads_worse_than_the_whole_draft(analyzer: Analyzer) -> None:
    essay = (
        "SNSの相談を受けていると、毎日「本日限り!全品半額!!急いで!」のような投稿を続けて、"
        "フォロワーが減っていくお店によく出会います。値引きの告知そのものが悪いわけではありません。"
        "ただ、毎回それだけだと、読む人には「また安売りの宣伝か」としか映らなくなります。"
        "あるパン屋さんは、告知をやめて、仕込みの様子や常連さんとの会話を書くようにしたところ、"
        "半年で来店のきっかけが投稿だという方が増えたそうです。急かす言葉より、お店の人の顔が見える言葉のほうが、"
        "長く読まれるのだと思います。"
    )
    report = analyzer.analyze(essay)
    rank = {Verdict.OK: 0, Verdict.CAUTION: 1, Verdict.HARD_SELL: 2}
    assert report.sections
    assert all(rank[s.verdict] <= rank[report.verdict] for s in report.sections)


def test_a_short_draft_has_no_sections(analyzer: Analyzer) -> None:
    assert analyzer.analyze(BLAST).sections == []



FIRST_PITCH = "本日限り全品半額!今すぐご来店ください!残りわずかです!お急ぎください!"
SECOND_PITCH = "冬物コート全品70%OFF!在庫がなくなり次第終了です!この機会をお見逃しなく!今すぐご来店ください!売り切れ御免!早い者勝ちです!"


def test_every_block_that_is_a_hard_sell_has_its_phrases_highlighted_not_only_the_deciding_one(analyzer: Analyzer) -> None:
    text = LONG_STORY + FIRST_PITCH + LONG_STORY + SECOND_PITCH
    report = analyzer.analyze(text)
    marked = [(s.start, s.end) for s in report.spans if s.category in HARD_SELL_LABELS]
    assert report.verdict == Verdict.HARD_SELL
    for pitch in (FIRST_PITCH, SECOND_PITCH):
        at = text.index(pitch)
        assert any(at <= a and b <= at + len(pitch) for a, b in marked), (pitch, [s.text for s in report.spans])


def test_reading_every_block_changes_no_probability(analyzer: Analyzer) -> None:
    encoded = analyzer.model.encode(analyzer.document(LONG_STORY + FIRST_PITCH + LONG_STORY + SECOND_PITCH))
    every = blocks.scored(analyzer.model, encoded, every_block=True)
    assert every.probabilities == blocks.scored(analyzer.model, encoded).probabilities
    assert every.starts.size > blocks.scored(analyzer.model, encoded).starts.size
