"""Tables of the filters feature: verdicts, per-candidate failures, the LLM reply cache, filter runs and
the corpus counts the plausibility rule uses. Created by `db/versions/0003_verdicts.py`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from toolkit.store.models import utcnow


class Verdict(SQLModel, table=True):
    """One judge's verdict on one candidate. `judge` is "rules" or "llm:<model>"; `reasons` is JSON with
    at least {"fired": [{"rule", "why"}]}; `rule` is the first rule that failed (None when passed)."""

    __table_args__ = (
        UniqueConstraint("candidate_id", "judge", "prompt_hash", name="uq_verdict_candidate_judge_prompt"),
        Index("ix_verdict_judge_passed", "judge", "passed"),
    )
    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", index=True)
    judge: str = Field(max_length=200)
    passed: bool
    rule: str | None = None
    reasons: str = Field(sa_column=Column(Text, nullable=False))
    score: float | None = None  # rules: corpus plausibility of the new compositions (log ratio)
    prompt_hash: str = Field(max_length=64)  # llm: hash of the prompt file; rules: hash of the rule config
    prompt_version: str = ""
    filter_run_id: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow)


class VerdictFailure(SQLModel, table=True):
    """A candidate the judge could not decide (bad reply, retries used up); deleted once it is judged."""

    __tablename__ = "verdict_failure"
    __table_args__ = (UniqueConstraint("candidate_id", "judge", "prompt_hash", name="uq_failure_candidate_judge_prompt"),)
    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", index=True)
    judge: str = Field(max_length=200)
    prompt_hash: str = Field(max_length=64)
    error: str = Field(sa_column=Column(Text, nullable=False))
    attempts: int = 0
    filter_run_id: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow)


class LLMCache(SQLModel, table=True):
    """A judge reply keyed by sha256(prompt hash, model, base URL, temperature, caption, candidate)."""

    __tablename__ = "llm_cache"
    key: str = Field(primary_key=True, max_length=64)
    prompt_hash: str = Field(max_length=64)
    model: str
    base_url: str
    temperature: float
    caption: str = Field(sa_column=Column(Text, nullable=False))
    candidate: str = Field(sa_column=Column(Text, nullable=False))
    response: str = Field(sa_column=Column(Text, nullable=False))  # JSON of the structured verdict
    input_tokens: int = 0
    output_tokens: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class FilterRun(SQLModel, table=True):
    """One `hardneg filter` invocation: its judge, configuration (never the API key) and summary."""

    __tablename__ = "filter_run"
    id: str = Field(primary_key=True, max_length=40)
    judge: str = Field(max_length=200)
    prompt_hash: str = Field(max_length=64)
    config: str = "{}"
    selection: str = "{}"
    status: str = "running"  # running | done | budget_exhausted | interrupted
    summary: str = "{}"
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class PlausibilityCountsRow(SQLModel, table=True):
    """Attribute-object and subject-relation-object counts mined from stored parses, with their source."""

    __tablename__ = "plausibility_counts"
    id: str = Field(primary_key=True, max_length=40)  # hash of the source description
    source: str = Field(sa_column=Column(Text, nullable=False))  # JSON: what was counted
    data: str = Field(sa_column=Column(Text, nullable=False))  # JSON counts
    created_at: datetime = Field(default_factory=utcnow)
