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


OUTCOME_COLUMNS = ("items", "accept", "edit", "reject", "conflict", "undecided")


def category_label(key: str) -> str:
    """A `set stats` key as SugarCrepe's category name: "replace/att" -> "replace_att"; a composed key
    "swap+replace/att+obj" -> "swap_att + replace_obj" (a narrow table wraps it between steps)."""
    ops, _, subs = key.partition("/")
    return " + ".join(f"{o}_{s}" for o, s in zip(ops.split("+"), subs.split("+"), strict=False))


def outcomes_table(by_operator: dict[str, dict], title: str = "By operator") -> Table:
    """`set_stats(...)["by_operator"]` as a table whose rows stay distinct in 80 columns: the operator column
    is never cut (its labels wrap between composed steps) and the numbers never wrap."""
    labels = {k: category_label(k) for k in by_operator}
    steps = [s for label in labels.values() for s in label.split(" + ")]
    table = Table(title=title, caption="rate: (accept + edit) / (accept + edit + reject)")
    table.add_column("category", min_width=max(map(len, steps), default=8), overflow="fold")
    for col in (*OUTCOME_COLUMNS, "rate"):
        table.add_column(col, justify="right", no_wrap=True)
    for key, v in by_operator.items():
        rate = v.get("acceptance_rate")
        table.add_row(labels[key], *(str(v.get(c, 0)) for c in OUTCOME_COLUMNS), "-" if rate is None else f"{rate:.2f}")
    return table
