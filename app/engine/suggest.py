"""From flagged spans to advice: catalogue lookup per phrase and one post-level tip."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from app.engine.catalogue import Catalogue, Fallback, Family, Lang
from app.engine.explain import URL
from app.engine.features import Document
from app.engine.neutral import load_neutral_words
from app.engine.regions import Regions
from app.engine.soften import is_name
from app.engine.tokenize import Token
from app.labels import Label
from app.schemas import Span, Suggestion, TextRange

_NUMBER = re.compile(r"[0-9０-９][0-9０-９,，.．]*")
_QUANTITY = re.compile(r"[0-9０-９]+\s*(?:名様|名|個|枠|点|席|台|組|セット|本|着|部|杯|食|室|区画|口)")
_EDGE_PUNCT = "!！‼⁉❗❕?？。、・ 　【】《》≪≫<>＜＞＼／\\/"
_SUBJECT_POS = frozenset({"名詞"})
# Words of the platform itself, never what a post is about (「プロフのリンクから」).
_PLATFORM_NOUNS = frozenset(
    {"プロフ", "プロフィール", "リンク", "フォロー", "フォロワー", "アカウント", "コメント", "メッセージ", "ストーリー",
     "ストーリーズ", "ポスト", "タイムライン", "ハイライト", "投稿", "詳細", "概要欄", "dm"}
)
# Nouns of time, degree and pressure that open or close a run without naming anything
# (「以前サロン」「通常料金」「ＬＩＮＥ友だち限定」).
_NOT_NAMES = frozenset(
    {"以前", "一度", "今", "今回", "今期", "今月", "今年", "今日", "本日", "今週", "今夜", "通常", "限定", "最後", "最新",
     "ラスト", "ﾗｽﾄ", "先着", "残り", "早い者勝ち"}
)
_JOINING_GAPS = frozenset({"", " ", "\u3000"})  # what may stand between two words of one name
_LINKS = re.compile(URL.pattern + r"|@[a-z0-9_.]+")  # on the folded (lower-case) text
# Nouns that name the reader's action, not the product (「購入」「予約」...): never the subject.
_ACTION_NOUNS = frozenset(
    {"購入", "予約", "来店", "申込", "申し込み", "注文", "登録", "参加", "応募", "利用", "開催", "実施", "販売",
     "発売", "確認", "チェック", "フォロー", "リツイート", "拡散", "連絡", "問い合わせ", "相談"}
)



@dataclass(frozen=True)
class FamilyMatch:
    """The catalogue entry for a span and the part of the span its pattern matched."""

    entry: Family | Fallback
    core: str  # original text of the match (the whole span for fallbacks)


def folded_range(doc: Document, span: Span) -> tuple[int, int]:
    """The folded-text range whose characters come from the original span."""
    return doc.normalized.to_folded(span.start, span.end)


def match_family(
    span: Span, doc: Document, catalogue: Catalogue, hits: Mapping[str, Regions] | None = None
) -> FamilyMatch:
    """The family whose pattern covers most of the span (catalogue order breaks ties).

    `hits` (where each family matches the whole draft, from `Analyzer.family_matches`) spares
    the search for families that cannot match: a pattern that matches inside the span also
    matches the draft at an overlapping place, unless it looks outside its match (anchors, word
    boundaries), and such families are always searched."""
    fs, fe = folded_range(doc, span)
    folded = doc.normalized.text[fs:fe]
    best: FamilyMatch = FamilyMatch(catalogue.fallbacks[span.category], span.text)
    best_cover = 0
    for family in catalogue.families_for(span.category):
        if hits is not None and not family.context_sensitive and not hits[family.id].overlaps(fs, fe):
            continue
        if family.screen.search(folded) is None:
            continue
        for pattern in family.compiled:
            for match in pattern.finditer(folded):
                cover = len(match.group().strip())
                if cover > best_cover:
                    a, b = doc.normalized.to_original(fs + match.start(), fs + match.end())
                    best, best_cover = FamilyMatch(family, doc.normalized.original[a:b].strip()), cover
    return best


def _range_of(span: Span) -> TextRange:
    """The bare range of a span (built field by field: this runs for every flagged phrase)."""
    return TextRange(
        start=span.start, end=span.end, start_utf16=span.start_utf16, end_utf16=span.end_utf16, text=span.text
    )


_DAY = re.compile(r"本日|今日|明日|明後日|今夜|今晩|今週末|今週|来週|週末|今月末|今月|月末|年内|年末|[月火水木金土日]曜日?")
_HEADING_OPENERS = "【＼《≪[■◆▼◇□●"
_NOT_NAME_WORDS = re.compile("|".join(sorted(_NOT_NAMES, key=len, reverse=True)))
Slot = str  # "clause" | "heading" | "hashtag"


def slot_of(original: str, start: int, end: int) -> Slot:
    """Where a phrase stands: in a hashtag (only a tag or nothing may replace it), inside a heading
    (【】, ＼／, ■: a short heading), or in a clause of a sentence."""
    text = original[start:end]
    before = original[start - 1] if start > 0 else ""
    if (text[:1] and text[:1] in "#＃") or (before and before in "#＃"):
        return "hashtag"
    line_start = original.rfind("\n", 0, start) + 1
    lead = original[line_start:start].strip()
    if (before and before in _HEADING_OPENERS) or (text[:1] and text[:1] in _HEADING_OPENERS) or (lead and lead[0] in "■◆▼◇□●" and len(lead) <= 2):
        return "heading"
    return "clause"


def _names_something(phrase: str) -> bool:
    """Whether the phrase names a product, place or person (not only the letters of selling: DM, OFF,
    nor words of time and pressure: 「本日限定」 is four kanji but names nothing, its day is a slot)."""
    selling = load_neutral_words().selling_letters
    words = re.sub(r"[A-Za-zＡ-Ｚａ-ｚ]+", lambda m: "" if m.group().casefold() in selling else m.group(), phrase)
    words = _NOT_NAME_WORDS.sub("", _DAY.sub("", words))
    return is_name(words)


def render_replacements(
    templates: list[str], core: str, pressure: re.Pattern[str] | None = None, ends_inflected: bool = False
) -> list[str]:
    """Fill {span} (the flagged phrase, pressure punctuation removed), {n} (its first number),
    {qty} (its first number with its counter, e.g. 5名様) and {deadline} (the day it names); skip
    templates the phrase cannot fill, and any that would lose a number or a day of the phrase."""
    calm = core.strip(_EDGE_PUNCT) or core
    if pressure is not None:
        calm = pressure.sub("", calm).strip(_EDGE_PUNCT) or calm
    numbers = _NUMBER.findall(core)
    quantity = _QUANTITY.search(core)
    day = _DAY.search(core)
    rendered: list[str] = []
    for template in templates:
        if ("{n}" in template and not numbers) or ("{qty}" in template and not quantity):
            continue
        if ("{deadline}" in template and not day) or (day and "{span}" not in template and "{deadline}" not in template):
            continue
        if "{span}" not in template and template and _names_something(calm):
            continue  # 「このクオリティでこの値段は今だけ」: a fixed sentence would drop what it names
        text = _without_doubled_copula(template, calm, ends_inflected).replace("{n}", numbers[0] if numbers else "")
        text = text.replace("{qty}", quantity.group() if quantity else "").replace("{deadline}", day.group() if day else "")
        if any(number not in text for number in numbers) or text == core or text in rendered:
            continue
        rendered.append(text)
    return rendered


_ENDINGS = ("です", "でした", "ます", "ました")


def _without_doubled_copula(template: str, calm: str, ends_inflected: bool = False) -> str:
    """{span} filled in; a phrase that already ends a sentence (「…当たります」, or a verb or adjective
    in its plain form: 「…当たる」) keeps its own ending and the template's 「です」 after it goes (not
    「当たりますです」「当たるです」)."""
    head, found, rest = template.partition("{span}")
    if found and (calm.endswith(_ENDINGS) or ends_inflected):
        ending = next((e for e in sorted(_ENDINGS, key=len, reverse=True) if rest.startswith(e)), None)
        if ending is not None:
            rest = rest[len(ending) :]
    return (head + calm + rest).replace("{span}", calm) if found else template
_OPENS = "。、!！?？\n 　】／》≫])）" + _HEADING_OPENERS  # after a heading closes, a clause begins
_CLOSES = "。、!！?？\n 　)）】／》≫]"


def stands_alone(original: str, start: int, end: int) -> bool:
    """Whether the phrase is a whole clause: a sentence written in its place still reads (not
    「としてハンドケアを30%OFFに」, whose sentence goes on before and after it)."""
    left = original[start - 1] if start > 0 else ""
    right = original[end] if end < len(original) else ""
    opens = not left or left in _OPENS or unicodedata.category(left) == "So"
    closes = not right or right in _CLOSES or unicodedata.category(right) == "So" or original.startswith(_ENDINGS, end)
    return opens and closes


def without_doubled_ending(replacement: str, following: str) -> str | None:
    """「…20倍です」 before the draft's own 「です」 would read 「ですです」: the draft's ending stays.
    None when the two endings differ (「5名までです」 before 「ます」): no replacement fits there."""
    if not following.startswith(_ENDINGS):
        return replacement
    ending = next((e for e in sorted(_ENDINGS, key=len, reverse=True) if replacement.endswith(e)), None)
    if ending is None:
        return None  # 「…OFFにしています」+「です」 or a removal before 「です」: the sentence would break
    if following.startswith(ending):
        return replacement[: -len(ending)]
    return None


def slot_replacements(
    entry: Family | Fallback,
    original: str,
    start: int,
    end: int,
    pressure: re.Pattern[str] | None = None,
    ends_inflected: bool = False,
) -> list[str]:
    """The replacements that fit where the phrase stands (see `slot_of`): a hashtag can only go; a
    heading takes a short heading; a clause takes a clause, and a phrase that is no whole clause
    takes none (a sentence dropped into the middle of one reads broken)."""
    slot = slot_of(original, start, end)
    if slot == "hashtag":
        return [""]
    if slot == "heading":
        templates = entry.heading if isinstance(entry, Family) else []
        return [r for r in render_replacements(templates, original[start:end], pressure) if r]
    if not any(char.isalnum() for char in original[start:end]):
        return render_replacements(entry.replacements, original[start:end], pressure)  # 「!!」→「。」 fits anywhere
    if not stands_alone(original, start, end):
        return []
    rendered = render_replacements(entry.replacements, original[start:end], pressure, ends_inflected)
    fitted = (without_doubled_ending(r, original[end:]) for r in rendered)
    return list(dict.fromkeys(r for r in fitted if r is not None))


def _ends_inflected(span: Span, doc: Document) -> bool:
    """Whether the span's last word is a verb, adjective or auxiliary (it ends its own clause)."""
    _, end = doc.normalized.to_folded(span.start, span.end)
    k = bisect.bisect_right(doc.tokens, end, key=lambda token: token.end)  # tokens [0, k) end by `end`
    while k > 0 and not doc.tokens[k - 1].surface.strip():
        k -= 1
    return k > 0 and doc.tokens[k - 1].pos in ("動詞", "形容詞", "助動詞")


