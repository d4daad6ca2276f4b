"""How much of the default generator's output its own rule filter rejects, by rule, with examples.

Ingests the distinct positive captions of a SugarCrepe folder (default: the development split) into a
temporary SQLite store, runs default generation (`generate_run(engine, GenerationConfig())`) and the
offline rule filter (`run_rules`, as `hardneg filter --rules` does), and prints the share of candidates
each rule rejects, by operator/subtype, with examples. The generator should not emit what the rules reject:
the target is a total reject share of at most 0.5 %.

    .venv/bin/python benchmarks/rules_reject.py [--folder ../shared/benchmarks/sugarcrepe-dev]
        [--limit N] [--examples 8] [--json] [--dump rejected.jsonl]

`reject_share(captions)` is the importable function (other benchmarks may call it).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DEFAULT_FOLDER = REPO.parent / "shared" / "benchmarks" / "sugarcrepe-dev"


def dev_captions(folder: str | Path = DEFAULT_FOLDER) -> list[str]:
    """The distinct `caption` values of a SugarCrepe folder's JSON files, in file and key order."""
    seen: dict[str, None] = {}
    for file in sorted(Path(folder).glob("*.json")):
        for item in json.loads(file.read_text()).values():
            if isinstance(item, dict) and isinstance(item.get("caption"), str):
                seen.setdefault(item["caption"].strip(), None)
    return [c for c in seen if c]


