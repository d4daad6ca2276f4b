"""Shard bookkeeping shared by both engines: skip finished shards, process the rest one at a time,
report a failed shard by name and go on with the others."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from toolkit.scale.output import OutputDir, ShardResult
from toolkit.scale.shards import Piece, list_shards, plan_pieces, shard_name

# process(shard url, its pieces, staging folder URL) writes the shard's Parquet files into the folder
ProcessShard = Callable[[str, list[Piece], str], None]
OnShard = Callable[[ShardResult], None]


@dataclass
class PipelineReport:
    """Per-shard results of one `hardneg pipeline` call."""

    output: str
    run_id: str
    engine: str
    shards: list[ShardResult] = field(default_factory=list)
    seconds: float = 0.0
    startup_seconds: float = 0.0

    @property
    def failed(self) -> list[ShardResult]:
        return [s for s in self.shards if s.status == "failed"]

    def to_dict(self) -> dict:
        done = [s for s in self.shards if s.status == "done"]
        return {
            "output": self.output, "run_id": self.run_id, "engine": self.engine,
            "shards_done": len(done), "shards_skipped": sum(s.status == "skipped" for s in self.shards),
            "shards_failed": [{"shard": s.shard, "error": s.error} for s in self.failed],
            "captions": sum(s.captions for s in done), "bad_records": sum(s.bad for s in done),
            "candidates": sum(s.candidates for s in done), "seconds": round(self.seconds, 3),
            "startup_seconds": round(self.startup_seconds, 3),
        }


def run_shards(
    inputs: Iterable[str],
    output: str,
    process: ProcessShard,
    report: PipelineReport,
    *,
    rows_per_piece: int,
    run: dict,
    extra: dict | None = None,
    on_shard: OnShard | None = None,
) -> PipelineReport:
    """Process every unfinished shard of INPUTS into OUTPUT; a failure is recorded and the next shard goes on."""
    out = OutputDir(output)
    start = time.perf_counter()
    for url in list_shards(inputs):
        name = shard_name(url)
        result = ShardResult(url, name, "skipped")
        if not out.finished(name):
            t0 = time.perf_counter()
            try:
                pieces = plan_pieces(url, rows_per_piece)
                process(url, pieces, out.fs.unstrip_protocol(out.staging(name)))
                result.status = "done"
                result.seconds = round(time.perf_counter() - t0, 3)
                out.commit(result, run, {"pieces": len(pieces), **(extra or {})})
            except Exception as exc:  # noqa: BLE001 - any failure of one shard is reported, the others go on
                out.discard(name)
                result.status, result.error = "failed", _short(exc)
                result.captions = result.bad = result.candidates = 0
        report.shards.append(result)
        if on_shard:
            on_shard(result)
    report.seconds += time.perf_counter() - start
    return report


def _short(exc: BaseException) -> str:
    """One line for a report: a remote (Ray) error carries its traceback, whose last line says what failed."""
    lines = [ln for ln in str(exc).strip().splitlines() if ln.strip()]
    text = lines[-1].strip() if len(lines) > 3 else " ".join(ln.strip() for ln in lines)
    return f"{type(exc).__name__}: {text}"[:500]