def span_suggestions(
    spans: list[Span], doc: Document, catalogue: Catalogue, lang: Lang, hits: dict[str, list[tuple[int, int]]] | None = None
) -> list[Suggestion]:
    """One suggestion per hard-sell span, quoting it, with replacements that keep its facts
    (`hits`: where each family matches the whole draft, see `match_family`)."""
    suggestions = []
    indexed = {family: Regions(regions) for family, regions in hits.items()} if hits is not None else None
    for span in spans:
        if span.category == Label.STORY:
            continue
        found = match_family(span, doc, catalogue, indexed)
        suggestions.append(
            Suggestion(
                id=found.entry.id,
                category=span.category,
                message=found.entry.message.get(lang),
                span=_range_of(span),
                replacements=slot_replacements(
                    found.entry, doc.normalized.original, span.start, span.end, catalogue.pressure_words, _ends_inflected(span, doc)
                ),
                story_prompt=found.entry.story_prompt.get(lang),
            )
        )
    return suggestions


def post_advice(
    doc: Document,
    spans: list[Span],
    salesy: list[tuple[int, int]],
    story_high: bool,
    hard_sell: bool,
    catalogue: Catalogue,
    lang: Lang,
) -> Suggestion | None:
    """At most one post-level tip: keep the story when there is one, else a story-first outline."""
    if story_high:
        advice = catalogue.post_advice["keep_story"]
        story_spans = sorted((s for s in spans if s.category == Label.STORY), key=lambda s: -s.weight)
        anchor = story_spans[0] if story_spans else None
        return Suggestion(
            id=advice.id,
            category=Label.STORY,
            message=advice.message.get(lang),
            span=_range_of(anchor) if anchor else None,
        )
    if not hard_sell:
        return None
    advice = catalogue.post_advice["story_first"]
    outline = advice.outline
    lines: list[str] = []
    if outline is not None:
        subject = _subject(doc, salesy, spans) or ("これ" if lang == "ja" else "this")
        invitation = "のぞいてみてください。" if lang == "ja" else "take a look."
        template = outline.ja if lang == "ja" else outline.en
        lines = [line.replace("{subject}", subject).replace("{invitation}", invitation) for line in template]
    return Suggestion(
        id=advice.id,
        category=Label.STORY,
        message=advice.message.get(lang),
        replacements=["\n".join(lines)] if lines else [],
    )


