"""JSONL with full provenance: one item per line, with its decisions, verdicts and scores."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from toolkit.curation.formats.records import BenchRecord, from_mapping
from toolkit.text.records import BadRecord


def write(records: Iterable[BenchRecord], out: Path, name: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")
    return [path]


def read(path: Path) -> Iterator[BenchRecord | BadRecord]:
    """Items of a .jsonl file (or of the one .jsonl file in a folder)."""
    path = _single(path, "*.jsonl")
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, start=1):
            ref = f"line {n}"
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield BadRecord(str(path), ref, None, f"not valid UTF-8 (position {exc.start})")
                continue
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield BadRecord(str(path), ref, None, f"malformed JSON: {exc.msg} (column {exc.colno})")
                continue
            if not isinstance(obj, dict):
                yield BadRecord(str(path), ref, None, "line is not a JSON object")
                continue
            yield from_mapping(obj, str(path), ref)


def _single(path: Path, pattern: str) -> Path:
    if path.is_file():
        return path
    found = sorted(path.glob(pattern))
    if len(found) != 1:
        raise ValueError(f"{path}: expected one {pattern} file in the folder, found {len(found)}")
    return found[0]
