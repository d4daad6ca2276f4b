"""The two stored steps: ingest (store captions, parse each distinct text once) and generate (run the
operators over stored parses, resumably). The CLI, the agent tools and any distributed runner call these."""

from __future__ import annotations

import hashlib
import json
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

import toolkit
from toolkit.generation.batching import batched
from toolkit.generation.caption_lm import CaptionLM, fit_caption_lm
from toolkit.generation.chunks import CANDIDATE_FIELDS, ChunkWorkers, parse_items, store_parsed
from toolkit.generation.corpus import CorpusCounts
from toolkit.generation.operators import GenerationConfig
from toolkit.store import queries as q
from toolkit.store.models import CandidateRow, Caption, ParseRow, Run, RunCaption, utcnow
from toolkit.text.ingest import BadRecord, CaptionRecord, ReadReport
from toolkit.text.lexicon import Lexicon, load_lexicon
from toolkit.text.parse import Parse

Progress = Callable[[int], None]


@dataclass
class IngestReport(ReadReport):
    """What an ingest did: records read, bad records (`reasons()` counts them by kind), and outcomes."""

    inserted: int = 0
    duplicates: int = 0
    parsed: int = 0

    def to_dict(self) -> dict:
        return {
            "read": self.read,
            "inserted": self.inserted,
            "duplicates": self.duplicates,
            "parsed": self.parsed,
            "skipped": len(self.bad),
            "skipped_by_reason": self.reasons(),
        }


def store_parses(engine: Engine, texts: dict[str, str], nlp: Any = None) -> int:
    """Parse texts (text_hash -> text) not yet parsed and store them. Returns how many were parsed."""
    with engine.connect() as conn:
        todo = sorted(q.missing_parses(conn, texts))
    if not todo:
        return 0
    store_parsed(engine, parse_items([(h, texts[h]) for h in todo], nlp=nlp))
    return len(todo)


def ingest(
    engine: Engine,
    records: Iterable[CaptionRecord | BadRecord],
    *,
    parse: bool = True,
    nlp: Any = None,
    chunk: int = 1000,
    progress: Progress | None = None,
) -> IngestReport:
    """Store caption records (bad ones are reported, not stored) and parse each new distinct text once."""
    report = IngestReport()
    for batch in batched(records, chunk):
        good = [r for r in batch if isinstance(r, CaptionRecord)]
        report.bad.extend(r for r in batch if isinstance(r, BadRecord))
        report.read += len(good)
        now = utcnow()
        with engine.begin() as conn:
            images = q.image_ids(conn, (r.image for r in good if r.image))
            rows: dict[str, tuple] = {}
            for r in good:
                key = q.caption_key(r.text, r.image)
                if key not in rows:
                    meta = json.dumps(r.meta, ensure_ascii=False) if r.meta else "{}"
                    rows[key] = (key, r.text, q.text_hash(r.text), images.get(r.image) if r.image else None, r.source,
                                 r.ref, meta)
            table = Caption.__table__
            where, params = q.among(table.c.key, rows)
            existing = {k for (k,) in conn.execute(select(table.c.key).where(where), params)}
            new_rows = [row for k, row in rows.items() if k not in existing]
            q.insert_ignore_rows(conn, table, _CAPTION_COLUMNS, new_rows, ["key"], constants={"created_at": now})
        report.inserted += len(new_rows)
        report.duplicates += len(good) - len(new_rows)
        if parse:
            report.parsed += store_parses(engine, {row[2]: row[1] for row in new_rows}, nlp=nlp)
        if progress:
            progress(len(batch))
    return report


_CAPTION_COLUMNS = ("key", "text", "text_hash", "image_id", "source", "ref", "meta")


def versions(lex: Lexicon) -> dict[str, str]:
    """Package and vocabulary versions recorded with every run."""
    return {
        "hardneg": toolkit.__version__,
        "spacy": metadata.version("spacy"),
        "lemminflect": metadata.version("lemminflect"),
        "lexicon": lex.version,
    }