def _subject(doc: Document, salesy: list[tuple[int, int]], spans: list[Span]) -> str | None:
    """The product or service the post is about: the longest noun run that reads as a name
    (katakana or Latin letters, or three kanji or more: 「ブライダルエステ」, not 「契約」「昼休み」),
    outside links and mentions and outside the flagged phrases, else outside the hard-sell
    patterns only (a short blast is often one flagged clause around the product)."""
    links = [m.span() for m in _LINKS.finditer(doc.normalized.text)]
    flagged = [folded_range(doc, s) for s in spans if s.category != Label.STORY]
    text = doc.normalized.text
    # 「2時間分」「10年以上」: a noun right after a number is its counter
    words = [_subject_word(t) and not (t.start > 0 and text[t.start - 1].isdigit()) for t in doc.tokens]
    return _longest_name(doc, words, salesy + links + flagged) or _longest_name(doc, words, salesy + links)


def _longest_name(doc: Document, words: list[bool], excluded: list[tuple[int, int]]) -> str | None:
    """The longest run of subject words (`words`, token by token), none of them in `excluded`,
    that reads as a name, as the writer typed it (spaces inside kept: 「BODY MAKE K」)."""
    covered = bytearray(len(doc.normalized.text) + 1)
    for a, b in excluded:
        covered[a:b] = b"\x01" * (b - a)
    text = doc.normalized.text
    runs: list[tuple[int, int]] = []
    run: tuple[int, int] | None = None
    for token, word in zip(doc.tokens, words):
        if word and not any(covered[token.start : token.end]):
            if run and text[run[1] : token.start] not in _JOINING_GAPS:
                runs.append(run)  # a line break or a wide gap ends a name
                run = None
            run = (run[0] if run else token.start, token.end)
            continue
        if run:
            runs.append(run)
        run = None
    if run:
        runs.append(run)
    names = [doc.normalized.original[slice(*doc.normalized.to_original(a, b))] for a, b in runs]
    names = [name for name in names if len(name) >= 2 and is_name(name)]
    return max(names, key=len) if names else None


def _subject_word(token: Token) -> bool:
    """A noun that can be part of a product's name: not the reader's action (予約), not the
    platform's furniture (プロフ, リンク), not a word of time or pressure (今回, 限定), not a
    number, and made of letters (no symbol or emoji in it)."""
    return (
        token.pos in _SUBJECT_POS
        and token.lemma not in _ACTION_NOUNS
        and token.surface not in _PLATFORM_NOUNS
        and token.surface not in _NOT_NAMES
        and not token.surface[:1].isdigit()
        and all(char.isalnum() or char in "ー&'・-" for char in token.surface)
    )
