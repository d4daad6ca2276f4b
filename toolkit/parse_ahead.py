"""Parse the next chunk of captions while the current one is generated.

spaCy parsing and candidate generation are both CPU-bound Python work; on a machine with a second
core, a parser process keeps one chunk ahead of the generator, so a run that starts from unparsed
captions costs about max(parse, generate) per chunk instead of their sum. Small jobs (fewer missing
parses than half a chunk) parse inline: starting a process would cost more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from toolkit.parse import parse_texts
from toolkit.store import queries as q
from toolkit.store.models import ParseRow, utcnow

_WORKER_NLP: Any = None


def _init_worker() -> None:
    global _WORKER_NLP
    from toolkit.nlp import load_nlp

    _WORKER_NLP = load_nlp()


def parse_items(items: list[tuple[str, str]], nlp: Any = None) -> list[tuple[str, str, str]]:
    """(text_hash, text) pairs -> (text_hash, model, parse JSON), in order."""
    hashes = [h for h, _ in items]
    parses = parse_texts((t for _, t in items), nlp=nlp or _WORKER_NLP)
    return [(h, p.model, p.to_json()) for h, p in zip(hashes, parses, strict=True)]


def store_parsed(engine: Engine, parsed: list[tuple[str, str, str]]) -> None:
    now = utcnow()
    rows = [{"text_hash": h, "model": m, "data": d, "created_at": now} for h, m, d in parsed]
    with engine.begin() as conn:
        q.insert_ignore(conn, ParseRow.__table__, rows, ["text_hash"])


@dataclass
class Job:
    rows: list[tuple[int, str, str]]  # (caption id, text, text_hash)
    stored: dict[str, tuple[str, str]]  # text_hash -> (model, parse JSON)
    missing: dict[str, str]  # text_hash -> text still to parse
    future: Future | None = None


class ParseAhead:
    """Hands out chunks with their parses; `depth` is how many chunks may be in flight ahead."""

    def __init__(self, engine: Engine, nlp: Any = None, workers: int | None = None, chunk: int = 500) -> None:
        self.engine = engine
        self.nlp = nlp
        self.workers = (1 if (os.cpu_count() or 1) > 1 else 0) if workers is None else workers
        self.depth = 1 if self.workers else 0
        self.min_missing = max(1, chunk // 2)
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ParseAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker)
        return self._pool

    def submit(self, rows: list[tuple[int, str, str]]) -> Job:
        """Look up stored parses for a chunk and start parsing the missing ones."""
        with self.engine.connect() as conn:
            stored = q.load_parses(conn, (h for _, _, h in rows))
        missing = {h: t for _, t, h in rows if h not in stored}
        job = Job(rows, stored, missing)
        if self.workers and len(missing) >= self.min_missing:
            job.future = self._executor().submit(parse_items, list(missing.items()))
        return job

    def result(self, job: Job) -> tuple[list[tuple[int, str, str]], dict[str, tuple[str, str]]]:
        """The chunk's rows and every parse they need, stored in the database first."""
        if job.missing:
            if job.future is not None:
                parsed = job.future.result()
            else:
                from toolkit.nlp import load_nlp

                parsed = parse_items(list(job.missing.items()), nlp=self.nlp or load_nlp())
            store_parsed(self.engine, parsed)
            job.stored.update({h: (m, d) for h, m, d in parsed})
        return job.rows, job.stored
