"""Read caption records (and benchmark caption/negative pairs) from user files.

Line-based formats (JSONL, CSV/TSV, TXT) are streamed one line at a time; COCO and SugarCrepe
JSON files are single documents and are loaded whole. Bad input never stops reading: every
problem is yielded as a :class:`BadRecord` naming the file, the place in it and the field.
"""

from __future__ import annotations

import csv
import errno
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
SUGARCREPE_CATEGORIES = (
    "replace_obj",
    "replace_att",
    "replace_rel",
    "swap_obj",
    "swap_att",
    "swap_rel",
    "add_obj",
    "add_att",
)
FAMILIES = ("swap", "replace", "add")

CAPTION_FIELDS = ("caption", "text", "positive")
IMAGE_FIELDS = ("image", "image_path", "filename", "file_name", "url")
NEGATIVE_FIELDS = ("negative", "negative_caption")

_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CONTROL_CHAR = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class CaptionRecord:
    """One caption read from a file."""

    text: str
    image: str | None
    source: str
    ref: str
    meta: dict


@dataclass(frozen=True)
class BadRecord:
    """A problem with one record (or, with ``ref == "file"``, with a whole file)."""

    source: str
    ref: str
    field: str | None
    reason: str

    def __str__(self) -> str:
        if self.field:
            return f"{self.source}:{self.ref}: {self.field}: {self.reason}"
        return f"{self.source}:{self.ref}: {self.reason}"


@dataclass(frozen=True)
class PairRecord:
    """A benchmark caption with its hard negative."""

    category: str
    caption: str
    negative: str
    image: str | None
    source: str
    ref: str


@dataclass
class ReadReport:
    """Running tally of a read: records read and problems found."""

    read: int = 0
    bad: list[BadRecord] = field(default_factory=list)

    def reasons(self) -> dict[str, int]:
        """Count problems per reason kind (the reason text up to the first ' (' or ':')."""
        counts: dict[str, int] = {}
        for bad in self.bad:
            kind = _reason_kind(bad.reason)
            counts[kind] = counts.get(kind, 0) + 1
        return counts


def _reason_kind(reason: str) -> str:
    cut = len(reason)
    for sep in (" (", ":"):
        pos = reason.find(sep)
        if pos != -1:
            cut = min(cut, pos)
    return reason[:cut].strip()


# --------------------------------------------------------------------------- helpers


def _normalize(text: str) -> str:
    """Strip and collapse internal runs of whitespace to one space."""
    return " ".join(text.split())


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "object", list: "array", bool: "boolean", int: "number", float: "number"}.get(
        type(value), type(value).__name__
    )


def _check_text(
    value: Any, *, source: str, ref: str, fld: str, max_chars: int | None, what: str = "caption"
) -> str | BadRecord:
    """Validate and normalise a caption value; return the text or a BadRecord."""
    if not isinstance(value, str):
        return BadRecord(source, ref, fld, f"{what} is not a string ({_type_name(value)})")
    text = _normalize(value)
    if not text:
        return BadRecord(source, ref, fld, f"empty {what}")
    bad_char = _CONTROL_CHAR.search(text)
    if bad_char is not None:
        return BadRecord(source, ref, fld, f"{what} contains control character U+{ord(bad_char.group()):04X}")
    if max_chars is not None and len(text) > max_chars:
        return BadRecord(source, ref, fld, f"{what} longer than {max_chars} characters ({len(text)})")
    return text


def _join_image(image: str | None, image_root: str | Path | None) -> str | None:
    """Join a relative image path to image_root (URLs and absolute paths are kept as given)."""
    if image is None or image_root is None or "://" in image or Path(image).is_absolute():
        return image
    return str(Path(image_root) / image)


def _pick_image(
    obj: dict, *, source: str, ref: str, image_root: str | Path | None
) -> tuple[str | None, str | None] | BadRecord:
    """Return (image, field used) from the first non-empty image field, or a BadRecord."""
    for name in IMAGE_FIELDS:
        if name not in obj:
            continue
        value = obj[name]
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            return BadRecord(source, ref, name, f"image is not a string ({_type_name(value)})")
        return _join_image(value.strip(), image_root), name
    return None, None


