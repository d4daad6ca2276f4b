"""Tables of curation: benchmark sets, their items, annotators' decisions and reviewed final decisions.
Created by the Alembic migration `db/versions/0004_curation.py`.

Decisions are keyed by the item's content hash (caption, negative, image), not by set: a judgement about an
item holds wherever the item appears, so merging, re-creating or dropping a set never loses human work.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from toolkit.store.models import utcnow

LABELS = ("accept", "reject", "ignore", "edit")


class BenchmarkSet(SQLModel, table=True):
    """A named selection of candidates, with the query and seed that built it."""

    __tablename__ = "benchmark_set"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True, max_length=200)
    description: str = ""
    query: str = Field(default="{}", sa_column=Column(Text, nullable=False))  # JSON Selection (or merge/import)
    seed: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class SetItem(SQLModel, table=True):
    """One candidate of a set; `position` is the review order (hardest first or a seeded shuffle)."""

    __tablename__ = "set_item"
    __table_args__ = (
        UniqueConstraint("set_id", "item_hash", name="uq_set_item_hash"),
        Index("ix_set_item_order", "set_id", "position"),
    )
    id: int | None = Field(default=None, primary_key=True)
    set_id: int = Field(foreign_key="benchmark_set.id", index=True)
    candidate_id: int = Field(foreign_key="candidate.id", index=True)
    item_hash: str = Field(max_length=40)
    position: int = 0
    stratum: str = ""  # the operator (or category) the item was sampled under
    created_at: datetime = Field(default_factory=utcnow)


class Decision(SQLModel, table=True):
    """One annotator's label for one item; `edit` points at the human-edited candidate that replaces it."""

    __tablename__ = "decision"
    __table_args__ = (UniqueConstraint("annotator", "item_hash", name="uq_decision_annotator_item"),)
    id: int | None = Field(default=None, primary_key=True)
    annotator: str = Field(index=True, max_length=120)
    item_hash: str = Field(index=True, max_length=40)
    candidate_id: int = Field(foreign_key="candidate.id", index=True)
    label: str = Field(max_length=16)  # accept | reject | ignore | edit
    reason: str = ""
    edit_candidate_id: int | None = Field(default=None, foreign_key="candidate.id")
    set_id: int | None = None  # the set being curated when decided (informative; no FK so drops keep it)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class FinalDecision(SQLModel, table=True):
    """The reviewed outcome for an item where annotators disagreed (or an imported label)."""

    __tablename__ = "final_decision"
    __table_args__ = (UniqueConstraint("item_hash", name="uq_final_decision_item"),)
    id: int | None = Field(default=None, primary_key=True)
    item_hash: str = Field(max_length=40)
    candidate_id: int = Field(foreign_key="candidate.id", index=True)
    label: str = Field(max_length=16)
    edit_candidate_id: int | None = Field(default=None, foreign_key="candidate.id")
    decided_by: str = Field(default="", max_length=120)
    reason: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
