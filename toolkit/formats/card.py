"""The dataset card (README.md) written beside every export: counts per operator, acceptance rates,
annotators, agreement, generator versions and configuration, licence fields."""

from __future__ import annotations

import json
from collections import Counter

from toolkit.formats.records import BenchRecord


def _size_category(n: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return label
    return "n>1M"


def _table(header: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    out += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return out


def render(*, name: str, fmt: str, files: list[str], records: list[BenchRecord], stats: dict, runs: list[dict],
           status: str, license: str, caption_sources: list[str], notes: list[str]) -> str:
    """Markdown with a YAML header in the Hugging Face dataset-card layout."""
    by_cat = Counter(r.category for r in records)
    lines = [
        "---",
        f"license: {license}",
        f"pretty_name: {json.dumps(name)}",
        "language: [en]",
        "tags: [hard-negatives, compositionality, vision-language, hardneg]",
        f"size_categories: [{_size_category(len(records))}]",
        "---",
        "",
        f"# {name}",
        "",
        stats.get("description") or "Compositional hard negatives (SWAP / REPLACE / ADD) curated with hardneg.",
        "",
        f"Format **{fmt}** ({', '.join(files)}); {len(records)} items exported "
        + ("(accepted or edited by review)." if status == "kept" else "(every item of the set, with its label)."),
        "",
        "## Items per category",
        "",
        *_table(["category", "exported"], [[c, n] for c, n in sorted(by_cat.items())]),
        "",
        "## Curation",
        "",
        f"The set holds {stats['items']} items; outcomes: "
        + (", ".join(f"{k} {v}" for k, v in stats["outcomes"].items()) or "none")
        + f"; acceptance rate {stats['acceptance_rate']}.",
        "",
        *_table(["operator/subtype", "items", "accepted", "edited", "rejected", "conflicts", "undecided", "acceptance rate"],
                [[k, v["items"], v.get("accept", 0), v.get("edit", 0), v.get("reject", 0), v.get("conflict", 0),
                  v.get("undecided", 0), v["acceptance_rate"]] for k, v in stats["by_operator"].items()]),
        "",
        "### Annotators",
        "",
        *(_table(["annotator", "decided", "accept", "reject", "ignore", "edit"],
                 [[a, c["decided"], c.get("accept", 0), c.get("reject", 0), c.get("ignore", 0), c.get("edit", 0)]
                  for a, c in stats["annotators"].items()]) if stats["annotators"] else ["No decisions recorded."]),
        "",
        "### Agreement (Cohen's kappa; an edit counts as accept, ignored items are left out)",
        "",
        *(_table(["annotators", "shared items", "agreed", "kappa"],
                 [[" / ".join(p["annotators"]), p["items"], p["agreed"], p["kappa"]] for p in stats["agreement"]])
          if stats["agreement"] else ["Fewer than two annotators."]),
        "",
        "## Generation",
        "",
        f"Selection: `{json.dumps(stats['query'], sort_keys=True)}`",
        "",
        *_table(["run", "kind", "versions", "configuration"],
                [[r["id"], r["kind"], f"`{r['versions']}`", f"`{r['config']}`"] for r in runs]),
        "",
        "## Licence",
        "",
        f"- Dataset licence: {license}",
        "- Captions keep the licence of their source: " + (", ".join(caption_sources) or "unknown") + ".",
        "- Images are referenced by path and not included.",
        "",
    ]
    if notes:
        lines += ["## Notes", "", *[f"- {n}" for n in notes], ""]
    return "\n".join(lines)
