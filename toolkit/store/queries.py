"""Bulk writes and the few reads the pipeline needs, dialect-aware (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.schema import Column, Table

from toolkit.store.models import CandidateRow, Caption, Image, ParseRow, Run, RunCaption, utcnow


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def caption_key(text: str, image: str | None) -> str:
    return hashlib.sha1(f"{text}\x00{image or ''}".encode()).hexdigest()


def insert_ignore(conn: Connection, table: Table, rows: Sequence[dict], conflict: Sequence[str]) -> int:
    """Insert rows, silently skipping those that collide with a unique constraint. Returns rows sent."""
    if not rows:
        return 0
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(table).on_conflict_do_nothing(index_elements=list(conflict))
    elif conn.dialect.name == "sqlite":
        keys = rows[0].keys()
        # the fast path only where SQLAlchemy would add nothing: same keys everywhere, no Python-side default
        if all(r.keys() == keys for r in rows) and not _defaults_missing(table, keys):
            return _sqlite_insert_or_ignore(conn, table, rows)
        stmt = insert(table).prefix_with("OR IGNORE")
    else:  # other dialects: filter out what exists first (slower, still correct for one writer)
        stmt = insert(table)
        rows = _missing(conn, table, rows, conflict)
        if not rows:
            return 0
    conn.execute(stmt, list(rows))
    return len(rows)


def insert_ignore_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple], conflict: Sequence[str],
    constants: dict[str, Any] | None = None,
) -> int:
    """`insert_ignore` for rows given as tuples in `columns` order, plus `constants`: columns with one
    value for every row (a run id, a timestamp), bound once. Generating stores ~16 candidate rows per
    caption; building a dict per row cost more than SQLite's own insert."""
    if not rows:
        return 0
    constants = constants or {}
    names = [*columns, *constants]
    procs = _bind_processors(conn, table, names) if conn.dialect.name == "sqlite" else []
    # as in insert_ignore: the fast path only where SQLAlchemy would add nothing to the rows
    if conn.dialect.name != "sqlite" or any(procs[: len(columns)]) or _defaults_missing(table, names):
        extra = tuple(constants.values())
        return insert_ignore(conn, table, [dict(zip(names, r + extra, strict=True)) for r in rows], conflict)
    bound = zip(procs[len(columns):], constants.values(), strict=True)
    extra = tuple(v if proc is None or v is None else proc(v) for proc, v in bound)
    _sqlite_executemany(conn, table, names, [r + extra for r in rows] if extra else rows)
    return len(rows)


def _defaults_missing(table: Table, names: Iterable[str]) -> bool:
    """True when a column left out of `names` has a Python-side default, which only SQLAlchemy fills in."""
    given = set(names)
    return any(c.default is not None for c in table.c if c.name not in given)


def _bind_processors(conn: Connection, table: Table, names: Sequence[str]) -> list:
    return [table.c[c].type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for c in names]


def _sqlite_executemany(conn: Connection, table: Table, names: Sequence[str], params: list[tuple]) -> None:
    quote = conn.dialect.identifier_preparer.quote
    sql = (f"INSERT OR IGNORE INTO {quote(table.name)} ({', '.join(quote(c) for c in names)}) "
           f"VALUES ({', '.join('?' * len(names))})")
    conn.exec_driver_sql(sql, params)


def _sqlite_insert_or_ignore(conn: Connection, table: Table, rows: Sequence[dict]) -> int:
    """`INSERT OR IGNORE` through the driver's executemany, with each column's SQLAlchemy bind processor
    applied (once per distinct value: a chunk's rows share one timestamp)."""
    cols = list(rows[0])
    procs = _bind_processors(conn, table, cols)
    memo: list[dict] = [{} for _ in cols]

    def bind(k: int, value):
        if procs[k] is None or value is None:
            return value
        try:
            return memo[k][value]
        except KeyError:
            memo[k][value] = out = procs[k](value)
            return out
        except TypeError:  # unhashable
            return procs[k](value)

    if all(proc is None for proc in procs):
        params = [tuple([r[c] for c in cols]) for r in rows]
    else:
        params = [tuple([bind(k, r[c]) for k, c in enumerate(cols)]) for r in rows]
    _sqlite_executemany(conn, table, cols, params)
    return len(rows)


