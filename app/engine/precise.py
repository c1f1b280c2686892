"""Precise highlights: phrases on token boundaries, without the words around them that do not sell,
never only a fact, and catch-all phrases only where the model's evidence is strong and local and
they hold a word that sells.

The rules are data (`app/suggestions/highlights.yaml`, `app/suggestions/selling_words.yaml`).
Offsets here are in the folded text, like the rest of `explain`.
"""

from __future__ import annotations

import bisect
from functools import cached_property, lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from app.engine.explain import Phrase, Prefix, outside_urls, region_weight
from app.engine.features import Document
from app.engine.neutral import load_neutral_words
from app.engine.regions import Regions
from app.engine.soften import is_name
from app.engine.tagger import TokenScores
from app.engine.tokenize import Token

DEFAULT_RULES = Path(__file__).resolve().parent.parent / "suggestions" / "highlights.yaml"
DEFAULT_SELLING_WORDS = Path(__file__).resolve().parent.parent / "suggestions" / "selling_words.yaml"
_SYMBOL_POS = frozenset({"補助記号", "記号", "空白"})
# Grammar at a phrase's edge (「…OFFにしています」「…のご案内」) does not sell; neither do the
# neutral words a rewrite may add (ご用意, ご案内): a highlight never ends on them.
_GRAMMAR_POS = frozenset({"助詞", "助動詞", "接頭辞"})
# A neutral word at a phrase's edge is trimmed unless it carries this share of the phrase's
# strongest token: 「ご予約」 in 「急いでご予約を」 sells, 「ご用意」 in 「5名のご用意です」 does not.
_NEGATIONS = frozenset({"ない", "ず", "ぬ", "ん"})
_INFLECTING = frozenset({"動詞", "形容詞", "助動詞"})
_CONDITIONAL = frozenset({"ば", "て", "で"})  # 「いなければ」, the te-form 「申し込んで」
_PERCENT = frozenset({"%", "％"})
NEUTRAL_EDGE_SHARE = 0.25
GRAMMAR_EDGE_SHARE = 0.25
# A word at a phrase's edge that pulls the label down by this share of the strongest token is cut
# (「にしています」 after 「全品50%OFF」); one the model barely weighs stays part of the phrase
# (「痩せ」 of 「絶対に痩せます」, 「冬」 of 「この冬」). Chosen on the train split's key phrases.
NEGATIVE_EDGE_SHARE = 0.3


class CatchAll(BaseModel):
    """How strong and local a phrase no family knows must be to be shown."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_logit: float = Field(ge=0)
    min_density: float = Field(ge=0)
    min_share: float = Field(ge=0, le=1)
    # ...and it holds a selling word at this share (selling_words.yaml), or weighs this much alone
    min_word_share: float = Field(ge=0, le=1)
    min_logit_alone: float = Field(ge=0)
    # with a phrase tagger beside the model, the gate is its probability instead (app/engine/tagger.py)
    min_tagger: float = Field(ge=0, le=1)


class HighlightRules(BaseModel):
    """The highlight rules file."""

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    date_words: list[str] = Field(min_length=1)
    joiners: list[str] = Field(default_factory=list)
    offer_word_share: float = Field(ge=0, le=1)
    catch_all: CatchAll

    @cached_property
    def fact_words(self) -> frozenset[str]:
        """Date words and the grammar that joins the words of a fact."""
        return frozenset(self.date_words) | frozenset(self.joiners)


class SellingWords(BaseModel):
    """Words that annotators mark as selling, with their share of occurrences inside key phrases
    (learned from the train split by `app/training/selling_words.py`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    words: dict[str, float] = Field(min_length=1)


def word_key(token: Token) -> str:
    """How a word is looked up in the selling words: its dictionary form (「限定」 for 「限定」,
    「急ぐ」 for 「急い」), or its surface when the dictionary has none."""
    return token.lemma.split("-")[0] or token.surface


@lru_cache(maxsize=4)
def load_selling_words(path: Path = DEFAULT_SELLING_WORDS) -> SellingWords:
    """Read and validate the selling words once."""
    return SellingWords.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=4)
def load_highlight_rules(path: Path = DEFAULT_RULES) -> HighlightRules:
    """Read and validate the rules once."""
    return HighlightRules.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


