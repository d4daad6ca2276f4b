"""Read caption records from user files (JSONL, CSV/TSV, TXT, COCO captions JSON, SugarCrepe).

Line-based formats (JSONL, CSV/TSV, TXT) are streamed one line at a time; COCO and SugarCrepe
JSON files are single documents and are loaded whole. Bad input never stops reading: every
problem is yielded as a :class:`BadRecord` naming the file, the place in it and the field.
The record types, the shared line/JSON checks and the benchmark pair reader (`read_pairs`) live in
`toolkit.text.records` and are re-exported here.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from toolkit.text.records import (
    _UTF16_BOMS,  # noqa: F401  (toolkit.scale.shards imports it from here)
    CAPTION_FIELDS,
    FAMILIES,
    IMAGE_FIELDS,
    SUGARCREPE_CATEGORIES,
    BadRecord,
    CaptionRecord,
    PairRecord,
    ReadReport,
    _check_text,
    _content_lines,
    _iter_lines,
    _join_image,
    _json_error,
    _load_document,
    _loads,
    _pick_image,
    _require_exists,
    _require_sugarcrepe_folder,
    _sugarcrepe_documents,
    _type_name,
    decode_lines,  # noqa: F401  (toolkit.scale.shards imports it from here)
    read_pairs,
)

__all__ = [
    "FAMILIES",
    "FORMATS",
    "SUGARCREPE_CATEGORIES",
    "BadRecord",
    "CaptionRecord",
    "PairRecord",
    "ReadReport",
    "detect_format",
    "read_captions",
    "read_pairs",
]

FORMATS = ("jsonl", "csv", "coco", "sugarcrepe", "txt")


# --------------------------------------------------------------------------- format detection


def _looks_like_sugarcrepe(obj: Any) -> bool:
    if not isinstance(obj, dict) or not obj:
        return False
    sample = [v for _, v in zip(range(5), obj.values(), strict=False)]
    return any(isinstance(v, dict) and "caption" in v and "negative_caption" in v for v in sample)


def _classify_document(path: Path, obj: Any) -> str:
    if isinstance(obj, dict) and "annotations" in obj:
        return "coco"
    if _looks_like_sugarcrepe(obj) or (isinstance(obj, dict) and path.stem in SUGARCREPE_CATEGORIES):
        return "sugarcrepe"
    raise ValueError(
        f"cannot detect the format of {str(path)!r}: a .json file must be COCO captions "
        "(with an 'annotations' list) or SugarCrepe ({key: {caption, negative_caption, filename}}); "
        "pass format= explicitly"
    )


def _format_from_suffix(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix == ".txt":
        return "txt"
    if suffix == ".json":
        return "json"
    return None


def detect_format(path: str | Path) -> str:
    """Guess the format of a caption file or folder; raise ValueError if it cannot be told."""
    p = Path(path)
    _require_exists(p)
    if p.is_dir():
        _require_sugarcrepe_folder(p)
        return "sugarcrepe"
    fmt = _format_from_suffix(p)
    if fmt is None:
        raise ValueError(
            f"cannot detect the format of {str(p)!r} from its extension {p.suffix!r}: "
            "expected .jsonl/.ndjson, .csv/.tsv, .txt or .json (or pass format= one of "
            f"{', '.join(FORMATS)})"
        )
    if fmt != "json":
        return fmt
    obj, bad, exc = _load_document(p)
    if bad is not None:
        if isinstance(exc, json.JSONDecodeError) and exc.msg == "Extra data":
            return "jsonl"  # one JSON object per line, named .json
        raise ValueError(f"cannot detect the format of {str(p)!r}: {bad.reason}")
    return _classify_document(p, obj)


# --------------------------------------------------------------------------- readers


def read_captions(
    path: str | Path,
    *,
    format: str = "auto",
    max_chars: int = 1000,
    image_root: str | Path | None = None,
) -> Iterator[CaptionRecord | BadRecord]:
    """Yield a CaptionRecord or BadRecord per record of PATH, in file order.

    Raises FileNotFoundError for a missing path and ValueError for an unknown/undetectable
    format (both at call time, except that a .json file's structure is checked on first read).
    """
    p = Path(path)
    _require_exists(p)
    if not isinstance(max_chars, int) or max_chars < 1:
        raise ValueError(f"max_chars must be a positive integer, got {max_chars!r}")
    if format != "auto" and format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; expected 'auto' or one of {', '.join(FORMATS)}")
    fmt: str = format
    if fmt == "auto":
        if p.is_dir():
            fmt = detect_format(p)  # raises if the folder holds no SugarCrepe files
        else:
            fmt = _format_from_suffix(p) or detect_format(p)  # detect_format raises on unknown suffixes
    elif fmt == "sugarcrepe" and p.is_dir():
        detect_format(p)
    opts = {"max_chars": max_chars, "image_root": image_root}
    if fmt == "json":
        return _read_json_auto(p, **opts)
    readers = {
        "jsonl": _read_jsonl,
        "csv": _read_csv,
        "txt": _read_txt,
        "coco": _read_coco,
        "sugarcrepe": _read_sugarcrepe,
    }
    return readers[fmt](p, **opts)


def _read_json_auto(
    path: Path, *, max_chars: int, image_root: str | Path | None
) -> Iterator[CaptionRecord | BadRecord]:
    obj, bad, exc = _load_document(path)
    if bad is not None:
        if isinstance(exc, json.JSONDecodeError) and exc.msg == "Extra data":
            yield from _read_jsonl(path, max_chars=max_chars, image_root=image_root)
        else:
            yield bad
        return
    if _classify_document(path, obj) == "coco":
        yield from _coco_records(path, obj, max_chars=max_chars, image_root=image_root)
    else:
        yield from _sugarcrepe_records([(path, obj)], max_chars=max_chars, image_root=image_root)


def _record_from_mapping(
    obj: dict,
    *,
    source: str,
    ref: str,
    max_chars: int,
    image_root: str | Path | None,
    keys: dict[str, str] | None = None,
) -> CaptionRecord | BadRecord:
    """Build a record from a JSONL object / CSV row. KEYS maps lower-case names to actual keys (CSV)."""
    lookup = keys if keys is not None else {k: k for k in obj}
    cap_key = next((lookup[name] for name in CAPTION_FIELDS if name in lookup), None)
    if cap_key is None:
        return BadRecord(source, ref, "caption", "missing field 'caption' (also tried 'text', 'positive')")
    text = _check_text(obj[cap_key], source=source, ref=ref, fld=cap_key, max_chars=max_chars)
    if isinstance(text, BadRecord):
        return text
    view = {name: obj[lookup[name]] for name in IMAGE_FIELDS if name in lookup}
    picked = _pick_image(view, source=source, ref=ref, image_root=image_root)
    if isinstance(picked, BadRecord):
        return BadRecord(source, ref, lookup[picked.field or ""], picked.reason)
    image, img_name = picked
    used = {cap_key}
    if img_name is not None:
        used.add(lookup[img_name])
    meta = {k: v for k, v in obj.items() if k not in used}
    return CaptionRecord(text=text, image=image, source=source, ref=ref, meta=meta)


def jsonl_record(
    line: str, source: str, lineno: int, *, max_chars: int, image_root: str | Path | None
) -> CaptionRecord | BadRecord | None:
    """One JSONL line as a record (None for a blank line)."""
    if not line.strip():
        return None
    ref = f"line {lineno}"
    try:
        obj = _loads(line)
    except (ValueError, RecursionError) as exc:
        return BadRecord(source, ref, None, _json_error(exc, with_position=False))
    if not isinstance(obj, dict):
        return BadRecord(source, ref, None, f"line is not a JSON object ({_type_name(obj)})")
    return _record_from_mapping(obj, source=source, ref=ref, max_chars=max_chars, image_root=image_root)


def _read_jsonl(path: Path, *, max_chars: int, image_root: str | Path | None) -> Iterator[CaptionRecord | BadRecord]:
    source = str(path)
    for lineno, line, bad in _iter_lines(path):
        record = bad if bad is not None else jsonl_record(line, source, lineno, max_chars=max_chars,
                                                            image_root=image_root)
        if record is not None:
            yield record


def _read_txt(path: Path, *, max_chars: int, image_root: str | Path | None) -> Iterator[CaptionRecord | BadRecord]:
    source = str(path)
    for item in _content_lines(path):
        if isinstance(item, BadRecord):
            yield item
            continue
        ref, line = item
        text = _check_text(line, source=source, ref=ref, fld="caption", max_chars=max_chars)
        if isinstance(text, BadRecord):
            yield text
        else:
            yield CaptionRecord(text=text, image=None, source=source, ref=ref, meta={})


class _LineFeeder:
    """Feeds decoded lines to csv.reader, remembering where each row starts and queueing decode errors."""

    def __init__(self, path: Path) -> None:
        self._lines = _iter_lines(path)
        self.row_start: int | None = None
        self.pending: list[BadRecord] = []

    def __iter__(self) -> _LineFeeder:
        return self

    def __next__(self) -> str:
        for lineno, line, bad in self._lines:
            if bad is not None:
                self.pending.append(bad)
                if bad.ref == "file":
                    break
                continue
            if self.row_start is None:
                self.row_start = lineno
            assert line is not None
            return line
        raise StopIteration


def _read_csv(path: Path, *, max_chars: int, image_root: str | Path | None) -> Iterator[CaptionRecord | BadRecord]:
    source = str(path)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    feeder = _LineFeeder(path)
    reader = csv.reader(feeder, delimiter=delimiter)

    def next_row() -> tuple[int | None, list[str] | None, BadRecord | None]:
        feeder.row_start = None
        try:
            row = next(reader)
        except StopIteration:
            return None, None, None
        except csv.Error as exc:
            return feeder.row_start, None, BadRecord(source, f"line {feeder.row_start}", None, f"malformed CSV: {exc}")
        return feeder.row_start, row, None

    # Header: the first non-blank row. A header problem is a whole-file problem.
    header: list[str] | None = None
    while header is None:
        _, row, bad = next_row()
        if feeder.pending:
            first = feeder.pending[0]
            yield BadRecord(
                source, "file", None, f"header row: {first.reason}" if first.ref != "file" else first.reason
            )
            return
        if bad is not None:
            yield BadRecord(source, "file", None, f"header row: {bad.reason}")
            return
        if row is None:
            yield BadRecord(source, "file", None, "no header row (empty file)")
            return
        if any(cell.strip() for cell in row):
            header = [cell.strip() for cell in row]
    keys: dict[str, str] = {}
    for name in header:
        keys.setdefault(name.lower(), name)
    if not any(name in keys for name in CAPTION_FIELDS):
        shown = ", ".join(repr(h) for h in header)
        yield BadRecord(source, "file", "caption", f"missing column 'caption' (header: {shown})")
        return

    while True:
        start, row, bad = next_row()
        yield from feeder.pending
        feeder.pending.clear()
        if bad is not None:
            yield bad
            continue
        if row is None:
            return
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line
        ref = f"line {start}"
        if len(row) != len(header):
            yield BadRecord(source, ref, None, f"wrong number of columns (expected {len(header)}, got {len(row)})")
            continue
        obj: dict[str, str] = {}
        for name, value in zip(header, row, strict=True):
            obj.setdefault(name, value)
        yield _record_from_mapping(obj, source=source, ref=ref, max_chars=max_chars, image_root=image_root, keys=keys)


def _read_coco(path: Path, *, max_chars: int, image_root: str | Path | None) -> Iterator[CaptionRecord | BadRecord]:
    obj, bad, _ = _load_document(path)
    if bad is not None:
        yield bad
        return
    yield from _coco_records(path, obj, max_chars=max_chars, image_root=image_root)


def _coco_records(
    path: Path, doc: Any, *, max_chars: int, image_root: str | Path | None
) -> Iterator[CaptionRecord | BadRecord]:
    source = str(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("annotations"), list):
        yield BadRecord(source, "file", "annotations", "not a COCO captions file (no 'annotations' list)")
        return
    images: dict[Any, str | None] | None = None
    if "images" in doc:
        if not isinstance(doc["images"], list):
            yield BadRecord(source, "file", "images", f"'images' is not a list ({_type_name(doc['images'])})")
            return
        images = {}
        for i, img in enumerate(doc["images"]):
            ref = f"images[{i}]"
            if not isinstance(img, dict):
                yield BadRecord(source, ref, None, f"image entry is not an object ({_type_name(img)})")
                continue
            img_id = img.get("id")
            if img_id is None or isinstance(img_id, (dict, list)):
                yield BadRecord(source, ref, "id", "missing or invalid image id")
                continue
            name = img.get("file_name")
            if name is not None and not isinstance(name, str):
                yield BadRecord(source, ref, "file_name", f"file_name is not a string ({_type_name(name)})")
                name = None
            images[img_id] = _join_image(name, image_root) if name else None
    for i, ann in enumerate(doc["annotations"]):
        ann_id = ann.get("id") if isinstance(ann, dict) else None
        ref = (
            f"annotation {ann_id}"
            if isinstance(ann_id, (int, str)) and not isinstance(ann_id, bool)
            else f"annotations[{i}]"
        )
        if not isinstance(ann, dict):
            yield BadRecord(source, ref, None, f"annotation is not an object ({_type_name(ann)})")
            continue
        if "caption" not in ann:
            yield BadRecord(source, ref, "caption", "missing field 'caption'")
            continue
        text = _check_text(ann["caption"], source=source, ref=ref, fld="caption", max_chars=max_chars)
        if isinstance(text, BadRecord):
            yield text
            continue
        image: str | None = None
        if images is not None:
            img_id = ann.get("image_id")
            try:
                known = img_id in images
            except TypeError:
                known = False
            if not known:
                yield BadRecord(source, ref, "image_id", f"unknown image id {img_id!r}")
                continue
            image = images[img_id]
        meta = {k: v for k, v in ann.items() if k != "caption"}
        yield CaptionRecord(text=text, image=image, source=source, ref=ref, meta=meta)


def _read_sugarcrepe(
    path: Path, *, max_chars: int, image_root: str | Path | None
) -> Iterator[CaptionRecord | BadRecord]:
    yield from _sugarcrepe_records(_sugarcrepe_documents(path), max_chars=max_chars, image_root=image_root)


def _sugarcrepe_records(
    docs: Iterable[tuple[Path, Any] | BadRecord], *, max_chars: int, image_root: str | Path | None
) -> Iterator[CaptionRecord | BadRecord]:
    """Positive captions of SugarCrepe documents, de-duplicated by (caption, filename)."""
    seen: set[tuple[str, str | None]] = set()
    for doc in docs:
        if isinstance(doc, BadRecord):
            yield doc
            continue
        file, items = doc
        source, category = str(file), file.stem
        for key, item in items.items():
            ref = f"key {key}"
            if not isinstance(item, dict):
                yield BadRecord(source, ref, None, f"item is not an object ({_type_name(item)})")
                continue
            if "caption" not in item:
                yield BadRecord(source, ref, "caption", "missing field 'caption'")
                continue
            text = _check_text(item["caption"], source=source, ref=ref, fld="caption", max_chars=max_chars)
            if isinstance(text, BadRecord):
                yield text
                continue
            filename = item.get("filename")
            if filename is not None and not isinstance(filename, str):
                yield BadRecord(source, ref, "filename", f"filename is not a string ({_type_name(filename)})")
                continue
            filename = filename or None
            if (text, filename) in seen:
                continue
            seen.add((text, filename))
            image = _join_image(filename, image_root)
            yield CaptionRecord(text=text, image=image, source=source, ref=ref, meta={"category": category, "key": key})
