"""`run_llm`: the LLM judge over stored candidates, with a database cache, per-candidate failures and
a budget. Re-running sends requests only for candidates that failed or were never judged."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from sqlalchemy import delete, select, tuple_
from sqlalchemy.engine import Engine

from toolkit.evaluation.filters import store
from toolkit.evaluation.filters.llm import Budget, JudgeConfig, JudgeReply, LLMJudge, Outcome, cache_key
from toolkit.evaluation.filters.prompts import load_prompt
from toolkit.evaluation.filters.runner import FilterReport
from toolkit.evaluation.filters.select import Selection, iter_selected
from toolkit.generation.batching import batched
from toolkit.store.models import utcnow
from toolkit.store.queries import insert_ignore
from toolkit.store.verdicts import LLMCache, Verdict

Progress = Callable[[int], None]
FAILED_RULES = (("fluent", "llm_fluency", True), ("plausible", "llm_plausibility", True),
                ("contradicts_caption", "llm_contradiction", True))


def verdict_reasons(reply: JudgeReply, usage: dict, cached: bool, method: str, config: JudgeConfig) -> dict:
    fired = [{"rule": rule, "why": reply.reason} for attr, rule, want in FAILED_RULES if getattr(reply, attr) != want]
    return {"fired": fired, **reply.model_dump(), "usage": usage, "cached": cached, "method": method,
            "base_url": config.url, "temperature": config.temperature}


class _Run:
    """State of one run: the judge, budget, buffered writes and the report."""

    def __init__(self, engine: Engine, config: JudgeConfig, judge: LLMJudge, report: FilterReport, run_id: str,
                 progress: Progress | None, flush_every: int) -> None:
        self.engine, self.config, self.judge, self.report = engine, config, judge, report
        self.run_id, self.progress, self.flush_every = run_id, progress, flush_every
        self.budget = Budget.from_config(config)
        self.verdicts: list[dict] = []
        self.failures: list[dict] = []
        self.cache_rows: list[dict] = []
        self.cache_hits = 0
        self.not_attempted = 0

    def verdict(self, row: dict, reply: JudgeReply, usage: dict, cached: bool, method: str) -> None:
        reasons = verdict_reasons(reply, usage, cached, method, self.config)
        passed = not reasons["fired"]
        self.verdicts.append({
            "candidate_id": row["id"], "judge": self.config.judge, "passed": passed,
            "rule": reasons["fired"][0]["rule"] if reasons["fired"] else None,
            "reasons": json.dumps(reasons, ensure_ascii=False), "prompt_hash": self.judge.prompt.hash,
            "prompt_version": self.judge.prompt.version, "filter_run_id": self.run_id,
        })
        self.report.judged += 1
        self.report.passed += passed
        self.report.fired.update(f["rule"] for f in reasons["fired"])

    def outcome(self, row: dict, key: str, out: Outcome) -> None:
        if out.reply is not None:
            self.verdict(row, out.reply, out.usage, False, out.method)
            self.cache_rows.append({
                "key": key, "prompt_hash": self.judge.prompt.hash, "model": self.config.model, "base_url": self.config.url,
                "temperature": float(self.config.temperature), "caption": row["caption"], "candidate": row["text"],
                "response": out.reply.model_dump_json(), "input_tokens": out.usage.get("input_tokens", 0),
                "output_tokens": out.usage.get("output_tokens", 0), "created_at": utcnow(),
            })
        elif out.stopped:
            self.not_attempted += 1
        else:
            self.failures.append({"candidate_id": row["id"], "judge": self.config.judge,
                                  "prompt_hash": self.judge.prompt.hash, "error": out.error or "unknown error",
                                  "attempts": out.attempts, "filter_run_id": self.run_id})
            self.report.failed += 1
        if self.progress:
            self.progress(1)
        if len(self.verdicts) + len(self.failures) >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        if not (self.verdicts or self.failures or self.cache_rows):
            return
        keys = [(v["candidate_id"], v["judge"], v["prompt_hash"]) for v in self.verdicts]
        with self.engine.begin() as conn:
            insert_ignore(conn, LLMCache.__table__, self.cache_rows, ["key"])
            v = Verdict.__table__
            for k in range(0, len(keys), 300):  # a forced re-judge replaces the older verdict
                conn.execute(delete(v).where(tuple_(v.c.candidate_id, v.c.judge, v.c.prompt_hash).in_(keys[k : k + 300])))
            store.write_verdicts(conn, self.verdicts)
            store.write_failures(conn, self.failures)
        self.verdicts, self.failures, self.cache_rows = [], [], []


def _cached(engine: Engine, keys: list[str]) -> dict[str, tuple[str, int, int]]:
    t = LLMCache.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.key, t.c.response, t.c.input_tokens, t.c.output_tokens).where(t.c.key.in_(keys)))
        return {k: (r, i, o) for k, r, i, o in rows}


async def _produce(state: _Run, selection: Selection, force: bool, queue: asyncio.Queue, batch: int) -> None:
    engine, prompt = state.engine, state.judge.prompt
    with engine.connect() as reader:
        for chunk in batched(iter_selected(reader, selection), batch):
            state.report.selected += len(chunk)
            if not force:
                with engine.connect() as conn:
                    done = store.judged_ids(conn, state.config.judge, prompt.hash, [r["id"] for r in chunk])
                state.report.already_judged += len(done)
                if state.progress and done:
                    state.progress(len(done))
                chunk = [r for r in chunk if r["id"] not in done]
            keys = {r["id"]: cache_key(prompt.hash, state.config, r["caption"], r["text"]) for r in chunk}
            hits = _cached(engine, list(set(keys.values())))
            for r in chunk:
                key = keys[r["id"]]
                if key in hits:
                    response, i, o = hits[key]
                    state.cache_hits += 1
                    state.verdict(r, JudgeReply.model_validate_json(response), {"input_tokens": i, "output_tokens": o},
                                  True, "cache")
                    if state.progress:
                        state.progress(1)
                    continue
                if state.budget.exhausted:
                    state.not_attempted += 1
                    continue
                await queue.put((r, key))
            state.flush()


async def _worker(state: _Run, queue: asyncio.Queue) -> None:
    while True:
        item = await queue.get()
        try:
            if item is None:
                return
            row, key = item
            state.outcome(row, key, await state.judge.judge(row["caption"], row["text"], state.budget))
        finally:
            queue.task_done()


async def _run(state: _Run, selection: Selection, force: bool, batch: int) -> None:
    queue: asyncio.Queue = asyncio.Queue(maxsize=state.config.concurrency * 2)
    workers = [asyncio.create_task(_worker(state, queue)) for _ in range(state.config.concurrency)]
    try:
        await _produce(state, selection, force, queue, batch)
        for _ in workers:
            await queue.put(None)
        await asyncio.gather(*workers)
    finally:
        for w in workers:
            w.cancel()
        state.flush()
        await state.judge.aclose()


def run_llm(engine: Engine, config: JudgeConfig, selection: Selection | None = None, *, force: bool = False,
            batch: int = 500, flush_every: int = 64, progress: Progress | None = None) -> FilterReport:
    """Judge the selected candidates with the LLM. Candidates already judged by this model and prompt are
    skipped (unless `force`); replies found in the cache send no request; failures are recorded per
    candidate and retried by the next run; the budget stops the run cleanly, keeping what was judged."""
    selection = selection or Selection()
    prompt = load_prompt(config.prompt)
    judge = LLMJudge(config, prompt)
    report = FilterReport(config.judge, prompt_hash=prompt.hash)
    run_id = store.start_filter_run(engine, config.judge, prompt.hash,
                                    {**config.to_dict(), "prompt_version": prompt.version}, selection.to_json())
    report.filter_run_id = run_id
    state = _Run(engine, config, judge, report, run_id, progress, flush_every)
    status = "done"
    try:
        asyncio.run(_run(state, selection, force, batch))
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        if state.budget.exhausted and status == "done":
            status = "budget_exhausted"
        report.status = status
        report.extra = {"prompt_version": prompt.version, "model": config.model, "base_url": config.url,
                        "cache_hits": state.cache_hits, "not_attempted": state.not_attempted,
                        "method": judge.method, **state.budget.to_dict()}
        store.finish_filter_run(engine, run_id, status, report.to_dict())
    return report


