"""The guided story rewrite: from a blast to a story, with the story only the writer can tell.

The writer answers two questions (what happened, and why they offer this); the rewrite puts their
episode first and their reason second, word for word, then the draft's facts in calm sentences
(every number, price, date, link, product and place the draft holds, taken from its softened
sentences), then one gentle invitation. The tool adds no word of its own beyond the neutral list.

How much of a fact's sentence stays is settled with the checker (`settle`): each sentence starts
in its fullest calm form and, while the whole does not read as an ok story, the sentence that
pushes it furthest from one gives way to a calmer form (its clauses that hold a fact, then only
the phrases that hold them). Facts are never what gives way: every form keeps all of them.

Every form reads as a sentence: a particle left dangling by a cut goes, a noun phrase closes with
「です」, and once the checker reads the whole as an ok story, short fact sentences are joined
(「本日まで、全品50%OFFです。」) and a bare link takes the phrase before it as its label — all with
grammar words only, so the rewrite still adds nothing the writer did not say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from app.engine import blocks
from app.engine.analyze import Analyzer, InvalidText, check_text
from app.engine.features import Document
from app.engine.model import Scored
from app.engine.neutral import PLACEHOLDER
from app.engine.soften import PRESSURE_PUNCT, may_end, units
from app.engine.tokenize import Token
from app.labels import HARD_SELL_LABELS, LABELS, Label
from app.schemas import Report

MAX_ANSWER_CHARS = 300
INVITATION = "ご都合のよいときに、お気軽にどうぞ。"
OCCASION = "今回は、"  # the facts as one sentence about the occasion the draft is already about
_ENDS = "。.!！?？」』)）"
_HASHTAGS = re.compile(r"(?:[#＃][^\s#＃]+\s*)+$")


@dataclass(frozen=True)
class Answers:
    """The writer's own words: an episode (a moment, a customer's words) and the reason behind the offer."""

    episode: str
    reason: str


def check_answer(name: str, value: object) -> str:
    """An answer is the writer's text: 1–300 characters after trimming, no control characters."""
    text = check_text(value, max_chars=MAX_ANSWER_CHARS) if isinstance(value, str) else None
    if text is None:
        raise InvalidText(f"answers.{name} must be a string")
    return text.strip()


def _sentence(text: str) -> str:
    """The writer's answer as it stands, closed with 「。」 when it ends mid-air."""
    return text if text.endswith(tuple(_ENDS)) or text[-1:] in "\u2600\u27bf" else text + "。"


_DECORATION = re.compile(r"[\u200d→⇒➡★☆＼／【】《》≪≫■◆▼▽◇□●○※✨❗❕‼⁉]+|[\U0001F000-\U0001FAFF\u2300-\u23FF\u2600-\u27BF]\ufe0f?")
# 「残り3個なのでどうぞ」: the rewrite ends in its own invitation, so a fact's sentence needs none
_INVITED = re.compile(r"(?:なので|ので|から)?(?:ぜひ|お気軽に)?どうぞ$")
_LINK_LINE = re.compile(r"(?:https?://|www\.)\S+")
_URL_END = re.compile(r"(?:https?://|www\.)\S+$|[#＃]\S+$")


def _calm(sentence: str, pressure: re.Pattern[str] | None) -> str:
    """A sentence of the draft without decoration, stacked marks, the removable pressure words
    (今すぐ, 絶対: adverbs a sentence reads well without) and a closing 「どうぞ」 (the rewrite ends in
    its own invitation); its other words stay as written, so no sentence is left broken by a
    phrase cut out of its middle."""
    if pressure is not None:
        sentence = pressure.sub("", sentence)
    sentence = _DECORATION.sub(" ", PRESSURE_PUNCT.sub("", sentence))
    sentence = re.sub(r"\s+", " ", sentence).strip(" 、,。")
    return _INVITED.sub("", sentence).strip(" 、,。") or sentence


