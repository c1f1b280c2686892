"""The softened draft: pressure taken out, facts and names kept, and never more of a hard sell.

Edits, all in the original text:
- a sentence that is pressure and nothing else is dropped (「後から欲しくなっても知らないよ〜」,
  「お申し込みは本日中。」): read alone (scored from the draft's own terms) it is a pushy pitch and
  neither a deal nor a story cue, it holds no number, link, @mention or quote, and every name in it
  (a noun run with katakana or Latin letters, or three kanji or more) is still said elsewhere;
- a dropped call to action becomes one gentle invitation (「気になった方は、お気軽にどうぞ。」), and a
  dropped deadline in words stays as a date (「今週末までだよ〜!!」→「今週末までです。」);
- in a sentence that stays, a first or last clause that is a recognised pressure phrase and nothing
  else goes with its 「、」 (「今すぐ申し込まないと、一生後悔しますよ。」→「一生後悔しますよ。」), when
  what is left still reads as a sentence;
- a recognised phrase that stands as its own sentence or heading takes its family's first
  replacement that keeps its facts and names; outside a heading, only a call to action becomes a
  fixed sentence (a fixed 「こんな声をいただいています」 would say what the writer did not), and
  inside one only a replacement short enough to read as a heading (not 【ご質問があれば、…どうぞ】
  for 【LINE登録者限定】);
- a pressure word that a family of the phrase's category lists as removable goes from a flagged
  phrase that stays (「今すぐお電話を」→「お電話を」, 「お早めにご来店ください」→「ご来店ください」);
- a flagged hashtag is removed (no unrelated hashtag is ever added), and stacked 「!!」 (and 「‼」)
  calmed.
No replacement sentence is used twice. The rewrite is scored; if it reads as more of a hard sell
(`raises`), edits are taken one by one and each is kept only if the result still does not (up to
the caller's number of tries: each is a whole-draft analysis, and an untried edit is not made).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from app.engine.neutral import PLACEHOLDER
from app.engine.policy import Thresholds
from app.engine.regions import Ordered, Regions
from app.labels import HARD_SELL_LABELS, Label
from app.schemas import Span, Suggestion, TextRange

ScoreFn = Callable[[str], dict[Label, float]]
AloneFn = Callable[[int, int], dict[Label, float]]  # probabilities of an original [start, end) read alone
Edit = tuple[int, int, str]

FACT = re.compile(r"https?://[^\s!！?？、。「」()（）【】<>]+|@[A-Za-z0-9_.]+|[0-9０-９]+|半額|無料")  # a price in words too
# A noun run is a name a reader may need (a product, a place, a person) when it holds katakana or
# Latin letters, or is a kanji compound of three or more (two-kanji nouns are mostly everyday words:
# 予約, 本当, 時間); see `is_name`.
_NAME_LIKE = re.compile(r"[ァ-ヺー\uff66-\uff9fA-Za-zＡ-Ｚａ-ｚ]{2,}|^[\u4e00-\u9fff々]{3,}$")
# Katakana words of selling that name no product, place or person: a sentence made of
# 「今だけのチャンスです」 holds no name a reader would miss. (Words that point somewhere, プロフ or
# リンク, and words of scope, プラン or メニュー, stay names: dropping them would lose the way in.)
_GENERIC_LOANWORDS = re.compile("チャンス|セール|キャンペーン|ラスト|タイム|シェア|チェック|ダウンロード|メッセージ|サイト|ページ|ｾｰﾙ|ﾁｬﾝｽ|ｷｬﾝﾍﾟｰﾝ|ﾗｽﾄ|ﾀｲﾑ")
# A deadline said in words is a date the reader needs: a dropped sentence leaves it behind.
_DEADLINE = re.compile(
    r"(本日|今日|明日|明後日|今夜|今晩|今週末|今週|来週|週末|今月末|今月|月末|年内|年末|[月火水木金土日]曜日?)"
    r"(?:中|いっぱい)?(?:まで|限り|限定|のみ|だけ)"
)
MAX_HEADING = 14  # a longer replacement is a sentence, which reads oddly inside 【】
NEAR_CAUTION = 0.5  # a label may rise only while it stays below this share of its caution line
MEANINGFUL_RISE = 0.001  # smaller moves of a probability mean nothing (reports show percentages)
_QUOTES = "「」『』"
_EMPTY_BRACKETS = re.compile(r"【\s*】|《\s*》|≪\s*≫|\[\s*\]|＼\s*／|「\s*」")
_SPACES = re.compile(r"[ \t]{2,}")
_BLANK_LINES = re.compile(r"\n[ \t\u3000]*\n(?:[ \t\u3000]*\n)+")
# Heading brackets: a replacement may stand inside them. Parentheses and quotes hold asides and
# words, where a sentence does not fit.
_OPENERS = {"【": "】", "＼": "／", "《": "》", "≪": "≫", "[": "]"}
PRESSURE_PUNCT = re.compile(r"[!！‼⁉❗❕]+[\ufe0e\ufe0f]?|(?:🔥|💥|⚡|🚨|⏰|💰){2,}")
# A run of marks calms to its first, and a doubled mark to a single one (「‼️」 is 「!!」 in one character).
_CALM = {"‼": "!", "⁉": "?"}
_SENTENCE_END = "。!！?？‼⁉❗❕"
_CLOSERS = "」』)）】"
_SENTENCE_FINAL = "やねよなぞわさ"  # 「今すぐや!」: what follows ends the sentence, so the word is its predicate
INVITING = frozenset({"pushy.imperative", "pushy.dm_funnel"})  # calls to action: one gentle one stays


@dataclass(frozen=True, slots=True)
class Reading:
    """What the analysis found in the draft, in original offsets: all softening works from."""

    spans: list[Span]
    suggestions: list[Suggestion]
    alone: AloneFn
    cuts: Thresholds
    names: list[tuple[int, int, str]]  # name-like noun runs that no catalogue pattern knows as pressure
    removable: Mapping[str, re.Pattern[str]]  # per family id: pressure words a sentence reads well without
    # where the spans and names are, asked once per sentence and clause (a draft can hold thousands)
    _span_index: Ordered = field(init=False, repr=False, compare=False)
    _name_index: Ordered = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_span_index", Ordered((s.start, s.end) for s in self.spans))
        object.__setattr__(self, "_name_index", Ordered((a, b) for a, b, _ in self.names))

    def content_words(self, start: int, end: int) -> list[str]:
        """The names said in [start, end): what a rewrite must not lose."""
        found = (self.names[k] for k in self._name_index.over(start, end))
        return [name for a, b, name in found if start <= a and b <= end]

    def spans_over(self, start: int, end: int) -> list[Span]:
        """The highlighted spans that overlap [start, end), in order."""
        return [self.spans[k] for k in self._span_index.over(start, end)]


@dataclass(frozen=True, slots=True)
class Unit:
    """A sentence, a bracketed heading or a line of the original draft: what a drop removes."""

    start: int
    end: int


# A line that ends like this goes on in the next line (「私たちのチームで\n一緒に…」): in posts broken
# into short lines, the sentence, not the line, is what a drop may remove.
_HASHTAG = re.compile(r"[#＃][^\s#＃]+")
# A line that the next one finishes (「大丈夫\nですか?」): the next line starts with a copula or an
# auxiliary, which never opens a sentence.
_FINISHES = re.compile(r"(?:です|でした|でしょう|ます|ました|ません|ましょう)")
_GOES_ON = re.compile(r"(?:[、,，]|[がをにでとへやも]|から|まで|より|けど|けれど|ので|のに|でも|(?<!にち|ばん)は)$")


def units(text: str) -> list[Unit]:
    """Sentences of the original text, never split inside a quotation; a 【heading】 and a run after
    an emoji followed by a space count as their own units, as a reader sees them. A line that ends
    mid-sentence (「眠れない夜が」) goes on into the next line unless a blank line or a hashtag line
    follows, and emoji that end the line after a sentence's end belong to that sentence."""
    found: list[Unit] = []
    start = 0
    depth = 0
    k = 0
    n = len(text)

    def close(end: int) -> None:
        a, b = start, end
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            found.append(Unit(a, b))

    while k < n:
        char = text[k]
        if char == "\n":
            if depth == 0 and _goes_on(text, start, k):
                k += 1
                continue
            close(k)
            start, depth, k = k + 1, 0, k + 1
            continue
        if char in "「『":
            depth += 1
        elif char in "」』" and depth:
            depth -= 1
        elif depth == 0 and char in _SENTENCE_END:
            while k + 1 < n and (text[k + 1] in _SENTENCE_END or text[k + 1] in _CLOSERS):
                k += 1
            k = _trailing_emoji_end(text, k + 1) - 1
            close(k + 1)
            start = k + 1
        elif depth == 0 and char == "】" and text[start:k].lstrip().startswith("【"):
            close(k + 1)
            start = k + 1
        elif depth == 0 and k + 1 < n and text[k + 1] in " \u3000" and unicodedata.category(char) == "So":
            close(k + 1)
            start = k + 1
        k += 1
    close(n)
    return found