def _missing(conn: Connection, table: Table, rows: Sequence[dict], conflict: Sequence[str]) -> list[dict]:
    cols = [table.c[c] for c in conflict]
    have = {tuple(r) for r in conn.execute(select(*cols))}
    return [r for r in rows if tuple(r[c] for c in conflict) not in have]


def among(column: Column, values: Iterable) -> tuple:
    """`column IN values` as a where-clause and its parameters: one expanding bind parameter, so the
    statement is compiled once and cached, not once per call with a bind per value (ingesting 10,000
    captions compiled 20,000 of them)."""
    name = f"{column.table.name}_{column.name}_among"
    return column.in_(bindparam(name, expanding=True)), {name: list(values)}


def image_ids(conn: Connection, paths: Iterable[str]) -> dict[str, int]:
    """Ids of image paths, inserting the ones not stored yet."""
    paths = sorted(set(paths))
    if not paths:
        return {}
    table = Image.__table__
    insert_ignore_rows(conn, table, ("path",), [(p,) for p in paths], ["path"], constants={"created_at": utcnow()})
    where, params = among(table.c.path, paths)
    return {p: i for p, i in conn.execute(select(table.c.path, table.c.id).where(where), params)}


def missing_parses(conn: Connection, hashes: Iterable[str]) -> set[str]:
    hashes = set(hashes)
    if not hashes:
        return set()
    table = ParseRow.__table__
    where, params = among(table.c.text_hash, hashes)
    have = {h for (h,) in conn.execute(select(table.c.text_hash).where(where), params)}
    return hashes - have


def load_parses(conn: Connection, hashes: Iterable[str]) -> dict[str, tuple[str, str]]:
    """text_hash -> (model, data) for the stored parses among `hashes`."""
    table = ParseRow.__table__
    where, params = among(table.c.text_hash, set(hashes))
    rows = conn.execute(select(table.c.text_hash, table.c.model, table.c.data).where(where), params)
    return {h: (m, d) for h, m, d in rows}


def _not_processed(run_id: str):
    cap, done = Caption.__table__, RunCaption.__table__
    return ~select(done.c.caption_id).where(done.c.run_id == run_id, done.c.caption_id == cap.c.id).exists()


def pending_captions(
    conn: Connection, run_id: str, after_id: int, limit: int, with_parses: bool = False,
) -> list[tuple]:
    """(id, text, text_hash) of captions with id > after_id that `run_id` has not processed yet; with
    `with_parses`, (id, text, text_hash, stored parse JSON or None), in the same query."""
    cap = Caption.__table__
    if with_parses:
        parse = ParseRow.__table__
        stmt = select(cap.c.id, cap.c.text, cap.c.text_hash, parse.c.data).outerjoin(
            parse, parse.c.text_hash == cap.c.text_hash)
    else:
        stmt = select(cap.c.id, cap.c.text, cap.c.text_hash)
    stmt = stmt.where(cap.c.id > after_id, _not_processed(run_id)).order_by(cap.c.id).limit(limit)
    return [tuple(r) for r in conn.execute(stmt)]


def count_pending(conn: Connection, run_id: str) -> int:
    """How many captions `run_id` has not processed yet."""
    return conn.execute(select(func.count()).select_from(Caption.__table__).where(_not_processed(run_id))).scalar_one()


