"""Reads and writes of the filters' tables: verdicts, failures, filter runs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.engine import Connection, Engine

from toolkit.store.models import utcnow
from toolkit.store.queries import insert_ignore
from toolkit.store.verdicts import FilterRun, Verdict, VerdictFailure


def judged_ids(conn: Connection, judge: str, prompt_hash: str, ids: Sequence[int]) -> set[int]:
    """Those of `ids` that already have a verdict from this judge and prompt."""
    if not ids:
        return set()
    v = Verdict.__table__
    rows = conn.execute(select(v.c.candidate_id).where(v.c.judge == judge, v.c.prompt_hash == prompt_hash,
                                                       v.c.candidate_id.in_(list(ids))))
    return {r for (r,) in rows}


def write_verdicts(conn: Connection, rows: Sequence[dict]) -> None:
    """Insert verdict rows (one per candidate, judge and prompt; an existing one is kept) and clear the
    failures they resolve."""
    if not rows:
        return
    now = utcnow()
    full = [{"score": None, "rule": None, "filter_run_id": None, "created_at": now, **r} for r in rows]
    insert_ignore(conn, Verdict.__table__, full, ["candidate_id", "judge", "prompt_hash"])
    f = VerdictFailure.__table__
    keys = [(r["candidate_id"], r["judge"], r["prompt_hash"]) for r in rows]
    for k in range(0, len(keys), 300):
        conn.execute(delete(f).where(tuple_(f.c.candidate_id, f.c.judge, f.c.prompt_hash).in_(keys[k : k + 300])))


def write_failures(conn: Connection, rows: Sequence[dict]) -> None:
    """Record (or update) per-candidate failures: candidate_id, judge, prompt_hash, error, attempts."""
    f = VerdictFailure.__table__
    now = utcnow()
    for r in rows:
        found = conn.execute(update(f).where(f.c.candidate_id == r["candidate_id"], f.c.judge == r["judge"],
                                             f.c.prompt_hash == r["prompt_hash"])
                             .values(error=r["error"], attempts=r.get("attempts", 1),
                                     filter_run_id=r.get("filter_run_id"), created_at=now))
        if found.rowcount == 0:
            conn.execute(f.insert().values(**{"filter_run_id": None, "attempts": 1, "created_at": now, **r}))


def failed_ids(conn: Connection, judge: str, prompt_hash: str) -> list[int]:
    f = VerdictFailure.__table__
    return [r for (r,) in conn.execute(select(f.c.candidate_id).where(f.c.judge == judge, f.c.prompt_hash == prompt_hash)
                                       .order_by(f.c.candidate_id))]


def start_filter_run(engine: Engine, judge: str, prompt_hash: str, config: dict, selection: str) -> str:
    """Store a filter run (its id hashes judge, config, selection and start time) and return its id."""
    now = utcnow()
    rid = hashlib.sha1(json.dumps([judge, prompt_hash, config, selection, now.isoformat()], sort_keys=True)
                       .encode()).hexdigest()[:16]
    with engine.begin() as conn:
        insert_ignore(conn, FilterRun.__table__, [{
            "id": rid, "judge": judge, "prompt_hash": prompt_hash, "config": json.dumps(config, sort_keys=True),
            "selection": selection, "status": "running", "summary": "{}", "created_at": now}], ["id"])
    return rid


def finish_filter_run(engine: Engine, run_id: str, status: str, summary: dict) -> None:
    t = FilterRun.__table__
    with engine.begin() as conn:
        conn.execute(update(t).where(t.c.id == run_id).values(status=status, summary=json.dumps(summary),
                                                             finished_at=utcnow()))


def latest_verdicts(conn: Connection, judge: str, ids: Iterable[int] | None = None) -> dict[int, dict]:
    """candidate_id -> the newest verdict of `judge` (any prompt/config), as a dict with parsed reasons.

    What other features (scoring, curation, sets) read to keep or drop candidates.
    """
    v = Verdict.__table__
    newest = (select(v.c.candidate_id, func.max(v.c.id).label("vid")).where(v.c.judge == judge)
              .group_by(v.c.candidate_id))
    if ids is not None:
        newest = newest.where(v.c.candidate_id.in_(list(ids)))
    sub = newest.subquery()
    rows = conn.execute(select(v).join(sub, sub.c.vid == v.c.id))
    out = {}
    for r in rows:
        d = dict(r._mapping)
        d["reasons"] = json.loads(d["reasons"])
        out[d["candidate_id"]] = d
    return out
