"""Scoring the candidates stored in the database, and reading their scores back for reports.

Candidates already scored by the same model id are skipped, so an interrupted `hardneg score` resumes;
each chunk's scores are committed before the next chunk is encoded, so nothing scored is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from toolkit.evaluation.scoring.report import build_report
from toolkit.evaluation.scoring.runs import MAX_ERRORS_KEPT, start_run, update_run
from toolkit.evaluation.scoring.scorer import Item, Negative, ScoreOutcome, Scorer
from toolkit.store.models import CandidateRow, Caption, Image, utcnow
from toolkit.store.queries import insert_ignore
from toolkit.store.scores import CandidateScore


@dataclass
class CandidateScoring:
    """What one `score_candidates` call did."""

    run_id: str
    model_id: str
    candidates_scored: int = 0
    candidates_failed: int = 0
    candidates_without_image: int = 0
    outcome: ScoreOutcome = field(default_factory=ScoreOutcome)

    def to_dict(self) -> dict:
        counts = self.outcome.counts()
        return {
            "run_id": self.run_id,
            "model_id": self.model_id,
            "candidates_scored": self.candidates_scored,
            "candidates_failed": self.candidates_failed,
            "candidates_without_image": self.candidates_without_image,
            "correct": counts["correct"],
            "ties": counts["ties"],
            "images_encoded": counts["images_encoded"],
            "images_cached": counts["images_cached"],
            "texts_encoded": counts["texts_encoded"],
            "texts_cached": counts["texts_cached"],
            "errors": [str(e) for e in self.outcome.errors[:MAX_ERRORS_KEPT]],
        }


def _unscored(conn: Connection, model_id: str, after_id: int, limit: int, generation_run: str | None) -> list[dict]:
    cand, cap, img = CandidateRow.__table__, Caption.__table__, Image.__table__
    score = CandidateScore.__table__
    scored = select(score.c.id).where(score.c.candidate_id == cand.c.id, score.c.model_id == model_id)
    stmt = (
        select(cand.c.id, cand.c.caption_id, cand.c.text, cap.c.text.label("caption"), img.c.path.label("image"))
        .join(cap, cap.c.id == cand.c.caption_id)
        .outerjoin(img, img.c.id == cap.c.image_id)
        .where(cand.c.id > after_id, ~scored.exists())
        .order_by(cand.c.id)
        .limit(limit)
    )
    if generation_run:
        stmt = stmt.where(cand.c.run_id == generation_run)
    return [dict(r._mapping) for r in conn.execute(stmt)]


def count_unscored(engine: Engine, model_id: str, generation_run: str | None = None) -> int:
    """Candidates not yet scored under `model_id` (for a progress bar)."""
    cand, score = CandidateRow.__table__, CandidateScore.__table__
    scored = select(score.c.id).where(score.c.candidate_id == cand.c.id, score.c.model_id == model_id)
    stmt = select(func.count()).select_from(cand).where(~scored.exists())
    if generation_run:
        stmt = stmt.where(cand.c.run_id == generation_run)
    with engine.connect() as conn:
        return conn.execute(stmt).scalar_one()


def _items(rows: list[dict]) -> list[Item]:
    by_caption: dict[int, list[dict]] = {}
    for row in rows:
        by_caption.setdefault(row["caption_id"], []).append(row)
    return [Item(cid, group[0]["image"], group[0]["caption"], [Negative(r["id"], r["text"]) for r in group])
            for cid, group in by_caption.items()]


def score_candidates(engine: Engine, scorer: Scorer, *, generation_run: str | None = None, limit: int | None = None,
                     chunk_size: int = 2048, progress: Callable[[int], None] | None = None) -> CandidateScoring:
    """Score stored candidates not yet scored by this model (at most `limit`), storing each chunk as it is done."""
    run_id = start_run(engine, scorer, "candidates", {"generation_run": generation_run, "limit": limit})
    result = CandidateScoring(run_id, scorer.model_id)
    last, remaining = 0, limit
    try:
        while remaining is None or remaining > 0:
            size = chunk_size if remaining is None else min(chunk_size, remaining)
            with engine.connect() as conn:
                rows = _unscored(conn, scorer.model_id, last, size, generation_run)
            if not rows:
                break
            last = rows[-1]["id"]
            if remaining is not None:
                remaining -= len(rows)
            with_image = [r for r in rows if r["image"]]
            result.candidates_without_image += len(rows) - len(with_image)
            outcome = scorer.score(_items(with_image))
            _store(engine, run_id, scorer.model_id, outcome)
            result.outcome.add(outcome)
            result.candidates_scored += len(outcome.scores)
            result.candidates_failed += sum(e.negatives for e in outcome.errors)
            update_run(engine, run_id, result.to_dict())
            if progress is not None:
                progress(len(rows))
    except BaseException:
        update_run(engine, run_id, result.to_dict(), status="failed")
        raise
    update_run(engine, run_id, result.to_dict(), status="done")
    return result


def _store(engine: Engine, run_id: str, model_id: str, outcome: ScoreOutcome) -> None:
    now = utcnow()
    rows = [{"candidate_id": s.negative_key, "model_id": model_id, "run_id": run_id, "pos_sim": s.pos_sim,
             "neg_sim": s.neg_sim, "margin": s.margin, "tie": s.tie, "created_at": now} for s in outcome.scores]
    with engine.begin() as conn:
        insert_ignore(conn, CandidateScore.__table__, rows, ["candidate_id", "model_id"])


def stored_scores(conn: Connection, model_id: str, generation_run: str | None = None) -> list[dict]:
    """Every stored score of `model_id`, with the candidate's operator, subtype, depth and texts."""
    cand, cap, img, score = CandidateRow.__table__, Caption.__table__, Image.__table__, CandidateScore.__table__
    stmt = (
        select(score.c.candidate_id, cand.c.operator, cand.c.subtype, cand.c.depth, score.c.pos_sim,
               score.c.neg_sim, score.c.margin, score.c.tie, cap.c.text.label("caption"),
               cand.c.text.label("negative"), img.c.path.label("image"))
        .join(cand, cand.c.id == score.c.candidate_id)
        .join(cap, cap.c.id == cand.c.caption_id)
        .outerjoin(img, img.c.id == cap.c.image_id)
        .where(score.c.model_id == model_id)
        .order_by(score.c.candidate_id)
    )
    if generation_run:
        stmt = stmt.where(cand.c.run_id == generation_run)
    return [dict(r._mapping) for r in conn.execute(stmt)]


def candidate_report(engine: Engine, model_id: str, *, generation_run: str | None = None, hardest: int = 20,
                     n_boot: int = 1000, seed: int = 0) -> dict:
    """Accuracy per operator, subtype and depth over the stored scores of `model_id`, hardest negatives first."""
    with engine.connect() as conn:
        rows = stored_scores(conn, model_id, generation_run)
    report = build_report(rows, hardest=hardest, n_boot=n_boot, seed=seed)
    report["model_id"] = model_id
    return report
