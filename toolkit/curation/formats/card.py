"""The dataset card (README.md) written beside every export: counts per operator, acceptance rates,
annotators, agreement, generator versions and configuration, licence fields."""

from __future__ import annotations

import json
from collections import Counter

from toolkit.curation.formats.records import BenchRecord


def _size_category(n: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return label
    return "n>1M"


def _table(header: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    out += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return out


def _f(x) -> str:
    return "–" if x is None or x != x else f"{x:.2f}"  # x != x: nan


def _ngrams(pairs) -> str:
    return ", ".join(f"`{g}` {w:+.1f}" for g, w in pairs) or "–"


BLIND_COLUMNS = (("lm", "lm"), ("lm_per_token", "lm per token"), ("plausibility", "plausibility"),
                 ("adversary", "adversary"), ("length", "length"))


def blind_section(blind: dict | None) -> list[str]:
    """The card's "Blind text-only baselines" section: figures of the exported items (`blind_figures`)."""
    if blind is None:
        return []
    lines = ["## Blind text-only baselines", ""]
    if not blind.get("by_category"):
        return [*lines, "No items exported.", ""]
    bases = [(k, label) for k, label in BLIND_COLUMNS if k in blind["baselines"]]
    trained = blind.get("trained_on", {})
    lines += [
        "How often a baseline that never sees the image picks the caption over its negative, on the exported "
        "items (0.50 = blind: the image must decide; 1.00 = the text alone gives the negative away; a tie counts "
        "one half). Computed at export as `hardneg audit` does, cross-fitted by caption in "
        f"{blind['folds']} folds: **lm** a Kneser-Ney trigram trained on the "
        f"{trained.get('captions', 0) + trained.get('item_captions', 0)} stored captions (never on a negative) "
        "picks the more probable text; **lm per token** the same per token; **adversary** a logistic regression "
        "over the pair's 1-2-gram count difference and word-count difference, fitted per category (SugarCrepe's "
        "adversarial refinement); **length** the shorter text; **longer** is the share of negatives with more "
        "words than their caption. Length-neutral ADD (the caption's word count) is its own category.",
        "",
        *_table(["category", "n", *[label for _, label in bases], "longer"],
                [[c, v["n"], *[_f(v.get(k)) for k, _ in bases], _f(v["longer"])]
                 for c, v in [*blind["by_category"].items(), ("all", blind["all"])]]),
        "",
    ]
    if blind.get("telling"):
        lines += ["Most telling n-grams (the adversary fitted on all of a category's exported pairs; weight toward "
                  "the negative / the caption; `<length>` = word-count difference):", "",
                  *_table(["category", "give the negative away", "mark the caption"],
                          [[c, _ngrams(t.get("negative", [])), _ngrams(t.get("positive", []))]
                           for c, t in blind["telling"].items()]), ""]
    for c, note in (blind.get("adversary_notes") or {}).items():
        lines.append(f"- {c}: {note}")
    if blind.get("adversary_notes"):
        lines.append("")
    return lines


def balance_section(balance: dict | None) -> list[str]:
    """How the set was balanced when it was created (`hardneg set create --balance`), from its stored query."""
    if not balance:
        return []
    bases = [(k, label) for k, label in BLIND_COLUMNS if k in balance["baselines"]]
    rows = []
    for c, v in balance["by_category"].items():
        b, a = v["before"], v["after"]
        rows.append([c, f"{b['n']} → " + ("dropped" if v["dropped"] else str(v["kept"])),
                     *[_f(b.get(k)) + ("" if v["dropped"] else f" → {_f(a.get(k))}") for k, _ in bases]])
    lines = ["## Balancing at set creation", "",
             f"The set was balanced against the blind baselines when it was created (tolerance {balance['tolerance']}, "
             f"min keep {balance['min_keep']}): per category, the matched candidates were subsampled until every "
             "baseline was within the tolerance of chance (the adversary re-fitted on what was kept), before any "
             "sampling. Candidates before → kept, and each baseline before → after:", "",
             *_table(["category", "candidates", *[label for _, label in bases]], rows), ""]
    for c, stuck in balance.get("dropped", {}).items():
        plain = c.startswith("add/") and "length-neutral" not in c
        lines.append(f"- {c} was dropped: it cannot be balanced by subsampling on {', '.join(stuck)}"
                     + (" (plain ADD: the negative is longer than the caption; a balanced set holds length-neutral "
                        "ADD only)." if plain else "."))
    for c, far in balance.get("off_chance", {}).items():
        lines.append(f"- {c} stayed off chance at min keep {balance['min_keep']}: "
                     + ", ".join(f"{k} {_f(x)}" for k, x in far.items()) + ".")
    if balance.get("dropped") or balance.get("off_chance"):
        lines.append("")
    return lines


def render(*, name: str, fmt: str, files: list[str], records: list[BenchRecord], stats: dict, runs: list[dict],
           status: str, license: str, caption_sources: list[str], notes: list[str], blind: dict | None = None) -> str:
    """Markdown with a YAML header in the Hugging Face dataset-card layout. `blind`: the blind-baseline
    figures of the exported items (`toolkit.curation.formats.setio.blind_figures`)."""
    query = stats.get("query") or {}
    selection = {k: v for k, v in query.items() if k != "balance"} if isinstance(query, dict) else query
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
        *blind_section(blind),
        *balance_section(query.get("balance") if isinstance(query, dict) else None),
        "## Generation",
        "",
        f"Selection: `{json.dumps(selection, sort_keys=True)}`",
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