def _clauses(sentence: str) -> list[str]:
    """A sentence split at 「、」 outside brackets and quotes."""
    clauses, depth, start = [], 0, 0
    for k, char in enumerate(sentence):
        if char in "「『(（【":
            depth += 1
        elif char in "」』)）】" and depth:
            depth -= 1
        elif depth == 0 and (char == "、" or (char == "," and not _thousands(sentence, k))):
            clauses.append(sentence[start:k])
            start = k + 1
    clauses.append(sentence[start:])
    return [c.strip() for c in clauses if c.strip()]


def _thousands(text: str, k: int) -> bool:
    """The comma at k sits between digits (「3,000円」): part of a number, not a clause break."""
    return 0 < k < len(text) - 1 and text[k - 1].isdigit() and text[k + 1].isdigit()


def _fact_clauses(sentence: str, facts: list[str], pressed: list[str]) -> str:
    """The clauses of a sentence that hold a fact; a clause without one that the checker flags
    (「急いで」「迷ったら負け」) is pressure the rewrite does without. A clause kept must be able to end
    the sentence if what followed it goes (「…目指したのは」 cannot): then the sentence stays whole."""
    clauses = _clauses(sentence)
    kept = [c for c in clauses if any(f in c for f in facts) or not any(p in c for p in pressed)]
    if not any(any(f in c for f in facts) for c in kept):
        return ""
    if kept and kept[-1] != clauses[-1] and not may_end(kept[-1]):
        return sentence
    return "、".join(kept)


def _closed(sentence: str) -> str:
    """A sentence closed with 「。」, unless it ends in a link or a hashtag (a mark would join them)."""
    if sentence.endswith(tuple(_ENDS)) or _URL_END.search(sentence):
        return sentence
    return sentence + "。"


def calmed(analyzer: Analyzer, text: str, facts: list[str]) -> str:
    """The text with each flagged phrase that holds a fact given its first catalogue replacement
    that keeps every fact and needs nothing filled in (「残り3枠」→「3枠まで」)."""
    report = analyzer.analyze(text)
    edits = []
    for suggestion in report.suggestions:
        span = suggestion.span
        if span is None or suggestion.category == "story" or not any(f in span.text for f in facts):
            continue
        for replacement in suggestion.replacements:
            kept = all(f in replacement for f in facts if f in span.text)
            if _applied(text, span.start, span.end, replacement):
                break  # softening already wrote it (「なお、全品ポイント5倍です」): no second 「なお、」
            if replacement and kept and not PLACEHOLDER.search(replacement):
                edits.append((span.start, span.end, replacement))
                break
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


@dataclass(frozen=True)
class FactLine:
    """A sentence of the draft that holds facts, in the forms a rewrite may give it, fullest first:
    the calmed sentence (pressure clauses without a fact gone), only its clauses that hold a fact,
    only the phrases that hold them (「大人のシーズン券 通常60,000円が、今週中のお申し込みで
    36,000円（40%OFF）」→「シーズン券 通常60,000円、36,000円（40%OFF）」), and, when every fact of it
    is said in an earlier line or a hashtag, nothing. Every form keeps every fact the sentence holds."""

    forms: tuple[str, ...]


def _applied(text: str, start: int, end: int, replacement: str) -> bool:
    """Whether the words a replacement puts around the phrase text[start:end] already stand there."""
    at = replacement.find(text[start:end])
    if at < 0:
        return False
    before, after = replacement[:at], replacement[at + end - start :]
    return bool(before or after) and text[:start].endswith(before) and text[end:].startswith(after)


