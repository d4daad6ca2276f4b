"""`hardneg import-parquet`: load finished shard folders into the database in bulk, idempotently.

Each batch of rows is one short transaction: captions (by key), their images and parses, the run's
"done" marks and the candidates, all inserted with conflicts ignored, so importing a folder twice, or
a folder that overlaps what `hardneg generate` already stored, adds nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine

from toolkit.scale.output import OutputDir
from toolkit.store import queries as q
from toolkit.store.models import CandidateRow, Caption, ParseRow, Run, RunCaption, utcnow

BAD_SHOWN = 20


@dataclass
class ImportReport:
    shards: int = 0
    rows: int = 0
    captions_inserted: int = 0
    captions_done: int = 0
    candidates_imported: int = 0
    bad: int = 0
    bad_examples: list[str] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "shards": self.shards, "rows": self.rows, "captions_inserted": self.captions_inserted,
            "captions_marked_done": self.captions_done, "candidates_imported": self.candidates_imported,
            "bad_records": self.bad, "runs": self.runs,
        }


def import_parquet(
    engine: Engine, directory: str, *, batch_rows: int = 1000, progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Import every finished shard folder (one with a manifest) under DIRECTORY (a path or fsspec URL)."""
    import pyarrow.parquet as pq

    out = OutputDir(directory, create=False)
    report = ImportReport()
    finished = out.manifests()
    if not finished:
        raise FileNotFoundError(f"{directory}: no finished shard folders (none has a _manifest.json)")
    for folder, manifest in finished:
        run = manifest["run"]
        _ensure_run(engine, run)
        if run["id"] not in report.runs:
            report.runs.append(run["id"])
        for path in sorted(p for p in out.fs.find(folder) if p.endswith(".parquet")):
            with out.fs.open(path, "rb") as fh:
                for batch in pq.ParquetFile(fh).iter_batches(batch_size=batch_rows):
                    rows = batch.to_pylist()
                    _import_rows(engine, run["id"], rows, report)
                    if progress:
                        progress(len(rows))
        report.shards += 1
    for rid in report.runs:
        _finish_run(engine, rid)
    return report


def _ensure_run(engine: Engine, run: dict) -> None:
    with engine.begin() as conn:
        q.insert_ignore(conn, Run.__table__, [{
            "id": run["id"], "kind": "generate", "config": run["config"], "versions": run["versions"],
            "seed": run["seed"], "status": "running", "summary": "{}", "created_at": utcnow(),
        }], ["id"])


def _import_rows(engine: Engine, rid: str, rows: list[dict], report: ImportReport) -> None:
    report.rows += len(rows)
    good: dict[str, dict] = {}
    for row in rows:
        if row["error"] is not None:
            report.bad += 1
            if len(report.bad_examples) < BAD_SHOWN:
                report.bad_examples.append(row["error"])
        else:
            good.setdefault(row["key"], row)
    if not good:
        return
    now = utcnow()
    with engine.begin() as conn:
        images = q.image_ids(conn, (r["image"] for r in good.values() if r["image"]))
        cap = Caption.__table__
        report.captions_inserted += len(good) - len(_ids(conn, list(good)))
        q.insert_ignore(conn, cap, [{
            "key": k, "text": r["text"], "text_hash": r["text_hash"],
            "image_id": images.get(r["image"]) if r["image"] else None, "source": r["source"] or "",
            "ref": r["ref"] or "", "meta": r["meta"] or "{}", "created_at": now,
        } for k, r in good.items()], ["key"])
        ids = _ids(conn, list(good))
        q.insert_ignore(conn, ParseRow.__table__, list({r["text_hash"]: {
            "text_hash": r["text_hash"], "model": json.loads(r["parse"]).get("model", ""), "data": r["parse"],
            "created_at": now,
        } for r in good.values()}.values()), ["text_hash"])
        done = RunCaption.__table__
        already = {c for (c,) in conn.execute(
            select(done.c.caption_id).where(done.c.run_id == rid, done.c.caption_id.in_(list(ids.values())))
        )}
        todo = {k: r for k, r in good.items() if ids[k] not in already}
        cand_rows = [
            {**c, "caption_id": ids[k], "run_id": rid, "created_at": now}
            for k, r in todo.items() for c in r["candidates"]
        ]
        q.insert_ignore(conn, CandidateRow.__table__, cand_rows, ["caption_id", "uid"])
        q.insert_ignore(conn, done, [
            {"run_id": rid, "caption_id": ids[k], "n_candidates": r["n_candidates"]} for k, r in todo.items()
        ], ["run_id", "caption_id"])
        _merge_summary(conn, rid, len(todo), len(cand_rows))
    report.captions_done += len(todo)
    report.candidates_imported += len(cand_rows)


def _ids(conn: Connection, keys: list[str]) -> dict[str, int]:
    cap = Caption.__table__
    return {k: i for k, i in conn.execute(select(cap.c.key, cap.c.id).where(cap.c.key.in_(keys)))}


def _merge_summary(conn: Connection, rid: str, n_captions: int, n_candidates: int) -> None:
    table = Run.__table__
    current = json.loads(conn.execute(select(table.c.summary).where(table.c.id == rid)).scalar_one() or "{}")
    current["captions"] = current.get("captions", 0) + n_captions
    current["candidates"] = current.get("candidates", 0) + n_candidates
    conn.execute(update(table).where(table.c.id == rid).values(summary=json.dumps(current)))


def _finish_run(engine: Engine, rid: str) -> None:
    """Mark the run done when every stored caption has been processed by it (as `generate_run` does)."""
    with engine.begin() as conn:
        if not q.pending_captions(conn, rid, 0, 1):
            table = Run.__table__
            conn.execute(update(table).where(table.c.id == rid).values(status="done", finished_at=utcnow()))
