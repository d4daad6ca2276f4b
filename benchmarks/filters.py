"""LLM judge throughput against a local OpenAI-compatible server with fixed latency.

1,000 candidates, concurrency 16, 200 ms per request: the ideal is 1000 / 16 x 0.2 s = 12.5 s. The server
runs in its own process (so it does not share the client's GIL). Each repeat starts from a fresh copy of
the database (no verdicts, empty cache); a second run over the same candidates must send no request.

    .venv/bin/python benchmarks/filters.py [--n 1000] [--concurrency 16] [--latency 0.2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def build_db(path: Path, n: int) -> tuple[int, ...]:
    from sqlalchemy import text

    from toolkit.generation.operators import GenerationConfig
    from toolkit.generation.pipeline import generate_run, ingest
    from toolkit.store.db import make_engine
    from toolkit.text.ingest import read_captions

    engine = make_engine(str(path))
    ingest(engine, read_captions(REPO / "toolkit" / "data" / "coco_sample.jsonl"))
    generate_run(engine, GenerationConfig(max_candidates=10))
    with engine.connect() as conn:
        ids = tuple(r for (r,) in conn.execute(text("select id from candidate order by id limit :n"), {"n": n}))
    engine.dispose()
    if len(ids) < n:
        raise SystemExit(f"only {len(ids)} candidates generated, need {n}")
    return ids


def server_count(base_url: str) -> int:
    with urllib.request.urlopen(base_url.rsplit("/v1", 1)[0] + "/count") as resp:
        return json.loads(resp.read())["count"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    os.environ.setdefault("OPENAI_API_KEY", "benchmark-dummy-key")

    from toolkit.evaluation.filters.llm import JudgeConfig
    from toolkit.evaluation.filters.llm_run import run_llm
    from toolkit.evaluation.filters.select import Selection
    from toolkit.store.db import make_engine

    tmp = Path(tempfile.mkdtemp(prefix="hardneg-bench-"))
    template = tmp / "template.db"
    ids = build_db(template, args.n)
    server = subprocess.Popen([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(REPO / 'tests')!r}); "
                               f"import openai_stub; openai_stub.serve({args.latency})"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        base_url = server.stdout.readline().strip()
        config = JudgeConfig(model="bench-judge", base_url=base_url, concurrency=args.concurrency, max_retries=2)
        ideal = args.n / args.concurrency * args.latency
        first, second, second_requests, cpu = [], [], [], []
        for k in range(args.repeats):
            db = tmp / f"run{k}.db"
            shutil.copy(template, db)
            engine = make_engine(str(db))
            before = server_count(base_url)
            t0, c0 = time.perf_counter(), time.process_time()
            report = run_llm(engine, config, Selection(ids=ids))
            first.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            sent = server_count(base_url) - before
            assert report.judged == args.n and sent == args.n, (report.to_dict(), sent)
            before = server_count(base_url)
            t0 = time.perf_counter()
            again = run_llm(engine, config, Selection(ids=ids), force=True)  # judged again: the cache answers
            second.append(time.perf_counter() - t0)
            second_requests.append(server_count(base_url) - before)
            assert again.to_dict()["cache_hits"] == args.n
            engine.dispose()
        med = statistics.median(first)
        print(json.dumps({
            "candidates": args.n, "concurrency": args.concurrency, "latency_s": args.latency, "repeats": args.repeats,
            "ideal_s": round(ideal, 2), "first_run_s": [round(x, 2) for x in first], "first_run_median_s": round(med, 2),
            "ratio_to_ideal": round(med / ideal, 3), "client_cpu_s_median": round(statistics.median(cpu), 2),
            "load_average_1min": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(), "second_run_median_s": round(statistics.median(second), 3),
            "second_run_requests": second_requests,
        }, indent=2))
    finally:
        server.stdin.close()
        server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