def _goes_on(text: str, start: int, newline: int) -> bool:
    """Whether the line ending at `newline` ends mid-sentence and the next line carries it on."""
    line = text[start:newline].rstrip()
    following = text[newline + 1 :].lstrip(" \t\u3000")
    if not line or not following or following.startswith(("\n", "#", "＃")):
        return False
    return bool(_GOES_ON.search(line)) or _FINISHES.match(following) is not None


def _trailing_emoji_end(text: str, at: int) -> int:
    """Past the emoji at `at` when they end their line (「叶えませんか?💫」): they decorate the sentence
    before them. Emoji with more text after them on the line (「☎ 0120…」) point to that text."""
    end = at
    while end < len(text) and _is_emoji(text[end]):
        end += 1
    line_end = text.find("\n", end)
    rest = text[end : len(text) if line_end < 0 else line_end]
    return end if end > at and not rest.strip() else at


def _is_emoji(char: str) -> bool:
    """A pictograph, or what joins and modifies one (variation selector, zero-width joiner)."""
    return char in "\ufe0f\u200d" or unicodedata.category(char) == "So" or "\U0001f3fb" <= char <= "\U0001f3ff"


def soften(
    original: str,
    reading: Reading,
    fallback_ids: frozenset[str],
    score: ScoreFn,
    before: dict[Label, float],
    tries: int | None = None,
) -> str:
    """The draft with pressure rewritten or dropped, facts kept, and no hard-sell score raised;
    `tries` bounds the edits tried one by one when all of them together raise a score."""
    edits = _plan(original, reading, fallback_ids)
    if not edits and not PRESSURE_PUNCT.search(original):
        return original

    def acceptable(text: str) -> bool:
        if text == original:  # the draft's own scores are `before`: nothing to prove (a lone 「!」 calms to itself)
            return bool(text.strip())
        return bool(text.strip()) and not raises(score(text), before, reading.cuts.caution)

    candidate = apply_edits(original, edits)
    if acceptable(candidate):
        return candidate
    if not acceptable(apply_edits(original, [])):
        return original
    kept: list[Edit] = []
    for edit in edits if tries is None else edits[:tries]:
        if acceptable(apply_edits(original, kept + [edit])):
            kept.append(edit)
    return apply_edits(original, kept)