class TokenView:
    """A draft's tokens with their scores for one label, found by offset."""

    def __init__(self, tokens: tuple[Token, ...] | list[Token], prefix: Prefix) -> None:
        self.tokens = tokens
        self.starts = [t.start for t in tokens]
        sums = prefix.tolist()
        self.scores = [sums[t.end] - sums[t.start] for t in tokens]

    def inside(self, start: int, end: int) -> range:
        """Indices of the tokens that overlap [start, end)."""
        first = max(0, bisect.bisect_right(self.starts, start) - 1)
        if first < len(self.tokens) and self.tokens[first].end <= start:
            first += 1
        last = bisect.bisect_left(self.starts, end)
        return range(first, last)


def snapped(phrase: Phrase, view: TokenView, prefix: Prefix) -> Phrase:
    """The phrase widened to whole tokens (a pattern may match inside a word: 「商品」 in 「新商品」)."""
    ks = view.inside(phrase.start, phrase.end)
    if not ks:
        return phrase
    start = min(phrase.start, view.tokens[ks[0]].start)
    end = max(phrase.end, view.tokens[ks[-1]].end)
    return Phrase(start, end, region_weight(prefix, start, end)) if (start, end) != (phrase.start, phrase.end) else phrase


def tightened(phrase: Phrase, view: TokenView, prefix: Prefix, keep: Regions) -> Phrase | None:
    """The phrase without edge tokens that push its label down, edge grammar and neutral words
    (「にしています」 after 「全品50%OFF」, 「のご用意です」 after 「5名」) and edge symbols; tokens
    inside a catalogue match stay. None when nothing sells."""
    ks = list(view.inside(phrase.start, phrase.end))

    neutral = load_neutral_words().words
    top = max((view.scores[k] for k in ks), default=0.0)

    def weak(k: int, left: bool = False) -> bool:
        token = view.tokens[k]
        if left and token.pos == "接頭辞":
            return False  # 「全」 of 「全プラン」, 「ご」 of 「ご来店」: a prefix belongs to the word after it
        if keep.overlaps(token.start, token.end) and token.pos not in _SYMBOL_POS:
            return False
        if token.pos in _SYMBOL_POS or not token.surface.strip() or view.scores[k] < -NEGATIVE_EDGE_SHARE * top:
            return True
        if token.pos in _GRAMMAR_POS:
            # a negation is meaning, not grammar: 「申し込まない」 is not 「申し込ま」
            return token.lemma not in _NEGATIONS and view.scores[k] < GRAMMAR_EDGE_SHARE * top
        listed = token.surface in neutral or token.lemma.split("-")[0] in neutral
        return listed and view.scores[k] < NEUTRAL_EDGE_SHARE * top

    if ks and all(view.tokens[k].pos in _SYMBOL_POS for k in ks) and keep.overlaps(phrase.start, phrase.end):
        return phrase  # 「!!」「🔥🔥」: a family of stacked marks, all symbols by nature
    while ks and weak(ks[0], left=True):
        ks.pop(0)
    while ks and weak(ks[-1]):
        ks.pop()
    if not ks:
        return None
    last = ks[-1]
    if any(c.isdigit() for c in view.tokens[last].surface) and last + 1 < len(view.tokens):
        counter = view.tokens[last + 1]
        if (counter.pos in ("名詞", "接尾辞") or counter.surface in _PERCENT) and counter.start == view.tokens[last].end and counter.end <= phrase.end:
            ks.append(last + 1)  # 「ﾗｽﾄ３日」「月利10%」: a number keeps its counter or its percent sign
    tail = _inflection(view, ks[-1])
    if ks[0] > 0 and view.tokens[ks[0] - 1].surface in ("#", "＃") and view.tokens[ks[0] - 1].start >= phrase.start:
        ks.insert(0, ks[0] - 1)  # a hashtag is marked with its #, so removing it leaves no stray mark
    start = max(phrase.start, view.tokens[ks[0]].start)
    end = view.tokens[tail[-1]].end if tail else min(phrase.end, view.tokens[ks[-1]].end)
    if view.tokens[ks[0]].surface in ("#", "＃"):
        # one hashtag, marked whole: removing it leaves no stray word and takes no neighbouring tag
        end = _hashtag_end(view, ks[0], view.tokens[ks[0]].end)
    if (start, end) == (phrase.start, phrase.end):
        return phrase
    return Phrase(start, end, region_weight(prefix, start, end))


