"""What a rewrite may add: the neutral-word list (data) and the check that a rewrite invents nothing.

A rewrite (softened draft, one-click replacement, guided story rewrite) may bring in only grammar
words, the words of `app/suggestions/neutral_words.yaml`, and placeholders （…） the writer fills in.
Any other content word the draft lacks is a fact, motive, period, benefit or testimonial that the
tool would be putting in the writer's mouth.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cached_property, lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from app.engine.mentions import MASK
from app.engine.normalize import NormalizedText, normalize
from app.engine.tokenize import Token, Tokenizer

DEFAULT_NEUTRAL_WORDS = Path(__file__).resolve().parent.parent / "suggestions" / "neutral_words.yaml"
# A placeholder the writer fills in: full-width parentheses around a short description.
PLACEHOLDER = re.compile(r"（[^（）\n]{1,30}）")
# Parts of speech that carry content; particles, auxiliaries, prefixes and symbols never do.
CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "副詞", "形状詞"})


class NeutralWord(BaseModel):
    """One word a rewrite may add, and why it adds no fact."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    word: str = Field(min_length=1, max_length=12)
    why: str = Field(min_length=3)


class NeutralWords(BaseModel):
    """The whole list, by part of speech (the grouping documents; matching uses the union)."""

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    nouns: list[NeutralWord] = Field(min_length=1)
    verbs: list[NeutralWord] = Field(default_factory=list)
    adjectives: list[NeutralWord] = Field(default_factory=list)
    adverbs: list[NeutralWord] = Field(default_factory=list)
    not_facts: list[NeutralWord] = Field(default_factory=list)

    @cached_property
    def words(self) -> frozenset[str]:
        """Every listed word (surface or unidic lemma)."""
        return frozenset(w.word for group in (self.nouns, self.verbs, self.adjectives, self.adverbs) for w in group)

    @cached_property
    def selling_letters(self) -> frozenset[str]:
        """Latin words of selling that are no name (case-folded): a rewrite may drop them."""
        return frozenset(w.word.casefold() for w in self.not_facts)


@lru_cache(maxsize=4)
def load_neutral_words(path: Path = DEFAULT_NEUTRAL_WORDS) -> NeutralWords:
    """Read and validate the list once; duplicates are a slip in the data file."""
    data = NeutralWords.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    listed = [w.word for group in (data.nouns, data.verbs, data.adjectives, data.adverbs) for w in group]
    duplicates = sorted({w for w in listed if listed.count(w) > 1})
    if duplicates:
        raise ValueError(f"neutral words listed twice: {duplicates}")
    return data


def mask_placeholders(normalized: NormalizedText, known: frozenset[str]) -> NormalizedText:
    """The folded text with the tool's own placeholders masked (offsets unchanged): a （届けたい人）
    the tool wrote for the writer to fill is not the writer's words, so the checker neither scores
    nor highlights it. Only the placeholders the catalogue writes (`known`) are masked: a writer's
    own （税込） or （土） is read as written. Found in the original text, where full-width
    parentheses are still told apart from the ASCII ones of 「(笑)」."""
    found = [
        normalized.to_folded(*m.span()) for m in PLACEHOLDER.finditer(normalized.original) if m.group() in known
    ]
    if not found:
        return normalized
    chars = list(normalized.text)
    for start, end in found:
        chars[start:end] = MASK * (end - start)
    return replace(normalized, text="".join(chars))


def without_placeholders(text: str) -> str:
    """The text with every placeholder blanked (same length): what the writer has not written yet."""
    return PLACEHOLDER.sub(lambda m: "　" * len(m.group()), text)


def placeholders(text: str) -> list[str]:
    """The placeholders left in a text, in order."""
    return PLACEHOLDER.findall(text)


def _content_tokens(tokens: list[Token]) -> list[Token]:
    return [t for t in tokens if t.pos in CONTENT_POS and t.surface.strip()]


def _key(token: Token) -> tuple[str, str]:
    """Surface and lemma without unidic's loanword gloss (「コメント-comment」)."""
    return token.surface, token.lemma.split("-")[0]


def added_content_words(draft: str, rewrite: str, tokenizer: Tokenizer, neutral: NeutralWords | None = None) -> list[str]:
    """Content words of `rewrite` that the draft does not contain, that are not neutral and that sit
    outside placeholders: each is a word the tool put in the writer's mouth."""
    listed = (neutral or load_neutral_words()).words
    said: set[str] = set()
    folded_draft = normalize(draft).text
    for token in _content_tokens(tokenizer.tokenize(folded_draft)):
        said.update(_key(token))
    found = []
    folded = normalize(without_placeholders(rewrite)).text
    for token in _content_tokens(tokenizer.tokenize(folded)):
        surface, lemma = _key(token)
        if surface in said or lemma in said or surface in listed or lemma in listed or surface in folded_draft:
            continue
        found.append(surface)
    return found
