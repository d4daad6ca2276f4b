"""Hugging Face `datasets`: a Dataset saved with `save_to_disk` (format "hf") or as one Parquet file
(format "parquet"). Provenance is a JSON string column (its structure varies between items)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from toolkit.curation.formats.jsonl import _single
from toolkit.curation.formats.records import FLAT_COLUMNS, BenchRecord, flat, from_mapping
from toolkit.text.records import BadRecord


def _features():
    from datasets import Features, Value

    return Features({c: Value("int32") if c == "depth" else Value("string") for c in FLAT_COLUMNS})


def _dataset(records: Iterable[BenchRecord]):
    from datasets import Dataset

    return Dataset.from_list([flat(r) for r in records], features=_features())


def write_disk(records: Iterable[BenchRecord], out: Path, name: str) -> list[Path]:
    path = out / "hf"
    _dataset(records).save_to_disk(str(path))
    return [path]


def write_parquet(records: Iterable[BenchRecord], out: Path, name: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.parquet"
    _dataset(records).to_parquet(str(path))
    return [path]


def _rows(rows: Iterable[dict], source: str) -> Iterator[BenchRecord | BadRecord]:
    for i, row in enumerate(rows):
        yield from_mapping(row, source, f"row {i}")


def read_disk(path: Path) -> Iterator[BenchRecord | BadRecord]:
    from datasets import load_from_disk

    target = path / "hf" if (path / "hf" / "dataset_info.json").exists() else path
    yield from _rows(load_from_disk(str(target)), str(target))


def read_parquet(path: Path) -> Iterator[BenchRecord | BadRecord]:
    import pyarrow.parquet as pq  # what `datasets` reads Parquet with; no cache directory is written

    path = _single(path, "*.parquet")
    yield from _rows(pq.read_table(path).to_pylist(), str(path))
