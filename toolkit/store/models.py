"""SQLModel tables. The Alembic migrations in `db/versions/` are the source of truth for the schema;
`tests/test_store.py` checks that they build exactly these tables."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Image(SQLModel, table=True):
    """An image file a caption describes (path as ingested)."""

    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class ParseRow(SQLModel, table=True):
    """A spaCy parse, keyed by the hash of the caption text: identical texts are parsed once."""

    __tablename__ = "parse"
    text_hash: str = Field(primary_key=True, max_length=40)
    model: str
    data: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Caption(SQLModel, table=True):
    """A source caption; `key` = hash(text, image) makes re-ingesting the same file a no-op."""

    __table_args__ = (UniqueConstraint("key", name="uq_caption_key"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=40)
    text: str = Field(sa_column=Column(Text, nullable=False))
    text_hash: str = Field(index=True, max_length=40)
    image_id: int | None = Field(default=None, foreign_key="image.id", index=True)
    source: str = ""
    ref: str = ""
    meta: str = "{}"
    created_at: datetime = Field(default_factory=utcnow)


class Run(SQLModel, table=True):
    """A generation run: its id is a hash of the configuration and versions, so a re-run resumes it."""

    id: str = Field(primary_key=True, max_length=40)
    kind: str = "generate"
    config: str = "{}"  # JSON GenerationConfig
    versions: str = "{}"  # JSON: hardneg, spacy, spaCy model, lexicon
    seed: int = 0
    status: str = "running"  # running | done
    summary: str = "{}"  # JSON counts: captions, candidates, skips by reason
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class RunCaption(SQLModel, table=True):
    """Marks a caption as fully processed by a run (what lets an interrupted run resume)."""

    __tablename__ = "run_caption"
    run_id: str = Field(foreign_key="run.id", primary_key=True, max_length=40)
    caption_id: int = Field(foreign_key="caption.id", primary_key=True)
    n_candidates: int = 0


class CandidateRow(SQLModel, table=True):
    """A generated negative with its provenance (edits, fixes, parent) as JSON."""

    __tablename__ = "candidate"
    __table_args__ = (
        UniqueConstraint("caption_id", "uid", name="uq_candidate_caption_uid"),
        Index("ix_candidate_op", "operator", "subtype", "depth"),
    )
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=16)  # hash of (caption text, negative text)
    caption_id: int = Field(foreign_key="caption.id")  # indexed by uq_candidate_caption_uid (its first column)
    run_id: str = Field(foreign_key="run.id", index=True, max_length=40)
    text: str = Field(sa_column=Column(Text, nullable=False))
    operator: str
    subtype: str
    depth: int = 1
    parent_uid: str | None = Field(default=None, max_length=16)
    length_delta: int = 0
    provenance: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


# Feature tables live in their own modules; importing them here registers them on SQLModel.metadata.
from toolkit.store import scores  # noqa: E402,F401,I001  (scoring: score_run, candidate_score, embedding_cache)
from toolkit.store import curation  # noqa: E402,F401  (curation: benchmark_set, set_item, decision, final_decision)
from toolkit.store import verdicts  # noqa: E402,F401  (filters: verdict, verdict_failure, llm_cache, filter_run, plausibility_counts)
