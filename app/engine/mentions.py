"""Mentioned, not used: quoted phrases that a draft talks about are masked before it is read.

An essay that criticises 「本日限り!全品半額!!」 quotes a blast; it does not send one. The words
around a quote say which it is (「…」といった言葉, 『…』のような投稿, 毎日「今だけ」と投稿していた):
such a quote's content is replaced by MASK characters of the same length, so offsets stay valid and
the model reads 「□□□□」のような投稿は逆効果です. Quotes without such a cue (a customer's words, a
testimonial used as proof, a product name) are read as written. The cues are data: mentions.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.engine.normalize import NormalizedText

MASK = "□"  # MeCab reads each as one symbol token; it never joins a neighbour
RULES_PATH = Path(__file__).with_name("mentions.yaml")
_LOOK = 40  # characters of context read after a closing and before an opening bracket
_LIST_GAP = 6  # quotes further apart than this are not one list (and a long gap is never scanned)


class MentionRules(BaseModel):
    """The validated contents of mentions.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    brackets: tuple[tuple[str, str], ...] = Field(min_length=1)
    list_joiners: str
    after: str
    before: str

    @field_validator("list_joiners", "after", "before")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern, re.VERBOSE)
        except re.error as exc:
            raise ValueError(f"pattern does not compile: {exc}") from exc
        return pattern


@dataclass(frozen=True)
class _Compiled:
    opens: dict[str, str]  # opening bracket → its closing bracket
    joiner: re.Pattern[str]
    after: re.Pattern[str]
    before: re.Pattern[str]


@lru_cache(maxsize=1)
def _rules(path: Path = RULES_PATH) -> _Compiled:
    rules = MentionRules.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    # VERBOSE lets the YAML fold long alternations over lines; literal spaces are written \s
    return _Compiled(
        dict(rules.brackets),
        re.compile(rules.list_joiners),
        re.compile(rules.after, re.VERBOSE),
        re.compile(rules.before, re.VERBOSE),
    )


def quotes(folded: str) -> list[tuple[int, int]]:
    """[start, end) of every outermost bracketed quote's content (brackets excluded), nesting of
    the same bracket kind respected; an unclosed bracket quotes nothing. One pass with a stack per
    bracket kind (linear: a run of ten thousand 「 costs no more than ordinary text)."""
    opens = _rules().opens
    closes = {close: open_ for open_, close in opens.items()}
    stacks: dict[str, list[int]] = {open_: [] for open_ in opens}
    pairs: list[tuple[int, int]] = []
    for index, char in enumerate(folded):
        if char in stacks and not (char in closes and stacks[char]):
            stacks[char].append(index)
        elif char in closes and stacks[closes[char]]:
            pairs.append((stacks[closes[char]].pop(), index))
    found: list[tuple[int, int]] = []
    for start, end in sorted(pairs):
        if not found or start > found[-1][1]:
            found.append((start + 1, end))
    return found


def mention_regions(folded: str) -> list[tuple[int, int]]:
    """The quoted contents that the words around them mark as mentioned (see module doc)."""
    rules = _rules()
    found = quotes(folded)
    regions: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []
    for index, (start, end) in enumerate(found):
        run.append((start, end))
        nxt = found[index + 1] if index + 1 < len(found) else None
        gap = folded[end + 1 : nxt[0] - 1] if nxt is not None else ""
        if nxt is not None and len(gap) <= _LIST_GAP and rules.joiner.match(gap):
            continue  # the list goes on: decide when it ends
        head = run[0][0] - 1
        if rules.after.match(folded[end + 1 : end + 1 + _LOOK]) or rules.before.search(folded[max(0, head - _LOOK) : head]):
            regions.extend(run)
        run = []
    return regions


def mask_mentions(normalized: NormalizedText) -> NormalizedText:
    """The same folded text with every mentioned quote's content masked (offsets unchanged)."""
    regions = mention_regions(normalized.text)
    if not regions:
        return normalized
    pieces: list[str] = []
    done = 0
    for start, end in regions:
        pieces.append(normalized.text[done:start])
        pieces.append(MASK * (end - start))
        done = end
    pieces.append(normalized.text[done:])
    return replace(normalized, text="".join(pieces))
