"""End-to-end generation (ingest + parse + all operators + store) against spaCy parsing alone.

    python benchmarks/generation.py --captions 10000 --repeats 3      # throughput ratio (target >= 0.8)
    python benchmarks/generation.py --memory 100000                    # peak RSS of a streamed run (< 1.5 GB)

Both sides parse the same captions with the same pipeline and batch size, alternating, in one run;
the report gives medians, and each repeat's own ratio (its two runs are back to back). End to end runs with `generate_run`'s default worker processes (one per
core; `--workers 0` for everything in one process); parse-only is `nlp.pipe` in one process, as spaCy
runs by default. CPU seconds (this process plus its workers) are reported beside the wall-clock
times. With `make compile` done, the generation hot path runs compiled (toolkit/generation/native.py;
`HARDNEG_PURE=1` runs the sources instead) and the report says which. The memory mode runs the
end-to-end job in a child process and reads its peak memory.
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

sys.path.insert(0, str(Path(__file__).parent))

from captions import write_jsonl  # noqa: E402

from toolkit.generation.native import status as native_status  # noqa: E402
from toolkit.generation.operators import GenerationConfig  # noqa: E402
from toolkit.generation.pipeline import generate_run, ingest  # noqa: E402
from toolkit.store.db import make_engine  # noqa: E402
from toolkit.text.ingest import read_captions  # noqa: E402
from toolkit.text.nlp import load_nlp  # noqa: E402


def _cpu() -> float:
    """CPU seconds of this process and of its children that have finished (the generate workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def parse_only(path: Path, nlp) -> tuple[float, float]:
    texts = [r.text for r in read_captions(path)]
    start, cpu = time.perf_counter(), _cpu()
    for _ in nlp.pipe(texts, batch_size=256):
        pass
    return time.perf_counter() - start, _cpu() - cpu


def end_to_end(path: Path, nlp, workdir: Path, tag: str, workers: int | None) -> tuple[float, float, int]:
    db = workdir / f"e2e-{tag}.db"
    start, cpu = time.perf_counter(), _cpu()
    engine = make_engine(str(db))
    ingest(engine, read_captions(path), parse=False)  # store captions; generate parses them (in its workers)
    report = generate_run(engine, GenerationConfig(), nlp=nlp, workers=workers)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed, _cpu() - cpu, report.candidates


def throughput(n: int, repeats: int, workers: int | None) -> dict:
    nlp = load_nlp()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        path = write_jsonl(work / "captions.jsonl", n)
        parse_only(path, nlp)  # warm-up: model caches, first-batch allocation
        parse_runs, e2e_runs, cands = [], [], 0
        for r in range(repeats):
            parse_runs.append(parse_only(path, nlp))
            *run, cands = end_to_end(path, nlp, work, str(r), workers)
            e2e_runs.append(tuple(run))
    p, e = statistics.median(t for t, _ in parse_runs), statistics.median(t for t, _ in e2e_runs)
    pc, ec = statistics.median(c for _, c in parse_runs), statistics.median(c for _, c in e2e_runs)
    paired = [pt / et for (pt, _), (et, _) in zip(parse_runs, e2e_runs, strict=True)]
    return {
        "captions": n,
        "repeats": repeats,
        "workers": workers if workers is not None else "default (one per core)",
        "compiled_build": native_status(),
        "cpus": os.cpu_count(),
        "parse_only_s": [round(t, 2) for t, _ in parse_runs],
        "end_to_end_s": [round(t, 2) for t, _ in e2e_runs],
        "parse_only_captions_per_s": round(n / p, 1),
        "end_to_end_captions_per_s": round(n / e, 1),
        "candidates_per_caption": round(cands / n, 2),
        "throughput_ratio": round(p / e, 3),
        # each repeat's parse-only and end-to-end runs are back to back: their ratios drift less with the
        # machine's speed than the ratio of the two medians does
        "paired_ratios": [round(r, 3) for r in paired],
        "paired_ratio_median": round(statistics.median(paired), 3),
        "parse_only_cpu_ms_per_caption": round(pc / n * 1000, 3),
        "end_to_end_cpu_ms_per_caption": round(ec / n * 1000, 3),
        "cpu_ratio": round(pc / ec, 3),
    }


def _tree_pss_kb(root: int) -> int:
    """Proportional set size of a process and all its descendants (Linux): shared pages, such as the
    torch and spaCy libraries every worker maps, are split between the processes that share them."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def memory(n: int) -> dict:
    """Peak memory of a streamed end-to-end run: the peak of the summed PSS of the run's processes (sampled
    every 0.2 s), and each process's own peak RSS (RSS counts shared library pages in every process)."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        path = write_jsonl(work / "captions.jsonl", n)
        code = (
            "import os, resource; from toolkit.text.ingest import read_captions; from toolkit.generation.pipeline import ingest, generate_run;"
            "from toolkit.generation.operators import GenerationConfig; from toolkit.store.db import make_engine;"
            f"e = make_engine({str(work / 'mem.db')!r}); ingest(e, read_captions({str(path)!r}), parse=False);"
            "r = generate_run(e, GenerationConfig());"
            "print(r.candidates, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
            " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, os.cpu_count())"
        )
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        peak_pss = 0
        while proc.poll() is None:
            peak_pss = max(peak_pss, _tree_pss_kb(proc.pid))
            time.sleep(0.2)
        out = proc.stdout.read()
        if proc.returncode:
            raise SystemExit(f"the run failed ({proc.returncode})")
        elapsed = time.perf_counter() - start
    cands, main_kb, worker_kb, cpus = (int(x) for x in out.split())
    return {"captions": n, "candidates": cands, "seconds": round(elapsed, 1), "workers": cpus if cpus > 1 else 0,
            "compiled_build": native_status(),
            "peak_total_pss_mb": round(peak_pss / 1024, 1), "main_peak_rss_mb": round(main_kb / 1024, 1),
            "worker_peak_rss_mb": round(worker_kb / 1024, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--captions", type=int, default=10000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--workers", type=int, default=None, help="generate's worker processes (default: one per core)")
    ap.add_argument("--memory", type=int, default=0, help="run the memory benchmark on this many captions instead")
    args = ap.parse_args()
    result = memory(args.memory) if args.memory else throughput(args.captions, args.repeats, args.workers)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
