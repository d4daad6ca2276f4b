"""Scale-out benchmark: the plain engine against Ray Data on the same caption shards, in one run.

Reports, for N captions (default 20,000, in two Parquet shards): wall time and throughput of each engine,
CPU-seconds per caption over the whole process tree (Ray's GCS, raylet and workers included), peak memory
of the tree (RSS summed over processes), Ray's fixed start-up cost (a run over 20 captions, median of
three), and the per-caption parse and generation costs that the throughput model in docs/SCALING.md uses.

    .venv/bin/python benchmarks/scale.py                 # 20,000 captions, Ray on all local CPUs
    .venv/bin/python benchmarks/scale.py --captions 2000 --json out.json

Linux only (the process tree is read from /proc).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    found, todo = [root], [root]
    while todo:
        pid = todo.pop()
        kids = [p for p, pp in parents.items() if pp == pid]
        found.extend(kids)
        todo.extend(kids)
    return found


def _cpu_rss(pid: int) -> tuple[float, int] | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        with open(f"/proc/{pid}/statm") as fh:
            rss = int(fh.read().split()[1]) * PAGE
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK, rss  # utime + stime


def measured(cmd: list[str], log: Path) -> dict:
    """Run CMD, polling its process tree: wall seconds, CPU-seconds (all processes), peak summed RSS."""
    cpu: dict[int, float] = {}
    peak = 0
    t0 = time.perf_counter()
    with log.open("w") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
        while proc.poll() is None:
            rss = 0
            for pid in _tree(proc.pid):
                got = _cpu_rss(pid)
                if got:
                    cpu[pid] = max(cpu.get(pid, 0.0), got[0])
                    rss += got[1]
            peak = max(peak, rss)
            time.sleep(0.2)
        out = proc.stdout.read()
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}); see {log}")
    return {"wall_s": wall, "cpu_s": sum(cpu.values()), "peak_rss_mb": peak / 2**20,
            "result": json.loads(out.strip().splitlines()[-1])}


def child(args) -> None:
    """One engine over the shards, in this process (run by `measured`)."""
    from toolkit.generation.operators import GenerationConfig
    from toolkit.scale.worker import RunSpec

    spec = RunSpec(GenerationConfig(seed=0, max_candidates=40).to_dict())
    t0 = time.perf_counter()
    if args.engine == "ray":
        from toolkit.scale.ray_pipeline import run_ray

        os.environ.setdefault("RAY_AUTH_MODE", "disabled")
        report = run_ray([args.input], args.output, spec, rows_per_piece=args.rows_per_piece, num_cpus=args.num_cpus)
    else:
        from toolkit.scale.local import run_local

        report = run_local([args.input], args.output, spec, rows_per_piece=args.rows_per_piece)
    d = report.to_dict()
    if d["shards_failed"]:
        raise SystemExit(f"failed shards: {d['shards_failed']}")
    print(json.dumps({**d, "inner_s": time.perf_counter() - t0}))


def component_costs(n: int = 1000, repeats: int = 3) -> dict:
    """Median CPU milliseconds per caption of parsing (spaCy) and of generation (operators), in process."""
    sys.path.insert(0, str(HERE))
    from captions import captions

    from toolkit.generation.chunks import candidate_records
    from toolkit.generation.operators import GenerationConfig
    from toolkit.text.lexicon import load_lexicon
    from toolkit.text.nlp import load_nlp
    from toolkit.text.parse import Parse, parse_texts

    nlp, lex, cfg = load_nlp(), load_lexicon(), GenerationConfig(seed=0, max_candidates=40)
    texts = list(captions(n, seed=7))
    parse_ms, gen_ms = [], []
    for _ in range(repeats):
        t0 = time.process_time()
        parses = [Parse.from_json(p.text, p.to_json()) for p in parse_texts(texts, nlp=nlp)]
        t1 = time.process_time()
        for p in parses:
            candidate_records(p, cfg, lex)
        t2 = time.process_time()
        parse_ms.append((t1 - t0) * 1000 / n)
        gen_ms.append((t2 - t1) * 1000 / n)
    return {"parse_ms": statistics.median(parse_ms), "generate_ms": statistics.median(gen_ms)}


def write_shards(folder: Path, n: int, shards: int = 2) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sys.path.insert(0, str(HERE))
    from captions import captions

    rows = [{"caption": t, "image": f"img/{i:07d}.jpg"} for i, t in enumerate(captions(n))]
    folder.mkdir(parents=True, exist_ok=True)
    size = -(-n // shards)
    for k in range(shards):
        pq.write_table(pa.Table.from_pylist(rows[k * size:(k + 1) * size]), folder / f"part-{k}.parquet")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--captions", type=int, default=20_000)
    ap.add_argument("--rows-per-piece", type=int, default=1000)
    ap.add_argument("--num-cpus", type=int, default=os.cpu_count())
    ap.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    ap.add_argument("--engine", choices=["local", "ray"], help=argparse.SUPPRESS)
    ap.add_argument("--input", help=argparse.SUPPRESS)
    ap.add_argument("--output", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.engine:
        return child(args)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_shards(tmp / "big", args.captions)
        write_shards(tmp / "tiny", 20, shards=1)

        def run(engine: str, data: str, tag: str) -> dict:
            cmd = [sys.executable, __file__, "--engine", engine, "--input", str(tmp / data), "--output",
                   str(tmp / f"out-{tag}"), "--rows-per-piece", str(args.rows_per_piece), "--num-cpus", str(args.num_cpus)]
            return measured(cmd, tmp / f"{tag}.log")

        costs = component_costs()
        tiny = {e: [run(e, "tiny", f"tiny-{e}-{i}") for i in range(3)] for e in ("local", "ray")}
        big = {e: run(e, "big", f"big-{e}") for e in ("local", "ray")}

    n = args.captions
    rows = {}
    for e in ("local", "ray"):
        b, r = big[e], big[e]["result"]
        rows[e] = {
            "wall_s": round(b["wall_s"], 1), "pipeline_s": round(r["inner_s"], 1),
            "captions_per_s": round(n / b["wall_s"], 1), "cpu_ms_per_caption": round(b["cpu_s"] * 1000 / n, 2),
            "peak_rss_mb": round(b["peak_rss_mb"]), "candidates": r["candidates"],
            "tiny_run_wall_s": round(statistics.median(t["wall_s"] for t in tiny[e]), 1),
            "ray_init_s": round(statistics.median(t["result"]["startup_seconds"] for t in tiny[e]), 1),
        }
    assert rows["local"]["candidates"] == rows["ray"]["candidates"], "the engines disagree"
    out = {"captions": n, "cpus": args.num_cpus, "rows_per_piece": args.rows_per_piece,
           "costs_ms_per_caption": {k: round(v, 3) for k, v in costs.items()}, "engines": rows,
           "ratios": {
               "ray_over_local_wall": round(rows["ray"]["wall_s"] / rows["local"]["wall_s"], 2),
               "ray_over_local_cpu": round(rows["ray"]["cpu_ms_per_caption"] / rows["local"]["cpu_ms_per_caption"], 2),
               "ray_over_local_peak_rss": round(rows["ray"]["peak_rss_mb"] / rows["local"]["peak_rss_mb"], 2),
           }}
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
