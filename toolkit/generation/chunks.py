"""Parse and generate chunks of captions in worker processes while this process stores the results.

spaCy parsing and candidate generation are both CPU-bound Python work. On a machine with more than one
core, worker processes (one per core by default) each take a whole chunk: they parse the captions that
have no stored parse yet, then generate the candidates of every caption in the chunk. This process
reads the chunks, stores parses, candidates and "done" marks in chunk order, and keeps up to `workers`
chunks in flight. A chunk smaller than half the chunk size runs inline unless the workers have started
already: a small job finishes before worker processes would have started.

Generation is deterministic per caption (the seed is mixed with the caption text), so the candidates
do not depend on which process made them or in which order.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import Counter
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy.engine import Engine

from toolkit.generation.caption_lm import CaptionLM
from toolkit.generation.corpus import CorpusCounts
from toolkit.generation.operators import GenerationConfig, Skip, generate
from toolkit.generation.operators.base import Candidate
from toolkit.store import queries as q
from toolkit.store.models import ParseRow, utcnow
from toolkit.text.lexicon import Lexicon, load_lexicon
from toolkit.text.parse import Parse, parse_texts

Row = tuple[int, str, str]  # (caption id, text, text_hash)
PendingRow = tuple[int, str, str, str | None]  # ... and the stored parse JSON (None: not parsed yet)


def parse_items(items: list[tuple[str, str]], nlp: Any = None) -> list[tuple[str, str, str]]:
    """(text_hash, text) pairs -> (text_hash, model, parse JSON), in order."""
    return [(h, p.model, p.to_json()) for h, p in _parse(items, nlp)]


def _parse(items: list[tuple[str, str]], nlp: Any) -> list[tuple[str, Parse]]:
    if not items:
        return []  # without loading the model
    parses = parse_texts((t for _, t in items), nlp=nlp)  # loads the model when `nlp` is None
    return list(zip((h for h, _ in items), parses, strict=True))


def store_parsed(engine: Engine, parsed: list[tuple[str, str, str]]) -> None:
    """Store (text_hash, model, parse JSON) rows; parses already stored are kept as they are."""
    with engine.begin() as conn:
        q.insert_ignore_rows(conn, ParseRow.__table__, ("text_hash", "model", "data"), parsed, ["text_hash"],
                             constants={"created_at": utcnow()})


# The `candidate` columns that generation fills, in the order of the tuples `candidate_records` returns.
CANDIDATE_FIELDS = ("uid", "text", "operator", "subtype", "depth", "parent_uid", "length_delta", "provenance")
_OPERATOR, _SUBTYPE = CANDIDATE_FIELDS.index("operator"), CANDIDATE_FIELDS.index("subtype")


def skip_key(operator: str, subtype: str, reason: str) -> str:
    """A skip reason without its caption-specific details, for counting."""
    return f"{operator}/{subtype}: {reason.split(' (')[0].split(' ‘')[0].split(chr(39))[0].strip()}"


def provenance_json(candidate: Candidate) -> str:
    """A candidate's provenance as compact JSON. orjson writes the same text as `json.dumps(...,
    ensure_ascii=False, separators=(",", ":"))` (tested) in a tenth of the time; a caption stores ~16."""
    return orjson.dumps(candidate.provenance()).decode()


def candidate_records(
    parse: Parse, config: GenerationConfig, lex: Lexicon, counts: CorpusCounts | None = None,
    lm: CaptionLM | None = None,
) -> tuple[list[tuple], list[Skip]]:
    """Candidate rows for one parsed caption, one tuple per candidate in `CANDIDATE_FIELDS` order (the
    `candidate` columns that do not depend on where they are stored: no caption_id, run_id or
    created_at), and why operators did not apply. The local run, its worker processes and the Ray
    runner all call this, so they store the same candidates. Tuples, not dicts: they cross from the
    worker processes in bulk and go to the database as they are."""
    gen = generate(parse, config, lex, counts, lm)
    records = [
        (c.id, c.text, c.operator, c.subtype, c.depth, c.parent, c.length_delta, provenance_json(c))
        for c in gen.candidates
    ]
    return records, gen.skips


@dataclass
class ChunkResult:
    """A chunk's new parses (to store); per caption in chunk order, its candidate rows; and the chunk's
    candidates counted by "operator/subtype" and its skipped sites by `skip_key`. The counting is done
    here, in the worker process, rather than caption by caption in the process that stores the rows."""

    parsed: list[tuple[str, str, str]]
    records: list[list[tuple]]
    by_operator: Counter = field(default_factory=Counter)
    skips: Counter = field(default_factory=Counter)


def process_chunk(
    rows: list[Row], stored: dict[str, str], missing: dict[str, str], config: GenerationConfig, lex: Lexicon,
    counts: CorpusCounts | None, nlp: Any = None, lm: CaptionLM | None = None,
) -> ChunkResult:
    """Parse the `missing` texts (text_hash -> text), then generate for every row from its new or
    `stored` parse (text_hash -> parse JSON)."""
    fresh = dict(_parse(list(missing.items()), nlp))
    out = ChunkResult([], [])
    for cid, text, h in rows:
        try:
            parse = fresh[h] if h in fresh else Parse.from_json(text, stored[h])
            records, skips = candidate_records(parse, config, lex, counts, lm)
        except Exception as exc:  # noqa: BLE001  one caption's failure must not stop the chunk
            reason = f"generation failed: {type(exc).__name__}: {exc} (caption {cid})"
            records, skips = [], [Skip("+".join(config.operators), "+".join(config.subtypes), reason)]
        out.records.append(records)
        out.by_operator.update(f"{rec[_OPERATOR]}/{rec[_SUBTYPE]}" for rec in records)
        out.skips.update(skip_key(s.operator, s.subtype, s.reason) for s in skips)
    out.parsed = [(h, p.model, p.to_json()) for h, p in fresh.items()]
    return out


_WORKER: dict[str, Any] = {}


def _init_worker(config: GenerationConfig, counts: CorpusCounts | None, nlp: Any, lm: CaptionLM | None) -> None:
    from toolkit.text.nlp import load_nlp

    _WORKER.update(config=config, counts=counts, lex=load_lexicon(), nlp=nlp or load_nlp(), lm=lm)
    # The model, the vocabularies and the imported libraries (torch among them) are millions of
    # long-lived objects; every full garbage collection would walk them all again (and, in a forked
    # worker, write to pages it shares with the parent). Freezing them leaves the collector only the
    # objects that generation makes: 15-20 % less worker CPU per caption (docs/BENCHMARKS.md).
    gc.freeze()


def _work(rows: list[Row], stored: dict[str, str], missing: dict[str, str]) -> ChunkResult:
    w = _WORKER
    return process_chunk(rows, stored, missing, w["config"], w["lex"], w["counts"], w["nlp"], w["lm"])


@dataclass
class Job:
    rows: list[Row]
    stored: dict[str, str]  # text_hash -> parse JSON already in the database
    missing: dict[str, str]  # text_hash -> text still to parse
    future: Future | None = None
    result: ChunkResult | None = field(default=None, repr=False)


class ChunkWorkers:
    """Hands out processed chunks in the order they were submitted; `depth` chunks may be in flight."""

    def __init__(self, engine: Engine, config: GenerationConfig, lex: Lexicon, counts: CorpusCounts | None = None,
                 nlp: Any = None, workers: int | None = None, chunk: int = 500, lm: CaptionLM | None = None) -> None:
        self.engine, self.config, self.lex, self.counts, self.nlp, self.lm = engine, config, lex, counts, nlp, lm
        cpus = os.cpu_count() or 1
        self.workers = (cpus if cpus > 1 else 0) if workers is None else workers
        self.depth = self.workers
        self.min_rows = max(1, chunk // 2)
        self._pool: ProcessPoolExecutor | None = None
        self._froze = False

    def __enter__(self) -> ChunkWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._froze:
            gc.unfreeze()

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            fork = "fork" in methods
            ctx = multiprocessing.get_context("fork" if fork else "spawn")
            # forked workers share this process's loaded spaCy pipeline; spawned ones load their own
            args = (self.config, self.counts, self.nlp if fork else None, self.lm)
            # While the workers run, this process only stores their results; its own long-lived objects
            # (the spaCy pipeline, the lexicon, the caption model) are frozen so that its collections skip
            # them (a full one took 0.2-0.3 s of a 10,000-caption run), and, as Python's gc docs advise
            # before a fork, so that the children's collections leave the pages they share alone.
            if gc.get_freeze_count() == 0:
                gc.freeze()
                self._froze = True
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker, initargs=args)
        return self._pool

    def submit(self, pending: list[PendingRow]) -> Job:
        """Start working on a chunk of pending captions (`queries.pending_captions(..., with_parses=True)`),
        in a worker when it is big enough."""
        rows = [(cid, text, h) for cid, text, h, _ in pending]
        stored = {h: data for _, _, h, data in pending if data is not None}
        missing = {h: text for _, text, h, data in pending if data is None}
        job = Job(rows, stored, missing)
        # a small job runs here; once the workers have started, the small chunks at a run's end go to them
        if self.workers and (len(rows) >= self.min_rows or self._pool is not None):
            job.future = self._executor().submit(_work, rows, stored, missing)
        return job

    def result(self, job: Job) -> ChunkResult:
        """The processed chunk; its new parses are stored in the database before it is returned."""
        if job.future is not None:
            out = job.future.result()
        else:
            out = process_chunk(job.rows, job.stored, job.missing, self.config, self.lex, self.counts, self.nlp,
                                self.lm)
        if out.parsed:
            store_parsed(self.engine, out.parsed)
        return out
