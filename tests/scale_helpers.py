"""Shared helpers of the scale-out tests: sample shards, and what a database or an output folder holds."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from toolkit.store.models import CandidateRow, Caption

SAMPLE = Path(__file__).resolve().parents[1] / "toolkit" / "data" / "coco_sample.jsonl"


def sample_rows(n: int, start: int = 0) -> list[dict]:
    """N caption records of the bundled COCO sample (caption, image)."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()[start : start + n]
    assert len(lines) == n
    return [json.loads(line) for line in lines]


def write_jsonl(path: Path, rows: list[dict], extra_lines: tuple[str, ...] = ()) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + "".join(x + "\n" for x in extra_lines))
    return path


def write_parquet(path: Path, rows: list[dict]) -> Path:
    """One row group: a small file Ray would otherwise read as one block."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=len(rows) + 1)
    return path


def output_rows(directory: Path) -> list[dict]:
    """Every row of every finished shard folder, sorted by caption key then ref (Ray keeps no order)."""
    import pyarrow.parquet as pq

    rows: list[dict] = []
    for manifest in directory.glob("*/_manifest.json"):
        for f in sorted(manifest.parent.glob("*.parquet")):
            rows.extend(pq.read_table(f).to_pylist())
    return sorted(rows, key=lambda r: (r["key"] or "", r["ref"]))


def db_candidates(engine) -> list[tuple]:
    """(caption, uid, negative, operator, subtype, depth, parent, length delta, provenance), sorted."""
    c, cap = CandidateRow.__table__, Caption.__table__
    stmt = select(cap.c.text, c.c.uid, c.c.text, c.c.operator, c.c.subtype, c.c.depth, c.c.parent_uid,
                  c.c.length_delta, c.c.provenance, c.c.run_id).join(cap, cap.c.id == c.c.caption_id)
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(stmt))