def fact_lines(analyzer: Analyzer, draft: str, softened: str) -> tuple[list[FactLine], list[str]]:
    """The softened draft's sentences that hold a fact of the draft, calmed (decoration, marks and
    removable pressure words out; clauses that are flagged pressure and hold no fact dropped), each
    with its calmer forms, and the hashtags that name something; facts no sentence kept follow on
    a line of their own."""
    facts = analyzer.facts(draft)
    softened = calmed(analyzer, softened, facts)
    report = analyzer.analyze(softened)
    pressed = [s.text for s in report.spans if s.category != "story" and not any(f in s.text for f in facts)]
    body = softened
    tags = _HASHTAGS.search(softened)
    hashtags = [t for t in (tags.group().split() if tags else []) if any(f in t for f in facts)]
    if tags:
        body = softened[: tags.start()]
    lines: list[FactLine] = []
    said = {f for f in facts if any(f in tag for tag in hashtags)}
    for unit in units(body):
        sentence = _calm(body[unit.start : unit.end], analyzer.catalogue.pressure_words)
        full = _fact_clauses(sentence, facts, pressed)
        if not full:
            continue
        held = [f for f in facts if f in full]
        bare = "、".join(c for c in _clauses(full) if any(f in c for f in held))
        forms = [_as_sentence(analyzer, full)]
        for form in (bare, "、".join(fact_phrases(analyzer, bare, held))):
            form = _as_sentence(analyzer, form)
            if form and form not in forms and all(f in form for f in held):
                forms.append(form)
        forms = [form for form in forms if all(f in form for f in held)] or [_closed(full)]
        # a form that still says a flagged phrase holding no fact (「マジで買わないと損」) is no calm
        # sentence: the line starts at its first form without one
        calm = [form for form in forms if not any(p in form for p in pressed if len(p) > 1)]
        forms = calm or forms[-1:]
        if said.issuperset(held):
            forms.append("")  # every fact of it is said before (or in a hashtag): the line may go
        said.update(held)
        lines.append(FactLine(tuple(forms)))
    kept = "\n".join([line.forms[0] for line in lines] + hashtags)
    missing = [fact for fact in facts if fact not in kept]
    if missing:
        lines.append(FactLine(("、".join(missing) + "。",)))
    return lines, hashtags


def _as_sentence(analyzer: Analyzer, phrase: str) -> str:
    """A fact line as a calm sentence: a particle a cut left dangling goes (「体験予約を」→「体験予約」),
    a noun phrase closes with 「です。」 (「全品50%OFFです。」, 「12/31までです。」: grammar only), and a
    line that ends in a link or a hashtag stays a noun phrase with its link (a mark would join it)."""
    link = _URL_END.search(phrase)
    head, tail = (phrase[: link.start()], phrase[link.start() :]) if link else (phrase, "")
    head = head.rstrip(" \u3000。、")
    tokens = analyzer.tokenizer.tokenize(head)
    while tokens and tokens[-1].pos in ("助詞", "助動詞") and tokens[-1].surface in DANGLING:  # 「LINEで」: で as unidic tags it
        head = head[: tokens[-1].start].rstrip(" \u3000、")
        tokens = analyzer.tokenizer.tokenize(head)
    if tail:
        return f"{head} {tail}" if head else tail
    if not head or head.endswith(tuple(_ENDS)):
        return head
    # a noun phrase is said with です; a clause cut back to its noun (「詳しくはDM」) is not: 「詳しくは
    # DMです」 would say something else, so it closes as a noun phrase
    cut = phrase.rstrip(" \u3000。、") != head and any(t.pos == "助詞" for t in tokens)
    # only a phrase made of nouns: 「初めて売った車のお客さん」 is the writer's sentence as written
    nouns = _nouns_only(tokens)
    last = tokens[-1]
    ending = last.pos in _NOUN_END_POS or last.surface in BOUNDS or last.surface in _NOUN_END_ATTACHED
    if nouns and not cut and ending:
        head += "です"
    return head + "。"


def _nouns_only(tokens: list[Token]) -> bool:
    """The phrase holds no predicate: said with 「です」 it states what it names, nothing more."""
    return not any(_predicate(tokens, k) for k in range(len(tokens)))


def _predicate(tokens: list[Token], k: int) -> bool:
    """Token k makes a predicate: an auxiliary (「売った」), or a verb or adjective that no noun
    follows (a verb stem inside a compound noun, 「焼き菓子」, is part of the noun)."""
    token = tokens[k]
    if token.pos == "助動詞":
        return True
    following = tokens[k + 1] if k + 1 < len(tokens) else None
    return token.pos in _PREDICATE_POS and (following is None or following.pos not in _NOUN_END_POS)