def _plan(original: str, reading: Reading, fallback_ids: frozenset[str]) -> list[Edit]:
    """Drops of pressure-only sentences (a call to action among them becomes the one gentle
    invitation), then replacements in the sentences that stay, in text order."""
    all_units = units(original)
    candidates = [u for u in all_units if _pressure_only(original, u, reading)]
    chosen = set(candidates)
    if not any(u not in chosen and not original[u.start : u.end].startswith("#") for u in all_units):
        candidates = []  # a draft that is all pressure keeps its sentences: it is rewritten, not emptied
    outside = _text_outside(original, candidates)
    dropped = [u for u in candidates if all(w in outside for w in reading.content_words(u.start, u.end))]
    used: set[str] = set()
    edits: list[Edit] = []
    invitations = _Invitations(reading.suggestions)
    for unit in dropped:
        kept = invitations.first(unit, used) or _deadline(original, unit, used)
        start, end, _ = _removal(original, unit)
        edits.append((unit.start, unit.end, kept) if kept else (start, end, ""))
    gone = set(dropped)
    kept_units = [u for u in all_units if u not in gone]
    known = [s.span for s in reading.suggestions if s.span is not None and s.id not in fallback_ids and s.category == Label.PUSHY_PITCH]
    pushy = _Known(known)
    edits += [edit for unit in kept_units for edit in _clause_drops(original, unit, reading, pushy)]
    removed = [(a, b) for a, b, _ in edits]
    for edit in replacements(original, reading, fallback_ids, removed, frozenset(used)):
        if edit[2] and edit[2] in used:
            continue
        used.add(edit[2])
        edits.append(edit)
    edits += word_deletions(original, reading, [(a, b) for a, b, _ in edits])
    return sorted(edits)