def run_id_for(config: GenerationConfig, vers: dict[str, str]) -> str:
    """Same configuration and versions -> same run id, so re-running resumes instead of duplicating."""
    blob = json.dumps({"config": config.to_dict(), "versions": vers}, sort_keys=True)
    return hashlib.sha1(blob.encode()).hexdigest()[:16]


@dataclass
class RunReport:
    run_id: str
    captions: int = 0
    candidates: int = 0
    resumed_after: int = 0
    no_candidates: int = 0
    by_operator: Counter = field(default_factory=Counter)
    skips: Counter = field(default_factory=Counter)

    def to_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "captions": self.captions,
            "candidates": self.candidates,
            "resumed_after": self.resumed_after,
            "captions_without_candidates": self.no_candidates,
            "by_operator": dict(sorted(self.by_operator.items())),
            "skipped_sites": dict(self.skips.most_common()),
        }


def generate_run(
    engine: Engine,
    config: GenerationConfig,
    *,
    nlp: Any = None,
    chunk: int = 500,
    limit: int | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    corpus: bool = False,
) -> RunReport:
    """Generate candidates for every stored caption this run has not processed yet.

    Each chunk of captions is committed with its "done" marks, so an interrupted run resumes where it
    stopped and a finished one adds nothing when called again. Captions stored without a parse are
    parsed here (and the parse stored). Full chunks are parsed and generated in worker processes
    (`workers`, default one per core when there is more than one) while this process stores the results.

    With `corpus`, every stored caption is parsed first and counts mined from all of them order each
    site's valid choices; the counts' digest is part of the run id, so a run is reproducible. With
    `config.plausibility` (the default), a caption language model fitted on every stored caption's text
    draws substitutes and drops implausible candidates; the captions' digest is part of the run id too.
    """
    lex = load_lexicon()
    vers = versions(lex)
    counts = mine_counts(engine, lex, nlp) if corpus else None
    if counts is not None:
        vers = {**vers, "corpus": f"{counts.digest()} ({counts.captions} captions)"}
    lm = None
    if config.plausibility:
        lm, vers["caption_lm"] = stored_caption_lm(engine, lex)
    rid = run_id_for(config, vers)
    report = RunReport(rid)
    with engine.begin() as conn:
        q.insert_ignore(conn, Run.__table__, [{
            "id": rid, "kind": "generate", "config": json.dumps(config.to_dict()), "versions": json.dumps(vers),
            "seed": config.seed, "status": "running", "summary": "{}", "created_at": utcnow(),
        }], ["id"])
        report.resumed_after = conn.execute(
            select(RunCaption.__table__.c.caption_id).where(RunCaption.__table__.c.run_id == rid).limit(1)
        ).first() is not None
    with ChunkWorkers(engine, config, lex, counts, nlp, workers, chunk, lm) as pool:
        queue: deque = deque()
        for rows in _pending_chunks(engine, rid, chunk, limit, pool.workers):
            queue.append(pool.submit(rows))
            if len(queue) > pool.depth:
                _finish_chunk(engine, pool, queue.popleft(), rid, report, progress)
        while queue:
            _finish_chunk(engine, pool, queue.popleft(), rid, report, progress)
    with engine.begin() as conn:
        pending = q.pending_captions(conn, rid, 0, 1)
        if not pending:
            conn.execute(update(Run.__table__).where(Run.__table__.c.id == rid).values(status="done", finished_at=utcnow()))
    return report


def stored_caption_lm(engine: Engine, lex: Lexicon) -> tuple[CaptionLM, str]:
    """The caption language model over every stored caption's text (no parse needed), and its version
    (a digest of the captions it was fitted on), which becomes part of the run id."""
    cap = Caption.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(cap.c.text_hash, cap.c.text))
        return fit_caption_lm(((h, text) for h, text in rows), lex)  # plain tuples: the model may be compiled


