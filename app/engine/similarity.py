"""Character-shingle similarity: near-duplicate posts (the same offer posted again and again)."""

from __future__ import annotations


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


def similar_groups(texts: list[str], threshold: float, common_cutoff: int = 50) -> list[list[int]]:
    """Indices of texts that are near-duplicates of each other (Jaccard ≥ threshold), grouped.

    Identical texts are grouped without comparing them; the rest are compared only when they share
    a shingle that fewer than `common_cutoff` texts have, so the cost stays close to linear.
    """
    by_text: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        by_text.setdefault("".join(text.split()), []).append(i)
    uniques = list(by_text)
    shingles = [char_shingles(u) for u in uniques]
    index: dict[str, list[int]] = {}
    for u, grams in enumerate(shingles):
        for gram in grams:
            index.setdefault(gram, []).append(u)
    parent = list(range(len(uniques)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for u, grams in enumerate(shingles):
        shared: dict[int, int] = {}
        for gram in grams:
            holders = index[gram]
            if len(holders) <= common_cutoff:
                for v in holders:
                    if v > u:
                        shared[v] = shared.get(v, 0) + 1
        for v, count in shared.items():
            union = len(grams) + len(shingles[v]) - count
            if union and count / union >= threshold:
                parent[find(v)] = find(u)
    groups: dict[int, list[int]] = {}
    for u, members in enumerate(by_text.values()):
        groups.setdefault(find(u), []).extend(members)
    return [sorted(g) for g in groups.values() if len(g) > 1]
