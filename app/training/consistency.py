"""Corpus consistency: labels and key phrases that the labelling guide says cannot be right.

Two checks, with their word lists and patterns in `consistency.yaml` (data, validated at load):
- a post labelled discount_spam=1 names a deal among its key phrases (a pitch with no deal is
  pushy_pitch only);
- a key phrase is the words that sell, never a bare date, time, price, count or range of them.

Run `python -m app.training.consistency [PATH]` to list every violation (exit 1 when there is one).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.training.corpus import Post, load_corpus

RULES_PATH = Path(__file__).with_name("consistency.yaml")


class ConsistencyRules(BaseModel):
    """The validated contents of consistency.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    deal_markers: tuple[str, ...] = Field(min_length=1)
    bare_fact_patterns: dict[str, str] = Field(min_length=1)

    @field_validator("deal_markers")
    @classmethod
    def _folded(cls, markers: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(fold(m) for m in markers)

    @field_validator("bare_fact_patterns")
    @classmethod
    def _compiles(cls, patterns: dict[str, str]) -> dict[str, str]:
        for name, pattern in patterns.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bare_fact_patterns.{name}: {exc}") from exc
        return patterns


@dataclass(frozen=True)
class Violation:
    """One post that breaks a rule, and why."""

    post_id: str
    rule: str
    detail: str


def fold(text: str) -> str:
    """NFKC width folding and lower case, spaces removed: how phrases are compared."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


@lru_cache(maxsize=1)
def load_rules(path: Path = RULES_PATH) -> ConsistencyRules:
    """Read and validate the rules file once."""
    return ConsistencyRules.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


_KEPT_SYMBOLS = frozenset("%¥$")


def _letters_only(folded: str) -> str:
    """The folded phrase without punctuation, symbols and emoji (bar %, ¥ and $): 半★額 → 半額."""
    return "".join(c for c in folded if c in _KEPT_SYMBOLS or unicodedata.category(c)[0] not in "PSZ")


def is_deal_phrase(phrase: str, rules: ConsistencyRules | None = None) -> bool:
    """Whether a key phrase names a deal (a discount, free gift, prize, points, a price offer)."""
    folded = fold(phrase)
    forms = (folded, _letters_only(folded))
    return any(marker in form for marker in (rules or load_rules()).deal_markers for form in forms)


def bare_fact(phrase: str, rules: ConsistencyRules | None = None) -> str | None:
    """The kind of bare fact a key phrase is (date, price, ...), or None when it is more than that."""
    folded = fold(phrase)
    for name, pattern in (rules or load_rules()).bare_fact_patterns.items():
        if re.fullmatch(pattern, folded):
            return name
    return None


def violations(posts: list[Post], rules: ConsistencyRules | None = None) -> list[Violation]:
    """Every rule broken by the posts, in corpus order."""
    rules = rules or load_rules()
    found: list[Violation] = []
    for post in posts:
        if post.discount_spam and not any(is_deal_phrase(p, rules) for p in post.key_phrases):
            found.append(Violation(post.id, "deal_without_deal_phrase", "discount_spam=1 but no key phrase names a deal"))
        for phrase in post.key_phrases:
            kind = bare_fact(phrase, rules)
            if kind:
                found.append(Violation(post.id, "bare_fact_key_phrase", f"{phrase!r} is a bare {kind}"))
    return found


def main(argv: list[str] | None = None) -> int:
    """List every violation below the given corpus folder (default training_data)."""
    args = argv if argv is not None else sys.argv[1:]
    root = Path(args[0]) if args else Path("training_data")
    if not root.exists():
        print(f"consistency: no such file or folder: {root}", file=sys.stderr)
        return 2
    found = violations(load_corpus(root))
    for v in found:
        print(f"{v.post_id}\t{v.rule}\t{v.detail}")
    print(f"{len(found)} violations", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
