"""Tables of the scorer: scoring runs (with the resolved model configuration), per-candidate scores and the
embedding cache. Created by the Alembic migration `db/versions/0002_scores.py`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from toolkit.store.models import utcnow


class ScoreRun(SQLModel, table=True):
    """One scoring invocation: which model exactly (resolved open_clip configuration as JSON), on what, how."""

    __tablename__ = "score_run"
    id: str = Field(primary_key=True, max_length=32)
    kind: str = "candidates"  # candidates | benchmark
    model_id: str = Field(index=True, max_length=160)
    config: str = Field(sa_column=Column(Text, nullable=False))  # JSON: architecture, quick_gelu, preprocess, ...
    params: str = "{}"  # JSON: device, precision, batch size, workers, source
    versions: str = "{}"  # JSON: hardneg, open_clip, torch
    status: str = "running"  # running | done | failed
    summary: str = Field(default="{}", sa_column=Column(Text, nullable=False))  # JSON counts and errors
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class CandidateScore(SQLModel, table=True):
    """The similarity of a candidate's image to its caption (pos) and to the candidate (neg) under one model."""

    __tablename__ = "candidate_score"
    __table_args__ = (
        UniqueConstraint("candidate_id", "model_id", name="uq_candidate_score_model"),
        Index("ix_candidate_score_model_margin", "model_id", "margin"),
    )
    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", index=True)
    model_id: str = Field(max_length=160)
    run_id: str = Field(foreign_key="score_run.id", index=True, max_length=32)
    pos_sim: float
    neg_sim: float
    margin: float  # pos_sim - neg_sim; <= 0 means the negative fooled the model (0 is a tie, a failure)
    tie: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class EmbeddingCache(SQLModel, table=True):
    """An L2-normalised float32 embedding of one image file or text under one model, keyed by content hash."""

    __tablename__ = "embedding_cache"
    model_id: str = Field(primary_key=True, max_length=160)
    kind: str = Field(primary_key=True, max_length=8)  # image | text
    content_hash: str = Field(primary_key=True, max_length=64)
    dim: int
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