def iter_candidates(conn: Connection, run_id: str | None = None, batch: int = 2000) -> Iterator[dict]:
    """Candidates with their caption, streamed in id order."""
    cand = CandidateRow.__table__
    cap = Caption.__table__
    img = Image.__table__
    last = 0
    while True:
        stmt = (
            select(cand, cap.c.text.label("caption"), img.c.path.label("image"))
            .join(cap, cap.c.id == cand.c.caption_id)
            .outerjoin(img, img.c.id == cap.c.image_id)
            .where(cand.c.id > last)
            .order_by(cand.c.id)
            .limit(batch)
        )
        if run_id:
            stmt = stmt.where(cand.c.run_id == run_id)
        rows = [dict(r._mapping) for r in conn.execute(stmt)]
        if not rows:
            return
        yield from rows
        last = rows[-1]["id"]


def counts(conn: Connection) -> dict:
    """Totals for `hardneg stats`."""
    cand = CandidateRow.__table__
    out = {
        "captions": conn.execute(select(func.count()).select_from(Caption.__table__)).scalar_one(),
        "images": conn.execute(select(func.count()).select_from(Image.__table__)).scalar_one(),
        "parses": conn.execute(select(func.count()).select_from(ParseRow.__table__)).scalar_one(),
        "runs": conn.execute(select(func.count()).select_from(Run.__table__)).scalar_one(),
        "candidates": conn.execute(select(func.count()).select_from(cand)).scalar_one(),
    }
    by_op = conn.execute(
        select(cand.c.operator, cand.c.subtype, cand.c.depth, func.count(), func.avg(cand.c.length_delta))
        .group_by(cand.c.operator, cand.c.subtype, cand.c.depth)
        .order_by(cand.c.depth, cand.c.operator, cand.c.subtype)
    )
    out["by_operator"] = [
        {"operator": o, "subtype": s, "depth": d, "count": n, "mean_length_delta": round(float(m or 0), 3)}
        for o, s, d, n, m in by_op
    ]
    return out


UID_LENGTH = 16  # a candidate's uid: hash of (caption, negative), what `hardneg export` prints as "id"
_HEX = frozenset("0123456789abcdefABCDEF")


def candidate_ref(value: int | str) -> int | str:
    """A reference to a stored candidate: its row id (an integer, or its decimal text), or its 16-hex-digit uid
    (what `hardneg export` and `hardneg negatives --json` print as "id", returned lower-case). Sixteen digits
    read as a uid: row ids never get that long. ValueError names what is wrong otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"not a candidate id: {value!r} (a row id or a 16-hex-digit uid)")
    if isinstance(value, int):
        if value < 1:
            raise ValueError(f"not a candidate id: {value} (row ids start at 1)")
        return value
    text = value.strip()
    if len(text) == UID_LENGTH and set(text) <= _HEX:
        return text.lower()
    if text.isascii() and text.isdigit() and int(text) >= 1:
        return int(text)
    raise ValueError(f"not a candidate id: {value!r} (a row id, or the 16-hex-digit \"id\" that hardneg export prints)")


def resolve_candidate_refs(conn: Connection, refs: Iterable[int | str], batch: int = 5000) -> dict[int | str, tuple[int, ...]]:
    """Row ids of each reference (see `candidate_ref`): a stored row id maps to itself, a uid to every candidate
    carrying it (one per caption row with that caption text, e.g. the same caption stored with two images),
    a reference to nothing stored to ()."""
    cand = CandidateRow.__table__
    parsed = list(dict.fromkeys(candidate_ref(r) for r in refs))
    found: dict[int | str, list[int]] = {r: [] for r in parsed}
    ints = [r for r in parsed if isinstance(r, int)]
    uids = [r for r in parsed if isinstance(r, str)]
    for k in range(0, len(ints), batch):
        for (cid,) in conn.execute(select(cand.c.id).where(cand.c.id.in_(ints[k : k + batch]))):
            found[cid].append(cid)
    for k in range(0, len(uids), batch):  # no index on uid alone: one scan per batch
        for uid, cid in conn.execute(select(cand.c.uid, cand.c.id).where(cand.c.uid.in_(uids[k : k + batch]))):
            found[uid].append(cid)
    return {r: tuple(sorted(ids)) for r, ids in found.items()}
