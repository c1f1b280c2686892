"""Train / dev / test splits: fixed by a seed, grouped so paraphrases never straddle splits."""

from __future__ import annotations

import hashlib
from enum import StrEnum

from app.engine.similarity import UnionFind
from app.training.corpus import Post, near_duplicates

SPLIT_SEED = "urikomi-2026"
# Posts this similar (5-gram Jaccard) are treated as paraphrases even without a shared group.
PARAPHRASE_SIMILARITY = 0.5
_SHARES = (("train", 0.70), ("dev", 0.85), ("test", 1.0))


class Split(StrEnum):
    """Where a post is used."""

    TRAIN = "train"
    DEV = "dev"
    TEST = "test"


def paraphrase_groups(posts: list[Post]) -> dict[str, str]:
    """Post id → group root: explicit `group` fields joined with near-paraphrases."""
    groups: UnionFind[str] = UnionFind()
    for post in posts:
        groups.union(post.id, "group:" + post.group_key)
    for a, b, _ in near_duplicates(posts, threshold=PARAPHRASE_SIMILARITY):
        groups.union(a, b)
    return {post.id: groups.find(post.id) for post in posts}


def _bucket(key: str, seed: str) -> Split:
    """A stable pseudo-random split for a group key."""
    digest = hashlib.sha256(f"{seed}\0{key}".encode()).digest()
    fraction = int.from_bytes(digest[:8], "big") / 2**64
    for name, upper in _SHARES:
        if fraction < upper:
            return Split(name)
    return Split.TEST


def assign_splits(posts: list[Post], seed: str = SPLIT_SEED) -> dict[str, Split]:
    """Post id → split; every member of a paraphrase group lands in the same split."""
    roots = paraphrase_groups(posts)
    return {post_id: _bucket(root, seed) for post_id, root in roots.items()}
