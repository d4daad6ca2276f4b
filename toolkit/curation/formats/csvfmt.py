"""CSV: one item per row, provenance as a JSON string in its own column."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path

from toolkit.curation.formats.jsonl import _single
from toolkit.curation.formats.records import FLAT_COLUMNS, BenchRecord, flat, from_mapping
from toolkit.text.records import BadRecord


def write(records: Iterable[BenchRecord], out: Path, name: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FLAT_COLUMNS)
        writer.writeheader()
        writer.writerows(flat(r) for r in records)
    return [path]


def read(path: Path) -> Iterator[BenchRecord | BadRecord]:
    path = _single(path, "*.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"caption", "negative"} - set(reader.fieldnames or ())
        if missing:
            yield BadRecord(str(path), "file", sorted(missing)[0], f"missing column(s) {', '.join(sorted(missing))}")
            return
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as exc:
                yield BadRecord(str(path), f"line {reader.line_num}", None, f"malformed CSV: {exc}")
                return
            if None in row:
                yield BadRecord(str(path), f"line {reader.line_num}", None, "more fields than the header")
                continue
            yield from_mapping(row, str(path), f"line {reader.line_num}")