def mine_counts(engine: Engine, lex: Lexicon, nlp: Any = None, chunk: int = 2000) -> CorpusCounts:
    """Counts over the scene views of every stored caption (parsing those not parsed yet), streamed."""
    cap, parse_table = Caption.__table__, ParseRow.__table__
    with engine.connect() as conn:
        texts = {h: t for h, t in conn.execute(select(cap.c.text_hash, cap.c.text))}
    store_parses(engine, texts, nlp=nlp)
    counts = CorpusCounts(source="stored captions")
    last = ""
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                select(parse_table.c.text_hash, parse_table.c.data).where(parse_table.c.text_hash > last)
                .order_by(parse_table.c.text_hash).limit(chunk)
            ).all()
        if not rows:
            return counts
        for h, data in rows:
            if h in texts:
                counts.add(Parse.from_json(texts[h], data), lex)
        last = rows[-1][0]


def _pending_chunks(engine: Engine, rid: str, chunk: int, limit: int | None, workers: int) -> Iterator[list]:
    """The run's pending captions in id order, in chunks of `chunk_size`, as (id, text, text_hash, stored
    parse JSON or None)."""
    with engine.connect() as conn:
        left = q.count_pending(conn, rid)
    if limit is not None:
        left = min(left, limit)
    guided = workers > 1 and left >= chunk * workers  # a job too small to keep the workers busy is not split up
    after, remaining = 0, limit
    while remaining is None or remaining > 0:
        size = chunk_size(left, chunk, workers) if guided else chunk
        with engine.connect() as conn:
            rows = q.pending_captions(conn, rid, after, size if remaining is None else min(size, remaining),
                                      with_parses=True)
        if not rows:
            return
        yield rows
        after = rows[-1][0]
        left -= len(rows)
        if remaining is not None:
            remaining -= len(rows)


def chunk_size(left: int, chunk: int, workers: int) -> int:
    """How many captions the next chunk takes when `left` are still to hand out (guided self-scheduling):
    a full chunk while there is work for every worker, then a worker's share of what is left, down to an
    eighth of a chunk. With full chunks to the end, one worker idled while the other did the last chunk
    (0.4 s of a 12 s run on two cores, docs/BENCHMARKS.md)."""
    return max(chunk // 8, 1, min(chunk, -(-left // workers)))


def _finish_chunk(engine: Engine, pool: ChunkWorkers, job, rid: str, report: RunReport, progress) -> None:
    out = pool.result(job)
    cand_rows: list[tuple] = []
    done_rows: list[tuple] = []
    for (cid, *_), records in zip(job.rows, out.records, strict=True):
        cand_rows += [(cid, *rec) for rec in records]
        done_rows.append((cid, len(records)))
    report.no_candidates += sum(1 for records in out.records if not records)
    report.by_operator.update(out.by_operator)
    report.skips.update(out.skips)
    with engine.begin() as conn:
        q.insert_ignore_rows(conn, CandidateRow.__table__, _CANDIDATE_COLUMNS, cand_rows, ["caption_id", "uid"],
                             constants={"run_id": rid, "created_at": utcnow()})
        q.insert_ignore_rows(conn, RunCaption.__table__, ("caption_id", "n_candidates"), done_rows,
                             ["run_id", "caption_id"], constants={"run_id": rid})
        _merge_summary(conn, rid, report, len(job.rows), len(cand_rows))
    report.captions += len(job.rows)
    report.candidates += len(cand_rows)
    if progress:
        progress(len(job.rows))


_CANDIDATE_COLUMNS = ("caption_id", *CANDIDATE_FIELDS)


def _merge_summary(conn, rid: str, report: RunReport, n_captions: int, n_candidates: int) -> None:
    table = Run.__table__
    current = json.loads(conn.execute(select(table.c.summary).where(table.c.id == rid)).scalar_one() or "{}")
    current["captions"] = current.get("captions", 0) + n_captions
    current["candidates"] = current.get("candidates", 0) + n_candidates
    conn.execute(update(table).where(table.c.id == rid).values(summary=json.dumps(current)))
