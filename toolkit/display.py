"""Terminal rendering shared by the CLI commands: word diffs with highlights, candidate tables."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from rich.table import Table
from rich.text import Text


def highlight(caption: str, negative: str) -> tuple[Text, Text]:
    """Word-level diff: removed words red and struck through in the caption, new words green in the negative."""
    a, b = caption.split(), negative.split()
    left, right = Text(), Text()
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=[w.lower() for w in a], b=[w.lower() for w in b], autojunk=False).get_opcodes():
        old, new = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        if op == "equal":
            left.append(old + " ")
            right.append(new + " ")
            continue
        if old:
            left.append(old + " ", style="bold red strike")
        if new:
            right.append(new + " ", style="bold green")
    left.rstrip()
    right.rstrip()
    return left, right


def candidates_table(rows: Iterable[dict], title: str = "Negatives") -> Table:
    """Rows with keys caption, text, operator, subtype, depth, detail (optional)."""
    table = Table(title=title, show_lines=True)
    table.add_column("op", style="cyan", no_wrap=True)
    table.add_column("caption → negative")
    table.add_column("edit", style="dim")
    for row in rows:
        left, right = highlight(row["caption"], row["text"])
        cell = Text.assemble(left, "\n", right)
        table.add_row(f"{row['operator']}/{row['subtype']}\nd={row['depth']}", cell, row.get("detail", ""))
    return table


def counts_table(by_operator: list[dict], title: str = "Candidates by operator") -> Table:
    table = Table(title=title)
    for col in ("operator", "subtype", "depth", "count", "mean Δ words"):
        table.add_column(col, justify="right" if col in {"depth", "count", "mean Δ words"} else "left")
    for r in by_operator:
        table.add_row(r["operator"], r["subtype"], str(r["depth"]), str(r["count"]), f"{r['mean_length_delta']:+.2f}")
    return table