def _decode_error(exc: UnicodeDecodeError, offset: int = 0) -> str:
    byte = exc.object[exc.start : exc.start + 1]
    shown = f"0x{byte[0]:02x}" if byte else "truncated sequence"
    return f"not valid UTF-8 (byte {shown} at position {exc.start + offset})"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _loads(text: str) -> Any:
    """json.loads that rejects NaN/Infinity (they are not JSON-serialisable)."""
    return _DECODER.decode(text)


def _json_error(exc: Exception, with_position: bool = True) -> str:
    if isinstance(exc, json.JSONDecodeError):
        if with_position:
            return f"malformed JSON: {exc.msg} (line {exc.lineno} column {exc.colno})"
        return f"malformed JSON: {exc.msg} (column {exc.colno})"
    if isinstance(exc, RecursionError):
        return "malformed JSON: nested too deeply"
    return f"malformed JSON: {exc}"


def _require_exists(path: Path) -> None:
    if not path.exists():
        raise FileNotFoundError(errno.ENOENT, "no such file or directory", str(path))


def decode_lines(raws: Iterable[bytes], source: str, first: int = 1) -> Iterator[tuple[int, str | None, BadRecord | None]]:
    """Yield (line number, decoded line, None) or (n, None, BadRecord) for raw lines numbered from `first`.

    Each line is decoded on its own (utf-8-sig for line 1, to drop a BOM), so one bad line does not
    hide the lines after it; a UTF-16 file is one BadRecord and nothing else.
    """
    for lineno, raw in enumerate(raws, start=first):
        if lineno == 1 and raw.startswith(_UTF16_BOMS):
            yield lineno, None, BadRecord(source, "file", None, "UTF-16 encoded file (save it as UTF-8)")
            return
        try:
            line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            offset = len(_BOM) if lineno == 1 and raw.startswith(_BOM) else 0
            yield lineno, None, BadRecord(source, f"line {lineno}", None, _decode_error(exc, offset))
            continue
        yield lineno, line, None


def _iter_lines(path: Path) -> Iterator[tuple[int, str | None, BadRecord | None]]:
    """`decode_lines` over a file, streaming (lines keep their terminator)."""
    with path.open("rb") as fh:
        yield from decode_lines(fh, str(path))


def _load_document(path: Path) -> tuple[Any, BadRecord | None, Exception | None]:
    """Load a whole JSON document; return (obj, None, None) or (None, BadRecord, exc)."""
    source = str(path)
    data = path.read_bytes()
    if data.startswith(_UTF16_BOMS):
        return None, BadRecord(source, "file", None, "UTF-16 encoded file (save it as UTF-8)"), None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        offset = len(_BOM) if data.startswith(_BOM) else 0
        return None, BadRecord(source, "file", None, _decode_error(exc, offset)), exc
    try:
        return _loads(text), None, None
    except (ValueError, RecursionError) as exc:
        return None, BadRecord(source, "file", None, _json_error(exc)), exc


# --------------------------------------------------------------------------- format detection


def _sugarcrepe_files(folder: Path) -> list[Path]:
    """The SugarCrepe category files present in a folder, in SUGARCREPE_CATEGORIES order."""
    return [folder / f"{cat}.json" for cat in SUGARCREPE_CATEGORIES if (folder / f"{cat}.json").is_file()]


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
        if _sugarcrepe_files(p):
            return "sugarcrepe"
        names = ", ".join(f"{c}.json" for c in SUGARCREPE_CATEGORIES)
        raise ValueError(f"directory {str(p)!r} holds none of the SugarCrepe files ({names})")
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
    for lineno, line, bad in _iter_lines(path):
        if bad is not None:
            yield bad
            continue
        assert line is not None
        if not line.strip():
            continue
        ref = f"line {lineno}"
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