def _clause_drops(text: str, unit: Unit, reading: Reading, known: _Known) -> list[Edit]:
    """Clauses of a kept sentence that are a known pressure phrase and nothing else (「DMで予約受付中、
    残り枠わずか。」, 「今月中に申し込まないと、来月から料金が上がります」): a first clause goes with the
    「、」 after it, a last one with the 「、」 before it when the clause before it may end a sentence.
    At least one clause of the sentence stays; no clause with a fact, quote, name or deadline goes,
    and no clause that only the model (no catalogue family) calls pressure: its highlights are
    too often a story's words."""
    clauses = _clauses_of(text, unit)
    if len(clauses) < 2:
        return []
    edits: list[Edit] = []
    first, last = clauses[0], clauses[-1]
    if _pressure_clause(text, first, reading, known):
        edits.append((first[0], clauses[1][0], ""))
    if len(clauses) > 2 or not edits:
        before = clauses[-2]
        if _pressure_clause(text, last, reading, known) and may_end(text[before[0] : before[1]]):
            edits.append((before[1], last[1], ""))
    return edits


def _clauses_of(text: str, unit: Unit) -> list[tuple[int, int]]:
    """[start, end) of the clauses of a sentence: split at 「、」 outside quotes and brackets; the
    sentence's end marks (and what follows them) are not part of its last clause."""
    end = unit.end
    while end > unit.start and (text[end - 1] in _SENTENCE_END or text[end - 1] in _CLOSERS or _is_emoji(text[end - 1])):
        end -= 1
    clauses: list[tuple[int, int]] = []
    start, depth = unit.start, 0
    for k in range(unit.start, end):
        char = text[k]
        if char in "「『(（【":
            depth += 1
        elif char in "」』)）】" and depth:
            depth -= 1
        elif depth == 0 and char in "、,":
            clauses.append((start, k))
            start = k + 1
    clauses.append((start, end))
    return [(a, b) for a, b in clauses if b > a]


class _Known:
    """The spans of recognised pushy phrases (a family knows them), found by offset."""

    def __init__(self, spans: list[TextRange]) -> None:
        self.spans = spans
        self.index = Ordered((r.start, r.end) for r in spans)

    def covered(self, a: int, b: int) -> int:
        """How many characters of [a, b) they cover."""
        return sum(min(b, r.end) - max(a, r.start) for r in (self.spans[k] for k in self.index.over(a, b)))


def _pressure_clause(text: str, clause: tuple[int, int], reading: Reading, known: _Known) -> bool:
    """A recognised pushy phrase makes up the clause, which holds no fact, quote, name or deadline,
    and no other highlight."""
    a, b = clause
    body = text[a:b]
    if not body.strip() or _holds_fact_or_quote(body) or _DEADLINE.search(body):
        return False
    if reading.content_words(a, b) or any(s.category != Label.PUSHY_PITCH for s in reading.spans_over(a, b)):
        return False
    return known.covered(a, b) >= 0.8 * len(body.strip())


# A clause that ends like a predicate (「…させていただいています」「…でした」「…よ」) can end its sentence;
# a connective (「…ので」「…て」) or a bare noun (「それ」「このプリウス」) cannot.
_PREDICATE_END = re.compile(r"(?:[すただいるんねようぬ]|ません)$")
_CONNECTIVE_END = re.compile(r"(?:ので|のに|けど|けれど|ながら|つつ|たり|たら|だら|から|まで|より)$")


