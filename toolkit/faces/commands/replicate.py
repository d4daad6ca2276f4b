"""`hardneg replicate`: how many of a benchmark's negatives the operators reproduce."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

COLUMNS = ("items", "reachable", "site_reachable", "exact_reachable", "site", "exact", "candidates_per_caption",
           "positive_shorter", "same_bag_of_words")


def results_table(result: dict) -> Table:
    table = Table(title="Reproduction of benchmark negatives (site/exact over reachable items first)")
    table.add_column("category")
    for col in COLUMNS:
        table.add_column(col.replace("_", " "), justify="right")
    rows: list[tuple[str, dict, str | None]] = []
    for name, d in result["categories"].items():
        rows.append((name, d, None))
        rows.extend((f"  {piece}", sub, "dim") for piece, sub in d.get("subsets", {}).items())
    rows.append(("overall", result["overall"], "bold"))
    for name, d, style in rows:
        cells = [str(d[c]) if isinstance(d[c], int) else ("—" if d[c] is None else f"{d[c]:.3f}") for c in COLUMNS]
        cells[1] = f"{d['reachable']} ({d['reachable_share']:.2f})" if d["reachable_share"] is not None else "0"
        table.add_row(name, *cells, style=style)
    return table


@click.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--depth", type=click.IntRange(1, 3), default=1, show_default=True, help="Compose operators to this depth.")
@click.option("--max-candidates", type=click.IntRange(1), default=60, show_default=True,
              help="Candidate budget per caption (exact grows with it).")
@click.option("--per-site", type=click.IntRange(1, 50), default=8, show_default=True, help="Substitutes per site.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--validity", is_flag=True, help="Also check every candidate for identity, synonym/hypernym "
              "replacements, symmetric swaps, article errors and doubled words.")
@click.option("--by", "by", type=click.Choice(["category", "subset"]), default="category", show_default=True,
              help="subset: also a row per benchmark piece under each category (a JSONL line's `subset`, or "
              "the middle of an id \"valse:<piece>:<n>\").")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also write the JSON here.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {categories: {cat: {..., subsets: {piece: {...}}}}, "
              "overall: {...}} (subsets with --by subset).")
def replicate(path, depth, max_candidates, per_site, seed, validity, by, out, as_json) -> None:
    """Measure how many benchmark negatives SWAP / REPLACE / ADD reproduce (exact text, or the same edit site).

    PATH is a SugarCrepe folder (replace_obj.json ... add_att.json) or a JSONL file of
    {"caption", "negative", "category"} lines, each with an optional "subset" (the benchmark's piece);
    without one, an "id" of the form "<benchmark>:<piece>:<n>" (VALSE's "valse:plurals:12") names the
    piece. Definitions: docs/REPLICATION.md.

    \b
    Example:
      hardneg replicate ../shared/benchmarks/sugarcrepe-dev --validity
      hardneg replicate ../shared/benchmarks/valse-dev/valse.jsonl --by subset
    """
    from toolkit.evaluation.replicate import replicate as run
    from toolkit.text.ingest import read_pairs

    result = run(read_pairs(path), depth=depth, max_candidates=max_candidates, per_site=per_site, seed=seed,
                 validity=validity, by_subset=by == "subset")
    for bad in result.get("skipped", [])[:10]:
        click.echo(f"skipped {bad}", err=True)
    if out:
        out.write_text(json.dumps(result, indent=2))
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    console = Console()
    console.print(results_table(result))
    if validity:
        v = result["validity"]
        console.print(f"validity over {v['candidates']} candidates: " + ", ".join(
            f"{k} {n}" for k, n in v["counts"].items()))
        for kind, examples in v["examples"].items():
            for ex in examples[:2]:
                console.print(f"  [dim]{kind}: {ex}[/]", highlight=False)
    console.print(f"parse {result['overall']['parse_seconds']} s, total {sum(d['seconds'] for d in result['categories'].values()):.1f} s",
                  highlight=False)
    sys.stdout.flush()


def register(main: click.Group) -> None:
    main.add_command(replicate)