def _inflection(view: TokenView, last: int) -> list[int]:
    """The auxiliaries that finish a verb or adjective cut at its stem (「なくなっ」+「た」,
    「分から」+「ない」, 「いなけれ」+「ば」, 「申し込ん」+「で」), even past the phrase the model
    weighed: a highlight never ends mid-inflection."""
    if view.tokens[last].pos not in _INFLECTING:
        return []
    tail: list[int] = []
    k = last + 1
    while k < len(view.tokens) and view.tokens[k].start == view.tokens[k - 1].end:
        token = view.tokens[k]
        if token.pos == "助動詞":
            tail.append(k)
        elif token.pos == "助詞" and token.surface in _CONDITIONAL:
            tail.append(k)
            break
        else:
            break
        k += 1
    return tail


def _hashtag_end(view: TokenView, k: int, end: int) -> int:
    """Where the hashtag that starts at token k ends (the next space, # or symbol)."""
    for token in view.tokens[k + 1 :]:
        if token.start > end:  # a space: the tag has ended
            break
        if token.surface in ("#", "＃") or not token.surface.strip() or (token.pos in _SYMBOL_POS and token.surface not in "_-・"):
            break
        end = max(end, token.end)
    return end


def bare_fact(phrase: Phrase, view: TokenView, folded: str, salesy: Regions, urls: Regions, rules: HighlightRules) -> bool:
    """Whether the phrase is only a fact: every word of it is a number, a counter after a number, a
    date word, part of a link, a name (a noun run that reads as one), or a neutral hashtag, and no
    catalogue pattern (a deal or a pressure phrase) touches it."""
    if salesy.overlaps(phrase.start, phrase.end):
        return False
    ks = list(view.inside(phrase.start, phrase.end))
    names = _name_tokens(view, ks, folded, rules.offer_word_share)
    hashtag = folded[max(0, phrase.start - 1) : phrase.start + 1].strip()[:1] in ("#", "＃")
    seen_fact = False
    previous_number = bool(ks) and ks[0] > 0 and any(char.isdigit() for char in view.tokens[ks[0] - 1].surface)
    for k in ks:
        token = view.tokens[k]
        surface = token.surface
        if token.pos in _SYMBOL_POS or not surface.strip():
            previous_number = previous_number and surface in ",.:/"
            continue
        if token.pos in ("助詞", "助動詞") and surface not in rules.fact_words:
            continue  # 「3名までです」: grammar around a fact sells nothing
        number = any(char.isdigit() for char in surface)
        fact = (
            hashtag
            or number
            or (previous_number and token.pos in ("名詞", "接尾辞"))
            or surface in rules.fact_words
            or token.lemma in rules.fact_words
            or urls.overlaps(token.start, token.end)
            or k in names
        )
        if not fact:
            return False
        seen_fact = seen_fact or surface not in rules.joiners
        previous_number = number or (previous_number and token.pos in ("名詞", "接尾辞"))
    return seen_fact


def _name_tokens(view: TokenView, ks: list[int], folded: str, selling_share: float) -> set[int]:
    """Tokens of the noun runs (prefixes included: 「新商品」) among `ks` that read as names. A run
    that holds a selling word (「OFF」「FREE」「実質無料」「プレゼント」「限定」) is an offer, not a name."""
    words = load_selling_words().words
    found: set[int] = set()
    run: list[int] = []
    for k in ks + [-1]:
        token = view.tokens[k] if k >= 0 else None
        # a suffix belongs to the noun before it (「工事費」「スタッフ一同」), never starts a name
        noun = token is not None and (token.pos in ("名詞", "接頭辞") or (token.pos == "接尾辞" and bool(run)))
        joins = token is not None and noun and (not run or view.tokens[run[-1]].end == token.start)
        if joins:
            run.append(k)
            continue
        if run and is_name(folded[view.tokens[run[0]].start : view.tokens[run[-1]].end]):
            if not any(words.get(word_key(view.tokens[j]), 0.0) >= selling_share for j in run):
                found.update(run)
        run = [k] if token is not None and token.pos in ("名詞", "接頭辞") else []
    return found


def only_neutral(phrase: Phrase, view: TokenView, known: Regions) -> bool:
    """A phrase made of grammar and neutral words alone (「ください」「ご案内です」) sells nothing by
    itself, whatever weight the model gives it, unless a catalogue family of its label knows it."""
    if known.overlaps(phrase.start, phrase.end):
        return False
    neutral = load_neutral_words().words
    for k in view.inside(phrase.start, phrase.end):
        token = view.tokens[k]
        if token.pos in _SYMBOL_POS or token.pos in _GRAMMAR_POS or not token.surface.strip():
            continue
        if token.surface not in neutral and token.lemma.split("-")[0] not in neutral:
            return False
    return True


