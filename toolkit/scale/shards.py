"""Caption shards: find them (local paths, folders, globs or any fsspec URL), cut each into pieces of a
fixed number of rows, and read one piece as caption records.

Cutting at planning time is what spreads a small shard over several workers: a Parquet file with one row
group, or a JSONL file, would otherwise be one block for one busy worker. Parquet pieces come from the
footer alone; JSONL pieces from one pass counting lines, so that every bad record keeps its line number.
Records are validated by the same code as `hardneg ingest` (`toolkit.text.ingest`), so both paths store the
same caption for the same input.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import PurePosixPath

import fsspec

# Private helpers on purpose: a record must be validated exactly as the local ingest does it.
from toolkit.text.ingest import _UTF16_BOMS, BadRecord, CaptionRecord, decode_lines, jsonl_record
from toolkit.text.ingest import _record_from_mapping as record_from_mapping

FORMATS = {".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
GLOB_CHARS = "*?["
READ_CHUNK = 1 << 20


@dataclass(frozen=True)
class Piece:
    """Rows [first_row, first_row + n_rows) of one shard (for JSONL, also its byte range and first line)."""

    shard: str
    fmt: str
    first_row: int
    n_rows: int
    byte_start: int = 0
    byte_end: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def shard_format(url: str) -> str:
    """'parquet' or 'jsonl', from the file name; ValueError naming the file otherwise."""
    suffix = PurePosixPath(url.split("?")[0]).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{url}: not a caption shard (expected {', '.join(sorted(FORMATS))})")
    return FORMATS[suffix]


def list_shards(inputs: Iterable[str]) -> list[str]:
    """Shard URLs named by INPUTS: files, folders (their .parquet/.jsonl files) or globs, any fsspec URL.

    Local paths come back as absolute `file://` URLs, so a shard keeps one name however it was given.
    """
    found: list[str] = []
    for item in inputs:
        fs, path = fsspec.core.url_to_fs(item)
        if any(c in path for c in GLOB_CHARS):
            paths = sorted(p for p in fs.glob(path) if PurePosixPath(p).suffix.lower() in FORMATS)
        elif fs.isdir(path):
            paths = sorted(p for p in fs.find(path) if PurePosixPath(p).suffix.lower() in FORMATS)
        elif fs.exists(path):
            shard_format(path)
            paths = [path]
        else:
            raise FileNotFoundError(f"{item}: no such file or folder")
        if not paths:
            raise FileNotFoundError(f"{item}: no .parquet or .jsonl shards found")
        found.extend(fs.unstrip_protocol(p) for p in paths)
    return list(dict.fromkeys(found))


def shard_name(url: str) -> str:
    """The output folder of a shard: its file stem plus a hash of its URL (stems repeat across folders)."""
    stem = PurePosixPath(url.split("?")[0]).name.split(".")[0] or "shard"
    return f"{stem}-{hashlib.sha1(url.encode()).hexdigest()[:8]}"


def plan_pieces(url: str, rows_per_piece: int) -> list[Piece]:
    """Cut one shard into pieces of at most ROWS_PER_PIECE rows (JSONL rows are lines, blank ones too)."""
    if rows_per_piece < 1:
        raise ValueError(f"rows per piece must be positive, got {rows_per_piece}")
    fmt = shard_format(url)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        with fsspec.open(url, "rb") as fh:
            total = pq.ParquetFile(fh).metadata.num_rows
        return [Piece(url, fmt, start, min(rows_per_piece, total - start)) for start in range(0, total, rows_per_piece)]
    return _plan_jsonl(url, rows_per_piece)


def _plan_jsonl(url: str, rows_per_piece: int) -> list[Piece]:
    pieces: list[Piece] = []
    start_byte = start_line = lines = offset = 0
    tail = False  # bytes after the last newline: a final line without terminator
    with fsspec.open(url, "rb") as fh:
        if fh.read(2) in _UTF16_BOMS:
            raise ValueError(f"{url}: UTF-16 encoded file (save it as UTF-8)")
        fh.seek(0)
        while chunk := fh.read(READ_CHUNK):
            pos = 0
            while (nl := chunk.find(b"\n", pos)) != -1:
                lines += 1
                pos = nl + 1
                if lines - start_line == rows_per_piece:
                    end = offset + pos
                    pieces.append(Piece(url, "jsonl", start_line, rows_per_piece, start_byte, end))
                    start_byte, start_line = end, lines
            tail = pos < len(chunk)
            offset += len(chunk)
    if tail:
        lines += 1
    if lines > start_line:
        pieces.append(Piece(url, "jsonl", start_line, lines - start_line, start_byte, offset))
    return pieces


def read_piece(piece: Piece, *, max_chars: int = 1000, image_root: str | None = None) -> Iterator[CaptionRecord | BadRecord]:
    """The caption records of one piece, in file order; bad rows come back as BadRecord ('line N' / 'row N')."""
    if piece.fmt == "parquet":
        yield from _read_parquet_piece(piece, max_chars=max_chars, image_root=image_root)
    else:
        yield from _read_jsonl_piece(piece, max_chars=max_chars, image_root=image_root)


def _read_parquet_piece(piece: Piece, *, max_chars: int, image_root: str | None) -> Iterator[CaptionRecord | BadRecord]:
    import pyarrow.parquet as pq

    end = piece.first_row + piece.n_rows
    with fsspec.open(piece.shard, "rb") as fh:
        pf = pq.ParquetFile(fh)
        group_start = 0
        for g in range(pf.metadata.num_row_groups):
            group_rows = pf.metadata.row_group(g).num_rows
            group_end = group_start + group_rows
            if group_end > piece.first_row and group_start < end:
                lo = max(piece.first_row, group_start) - group_start
                hi = min(end, group_end) - group_start
                rows = pf.read_row_group(g).slice(lo, hi - lo).to_pylist()
                for i, row in enumerate(rows, start=group_start + lo + 1):
                    yield record_from_mapping(row, source=piece.shard, ref=f"row {i}", max_chars=max_chars,
                                              image_root=image_root)
            group_start = group_end
            if group_start >= end:
                break


def _read_jsonl_piece(piece: Piece, *, max_chars: int, image_root: str | None) -> Iterator[CaptionRecord | BadRecord]:
    source = piece.shard
    with fsspec.open(source, "rb") as fh:
        fh.seek(piece.byte_start)
        data = fh.read(piece.byte_end - piece.byte_start)
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()  # split on newlines only, as `hardneg ingest` reads a file
    for lineno, line, bad in decode_lines(lines, source, first=piece.first_row + 1):
        record = bad if bad is not None else jsonl_record(line, source, lineno, max_chars=max_chars,
                                                            image_root=image_root)
        if record is not None:
            yield record


def meta_json(meta: dict) -> str:
    """A record's extra fields as stored by `hardneg ingest` (Parquet values such as dates become strings)."""
    return json.dumps(meta, ensure_ascii=False, default=str)
