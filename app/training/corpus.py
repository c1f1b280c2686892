"""The labelled corpus: one record shape, its validation, and loading from `training_data/`.

Run `python -m app.training.corpus [PATH ...]` to validate corpus files; it prints every problem
and exits non-zero when there is one (authors run it after each batch they write).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.engine.similarity import similar_pairs


class Kind(StrEnum):
    """What a post is, for breadth accounting and per-kind metrics."""

    HARD_SELL = "hard_sell"  # overt deal blast / pitch with the usual keywords
    SUBTLE_PRESSURE = "subtle_pressure"  # pressure without the usual keywords
    OBFUSCATED = "obfuscated"  # hard sell in half-width kana, full-width digits, English mix...
    MIXED = "mixed"  # a real story that still ends in a hard push (story=1 and a hard-sell label)
    STORY = "story"  # fan/relationship post, nothing for sale in view
    STORY_WITH_OFFER = "story_with_offer"  # story that mentions a price, sale or event, no pressure
    CRITICISM = "criticism"  # criticises or quotes hard selling without doing it
    INVITATION = "invitation"  # one gentle invitation
    NOTICE = "notice"  # plain notice: hours, closures, restocks, policies
    ARTICLE = "article"  # an article, essay or how-to about selling or marketing: it discusses, quotes
    #                      or explains hard-sell phrases and campaigns without doing them
    REFERENCE = "reference"  # reference page: membership terms, FAQ, price tables, point rules
    NEWS = "news"  # news-style copy, third person, about a sale, a shop or a cheap product


HARD_NEGATIVE_KINDS = frozenset(
    {
        Kind.STORY_WITH_OFFER,
        Kind.CRITICISM,
        Kind.INVITATION,
        Kind.NOTICE,
        Kind.ARTICLE,
        Kind.REFERENCE,
        Kind.NEWS,
    }
)
HARD_SELL_KINDS = frozenset({Kind.HARD_SELL, Kind.SUBTLE_PRESSURE, Kind.OBFUSCATED, Kind.MIXED})
Platform = Literal["x", "instagram", "facebook", "line", "blog"]


class Post(BaseModel):
    """One labelled post, as stored one per line in `training_data/**/*.jsonl`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=80)
    text: str = Field(min_length=2, max_length=6000)
    discount_spam: Literal[0, 1]
    pushy_pitch: Literal[0, 1]
    story: Literal[0, 1]
    kind: Kind
    domain: str = Field(min_length=2, max_length=40)
    platform: Platform
    key_phrases: list[str] = Field(default_factory=list)
    source: Literal["written", "template"] = "written"
    group: str | None = None

    @property
    def hard_sell(self) -> bool:
        """Either hard-sell label."""
        return bool(self.discount_spam or self.pushy_pitch)

    @property
    def group_key(self) -> str:
        """Paraphrases share a group; a post without one is its own group."""
        return self.group or self.id

    @model_validator(mode="after")
    def _labels_agree_with_kind(self) -> Post:
        """Catch the slips an author makes most often: kind and labels that disagree."""
        if self.hard_sell and not self.key_phrases:
            raise ValueError("hard-sell post needs key_phrases")
        if not self.hard_sell and self.key_phrases:
            raise ValueError("key_phrases only on hard-sell posts")
        for phrase in self.key_phrases:
            if not phrase or phrase not in self.text:
                raise ValueError(f"key phrase {phrase!r} is not an exact substring of text")
        if self.kind in HARD_SELL_KINDS and not self.hard_sell:
            raise ValueError(f"kind {self.kind} needs discount_spam or pushy_pitch = 1")
        if self.kind in HARD_NEGATIVE_KINDS | {Kind.STORY} and self.hard_sell:
            raise ValueError(f"kind {self.kind} must have discount_spam = pushy_pitch = 0")
        if self.kind in {Kind.STORY, Kind.STORY_WITH_OFFER, Kind.MIXED} and not self.story:
            raise ValueError(f"kind {self.kind} needs story = 1")
        if self.kind in {Kind.NOTICE, Kind.REFERENCE, Kind.NEWS} and self.story:
            raise ValueError(f"a {self.kind} has story = 0")
        return self


def occurrences(text: str, phrase: str) -> list[tuple[int, int]]:
    """Every place `phrase` occurs in `text` (an annotated key phrase may be repeated)."""
    found, at = [], text.find(phrase)
    while phrase and at >= 0:
        found.append((at, at + len(phrase)))
        at = text.find(phrase, at + 1)
    return found


def iter_corpus_files(root: Path) -> list[Path]:
    """Every corpus file below `root`, in a stable order (the data hash depends on it)."""
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*.jsonl") if p.is_file())


def read_posts(path: Path) -> Iterator[tuple[int, Post | str]]:
    """Yield (line number, Post) or (line number, error message) for one file."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, Post.model_validate_json(line)
            except ValidationError as exc:
                errors = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
                yield number, errors


def collect(roots: Iterable[Path]) -> tuple[list[Post], list[str]]:
    """Every valid post below the roots, and one problem line per bad record or duplicate id."""
    posts: list[Post] = []
    problems: list[str] = []
    for root in roots:
        for path in iter_corpus_files(root):
            for number, item in read_posts(path):
                if isinstance(item, str):
                    problems.append(f"{path}:{number}: {item}")
                else:
                    posts.append(item)
    problems.extend(duplicate_id_problems(posts))
    return posts, problems


def load_corpus(root: Path) -> list[Post]:
    """Load every post below `root`; raise ValueError listing the problems if any record is bad."""
    posts, problems = collect([root])
    if problems:
        raise ValueError("corpus has problems:\n" + "\n".join(problems[:50]))
    return posts


def duplicate_id_problems(posts: Iterable[Post]) -> list[str]:
    """Ids must be unique across the whole corpus."""
    seen: set[str] = set()
    problems = []
    for post in posts:
        if post.id in seen:
            problems.append(f"duplicate id {post.id}")
        seen.add(post.id)
    return problems


def near_duplicates(posts: list[Post], threshold: float = 0.8) -> list[tuple[str, str, float]]:
    """Pairs of posts (by id) whose 5-gram Jaccard similarity reaches `threshold` (every pair checked)."""
    return [(posts[i].id, posts[j].id, score) for i, j, score in similar_pairs([p.text for p in posts], threshold)]


def corpus_hash(root: Path) -> str:
    """SHA-256 over the corpus files' relative paths and bytes: the model's training-data id."""
    digest = hashlib.sha256()
    base = root if root.is_dir() else root.parent
    for path in iter_corpus_files(root):
        digest.update(path.relative_to(base).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    """Validate corpus files: schema, labels vs kind, key phrases, unique ids, near-duplicates."""
    args = argv if argv is not None else sys.argv[1:]
    roots = [Path(a) for a in args] or [Path("training_data")]
    missing = [str(root) for root in roots if not root.exists()]
    if missing:
        print(f"corpus: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    posts, problems = collect(roots)
    for a, b, score in near_duplicates(posts):
        problems.append(f"near-duplicate posts {a} and {b} (5-gram Jaccard {score:.2f})")
    summary: dict[str, int] = {}
    for post in posts:
        summary[post.kind.value] = summary.get(post.kind.value, 0) + 1
    print(json.dumps({"posts": len(posts), "kinds": summary}, ensure_ascii=False))
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
