"""Read filter verdicts (`verdict`) and model scores (`candidate_score`) when those features' tables exist.

Curation works without them; the tables are reflected at run time so this module does not depend on the
filter or scoring code being installed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import MetaData, Table, inspect, select
from sqlalchemy.engine import Connection

VERDICT = "verdict"
SCORE = "candidate_score"


def optional_table(conn: Connection, name: str) -> Table | None:
    """The table `name` reflected from the database, or None where it does not exist."""
    if not inspect(conn).has_table(name):
        return None
    return Table(name, MetaData(), autoload_with=conn)


def score_models(conn: Connection) -> list[str]:
    """Model ids with stored scores (empty without the scoring table)."""
    table = optional_table(conn, SCORE)
    if table is None:
        return []
    return [m for (m,) in conn.execute(select(table.c.model_id).distinct().order_by(table.c.model_id))]


def resolve_model(conn: Connection, model: str | None) -> str:
    """The score model to use: `model` if given and scored, else the only scored model; a clear error otherwise."""
    models = score_models(conn)
    if not models:
        raise ValueError(f"no scores stored (table {SCORE!r} is missing or empty): score the candidates first")
    if model is None:
        if len(models) > 1:
            raise ValueError(f"scores from several models are stored ({', '.join(models)}): choose one with --model")
        return models[0]
    if model not in models:
        raise ValueError(f"no scores stored for model {model!r}; scored models: {', '.join(models)}")
    return model


def _chunks(ids: list[int], n: int = 500) -> Iterable[list[int]]:
    for i in range(0, len(ids), n):
        yield ids[i : i + n]


def verdicts_for(conn: Connection, candidate_ids: Iterable[int]) -> dict[int, list[dict]]:
    """candidate id -> [{judge, passed, reasons}] (empty without the verdict table)."""
    table = optional_table(conn, VERDICT)
    out: dict[int, list[dict]] = {}
    if table is None:
        return out
    for chunk in _chunks(sorted(set(candidate_ids))):
        rows = conn.execute(
            select(table.c.candidate_id, table.c.judge, table.c.passed, table.c.reasons)
            .where(table.c.candidate_id.in_(chunk))
            .order_by(table.c.candidate_id, table.c.judge)
        )
        for cid, judge, passed, reasons in rows:
            out.setdefault(cid, []).append({"judge": judge, "passed": bool(passed), "reasons": _reasons(reasons)})
    return out


def _reasons(raw: str | None) -> str:
    """Readable reasons: the filters store JSON {"fired": [{"rule", "why"}]}; anything else is shown as is."""
    try:
        data = json.loads(raw or "")
    except (TypeError, ValueError):
        return raw or ""
    if isinstance(data, dict) and isinstance(data.get("fired"), list):
        return "; ".join(f"{f.get('rule', '?')}: {f.get('why', '')}" if isinstance(f, dict) else str(f) for f in data["fired"])
    return raw or ""


def scores_for(conn: Connection, candidate_ids: Iterable[int]) -> dict[int, list[dict]]:
    """candidate id -> [{model_id, pos_sim, neg_sim, margin, tie}] (empty without the scoring table)."""
    table = optional_table(conn, SCORE)
    out: dict[int, list[dict]] = {}
    if table is None:
        return out
    cols = [table.c.candidate_id, table.c.model_id, table.c.pos_sim, table.c.neg_sim, table.c.margin, table.c.tie]
    for chunk in _chunks(sorted(set(candidate_ids))):
        for cid, model, pos, neg, margin, tie in conn.execute(select(*cols).where(table.c.candidate_id.in_(chunk))):
            out.setdefault(cid, []).append(
                {"model_id": model, "pos_sim": pos, "neg_sim": neg, "margin": margin, "tie": bool(tie)}
            )
    return out
