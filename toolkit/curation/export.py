"""Writers of stored candidates (JSONL with full provenance)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.engine import Engine

from toolkit.store.queries import iter_candidates


def export_jsonl(engine: Engine, out: str | Path, *, run_id: str | None = None) -> int:
    """Write one JSON object per candidate (caption, negative, image, operator, provenance). Returns the count."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".part")
    n = 0
    with engine.connect() as conn, tmp.open("w", encoding="utf-8") as fh:
        for row in iter_candidates(conn, run_id):
            record = {
                "id": row["uid"],
                "caption": row["caption"],
                "negative": row["text"],
                "image": row["image"],
                "operator": row["operator"],
                "subtype": row["subtype"],
                "depth": row["depth"],
                "parent": row["parent_uid"],
                "length_delta": row["length_delta"],
                "run_id": row["run_id"],
                "provenance": json.loads(row["provenance"]),
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
    tmp.replace(out)  # a failed export never leaves a half-written file under the final name
    return n
