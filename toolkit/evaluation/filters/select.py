"""Which candidates a filter or audit works on: all, one generation run, a benchmark set, or explicit ids."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection

from toolkit.store.models import CandidateRow, Caption


@dataclass(frozen=True)
class Selection:
    """Candidates of `run_id` (None: every run), further restricted to `ids` when given."""

    run_id: str | None = None
    ids: tuple[int, ...] | None = None
    set_name: str | None = None  # informative: the set `ids` came from

    def to_dict(self) -> dict:
        return {"run_id": self.run_id, "set": self.set_name, "n_ids": None if self.ids is None else len(self.ids)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)


def set_candidate_ids(conn: Connection, name: str) -> tuple[int, ...]:
    """Candidate ids of the benchmark set `name`, in review order. Raises ValueError for an unknown set."""
    from toolkit.store.curation import BenchmarkSet, SetItem

    bs, item = BenchmarkSet.__table__, SetItem.__table__
    set_id = conn.execute(select(bs.c.id).where(bs.c.name == name)).scalar_one_or_none()
    if set_id is None:
        raise ValueError(f"no benchmark set named {name!r}")
    rows = conn.execute(select(item.c.candidate_id).where(item.c.set_id == set_id).order_by(item.c.position))
    return tuple(r for (r,) in rows)


def iter_selected(conn: Connection, selection: Selection, batch: int = 1000) -> Iterator[dict]:
    """Candidate rows (id, text, operator, subtype, depth, length_delta, provenance, caption_id, run_id) with
    their caption text and text_hash, streamed in id order."""
    if selection.ids is not None:
        ids = sorted(set(selection.ids))
        for k in range(0, len(ids), batch):
            yield from _rows(conn, selection.run_id, ids=ids[k : k + batch])
        return
    last = 0
    while True:
        rows = _rows(conn, selection.run_id, after=last, limit=batch)
        if not rows:
            return
        yield from rows
        last = rows[-1]["id"]


def _rows(conn: Connection, run_id: str | None, *, ids: Sequence[int] | None = None, after: int = 0,
          limit: int | None = None) -> list[dict]:
    cand, cap = CandidateRow.__table__, Caption.__table__
    stmt = (
        select(cand.c.id, cand.c.text, cand.c.operator, cand.c.subtype, cand.c.depth, cand.c.length_delta,
               cand.c.provenance, cand.c.caption_id, cand.c.run_id, cap.c.text.label("caption"),
               cap.c.text_hash.label("caption_hash"))
        .join(cap, cap.c.id == cand.c.caption_id)
        .order_by(cand.c.id)
    )
    if ids is not None:
        stmt = stmt.where(cand.c.id.in_(list(ids)))
    else:
        stmt = stmt.where(cand.c.id > after)
    if run_id:
        stmt = stmt.where(cand.c.run_id == run_id)
    if limit:
        stmt = stmt.limit(limit)
    return [dict(r._mapping) for r in conn.execute(stmt)]
