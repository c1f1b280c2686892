"""Character-shingle similarity: near-duplicate posts (the same offer posted again and again),
and the union-find that turns similar pairs into groups."""

from __future__ import annotations

from typing import Generic, TypeVar

Key = TypeVar("Key", str, int)


def char_shingles(text: str, n: int = 5) -> frozenset[str]:
    """Character n-grams of the whitespace-free text."""
    compact = "".join(text.split())
    if len(compact) <= n:
        return frozenset({compact})
    return frozenset(compact[i : i + n] for i in range(len(compact) - n + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two shingle sets."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def similar_pairs(
    texts: list[str], threshold: float, common_cutoff: int | None = None
) -> list[tuple[int, int, float]]:
    """(i, j, similarity) for every pair i < j whose 5-gram Jaccard similarity reaches `threshold`.

    Candidates come from an inverted index of shingles instead of comparing every pair. With a
    `common_cutoff`, shingles that more texts than that share are not used to find candidates
    (near-linear on long feeds, but pairs that share only very common shingles are missed).
    """
    shingles = [char_shingles(text) for text in texts]
    index: dict[str, list[int]] = {}
    for i, grams in enumerate(shingles):
        for gram in grams:
            index.setdefault(gram, []).append(i)
    pairs = []
    for i, grams in enumerate(shingles):
        shared: dict[int, int] = {}
        for gram in grams:
            holders = index[gram]
            if common_cutoff is not None and len(holders) > common_cutoff:
                continue
            for j in holders:
                if j > i:
                    shared[j] = shared.get(j, 0) + 1
        for j, count in shared.items():
            union = len(grams) + len(shingles[j]) - count
            score = count / union if union else 1.0
            if score >= threshold:
                pairs.append((i, j, score))
    return pairs


class UnionFind(Generic[Key]):
    """Disjoint sets of keys; the smaller key of two roots becomes the root, so roots are stable."""

    def __init__(self) -> None:
        self.parent: dict[Key, Key] = {}

    def find(self, key: Key) -> Key:
        """The root of `key`'s set (a key seen for the first time is its own set)."""
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: Key, b: Key) -> None:
        """Join the sets of `a` and `b`."""
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def similar_groups(texts: list[str], threshold: float, common_cutoff: int = 50) -> list[list[int]]:
    """Indices of texts that are near-duplicates of each other (Jaccard ≥ threshold), grouped.

    Identical texts are grouped without comparing them; the rest are compared only through
    shingles fewer than `common_cutoff` texts share, so the cost stays close to linear.
    """
    by_text: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        by_text.setdefault("".join(text.split()), []).append(i)
    members = list(by_text.values())
    groups: UnionFind[int] = UnionFind()
    for u, v, _ in similar_pairs(list(by_text), threshold, common_cutoff):
        groups.union(u, v)
    grouped: dict[int, list[int]] = {}
    for u, indices in enumerate(members):
        grouped.setdefault(groups.find(u), []).extend(indices)
    return [sorted(g) for g in grouped.values() if len(g) > 1]