def _sugarcrepe_documents(path: Path) -> Iterator[tuple[Path, Any] | BadRecord]:
    """Yield (file, loaded dict) per SugarCrepe file of a folder (or single file), or a file BadRecord."""
    files = _sugarcrepe_files(path) if path.is_dir() else [path]
    for file in files:
        obj, bad, _ = _load_document(file)
        if bad is not None:
            yield bad
        elif not isinstance(obj, dict):
            yield BadRecord(str(file), "file", None, f"expected a JSON object of items ({_type_name(obj)})")
        else:
            yield file, obj


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


# --------------------------------------------------------------------------- benchmark pairs


def read_pairs(path: str | Path, *, image_root: str | Path | None = None) -> Iterator[PairRecord | BadRecord]:
    """Yield (caption, negative) pairs from a SugarCrepe folder/file or a JSONL file of pairs.

    SugarCrepe: category from the file name, files in SUGARCREPE_CATEGORIES order, items in file
    order. JSONL: one {"caption", "negative", "category"} object per line (optional image field).
    """
    p = Path(path)
    _require_exists(p)
    if p.is_dir():
        detect_format(p)  # raises if no SugarCrepe files
        return _sugarcrepe_pairs(p, image_root)
    if p.suffix.lower() == ".json":
        return _sugarcrepe_pairs(p, image_root)
    return _jsonl_pairs(p, image_root)


def _sugarcrepe_pairs(path: Path, image_root: str | Path | None) -> Iterator[PairRecord | BadRecord]:
    for doc in _sugarcrepe_documents(path):
        if isinstance(doc, BadRecord):
            yield doc
            continue
        file, items = doc
        source, category = str(file), file.stem
        if category not in SUGARCREPE_CATEGORIES:
            yield BadRecord(source, "file", None, f"unknown category {category!r} (from the file name)")
            continue
        for key, item in items.items():
            ref = f"key {key}"
            if not isinstance(item, dict):
                yield BadRecord(source, ref, None, f"item is not an object ({_type_name(item)})")
                continue
            yield _pair_from(item, category, "negative_caption", source=source, ref=ref, image_root=image_root)


def _pair_from(
    item: dict, category: str, neg_key: str, *, source: str, ref: str, image_root: str | Path | None
) -> PairRecord | BadRecord:
    texts: list[str] = []
    for name, what in (("caption", "caption"), (neg_key, "negative")):
        if name not in item:
            return BadRecord(source, ref, name, f"missing field {name!r}")
        text = _check_text(item[name], source=source, ref=ref, fld=name, max_chars=None, what=what)
        if isinstance(text, BadRecord):
            return text
        texts.append(text)
    picked = _pick_image(item, source=source, ref=ref, image_root=image_root)
    if isinstance(picked, BadRecord):
        return picked
    return PairRecord(category=category, caption=texts[0], negative=texts[1], image=picked[0], source=source, ref=ref)


def _jsonl_pairs(path: Path, image_root: str | Path | None) -> Iterator[PairRecord | BadRecord]:
    source = str(path)
    known = set(SUGARCREPE_CATEGORIES) | set(FAMILIES)
    for lineno, line, bad in _iter_lines(path):
        if bad is not None:
            yield bad
            continue
        assert line is not None
        if not line.strip():
            continue
        ref = f"line {lineno}"
        try:
            obj = _loads(line)
        except (ValueError, RecursionError) as exc:
            yield BadRecord(source, ref, None, _json_error(exc, with_position=False))
            continue
        if not isinstance(obj, dict):
            yield BadRecord(source, ref, None, f"line is not a JSON object ({_type_name(obj)})")
            continue
        if "category" not in obj:
            yield BadRecord(source, ref, "category", "missing field 'category'")
            continue
        category = obj["category"]
        if not isinstance(category, str) or category.strip() not in known:
            yield BadRecord(source, ref, "category", f"unknown category {category!r}")
            continue
        neg_key = next((k for k in NEGATIVE_FIELDS if k in obj), "negative")
        yield _pair_from(obj, category.strip(), neg_key, source=source, ref=ref, image_root=image_root)
