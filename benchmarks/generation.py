"""End-to-end generation (ingest + parse + all operators + store) against spaCy parsing alone.

    python benchmarks/generation.py --captions 10000 --repeats 3      # throughput ratio (target >= 0.8)
    python benchmarks/generation.py --memory 100000                    # peak RSS of a streamed run (< 1.5 GB)

Both sides parse the same captions with the same pipeline and batch size, alternating, in one run;
the report gives medians. The memory mode runs the end-to-end job in a child process and reads its
peak resident set size.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from captions import write_jsonl  # noqa: E402

from toolkit.ingest import read_captions  # noqa: E402
from toolkit.nlp import load_nlp  # noqa: E402
from toolkit.operators import GenerationConfig  # noqa: E402
from toolkit.pipeline import generate_run, ingest  # noqa: E402
from toolkit.store.db import make_engine  # noqa: E402


def parse_only(path: Path, nlp) -> float:
    texts = [r.text for r in read_captions(path)]
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=256):
        pass
    return time.perf_counter() - start


def end_to_end(path: Path, nlp, workdir: Path, tag: str) -> tuple[float, int]:
    db = workdir / f"e2e-{tag}.db"
    start = time.perf_counter()
    engine = make_engine(str(db))
    ingest(engine, read_captions(path), parse=False)  # store captions; generate parses them (one chunk ahead)
    report = generate_run(engine, GenerationConfig(), nlp=nlp)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed, report.candidates


def throughput(n: int, repeats: int) -> dict:
    nlp = load_nlp()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        path = write_jsonl(work / "captions.jsonl", n)
        parse_only(path, nlp)  # warm-up: model caches, first-batch allocation
        parse_times, e2e_times, cands = [], [], 0
        for r in range(repeats):
            parse_times.append(parse_only(path, nlp))
            t, cands = end_to_end(path, nlp, work, str(r))
            e2e_times.append(t)
    p, e = statistics.median(parse_times), statistics.median(e2e_times)
    return {
        "captions": n,
        "repeats": repeats,
        "parse_only_s": [round(x, 2) for x in parse_times],
        "end_to_end_s": [round(x, 2) for x in e2e_times],
        "parse_only_captions_per_s": round(n / p, 1),
        "end_to_end_captions_per_s": round(n / e, 1),
        "candidates_per_caption": round(cands / n, 2),
        "throughput_ratio": round(p / e, 3),
    }


def memory(n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        path = write_jsonl(work / "captions.jsonl", n)
        code = (
            "import sys; from toolkit.ingest import read_captions; from toolkit.pipeline import ingest, generate_run;"
            "from toolkit.operators import GenerationConfig; from toolkit.store.db import make_engine;"
            f"e = make_engine({str(work / 'mem.db')!r}); ingest(e, read_captions({str(path)!r}), parse=False);"
            "r = generate_run(e, GenerationConfig()); print(r.candidates)"
        )
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"captions": n, "candidates": int(out.stdout.strip()), "seconds": round(elapsed, 1),
            "peak_rss_mb": round(peak_kb / 1024, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--captions", type=int, default=10000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--memory", type=int, default=0, help="run the memory benchmark on this many captions instead")
    args = ap.parse_args()
    result = memory(args.memory) if args.memory else throughput(args.captions, args.repeats)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
