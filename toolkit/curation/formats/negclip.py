"""NegCLIP-style training TSV: one row per (image, caption) with the list of its hard negatives.

Columns `filepath`, `title`, `neg_caption` (a Python/JSON list literal) and `neg_image` are what NegCLIP's
`CsvDataset` reads (`ast.literal_eval` on the lists). NegCLIP's `neg_image` lists rows whose images are
nearest neighbours; hardneg has no image embeddings here, so it lists up to three *randomly chosen* rows with
a different image (seeded), which keeps the file loadable; the dataset card says so. `neg_category` is an
extra column (ignored by NegCLIP) that lets `import-set` restore each negative's operator.
"""

from __future__ import annotations

import ast
import csv
import json
import random
from collections.abc import Iterable, Iterator
from pathlib import Path

from toolkit.curation.formats.jsonl import _single
from toolkit.curation.formats.records import BenchRecord, split_category
from toolkit.text.records import BadRecord

COLUMNS = ("filepath", "title", "neg_caption", "neg_image", "neg_category")
NEG_IMAGES = 3


def write(records: Iterable[BenchRecord], out: Path, name: str, seed: int = 0) -> list[Path]:
    rows: dict[tuple[str, str], dict] = {}
    for r in records:
        row = rows.setdefault((r.image or "", r.caption), {"filepath": r.image or "", "title": r.caption,
                                                           "neg_caption": [], "neg_category": []})
        row["neg_caption"].append(r.negative)
        row["neg_category"].append(r.category)
    table = list(rows.values())
    rng = random.Random(seed)
    for i, row in enumerate(table):
        others = [j for j, o in enumerate(table) if o["filepath"] != row["filepath"]]
        row["neg_image"] = sorted(rng.sample(others, min(NEG_IMAGES, len(others)))) if others else [i]
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.tsv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in table:
            writer.writerow([row["filepath"], row["title"], json.dumps(row["neg_caption"], ensure_ascii=False),
                             json.dumps(row["neg_image"]), json.dumps(row["neg_category"])])
    return [path]


def read(path: Path) -> Iterator[BenchRecord | BadRecord]:
    path = _single(path, "*.tsv")
    source = str(path)
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        missing = {"title", "neg_caption"} - set(reader.fieldnames or ())
        if missing:
            yield BadRecord(source, "file", sorted(missing)[0], f"missing column(s) {', '.join(sorted(missing))}")
            return
        for row in reader:
            ref = f"line {reader.line_num}"
            lists = {}
            for col in ("neg_caption", "neg_category"):
                try:
                    value = ast.literal_eval(row.get(col) or "[]")
                except (ValueError, SyntaxError):
                    value = None
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    yield BadRecord(source, ref, col, f"{col} is not a list of strings")
                    break
                lists[col] = value
            else:
                cats = lists["neg_category"] or [None] * len(lists["neg_caption"])
                if len(cats) != len(lists["neg_caption"]):
                    yield BadRecord(source, ref, "neg_category", "neg_category and neg_caption differ in length")
                    continue
                for k, (neg, cat) in enumerate(zip(lists["neg_caption"], cats, strict=True)):
                    yield _record(row, neg, cat, source, f"{ref} negative {k + 1}")


def _record(row: dict, negative: str, cat: str | None, source: str, ref: str) -> BenchRecord | BadRecord:
    if not (row.get("title") or "").strip() or not negative.strip():
        return BadRecord(source, ref, "title" if not (row.get("title") or "").strip() else "neg_caption", "empty text")
    if cat is None:
        return BadRecord(source, ref, "neg_category", "no category for this negative (operator unknown)")
    try:
        op, sub = split_category(cat)
    except ValueError as exc:
        return BadRecord(source, ref, "neg_category", str(exc))
    return BenchRecord(" ".join(row["title"].split()), " ".join(negative.split()), row.get("filepath") or None, op, sub,
                       depth=op.count("+") + 1)