def may_end(clause: str) -> bool:
    """Whether a clause can end its sentence once what followed it is gone."""
    clause = clause.rstrip()
    return _PREDICATE_END.search(clause) is not None and _CONNECTIVE_END.search(clause) is None


class _Invitations:
    """The calls to action among the suggestions, found by offset, and their gentle invitations."""

    def __init__(self, suggestions: list[Suggestion]) -> None:
        self.offered = {r.rstrip("。") for s in suggestions if s.id in INVITING for r in s.replacements}
        self.inviting = [s for s in suggestions if s.id in INVITING and s.span is not None]
        self.index = Ordered((s.span.start, s.span.end) for s in self.inviting if s.span is not None)

    def first(self, unit: Unit, used: set[str]) -> str | None:
        """The first gentle invitation of a call to action in the unit, once per draft."""
        if any(u.rstrip("。") in self.offered for u in used):
            return None  # one gentle invitation is enough: a second call to action just goes
        for k in self.index.over(unit.start, unit.end):
            suggestion = self.inviting[k]
            span = suggestion.span
            if span is not None and unit.start <= span.start and span.end <= unit.end:
                for replacement in suggestion.replacements:
                    if replacement in used:
                        return None
                    used.add(replacement)
                    return replacement + "。"
        return None


def _deadline(text: str, unit: Unit, used: set[str]) -> str | None:
    """What a dropped sentence must leave behind of its deadline (「今週末までだよ〜!!」→「今週末までです。」)."""
    match = _DEADLINE.search(text, unit.start, unit.end)
    if match is None:
        return None
    heading = text[unit.start] in "【＼"
    kept = f"【{match.group(1)}まで】" if heading else f"{match.group(1)}までです。"
    if kept in used:
        return None
    used.add(kept)
    return kept


def _pressure_only(text: str, unit: Unit, reading: Reading) -> bool:
    """Read alone, the sentence is a pushy pitch and neither a deal nor a story cue (a discount is
    information: it is rewritten, not dropped), and it holds no fact or quote."""
    body = text[unit.start : unit.end]
    if body.startswith("#") or _holds_fact_or_quote(body):
        return False
    inside = [s.category for s in reading.spans_over(unit.start, unit.end)]
    if Label.PUSHY_PITCH not in inside or any(category != Label.PUSHY_PITCH for category in inside):
        return False  # only highlighted pressure is ever dropped, and never a highlighted deal or story
    alone, cuts = reading.alone(unit.start, unit.end), reading.cuts
    return (
        alone[Label.PUSHY_PITCH] >= cuts.decision[Label.PUSHY_PITCH]
        and alone[Label.DISCOUNT_SPAM] < alone[Label.PUSHY_PITCH]
        and alone[Label.STORY] < cuts.decision[Label.STORY]
    )


def _holds_fact_or_quote(body: str) -> bool:
    """A number, link, @mention or quotation: what a drop must never take away."""
    return FACT.search(body) is not None or any(q in body for q in _QUOTES)


def _text_outside(text: str, removed: list[Unit]) -> str:
    """The prose a reader would still see without the given units: hashtags do not count (「このニット」
    dropped because 「#ニット」 stays would leave a post that no longer says what it offers)."""
    pieces, cursor = [], 0
    for unit in sorted(removed, key=lambda u: u.start):
        pieces.append(text[cursor : unit.start])
        cursor = unit.end
    pieces.append(text[cursor:])
    return _HASHTAG.sub(" ", "\n".join(pieces))


def _removal(text: str, unit: Unit) -> Edit:
    """Remove a unit and the spaces after it; when it was a line of its own, the line with it."""
    line_start = text.rfind("\n", 0, unit.start) + 1
    line_end = text.find("\n", unit.end)
    line_end = len(text) if line_end < 0 else line_end
    if not text[line_start : unit.start].strip() and not text[unit.end : line_end].strip():
        return (line_start, min(line_end + 1, len(text)), "")
    end = unit.end
    while end < line_end and text[end] in " \u3000\t":
        end += 1
    return (unit.start, end, "")


