"""SugarCrepe folder: one JSON file per category mapping a key to {filename, caption, negative_caption},
exactly the schema of the benchmark's `data/*.json`, so existing evaluators read it unchanged. Composed
(depth > 1) items go to extra files named by their steps (e.g. `swap_att+replace_obj.json`); the stock
evaluators and `toolkit.text.records.read_pairs` read only the standard category files."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from toolkit.curation.formats.records import BenchRecord, split_category
from toolkit.text.records import SUGARCREPE_CATEGORIES, BadRecord, PairRecord, read_pairs


def write(records: Iterable[BenchRecord], out: Path, name: str) -> list[Path]:
    """Write the category files into the folder `out`. Returns the files written."""
    groups: dict[str, dict[str, dict]] = {}
    for r in records:
        items = groups.setdefault(r.category, {})
        items[str(len(items))] = {"filename": r.image, "caption": r.caption, "negative_caption": r.negative}
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for cat, items in sorted(groups.items()):
        path = out / f"{cat}.json"
        path.write_text(json.dumps(items, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def _from_pair(p: PairRecord) -> BenchRecord:
    op, sub = split_category(p.category)
    return BenchRecord(p.caption, p.negative, p.image, op, sub, depth=op.count("+") + 1, key=p.ref.removeprefix("key "))


def read(path: Path) -> Iterator[BenchRecord | BadRecord]:
    """Items of a SugarCrepe folder: the standard files through `read_pairs`, then composed files."""
    standard = [path / f"{c}.json" for c in SUGARCREPE_CATEGORIES if (path / f"{c}.json").is_file()]
    if standard:
        for p in read_pairs(path):
            yield p if isinstance(p, BadRecord) else _from_pair(p)
    composed = sorted(f for f in path.glob("*+*.json") if f.is_file())
    if not standard and not composed:
        raise ValueError(f"{path}: no SugarCrepe category files (e.g. swap_att.json) in this folder")
    for file in composed:
        try:
            split_category(file.stem)
        except ValueError as exc:
            yield BadRecord(str(file), "file", None, str(exc))
            continue
        try:
            items = json.loads(file.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            yield BadRecord(str(file), "file", None, f"not readable JSON: {exc}")
            continue
        if not isinstance(items, dict):
            yield BadRecord(str(file), "file", None, "expected a JSON object of items")
            continue
        for key, item in items.items():
            ref = f"key {key}"
            if not isinstance(item, dict):
                yield BadRecord(str(file), ref, None, "item is not an object")
                continue
            missing = [f for f in ("caption", "negative_caption") if not isinstance(item.get(f), str) or not item[f].strip()]
            if missing:
                yield BadRecord(str(file), ref, missing[0], f"missing or empty {missing[0]!r}")
                continue
            yield _from_pair(PairRecord(file.stem, item["caption"], item["negative_caption"], item.get("filename") or None,
                                        str(file), ref))