def joined(analyzer: Analyzer, lines: list[str]) -> list[str]:
    """Short fact sentences that each close a noun phrase with 「です。」, joined in runs of up to
    three into one sentence (「本日までです。」「全品50%OFFです。」→「本日まで、全品50%OFFです。」):
    a stack of one-phrase lines is how a blast looks. A line that is only a link takes the phrase
    just before it as its label (「体験予約: https://…」). Other lines stay as they are, in order."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        out.extend("、".join(run[k : k + 3]) + "です。" for k in range(0, len(run), 3))
        run.clear()

    for line in lines:
        piece = line.removesuffix("です。")
        short = piece != line and 0 < len(piece) <= _JOIN_CHARS and not any(c in piece for c in "。、")
        if short and not piece.startswith(_BULLETS) and _nouns_only(analyzer.tokenizer.tokenize(piece)):
            run.append(piece)
            continue
        link = run and _LINK_LINE.fullmatch(line)
        last = run.pop() if link else ""
        flush()
        out.append(f"{last}: {line}" if link else line)  # 「体験予約: https://…」: what the link is for
    flush()
    return out


# Parts of speech a fact's phrase is made of: the nouns, prefixes, suffixes and marks around a
# number (「全品50%OFF」「通常60,000円」), never a particle or a verb; a prefix opens a word, so a
# phrase never ends in one, and a suffix closes one, so a phrase never starts with one.
_BEFORE_POS = frozenset({"名詞", "接頭辞", "接尾辞", "記号", "補助記号"})
_AFTER_POS = frozenset({"名詞", "接尾辞", "記号", "補助記号"})
_PHRASE_BREAKS = frozenset("、。,!?！？「」『』【】[]")
_GAPS = frozenset({"", " ", "\u3000"})  # 「BLACK FRIDAY」「ソイプロテイン 1kg 3,480円」: one phrase
# The particles that give a date, time, price or count its meaning (「12/31まで」 the last day,
# 「10時から」 the start, 「500円から」 the lowest price): a fact's phrase keeps the one right after it.
BOUNDS = frozenset({"まで", "から", "迄", "〜", "~", "～"})
# A particle a phrase cannot end on (「体験予約を。」): what it governed was cut out, so it goes too.
# Not 「へ」: 「常連の皆さんへ。」 is a whole address line.
DANGLING = frozenset({"を", "に", "で", "は", "が", "と", "も", "の", "や"})
# The last word of a noun phrase a calm sentence closes with 「です」 (「全品50%OFFです。」,
# 「（税込）です。」); never a colon, an arrow or a bullet (「結論:」 announces what follows).
_NOUN_END_POS = frozenset({"名詞", "接尾辞"})
_NOUN_END_MARKS = frozenset("）)%％」』")
_NOUN_END_ATTACHED = _NOUN_END_MARKS | {"だけ", "のみ"}  # 「週末だけです。」
_BULLETS = tuple("・-*•●◎○")
_PREDICATE_POS = frozenset({"動詞", "形容詞"})
_JOIN_CHARS = 30  # a fact phrase longer than this reads better as a sentence of its own
# Words that make a count the condition of an offer (「先着20名様」「限定100個」「20名様限定」). The
# checker reads them as scarcity even in a calm sentence, so a phrase drops them, and says the
# condition calmly with 「まで」 instead (「20名様まで」): the cap stays, only the pressure goes.
CONDITIONS = frozenset({"先着", "先着順", "限定"})


def fact_phrases(analyzer: Analyzer, text: str, facts: list[str]) -> list[str]:
    """The shortest phrases of `text` that hold its facts: each fact with the run of nouns and
    marks joined to it (at most a space between, no particle or verb), less the words of a pushy
    catalogue phrase at its edges (「本日限り70%OFF」→「70%OFF」), with the particle that gives a
    date, time or price its meaning (「12/31まで」「10時から」), and a count whose condition word went
    said as a cap (「先着50名様」→「50名様まで」), in text order, overlaps merged. None when a fact
    cannot be found in `text`."""
    if not text:
        return []
    doc = analyzer.document(text)
    tokens, folded = doc.tokens, doc.normalized.text
    hits = analyzer.family_matches(folded)
    pushy = [region for family in analyzer.catalogue.families_for(Label.PUSHY_PITCH) for region in hits[family.id]]
    ranges: list[tuple[int, int, str]] = []
    for fact in facts:
        at = text.find(fact)
        if at < 0:
            return []
        a, b = doc.normalized.to_folded(at, at + len(fact))
        inside = [k for k, t in enumerate(tokens) if t.start < b and a < t.end]
        if not inside:
            return []
        first, last = inside[0], inside[-1]
        while first > 0 and _joins(tokens[first - 1], tokens[first], folded, _BEFORE_POS):
            first -= 1
        while last + 1 < len(tokens) and _joins(tokens[last + 1], tokens[last], folded, _AFTER_POS):
            last += 1
        dropped = set()
        while first < inside[0] and (_pressed(tokens[first], pushy) or tokens[first].pos == "接尾辞"):
            dropped.add(tokens[first].surface)
            first += 1
        while last > inside[-1] and (_pressed(tokens[last], pushy) or tokens[last].pos == "接頭辞"):
            dropped.add(tokens[last].surface)
            last -= 1
        bound = last + 1 < len(tokens) and tokens[last + 1].surface in BOUNDS and tokens[last + 1].start == tokens[last].end
        if bound:
            last += 1  # 「12/31まで」: without its まで a deadline no longer says it is the last day
        start, end = doc.normalized.to_original(min(a, tokens[first].start), max(b, tokens[last].end))
        kept = {t.surface for t in tokens[first : last + 1]}
        capped = bool(dropped & CONDITIONS) and not bound and not kept & CONDITIONS
        ranges.append((start, end, "まで" if capped else ""))
    merged: list[list[int]] = []
    suffixes: list[str] = []
    for a, b, suffix in sorted(ranges):
        if merged and a <= merged[-1][1]:
            if b >= merged[-1][1]:
                suffixes[-1] = suffix
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
            suffixes.append(suffix)
    return [_balanced(text[a:b]) + suffix for (a, b), suffix in zip(merged, suffixes)]


def _joins(token: Token, neighbour: Token, folded: str, kinds: frozenset[str]) -> bool:
    """Whether `token` belongs to the phrase of its neighbour: a noun or mark next to it."""
    gap = folded[token.end : neighbour.start] if token.end <= neighbour.start else folded[neighbour.end : token.start]
    return gap in _GAPS and token.pos in kinds and not any(c in _PHRASE_BREAKS for c in folded[token.start : token.end])


def _pressed(token: Token, regions: list[tuple[int, int]]) -> bool:
    """The token lies inside a pushy catalogue phrase."""
    return any(a <= token.start and token.end <= b for a, b in regions)


def _balanced(phrase: str) -> str:
    """The phrase without a dangling bracket or separator at its edges (「12月5日(金)〜7日(」)."""
    phrase = phrase.strip(" \u3000・")
    while phrase.count("(") != phrase.count(")") or phrase.count("（") != phrase.count("）"):
        cut = max(phrase.rfind("("), phrase.rfind("（"))
        if cut <= 0:
            break
        phrase = phrase[:cut].rstrip(" \u3000・")
    return phrase


def _failing(analyzer: Analyzer, doc: Document) -> tuple[set[Label], Scored]:
    """The labels that keep a rewrite from reading as an ok story (hard-sell labels at caution,
    story below its line), and the scoring that says where each comes from."""
    cuts = analyzer.cuts()
    scored = blocks.scored(analyzer.model, analyzer.model.encode(doc))
    probs = scored.probabilities
    failing = {label for label in HARD_SELL_LABELS if probs[label] >= cuts.caution[label]}
    if probs[Label.STORY] < cuts.decision[Label.STORY]:
        failing.add(Label.STORY)
    return failing, scored


def _pushes(scored: Scored, ranges: list[tuple[int, int]], failing: set[Label]) -> NDArray[np.float64]:
    """How much each line, where it stands, keeps the rewrite from reading as an ok story: the
    contributions of the feature occurrences inside it towards the failing hard-sell labels and
    away from the story (one pass over the occurrences, however many lines)."""
    signs = np.array([(-1.0 if label == Label.STORY else 1.0) if label in failing else 0.0 for label in LABELS])
    weights = signs @ scored.contributions
    starts = np.array([a for a, _ in ranges])
    ends = np.array([b for _, b in ranges])
    line = np.searchsorted(starts, scored.starts, side="right") - 1
    inside = (line >= 0) & (scored.ends <= ends[np.clip(line, 0, None)])
    return np.bincount(line[inside], weights=weights[inside], minlength=len(ranges)).astype(np.float64)


def settle(analyzer: Analyzer, head: list[str], lines: list[FactLine], tail: list[str]) -> str:
    """Head, fact lines and tail, each fact line in its fullest form; while the checker does not
    read the whole as an ok story, the line that pushes it most away from one takes its next,
    calmer form (in a long draft, the strongest eighth of the lines at once, so the work stays
    close to linear). The checker decides how much of a sentence's wording can stay, not which
    facts: every form keeps them all."""
    levels = [0] * len(lines)
    while True:
        chosen = [line.forms[level] for line, level in zip(lines, levels)]
        text = "\n".join(head + [line for line in chosen if line] + tail)
        doc = analyzer.document(text)
        failing, scored = _failing(analyzer, doc)
        if not failing:
            return _joined_if_ok(analyzer, head, [line for line in chosen if line], tail, text)
        open_lines = [k for k, line in enumerate(lines) if levels[k] + 1 < len(line.forms)]
        if not open_lines:
            return _one_sentence(analyzer, head, chosen, tail, text)
        offset = len("\n".join(head)) + 1
        ranges = []
        for line in chosen:
            ranges.append(doc.normalized.to_folded(offset, offset + len(line)))
            offset += len(line) + 1 if line else 0
        pushes = _pushes(scored, ranges, failing)
        ranked = sorted(open_lines, key=lambda k: (pushes[k], len(chosen[k])), reverse=True)
        for k in ranked[: max(1, len(open_lines) // 8)]:
            levels[k] += 1


def _joined_if_ok(analyzer: Analyzer, head: list[str], chosen: list[str], tail: list[str], text: str) -> str:
    """The ok rewrite with its short fact sentences joined (`joined`), if the checker still reads
    that as an ok story; else `text` as it is."""
    merged = joined(analyzer, chosen)
    if merged == chosen:
        return text
    candidate = "\n".join(head + merged + tail)
    failing, _ = _failing(analyzer, analyzer.document(candidate))
    return text if failing else candidate


def _one_sentence(analyzer: Analyzer, head: list[str], chosen: list[str], tail: list[str], text: str) -> str:
    """The calmest lines as one sentence (「鉄道模型 25% OFF、プラモ 15% OFF、2/1〜2/11。」), or as
    one sentence about this occasion (「今回は、…」: 今回 is a neutral word), whichever first reads as
    an ok story where the stack of short lines does not: a headline a line is how a blast looks.
    Else `text`, the stack."""
    pieces = [line.rstrip("。").removesuffix("です") for line in chosen if line]
    if not pieces:
        return text
    one = "".join(p + (" " if _URL_END.search(p) else "、") for p in pieces[:-1]) + _as_sentence(analyzer, pieces[-1])
    for sentence in ([one] if len(pieces) > 1 else []) + [OCCASION + one]:
        merged = "\n".join(head + [sentence] + tail)
        failing, _ = _failing(analyzer, analyzer.document(merged))
        if not failing:
            return merged
    return text


def rewrite(analyzer: Analyzer, draft: str, answers: Answers) -> str:
    """Episode, reason, the draft's facts, one invitation (and the draft's closing hashtags)."""
    softened = analyzer.analyze(draft).softened_text
    lines, hashtags = fact_lines(analyzer, draft, softened)
    head = [_sentence(answers.episode.strip()), _sentence(answers.reason.strip())]
    tail = [INVITATION] + ([" ".join(hashtags)] if hashtags else [])
    return settle(analyzer, head, lines, tail)


def rewrite_report(analyzer: Analyzer, draft: str, answers: Answers) -> tuple[str, Report]:
    """The rewrite and the analysis of it (what the writer sees before applying)."""
    text = rewrite(analyzer, draft, answers)
    return text, analyzer.analyze(text)