def replacements(
    original: str, reading: Reading, fallback_ids: frozenset[str], removed: list[tuple[int, int]], used: frozenset[str] = frozenset()
) -> list[Edit]:
    """(start, end, replacement) per recognised span outside the `removed` ranges that stands as
    its own clause, in text order, never overlapping, each keeping every fact and name of the span."""
    edits: list[Edit] = []
    invited = any(r.rstrip("。") in {u.rstrip("。") for u in used} for s in reading.suggestions if s.id in INVITING for r in s.replacements)
    facts = [m.span() for m in FACT.finditer(original)]
    fact_index, gone = Ordered(facts), Regions(removed)
    for suggestion in sorted((s for s in reading.suggestions if s.span), key=lambda s: s.span.start):  # type: ignore[union-attr]
        span = suggestion.span
        assert span is not None
        if suggestion.id in fallback_ids or gone.overlaps(span.start, span.end):
            continue  # no family knows the phrase (a generic sentence could lose a name), or it is dropped
        if edits and span.start < edits[-1][1]:
            continue
        if any(not (span.start <= facts[k][0] and facts[k][1] <= span.end) for k in fact_index.over(span.start, span.end)):
            continue  # the phrase cuts through a number, link or mention: never rewrite half a fact
        if span.text.startswith("#"):
            if not FACT.search(span.text):  # a flagged hashtag goes; an unrelated one never comes in
                edits.append(_removal(original, Unit(span.start, span.end)))
            continue
        if not _is_clause(original, span.start, span.end):
            continue  # a replacement sentence dropped into the middle of a clause reads broken
        heading = span.start > 0 and original[span.start - 1] in _OPENERS
        content = reading.content_words(span.start, span.end)
        inviting = suggestion.id in INVITING
        if inviting and invited and not heading and not FACT.search(span.text) and not content:
            edits.append(_removal(original, Unit(span.start, span.end)))  # one gentle invitation is enough
            continue
        fitting = (
            r
            for r in suggestion.replacements
            if not r.startswith("#")
            and not PLACEHOLDER.search(r)  # a draft to apply as it is: nothing left for the writer to fill
            and keeps_facts(r, span.text)
            and all(word in r for word in content)
            # outside a heading, a fixed sentence would say what the writer did not (「こんな声を…」):
            # only a call to action becomes one, else the replacement must carry the phrase's own
            # words, or remove a phrase that holds nothing the reader needs
            and (
                (heading and 0 < len(r) <= MAX_HEADING)
                or (inviting and not heading and r)
                or (not heading and not r and not content)
                or _shares_words(r, span.text)
            )
        )
        choice = next(fitting, span.text)
        if choice != span.text:
            invited = invited or (inviting and bool(choice))
            edits.append(_sentence_removal(original, span.start, span.end) if not choice else (span.start, span.end, choice))
    return edits


def _sentence_removal(text: str, start: int, end: int) -> Edit:
    """Remove a phrase that stands as its own sentence together with its end marks (「…手に入りません。」
    leaves no stray 「。」); a phrase inside a sentence goes alone."""
    if not start or text[start - 1] in _SENTENCE_END or text[start - 1] in "\n 　" or unicodedata.category(text[start - 1]) == "So":
        while end < len(text) and text[end] in _SENTENCE_END:
            end += 1
    return _removal(text, Unit(start, end))


def word_deletions(original: str, reading: Reading, taken: list[tuple[int, int]]) -> list[Edit]:
    """Pressure words deleted from flagged phrases that stay (「今すぐご来店ください」→「ご来店ください」,
    「絶対おすすめです」→「おすすめです」): the phrase's family lists them as removable, something of
    the phrase is left, and a word follows them, so the sentence still reads. The words are kana and
    kanji, which folding leaves as they are, so they are found in the original text."""
    edits: list[Edit] = []
    facts = Regions(m.span() for m in FACT.finditer(original))  # a word inside a link is part of the link
    claimed = Regions(taken)
    for suggestion in reading.suggestions:
        span, words = suggestion.span, reading.removable.get(suggestion.id)
        if span is None or words is None or claimed.overlaps(span.start, span.end):
            continue
        for match in words.finditer(original, span.start, span.end):
            start, end = match.span()
            if start == end or (start, end) == (span.start, span.end) or end >= len(original):
                continue
            if facts.overlaps(start, end):
                continue
            if original[end].isalnum() and original[end] not in _SENTENCE_FINAL:
                edits.append((start, end, ""))
    return edits


