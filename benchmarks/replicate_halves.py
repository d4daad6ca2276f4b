"""Split-half check of `hardneg replicate`: do the figures depend on particular items?

Each benchmark's items are split in two halves by a hash of the positive caption (never by looking at
the items; every item of one caption lands in the same half), `replicate` runs on each half on its
own (its own corpus counts from its own positives), and the figures are printed side by side per
category and per benchmark piece (`--by subset`) with the difference B - A. A difference well beyond
what the halves' sizes explain means a figure rests on a few items.

    .venv/bin/python benchmarks/replicate_halves.py ../shared/benchmarks/sugarcrepe-dev \\
        ../shared/benchmarks/valse-dev/valse.jsonl [--json FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from toolkit.evaluation.replicate import replicate  # noqa: E402
from toolkit.text.ingest import PairRecord, read_pairs  # noqa: E402

METRICS = ("reachable_share", "site_reachable", "exact_reachable", "site")


def half_of(caption: str) -> int:
    """0 or 1, from a hash of the caption text (stable across runs and machines)."""
    return hashlib.sha1(caption.encode("utf-8")).digest()[0] & 1


def split(records: list[PairRecord]) -> tuple[list[PairRecord], list[PairRecord]]:
    halves: tuple[list[PairRecord], list[PairRecord]] = ([], [])
    for r in records:
        halves[half_of(r.caption)].append(r)
    return halves


def rows(a: dict, b: dict) -> list[tuple[str, str, dict | None, dict | None]]:
    """(category, piece, figures of half A, of half B) per category, its pieces, and overall."""
    out = []
    for cat in sorted(set(a["categories"]) | set(b["categories"])):
        ca, cb = a["categories"].get(cat), b["categories"].get(cat)
        out.append((cat, "", ca, cb))
        pieces = set((ca or {}).get("subsets", {})) | set((cb or {}).get("subsets", {}))
        if pieces != {"(none)"}:
            out.extend((cat, p, (ca or {}).get("subsets", {}).get(p), (cb or {}).get("subsets", {}).get(p))
                       for p in sorted(pieces))
    out.append(("**overall**", "", a["overall"], b["overall"]))
    return out


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def table(a: dict, b: dict) -> str:
    head = ["category", "piece", "items A / B"] + [f"{m.replace('_', ' ')} A / B (B−A)" for m in METRICS]
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join(["---"] * 2 + ["---:"] * (len(head) - 2)) + " |"]
    for cat, piece, da, db in rows(a, b):
        cells = [cat, piece, f"{da['items'] if da else 0} / {db['items'] if db else 0}"]
        for m in METRICS:
            x, y = (da or {}).get(m), (db or {}).get(m)
            diff = f" ({y - x:+.3f})" if x is not None and y is not None else ""
            cells.append(f"{_fmt(x)} / {_fmt(y)}{diff}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", type=Path, help="Benchmarks, as `hardneg replicate` reads them.")
    ap.add_argument("--max-candidates", type=int, default=60)
    ap.add_argument("--json", type=Path, default=None, help="Also write both halves' figures here.")
    args = ap.parse_args()
    from toolkit.text.nlp import load_nlp

    nlp = load_nlp()
    out = {}
    for path in args.paths:
        start = time.perf_counter()
        records = [r for r in read_pairs(path) if isinstance(r, PairRecord)]
        a, b = (replicate(h, max_candidates=args.max_candidates, by_subset=True, nlp=nlp) for h in split(records))
        out[str(path)] = {"A": a, "B": b}
        print(f"\n### {path.name}: {len(records)} items, halves by a hash of the caption "
              f"({a['overall']['items']} / {b['overall']['items']} items; {time.perf_counter() - start:.0f} s)\n")
        print(table(a, b))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