def reject_share(captions: Iterable[str], config=None, *, nlp=None, workdir: str | Path | None = None) -> dict:
    """Generate default candidates for `captions` in a fresh store, judge them with the rules, and return
    {"captions", "candidates", "rejected", "share", "new_rejected", "new_share", "own_failing_captions",
    "inherited_recorded",
    "by_rule": {rule: n}, "new_by_rule": {rule: n}, "by_op": {op/subtype: [n, rejected, new_rejected]},
    "rejects": [{"caption", "text", "operator", "subtype", "fired": [[rule, why]], "edits", "inherited"}]}.

    A reject is *inherited* when every rule that fired on it also fires on the caption itself (the caption
    says "a enclosure", or its parse misleads the agreement rule): the edit did not introduce the problem.
    `new_*` counts the rest, the rejects the generator introduced. Since the rule filter reports only the
    grammar problems an edit introduced (rules.v1 with `RuleConfig(inherited=False)`, the default), inherited
    rejects are none; `inherited_recorded` counts the candidates whose verdict records such problems."""
    from sqlalchemy import text as sql

    from toolkit.evaluation.filters.rules import grammar_issues
    from toolkit.evaluation.filters.runner import run_rules
    from toolkit.generation.operators import GenerationConfig
    from toolkit.generation.pipeline import generate_run, ingest
    from toolkit.store.db import make_engine
    from toolkit.text.ingest import CaptionRecord
    from toolkit.text.parse import Parse

    tmp = Path(workdir or tempfile.mkdtemp(prefix="hardneg-rules-"))
    engine = make_engine(str(tmp / "rules_reject.db"))
    records = [CaptionRecord(text=c, image=None, source="bench", ref=f"line {k + 1}", meta={})
               for k, c in enumerate(captions)]
    ingest(engine, records, nlp=nlp)
    generate_run(engine, config or GenerationConfig(), nlp=nlp)
    report = run_rules(engine, nlp=nlp)
    by_op: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_rule: Counter = Counter()
    new_by_rule: Counter = Counter()
    rejects = []
    own: dict[str, set[str]] = {}  # caption text -> the grammar rules that fire on the caption itself
    with engine.connect() as conn:
        for text, data in conn.execute(sql("select c.text, p.data from caption c join parse p on p.text_hash = c.text_hash")):
            own[text] = {f.rule for f in grammar_issues(Parse.from_json(text, data))}
        rows = conn.execute(sql(
            "select c.text, k.text, k.operator, k.subtype, v.passed, v.reasons, k.provenance from candidate k "
            "join caption c on c.id = k.caption_id join verdict v on v.candidate_id = k.id and v.judge = 'rules' "
            "order by k.id"))
        recorded = 0  # candidates whose verdict records grammar problems inherited from the caption
        for caption, text, operator, subtype, passed, reasons, provenance in rows:
            key = f"{operator}/{subtype}"
            by_op[key][0] += 1
            recorded += "inherited" in json.loads(reasons)
            if passed:
                continue
            by_op[key][1] += 1
            fired = [[f["rule"], f["why"]] for f in json.loads(reasons)["fired"]]
            rules = {rule for rule, _ in fired}
            by_rule.update(rules)
            inherited = rules <= own.get(caption, set())  # the caption itself fails the same grammar rules
            if not inherited:
                by_op[key][2] += 1
                new_by_rule.update(rules - own.get(caption, set()))
            edits = [e.get("detail", "") for e in json.loads(provenance).get("edits", [])]
            rejects.append({"caption": caption, "text": text, "operator": operator, "subtype": subtype,
                            "fired": fired, "edits": edits, "inherited": inherited})
    engine.dispose()
    n = report.judged
    new = sum(not r["inherited"] for r in rejects)
    return {"captions": len(records), "candidates": n, "rejected": n - report.passed,
            "share": (n - report.passed) / n if n else 0.0, "new_rejected": new, "new_share": new / n if n else 0.0,
            "own_failing_captions": sum(bool(v) for v in own.values()), "inherited_recorded": recorded,
            "by_rule": dict(by_rule.most_common()), "new_by_rule": dict(new_by_rule.most_common()),
            "by_op": {k: v for k, v in sorted(by_op.items())}, "rejects": rejects}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--folder", default=str(DEFAULT_FOLDER))
    ap.add_argument("--limit", type=int, default=None, help="only the first N distinct captions")
    ap.add_argument("--examples", type=int, default=8, help="examples printed per rule")
    ap.add_argument("--json", action="store_true", help="print the summary (without the rejects) as JSON")
    ap.add_argument("--dump", help="write every rejected candidate to this JSONL file")
    args = ap.parse_args()
    captions = dev_captions(args.folder)[: args.limit]
    start = time.perf_counter()
    res = reject_share(captions)
    elapsed = time.perf_counter() - start
    if args.dump:
        with open(args.dump, "w") as fh:
            for r in res["rejects"]:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps({k: v for k, v in res.items() if k != "rejects"}, indent=2))
        return
    n = res["candidates"]
    print(f"{res['captions']} captions, {n} candidates, {res['rejected']} rejected "
          f"({100 * res['share']:.2f} %) in {elapsed:.0f} s; {res['new_rejected']} "
          f"({100 * res['new_share']:.2f} %) not inherited from the {res['own_failing_captions']} captions "
          f"the grammar rules reject themselves; {res['inherited_recorded']} candidates passed or rejected "
          f"with grammar problems inherited from their caption recorded (not rejected for them)")
    print("\nby rule (a candidate may fire several; new: not also firing on its caption):")
    for rule, k in res["by_rule"].items():
        k_new = res["new_by_rule"].get(rule, 0)
        print(f"  {rule:22s} {k:6d}  {100 * k / n:5.2f} %   new {k_new:6d}  {100 * k_new / n:5.2f} %")
    print("\nby operator/subtype (candidates, rejected, new):")
    for op, (total, bad, bad_new) in res["by_op"].items():
        print(f"  {op:12s} {total:6d} {bad:6d}  {100 * bad / total if total else 0:5.2f} %  {bad_new:6d}  "
              f"{100 * bad_new / total if total else 0:5.2f} %")
    by_rule: dict[str, list[dict]] = defaultdict(list)
    for r in res["rejects"]:
        if not r["inherited"]:
            by_rule[r["fired"][0][0]].append(r)
    for rule, rows in sorted(by_rule.items(), key=lambda kv: -len(kv[1])):
        print(f"\n== {rule} ({len(rows)} new rejects with it as first rule)")
        for r in rows[: args.examples]:
            print(f"  {r['caption']}\n    -> {r['text']}   [{r['operator']}/{r['subtype']}: "
                  f"{'; '.join(r['edits'])}]\n       {r['fired'][0][1]}")


if __name__ == "__main__":
    main()