def strongest_words(doc: Document, prefix: Prefix, start: int, end: int, limit: int = 2) -> list[str]:
    """The content words of [start, end) that carry the label most, strongest first, as typed."""
    view = TokenView(doc.tokens, prefix)
    ranked = sorted(
        (k for k in view.inside(start, end) if view.tokens[k].pos not in _SYMBOL_POS | _GRAMMAR_POS and view.scores[k] > 0),
        key=lambda k: -view.scores[k],
    )
    words = []
    for k in ranked[:limit]:
        a, b = doc.normalized.to_original(view.tokens[k].start, view.tokens[k].end)
        words.append(doc.normalized.original[a:b])
    return words


def strong_and_local(phrase: Phrase, strongest: float, rules: HighlightRules) -> bool:
    """A catch-all phrase is shown only when the model's evidence in it is strong and dense."""
    limits = rules.catch_all
    length = max(1, phrase.end - phrase.start)
    return phrase.weight >= limits.min_logit and phrase.weight / length >= limits.min_density and phrase.weight >= limits.min_share * strongest


def sells(phrase: Phrase, view: TokenView, rules: HighlightRules, selling: SellingWords) -> bool:
    """Whether a catch-all phrase says something that sells: it holds a selling word (「限定」「損」
    「急ぐ」, not 「この」「あなた」「まだ」, which the model weighs in pitches but no reader marks),
    or the model's evidence in it is strong enough to stand alone."""
    limits = rules.catch_all
    if phrase.weight >= limits.min_logit_alone:
        return True
    words = selling.words
    return any(words.get(word_key(view.tokens[k]), 0.0) >= limits.min_word_share for k in view.inside(phrase.start, phrase.end))


def claimed_elsewhere(own: list[tuple[int, int]], others: list[tuple[int, int]], view: TokenView) -> list[tuple[int, int]]:
    """The phrases another label's families know (and its model counts) that none of this label's
    families touch and that stand apart in the clause, joined to the rest by a particle: a clause of
    one category is not shown over them, so each keeps its own finding (「フォロー&RTで抽選5名様に
    プレゼント」 is a follow/RT request and a giveaway). A phrase that runs straight on into the rest
    is one phrase (「今だけ半額」: the offer and its limit read together, and have one replacement)."""
    mine = Regions(own)
    return [(a, b) for a, b in others if not mine.overlaps(a, b) and _joined_by_particle(a, b, view)]


def _joined_by_particle(start: int, end: int, view: TokenView) -> bool:
    """Whether a particle stands right after [start, end) or right before it."""
    after = bisect.bisect_left(view.starts, end)
    if after < len(view.tokens) and view.tokens[after].start == end and view.tokens[after].pos == "助詞":
        return True
    before = bisect.bisect_left(view.starts, start) - 1
    return before >= 0 and view.tokens[before].end == start and view.tokens[before].pos == "助詞"


def refined(
    phrases: list[Phrase],
    view: TokenView,
    prefix: Prefix,
    folded: str,
    known: list[tuple[int, int]],
    salesy: list[tuple[int, int]],
    urls: list[tuple[int, int]],
    rules: HighlightRules,
    tagged: TokenScores | None = None,
) -> list[Phrase]:
    """Phrases snapped to tokens, tightened, without bare facts, and catch-all ones only where a
    reader would mark them: `known` are the matches of the label's own families, `salesy` every
    family's, `tagged` the phrase tagger's probability per token (without a tagger, the phrase must
    be strong, local and hold a selling word)."""
    own, pressure, links = Regions(known), Regions(salesy), Regions(urls)
    result = []
    for phrase in phrases:
        start, end = outside_urls(phrase.start, phrase.end, urls)  # a link is where the reader goes
        if end - start <= 0:
            continue
        if (start, end) != (phrase.start, phrase.end):
            phrase = Phrase(start, end, region_weight(prefix, start, end))
        tight = tightened(snapped(phrase, view, prefix), view, prefix, own)
        if tight is None or tight.weight <= 0 or bare_fact(tight, view, folded, pressure, links, rules):
            continue
        if only_neutral(tight, view, own):
            continue
        result.append(tight)
    if tagged is not None:
        floor = rules.catch_all.min_tagger
        return [p for p in result if own.overlaps(p.start, p.end) or max((tagged[k] for k in view.inside(p.start, p.end)), default=0.0) >= floor]
    strongest = max((p.weight for p in result), default=0.0)
    selling = load_selling_words()
    return [
        p
        for p in result
        if own.overlaps(p.start, p.end) or (strong_and_local(p, strongest, rules) and sells(p, view, rules, selling))
    ]