def is_name(noun_run: str) -> bool:
    """A noun run worth keeping: katakana or Latin in it, or three or more kanji, once the
    loanwords of selling (チャンス, セール, キャンペーン) are taken out of it."""
    return _NAME_LIKE.search(_GENERIC_LOANWORDS.sub("", noun_run)) is not None


def _shares_words(replacement: str, span_text: str) -> bool:
    """The replacement repeats a number or a name-like word of the span (it was filled from it)."""
    words = FACT.findall(span_text) + [m.group() for m in _NAME_LIKE.finditer(span_text)]
    return any(word in replacement for word in words)


def keeps_facts(replacement: str, span_text: str) -> bool:
    """A replacement may stand in for a span only if every fact of the span survives in it."""
    facts = FACT.findall(span_text)
    return not facts or not Counter(facts) - Counter(FACT.findall(replacement))


def _is_clause(original: str, start: int, end: int) -> bool:
    """True when [start, end) stands as its own sentence or bracketed heading, so that a
    replacement phrase can take its place and still read (「【本日限り】」, 「…。今すぐ!」)."""
    left = original[start - 1] if start > 0 else ""
    right = original[end] if end < len(original) else ""
    if left in _OPENERS:
        return right == _OPENERS[left]
    if start > 0 and original[start - 1] == "#" or original[start] == "#":
        return False  # a hashtag: only a hashtag may replace it
    return _starts_sentence(left) and _ends_sentence(right)


def _starts_sentence(char: str) -> bool:
    return not char or char in "。!！?？\n" or char.isspace() or unicodedata.category(char) == "So"


def _ends_sentence(char: str) -> bool:
    return not char or char in "。、!！?？\n" or char.isspace() or unicodedata.category(char) == "So"


def _calmed(match: re.Match[str]) -> str:
    """One mark for a run of them: 「!!!」→「!」, 「‼️」→「!」; a lone 「❗️」 keeps its emoji form."""
    run = match.group()
    first = run[0]
    if first in _CALM:
        return _CALM[first]
    return run if len(run) == 2 and run[1] in "\ufe0e\ufe0f" else first


def apply_edits(original: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits, calm the punctuation, and tidy what the edits left behind."""
    pieces: list[str] = []
    cursor = 0
    for start, end, replacement in sorted(edits):
        pieces.append(original[cursor:start])
        pieces.append(replacement)
        cursor = end
    pieces.append(original[cursor:])
    text = PRESSURE_PUNCT.sub(_calmed, "".join(pieces))
    text = _EMPTY_BRACKETS.sub("", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return _SPACES.sub(" ", text).strip()


def raises(after: dict[Label, float], before: dict[Label, float], caution: dict[Label, float]) -> bool:
    """True when the rewrite reads as more of a hard sell: a label rose by a meaningful amount
    (MEANINGFUL_RISE) to within reach of its caution line (half of it or more), or the larger of
    the two scores rose by a meaningful amount.

    A label far below its line may move a little: dropping 「後から欲しくなっても知らないよ〜」 from a
    candle post takes pushy_pitch from 0.98 to 0.07, and with less text around them the shop's
    hashtags weigh more, so discount_spam goes from 0.006 to 0.035 (its caution line is 0.16).
    A saturated score may wobble too: a blast at 0.99987 that reads 0.99989 once its 「!!」 are
    calmed is no more of a blast. Refusing either rewrite would leave the writer with the pressure."""
    labels = HARD_SELL_LABELS
    if max(after[label] for label in labels) > max(before[label] for label in labels) + MEANINGFUL_RISE:
        return True
    return any(
        after[label] > before[label] + MEANINGFUL_RISE and after[label] >= caution[label] * NEAR_CAUTION
        for label in labels
    )
