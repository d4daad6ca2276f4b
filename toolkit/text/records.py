"""Records read from user files, and what every reader shares: the record types, the checks and decoders
of lines and JSON documents that name the file and line of each problem, and the reader of benchmark
caption/negative pairs (SugarCrepe folders, pairs JSONL).

`toolkit.text.ingest` (captions) and `toolkit.curation.formats` (benchmark sets) both read through this module; neither
imports the other. Bad input never stops reading: every problem is a :class:`BadRecord`.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "FAMILIES",
    "SUGARCREPE_CATEGORIES",
    "BadRecord",
    "CaptionRecord",
    "PairRecord",
    "ReadReport",
    "decode_lines",
    "read_pairs",
]

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
    """A benchmark caption with its hard negative; `subset` names the benchmark's piece it comes from
    (VALSE's "counting-hard", "plurals", ...), when the file says."""

    category: str
    caption: str
    negative: str
    image: str | None
    source: str
    ref: str
    subset: str | None = None


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


def _content_lines(path: Path) -> Iterator[tuple[str, str] | BadRecord]:
    """Each line of a file with something on it, as ("line N", text), or the BadRecord of a line that
    cannot be decoded; blank lines are skipped."""
    for lineno, line, bad in _iter_lines(path):
        if bad is not None:
            yield bad
        elif line is not None and line.strip():
            yield f"line {lineno}", line


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


# --------------------------------------------------------------------------- SugarCrepe documents


def _sugarcrepe_files(folder: Path) -> list[Path]:
    """The SugarCrepe category files present in a folder, in SUGARCREPE_CATEGORIES order."""
    return [folder / f"{cat}.json" for cat in SUGARCREPE_CATEGORIES if (folder / f"{cat}.json").is_file()]


def _require_sugarcrepe_folder(folder: Path) -> None:
    """Raise ValueError unless the folder holds at least one SugarCrepe category file."""
    if not _sugarcrepe_files(folder):
        names = ", ".join(f"{c}.json" for c in SUGARCREPE_CATEGORIES)
        raise ValueError(f"directory {str(folder)!r} holds none of the SugarCrepe files ({names})")


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


# --------------------------------------------------------------------------- benchmark pairs


def read_pairs(path: str | Path, *, image_root: str | Path | None = None) -> Iterator[PairRecord | BadRecord]:
    """Yield (caption, negative) pairs from a SugarCrepe folder/file or a JSONL file of pairs.

    SugarCrepe: category from the file name, files in SUGARCREPE_CATEGORIES order, items in file
    order. JSONL: one {"caption", "negative", "category"} object per line (optional image field).
    """
    p = Path(path)
    _require_exists(p)
    if p.is_dir():
        _require_sugarcrepe_folder(p)
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
    for item in _content_lines(path):
        if isinstance(item, BadRecord):
            yield item
            continue
        ref, line = item
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
        try:
            subset = subset_of(obj)
        except ValueError as exc:
            yield BadRecord(source, ref, "subset", str(exc))
            continue
        neg_key = next((k for k in NEGATIVE_FIELDS if k in obj), "negative")
        pair = _pair_from(obj, category.strip(), neg_key, source=source, ref=ref, image_root=image_root)
        yield dataclasses.replace(pair, subset=subset) if isinstance(pair, PairRecord) and subset else pair


def subset_of(obj: dict) -> str | None:
    """The piece of the benchmark a pairs-JSONL item belongs to: its `subset` field, else the middle
    of a VALSE-style id "<benchmark>:<piece>:<n>" ("valse:counting-hard:12" -> "counting-hard"), else
    None. Raises ValueError for a `subset` that is not a non-empty string."""
    if "subset" in obj:
        value = obj["subset"]
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"subset must be a non-empty string, not {value!r}")
        return value.strip()
    parts = obj["id"].split(":") if isinstance(obj.get("id"), str) else []
    return parts[1].strip() or None if len(parts) >= 3 else None
