"""The Ray Data engine: each shard's pieces become blocks, a pool of CPU actors (spaCy loaded once per
actor) runs the same `Worker` as the plain engine, an optional pool of GPU actors scores the candidates,
and the rows are written as Parquet files into the shard's staging folder.

Known traps, handled here:
- actors asking for whole CPUs leave nothing for the write tasks on a small cluster and the job hangs
  without an error: `plan_cpus` sizes actor CPU fractions to the cluster and keeps a reserve for I/O;
- a small input is one block for one busy actor: shards are cut into pieces of `rows_per_piece` rows,
  one block each, before Ray sees them (`toolkit.scale.shards.plan_pieces`);
- usage stats are on by default: a Ray started here has them off (RAY_USAGE_STATS_ENABLED=0) unless the
  environment says otherwise;
- a UDF must be importable by the workers: the actor classes live in this module, never in a script.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import pyarrow as pa

from toolkit.scale.runner import OnShard, PipelineReport, run_shards
from toolkit.scale.shards import Piece
from toolkit.scale.worker import RunSpec, Worker, input_caption_lm, run_record

IO_TASK_CPUS = 0.25  # what each write task asks for
ENV_DEFAULTS = {"RAY_USAGE_STATS_ENABLED": "0"}


@dataclass(frozen=True)
class CpuPlan:
    """How many CPU actors, and the CPU fraction each asks for, so that the I/O tasks always fit."""

    actors: int
    actor_cpus: float
    io_cpus: float
    reserve: float


def plan_cpus(cluster_cpus: float, actors: int | None = None, *, extra_cpus: float = 0.0) -> CpuPlan:
    """Size the generation actors to CLUSTER_CPUS: they share what is left after a reserve for the write
    tasks (at least two of them, or a tenth of the cluster) and EXTRA_CPUS (the scoring actors' share).

    ACTORS defaults to one per CPU. Each asks for at most one CPU, never more than its share, so the
    actors and the I/O tasks together never ask for more than the cluster has.
    """
    if cluster_cpus <= 0:
        raise ValueError(f"the Ray cluster has no CPUs ({cluster_cpus})")
    reserve = max(2 * IO_TASK_CPUS, 0.1 * cluster_cpus)
    available = cluster_cpus - reserve - extra_cpus
    if available <= 0:
        raise ValueError(
            f"{cluster_cpus:g} CPUs leave nothing for generation after {reserve:g} for I/O and {extra_cpus:g} for scoring"
        )
    n = actors if actors else max(1, int(cluster_cpus))
    if n < 1:
        raise ValueError(f"actors must be positive, got {n}")
    share = math.floor(min(1.0, available / n) * 1000) / 1000
    if share <= 0:
        raise ValueError(f"{n} actors cannot share {available:g} CPUs; ask for fewer actors")
    return CpuPlan(n, share, IO_TASK_CPUS, reserve)


class GenerateActor:
    """Ray Data UDF: one `Worker` per actor; each batch is one or more pieces."""

    def __init__(self, spec: dict, lm: Any = None) -> None:
        import ray

        if isinstance(lm, ray.ObjectRef):
            lm = ray.get(lm)
        self.worker = Worker(RunSpec(**spec), lm=lm)

    def __call__(self, batch: pa.Table) -> pa.Table:
        tables = [self.worker.process(Piece(**row)) for row in batch.to_pylist()]
        return pa.concat_tables(tables)


def start_ray(address: str | None = None, num_cpus: int | None = None) -> float:
    """Join the cluster at ADDRESS, or start a local Ray (usage stats off). Returns the seconds it took;
    0 when Ray is already initialised in this process."""
    import ray

    if ray.is_initialized():
        return 0.0
    for key, value in ENV_DEFAULTS.items():
        os.environ.setdefault(key, value)
    t0 = time.perf_counter()
    if address:
        ray.init(address=address, log_to_driver=True)
    else:
        ray.init(num_cpus=num_cpus, include_dashboard=False)
    return time.perf_counter() - t0


def run_ray(
    inputs: Iterable[str],
    output: str,
    spec: RunSpec,
    *,
    rows_per_piece: int = 1000,
    actors: int | None = None,
    ray_address: str | None = None,
    num_cpus: int | None = None,
    score: dict | None = None,
    on_shard: OnShard | None = None,
    lm_corpus: Iterable[str] | None = None,
) -> PipelineReport:
    """Process caption shards into OUTPUT on Ray Data (started locally, or joined at RAY_ADDRESS). The
    caption language model (with `plausibility`) is fitted on LM_CORPUS's captions, by default the inputs'.

    SCORE, when given, holds `toolkit.scale.scoring.ScoreSpec` fields: a second stage of GPU actors scores
    every candidate with that model.
    """
    import ray

    startup = start_ray(ray_address, num_cpus)
    cluster_cpus = float(ray.cluster_resources().get("CPU", 0))
    score_stage = None
    if score is not None:
        from toolkit.scale.scoring import ScoreStage

        score_stage = ScoreStage.from_dict(score)
    plan = plan_cpus(cluster_cpus, actors, extra_cpus=score_stage.total_cpus() if score_stage else 0.0)
    inputs = list(inputs)
    lm = input_caption_lm(list(lm_corpus or inputs), spec, rows_per_piece)
    lm_ref = ray.put(lm)  # one copy in the object store, not one per actor task
    run = run_record(spec, lm[1] if lm else None)

    def process(_url: str, pieces: list[Piece], staging: str) -> None:
        ds = ray.data.from_items([p.to_dict() for p in pieces], override_num_blocks=len(pieces))
        ds = ds.map_batches(
            GenerateActor, fn_constructor_args=(asdict(spec), lm_ref), batch_size=1, batch_format="pyarrow",
            compute=ray.data.ActorPoolStrategy(size=min(plan.actors, len(pieces))), num_cpus=plan.actor_cpus,
        )
        if score_stage is not None:
            ds = score_stage.apply(ds)
        ds.write_parquet(staging, ray_remote_args={"num_cpus": plan.io_cpus})

    report = PipelineReport(output, run["id"], "ray", startup_seconds=startup)
    extra: dict[str, Any] = {"engine": "ray", "cpu_plan": asdict(plan)}
    if score_stage is not None:
        extra["score"] = score
    return run_shards(inputs, output, process, report, rows_per_piece=rows_per_piece, run=run, extra=extra,
                      on_shard=on_shard)
