"""Inter-annotator agreement: Cohen's kappa for each pair of annotators."""

from __future__ import annotations

from collections import Counter
from itertools import combinations


def cohen_kappa(a: list[str], b: list[str]) -> float | None:
    """Cohen's kappa of two equally long label lists; None when it is undefined (no items, or both
    annotators used one and the same label throughout, so chance agreement is 1)."""
    if len(a) != len(b):
        raise ValueError(f"label lists differ in length ({len(a)} vs {len(b)})")
    n = len(a)
    if n == 0:
        return None
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in ca.keys() | cb.keys()) / (n * n)
    if expected == 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def pairwise_kappa(labels: dict[str, dict[str, str]]) -> list[dict]:
    """labels: annotator -> {item: label}. For each pair, kappa over the items both labelled."""
    out = []
    for x, y in combinations(sorted(labels), 2):
        shared = sorted(labels[x].keys() & labels[y].keys())
        k = cohen_kappa([labels[x][i] for i in shared], [labels[y][i] for i in shared])
        agree = sum(labels[x][i] == labels[y][i] for i in shared)
        out.append({"annotators": [x, y], "items": len(shared), "agreed": agree,
                    "kappa": None if k is None else round(k, 4)})
    return out
