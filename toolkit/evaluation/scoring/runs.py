"""Score runs in the database: each records the model's resolved configuration, how it ran and what came out."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import insert, update
from sqlalchemy.engine import Engine

from toolkit.evaluation.scoring.scorer import Scorer
from toolkit.store.models import utcnow
from toolkit.store.scores import ScoreRun

MAX_ERRORS_KEPT = 100


def start_run(engine: Engine, scorer: Scorer, kind: str, source: dict) -> str:
    """Insert a `score_run` row (status running) and return its id."""
    run_id = uuid.uuid4().hex
    config = {k: v for k, v in scorer.config.items() if k != "versions"}
    with engine.begin() as conn:
        conn.execute(insert(ScoreRun.__table__).values(
            id=run_id, kind=kind, model_id=scorer.model_id, config=json.dumps(config, sort_keys=True),
            params=json.dumps({**scorer.params, **source}, sort_keys=True),
            versions=json.dumps(scorer.config.get("versions", {}), sort_keys=True),
            status="running", summary="{}", created_at=utcnow(),
        ))
    return run_id


def update_run(engine: Engine, run_id: str, summary: dict, status: str | None = None) -> None:
    """Store the summary so far; with a final status, stamp the end time too."""
    values: dict = {"summary": json.dumps(summary, default=str)}
    if status is not None:
        values["status"] = status
        values["finished_at"] = utcnow()
    with engine.begin() as conn:
        conn.execute(update(ScoreRun.__table__).where(ScoreRun.__table__.c.id == run_id).values(**values))
