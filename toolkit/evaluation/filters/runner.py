"""`run_rules`: the offline rule filter over stored candidates, writing one verdict per candidate."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from toolkit.evaluation.filters import store
from toolkit.evaluation.filters.counts import PlausibilityModel, load_or_mine
from toolkit.evaluation.filters.rules import JUDGE, RULES_VERSION, RuleConfig, check_candidate
from toolkit.evaluation.filters.select import Selection, iter_selected
from toolkit.generation.batching import batched
from toolkit.store import queries as q
from toolkit.text.lexicon import load_lexicon
from toolkit.text.parse import Parse, parse_texts

Progress = Callable[[int], None]


@dataclass
class FilterReport:
    """What a filter run did; `to_dict` is the CLI's --json output."""

    judge: str
    filter_run_id: str = ""
    prompt_hash: str = ""
    selected: int = 0
    already_judged: int = 0
    judged: int = 0
    passed: int = 0
    failed: int = 0  # candidates the judge could not decide (recorded in verdict_failure)
    fired: Counter = field(default_factory=Counter)
    status: str = "done"
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "judge": self.judge, "filter_run_id": self.filter_run_id, "prompt_hash": self.prompt_hash,
            "status": self.status, "selected": self.selected, "already_judged": self.already_judged,
            "judged": self.judged, "passed": self.passed, "rejected": self.judged - self.passed,
            "failed": self.failed, "fired": dict(self.fired.most_common()), **self.extra,
        }


def run_rules(engine: Engine, selection: Selection | None = None, config: RuleConfig | None = None, *,
              nlp: Any = None, batch: int = 500, progress: Progress | None = None) -> FilterReport:
    """Judge the selected candidates with the offline rules. Already judged ones (same rules config and
    counts) are skipped, so re-running is cheap; a candidate whose provenance cannot be read is recorded
    as a failure and the rest goes on."""
    selection, config = selection or Selection(), config or RuleConfig()
    counts_id, source, counts = load_or_mine(engine) if config.plausibility else ("", {}, None)
    model = PlausibilityModel(counts, config.alpha) if counts is not None else None
    prompt_hash = config.config_hash(counts_id)
    report = FilterReport(JUDGE, prompt_hash=prompt_hash,
                          extra={"counts": {"id": counts_id, "source": source}})
    run_id = store.start_filter_run(engine, JUDGE, prompt_hash, {"version": RULES_VERSION, **config.to_dict(),
                                                                 "counts": counts_id}, selection.to_json())
    report.filter_run_id = run_id
    lex = load_lexicon()
    rows: list[dict] = []

    def flush() -> None:
        if rows:
            _judge_batch(engine, rows, config, model, lex, nlp, prompt_hash, run_id, report)
            if progress:
                progress(len(rows))
            rows.clear()

    with engine.connect() as reader:
        for chunk in batched(iter_selected(reader, selection), batch):
            report.selected += len(chunk)
            with engine.connect() as conn:
                done = store.judged_ids(conn, JUDGE, prompt_hash, [r["id"] for r in chunk])
            report.already_judged += len(done)
            rows.extend(r for r in chunk if r["id"] not in done)
            if progress and done:
                progress(len(done))
            flush()
    store.finish_filter_run(engine, run_id, "done", report.to_dict())
    return report


def _caption_parses(engine: Engine, rows: Sequence[dict], nlp: Any) -> dict[str, Parse]:
    texts = {r["caption_hash"]: r["caption"] for r in rows}
    with engine.connect() as conn:
        stored = q.load_parses(conn, texts)
    out = {h: Parse.from_json(texts[h], data) for h, (_m, data) in stored.items()}
    missing = [h for h in texts if h not in out]
    for h, p in zip(missing, parse_texts((texts[h] for h in missing), nlp=nlp), strict=True):
        out[h] = p
    return out


def _judge_batch(engine, rows, config, model, lex, nlp, prompt_hash, run_id, report: FilterReport) -> None:
    captions = _caption_parses(engine, rows, nlp)
    parsed = dict(zip((r["id"] for r in rows), parse_texts((r["text"] for r in rows), nlp=nlp), strict=True))
    verdicts, failures = [], []
    for r in rows:
        try:
            provenance = json.loads(r["provenance"]) if r["provenance"] else None
            if provenance is not None and not isinstance(provenance, dict):
                raise ValueError(f"provenance is a JSON {type(provenance).__name__}, expected an object")
            res = check_candidate(r["caption"], captions[r["caption_hash"]], r["text"], parsed[r["id"]],
                                  provenance, config, model, lex)
        except (ValueError, KeyError, TypeError) as exc:
            failures.append({"candidate_id": r["id"], "judge": JUDGE, "prompt_hash": prompt_hash,
                             "error": f"candidate {r['id']}: provenance: {exc}", "filter_run_id": run_id})
            report.failed += 1
            continue
        verdicts.append({"candidate_id": r["id"], "judge": JUDGE, "passed": res.passed, "rule": res.rule,
                         "reasons": json.dumps(res.reasons(), ensure_ascii=False), "score": res.score,
                         "prompt_hash": prompt_hash, "prompt_version": RULES_VERSION, "filter_run_id": run_id})
        report.judged += 1
        report.passed += res.passed
        report.fired.update({f.rule for f in res.fired})
    with engine.begin() as conn:
        store.write_verdicts(conn, verdicts)
        store.write_failures(conn, failures)
