"""Accuracy reports over scored pairs: per operator, subtype, depth (or benchmark category), with counts,
ties and a bootstrap confidence interval, and the hardest negatives (smallest margin) first.

A pair is correct when pos_sim > neg_sim strictly. A tie (pos_sim == neg_sim) counts as a failure,
as in SugarCrepe's evaluation; ties are also counted on their own so that they can be seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

TIE_NOTE = "ties (pos_sim == neg_sim) are counted as failures, as SugarCrepe does; they are also listed as 'ties'"
DEFAULT_GROUPINGS: tuple[tuple[str, ...], ...] = (("operator",), ("subtype",), ("depth",),
                                                   ("operator", "subtype", "depth"))


def is_correct(row: Mapping) -> bool:
    """Strictly positive margin and not a tie."""
    return bool(row["margin"] > 0 and not row["tie"])


def bootstrap_ci(correct: int, n: int, *, n_boot: int = 1000, confidence: float = 0.95,
                 seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of an accuracy.

    Resampling n pass/fail outcomes with replacement gives a count of passes distributed
    Binomial(n, correct/n), so the resamples are drawn from that directly.
    """
    if n == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    acc = rng.binomial(n, correct / n, size=n_boot) / n
    alpha = (1 - confidence) / 2
    low, high = np.quantile(acc, [alpha, 1 - alpha])
    return float(low), float(high)


def accuracy_table(rows: Iterable[Mapping], by: Sequence[str], *, n_boot: int = 1000, confidence: float = 0.95,
                   seed: int = 0) -> list[dict]:
    """One entry per distinct value of the `by` columns: n, correct, ties, accuracy, ci_low, ci_high."""
    groups: dict[tuple, list[int]] = {}
    for row in rows:
        key = tuple(row[k] for k in by)
        tally = groups.setdefault(key, [0, 0, 0])
        tally[0] += 1
        tally[1] += is_correct(row)
        tally[2] += bool(row["tie"])
    table = []
    for key in sorted(groups, key=lambda k: tuple((0, v, "") if isinstance(v, int | float) else (1, 0, str(v)) for v in k)):
        n, correct, ties = groups[key]
        low, high = bootstrap_ci(correct, n, n_boot=n_boot, confidence=confidence, seed=seed)
        table.append({**dict(zip(by, key, strict=True)), "n": n, "correct": correct, "ties": ties,
                      "accuracy": correct / n, "ci_low": low, "ci_high": high})
    return table


def build_report(rows: Sequence[Mapping], *, groupings: Sequence[Sequence[str]] = DEFAULT_GROUPINGS,
                 hardest: int = 20, n_boot: int = 1000, confidence: float = 0.95, seed: int = 0) -> dict:
    """Overall accuracy, one table per grouping, and the `hardest` rows by ascending margin."""
    rows = list(rows)
    overall = accuracy_table([{**r, "_all": "all"} for r in rows], ["_all"], n_boot=n_boot,
                             confidence=confidence, seed=seed)
    return {
        "ties_count_as_failures": True,
        "note": TIE_NOTE,
        "confidence": confidence,
        "bootstrap_resamples": n_boot,
        "overall": {k: v for k, v in overall[0].items() if k != "_all"} if overall else
                   {"n": 0, "correct": 0, "ties": 0, "accuracy": None, "ci_low": None, "ci_high": None},
        "by": {"+".join(g): accuracy_table(rows, g, n_boot=n_boot, confidence=confidence, seed=seed)
               for g in groupings},
        "hardest": sorted(rows, key=lambda r: r["margin"])[:hardest],
    }
