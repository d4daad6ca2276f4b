"""Blind text-only baselines on hardneg's negatives and on SugarCrepe's, for the same captions.

A hard negative must be decided by the image. Two blind checkers pick which of (caption, negative) is the
true caption; 50 % = blind:
- lm: an interpolated Kneser-Ney word-bigram model (written here, independent of the toolkit's trigram)
  trained on the OTHER half of the positives (halves by a hash of the caption text): never on negatives,
  never on the scored caption. It picks the sentence with the higher total log-probability.
- adv: `toolkit.evaluation.filters.adversary` (logistic regression over the 1-2-gram count difference and the length
  difference), 5-fold cross-validated with folds grouped by caption, fitted per category.

Sets, per category (depth-1 candidates; hardneg operator/subtype mapped to SugarCrepe's names):
(a) hardneg default: `hardneg ingest` of the dev positives + `hardneg generate` with no options;
(b) what `hardneg filter --rules` passes (with the share of (a) each rule rejects);
(c) what `hardneg audit --passed rules --balance` keeps of (b);
(d) SugarCrepe's own negatives for the same captions.

    .venv/bin/python benchmarks/blind.py [--dev ../shared/benchmarks/sugarcrepe-dev] [--limit N]
                                         [--out docs/BLIND.md] [--json FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from toolkit.evaluation.filters.adversary import cross_fit, telling_ngrams  # noqa: E402

ORDER = ("swap_obj", "swap_att", "swap_rel", "replace_obj", "replace_att", "replace_rel", "add_obj", "add_att",
         "add_obj (length-neutral)", "add_att (length-neutral)")
SETS = ("default", "rules", "balanced", "sugarcrepe")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
Pair = tuple[str, str]


# ------------------------------------------------------------------------------------ the checker's LM


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


class BigramKN:
    """Interpolated Kneser-Ney word bigrams (discount d); the unigram level is add-one smoothed
    continuation counts, so an unseen word has a small non-zero probability."""

    def __init__(self, texts: Iterable[str], d: float = 0.75) -> None:
        self.d = d
        self.big: Counter = Counter()
        for t in texts:
            w = ["<s>", *words(t), "</s>"]
            self.big.update(zip(w, w[1:], strict=False))
        self.ctx: Counter = Counter()  # c(u .)
        self.types_after: Counter = Counter()  # N1+(u .)
        self.cont: Counter = Counter()  # N1+(. w)
        for (u, w), n in self.big.items():
            self.ctx[u] += n
            self.types_after[u] += 1
            self.cont[w] += 1
        self.types = len(self.big)
        self.vocab = len(self.cont) + 1

    def prob(self, u: str, w: str) -> float:
        low = (self.cont[w] + 1) / (self.types + self.vocab)
        c = self.ctx[u]
        if not c:
            return low
        return (max(self.big[(u, w)] - self.d, 0) + self.d * self.types_after[u] * low) / c

    def logprob(self, text: str) -> float:
        w = ["<s>", *words(text), "</s>"]
        return sum(math.log(self.prob(u, v)) for u, v in zip(w, w[1:], strict=False))


def half(caption: str) -> int:
    return int(hashlib.sha1(caption.encode()).hexdigest()[:8], 16) % 2


def train_halves(captions: Sequence[str]) -> list[BigramKN]:
    """lms[h] is trained on the captions of half h; a pair whose caption is in half h is scored by lms[1 - h]."""
    return [BigramKN(c for c in captions if half(c) == h) for h in (0, 1)]


# ------------------------------------------------------------------------------------------ measures


def _acc(gaps: Sequence[float]) -> float:
    return sum(1.0 if g > 1e-9 else 0.0 if g < -1e-9 else 0.5 for g in gaps) / len(gaps)


def measure(pairs: Sequence[Pair], lms: list[BigramKN]) -> dict:
    """n, lm and adv accuracy (share of pairs where the blind checker picks the caption), share longer."""
    if not pairs:
        return {"n": 0}
    lm = [lms[1 - half(c)].logprob(c) - lms[1 - half(c)].logprob(n) for c, n in pairs]
    fit = cross_fit(pairs, [c for c, _ in pairs], folds=5, seed=0)
    longer = sum(len(words(n)) > len(words(c)) for c, n in pairs) / len(pairs)
    out = {"n": len(pairs), "lm": round(_acc(lm), 3), "adv": round(_acc(fit.gaps), 3), "longer": round(longer, 3)}
    if fit.note:
        out["note"] = fit.note
    return out


def sc_name(category: str) -> str:
    """hardneg's "add/att (length-neutral)" -> "add_att (length-neutral)"."""
    return category.replace("/", "_", 1)


# ---------------------------------------------------------------------------------------- the pipeline


def dev_pairs(dev: Path, limit: int | None) -> tuple[list[str], dict[str, list[Pair]]]:
    """The distinct positives (first `limit` in file order) and SugarCrepe's pairs of those captions."""
    from toolkit.text.ingest import BadRecord, read_pairs

    recs = [r for r in read_pairs(dev) if not isinstance(r, BadRecord)]
    captions = list(dict.fromkeys(r.caption for r in recs))[:limit]
    keep = set(captions)
    sugar: dict[str, list[Pair]] = defaultdict(list)
    for r in recs:
        if r.caption in keep:
            sugar[r.category].append((r.caption, r.negative))
    return captions, sugar


def run_hardneg(captions: Sequence[str], db: Path) -> dict:
    """ingest + generate (CLI defaults) + filter --rules + audit --passed rules --balance, on a fresh DB."""
    from toolkit.evaluation.filters.audit import AuditConfig, audit_candidates
    from toolkit.evaluation.filters.runner import run_rules
    from toolkit.evaluation.filters.select import Selection, iter_selected
    from toolkit.evaluation.filters.store import latest_verdicts
    from toolkit.generation.names import category_of
    from toolkit.generation.operators import GenerationConfig
    from toolkit.generation.pipeline import generate_run, ingest
    from toolkit.store.db import make_engine
    from toolkit.text.ingest import CaptionRecord

    engine = make_engine(str(db))
    times = {}
    t = time.perf_counter()
    ingest(engine, (CaptionRecord(c, None, "sugarcrepe-dev", str(k), {}) for k, c in enumerate(captions)))
    times["ingest"] = time.perf_counter() - t
    t = time.perf_counter()
    run = generate_run(engine, GenerationConfig())
    times["generate"] = time.perf_counter() - t
    t = time.perf_counter()
    rules = run_rules(engine, Selection(run.run_id))
    times["rules"] = time.perf_counter() - t
    t = time.perf_counter()
    report = audit_candidates(engine, Selection(run.run_id), AuditConfig(balance=True), only_passed="rules")
    times["audit"] = time.perf_counter() - t
    with engine.connect() as conn:
        rows = [r for r in iter_selected(conn, Selection(run.run_id)) if r["depth"] == 1]
        verdicts = latest_verdicts(conn, "rules", [r["id"] for r in rows])
    engine.dispose()
    kept = {int(it.ref) for it in report["kept"]}
    cands = [{"id": r["id"], "category": sc_name(category_of(r["operator"], r["subtype"], r["length_delta"])),
              "caption": r["caption"], "negative": r["text"], "passed": bool(verdicts.get(r["id"], {}).get("passed")),
              "rule": verdicts.get(r["id"], {}).get("rule"), "kept": r["id"] in kept} for r in rows]
    return {"run_id": run.run_id, "candidates": cands, "rules_fired": dict(rules.fired), "times": times,
            "audit_balanced": report["balanced"]}


def by_category(cands: Iterable[dict]) -> dict[str, list[Pair]]:
    out: dict[str, list[Pair]] = defaultdict(list)
    for c in cands:
        out[c["category"]].append((c["caption"], c["negative"]))
    return out


def evaluate(captions: Sequence[str], hn: dict, sugar: dict[str, list[Pair]]) -> dict:
    """Per set and category: n, lm, adv, longer; plus the rules' rejections of (a) by category and rule."""
    lms = train_halves(captions)
    cands = hn["candidates"]
    sets = {"default": by_category(cands), "rules": by_category(c for c in cands if c["passed"]),
            "balanced": by_category(c for c in cands if c["kept"]), "sugarcrepe": dict(sugar)}
    table = {s: {cat: measure(pairs, lms) for cat, pairs in sorted(d.items())} for s, d in sets.items()}
    for s in sets:
        table[s]["all"] = pooled(table[s].values())
    telling = {s: {cat: telling_ngrams(pairs, 5) for cat, pairs in sorted(sets[s].items())}
               for s in ("default", "balanced", "sugarcrepe")}
    rejected: dict[str, Counter] = defaultdict(Counter)
    for c in cands:
        if not c["passed"]:
            rejected[c["category"]][c["rule"] or "(failed)"] += 1
            rejected["all"][c["rule"] or "(failed)"] += 1
    return {"table": table, "rejected": {k: dict(v.most_common()) for k, v in rejected.items()}, "telling": telling}


def pooled(rows: Iterable[dict]) -> dict:
    """The "all" row: n-weighted mean of the per-category figures (each checker is fitted per category)."""
    rows = [r for r in rows if r.get("n")]
    n = sum(r["n"] for r in rows)
    if not n:
        return {"n": 0}
    return {"n": n, **{k: round(sum(r[k] * r["n"] for r in rows) / n, 3) for k in ("lm", "adv", "longer")}}


# -------------------------------------------------------------------------------------------- output


def _cell(m: dict | None, key: str) -> str:
    if not m or not m.get("n") or key not in m:
        return "–"
    return f"{m[key]:.2f}"


def markdown(result: dict) -> str:
    t, rej = result["table"], result["rejected"]
    cats = [c for c in (*ORDER, *sorted(set().union(*t.values()) - set(ORDER) - {"all"}), "all")
            if any(c in t[s] for s in SETS)]
    head = ("| category | (a) n | lm | adv | longer | (b) rejected | n | lm | adv | longer | (c) kept | n | lm | adv "
            "| longer | (d) SugarCrepe n | lm | adv | longer |")
    lines = [head, "|" + " --- |" * (head.count("|") - 1)]
    for c in cats:
        a, b, k, d = (t[s].get(c) for s in SETS)
        na, nb = (a or {}).get("n", 0), (b or {}).get("n", 0)
        reject = f"{sum(rej.get(c, {}).values()) / na:.0%}" if na else "–"
        kept = f"{(k or {}).get('n', 0) / nb:.0%}" if nb else "–"
        cells = [c, str(na), _cell(a, "lm"), _cell(a, "adv"), _cell(a, "longer"), reject,
                 str(nb), _cell(b, "lm"), _cell(b, "adv"), _cell(b, "longer"), kept,
                 str((k or {}).get("n", 0)), _cell(k, "lm"), _cell(k, "adv"), _cell(k, "longer"),
                 str((d or {}).get("n", 0)), _cell(d, "lm"), _cell(d, "adv"), _cell(d, "longer")]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "The adversary's most telling n-grams, fitted on all pairs of a category (weight toward negative / "
              "positive; `<length>` = word-count difference):", "", "| category | set | give the negative away | "
              "mark the caption |", "| --- | --- | --- | --- |"]
    for c in cats:
        for s, name in (("default", "(a)"), ("balanced", "(c)"), ("sugarcrepe", "(d)")):
            tell = result["telling"][s].get(c)
            if tell:
                lines.append(f"| {c} | {name} | " + " | ".join(", ".join(f"`{g}` {w:+.1f}" for g, w in tell[side])
                                                            for side in ("negative", "positive")) + " |")
    lines += ["", "Rules that rejected (a), as a share of each category's default output (first rule that fired):", "",
              "| category | rule: share |", "| --- | --- |"]
    for c in cats:
        na = (t["default"].get(c) or {}).get("n", 0)
        if na and rej.get(c):
            lines.append(f"| {c} | " + ", ".join(f"{r} {n / na:.1%}" for r, n in rej[c].items()) + " |")
    return "\n".join(lines)


PREFACE = """# Blind text-only baselines

A hard negative must be decided by the image, not by language. Two blind checkers read only the two texts
of a pair and pick which one is the true caption; 50 % is blind, 100 % means the text gives the negative
away. Figures are the share of pairs where the checker picks the caption (ties count one half).

- **lm**: an interpolated Kneser-Ney word-bigram model written in `benchmarks/blind.py` (independent of the
  toolkit's own trigram), trained on the *other* half of the development captions (halves by a hash of
  the caption text): never on a negative, never on the caption it scores. It picks the more probable
  sentence (total log-probability, so a longer sentence pays for its extra words).
- **adv**: the learned adversary (`toolkit/evaluation/filters/adversary.py`): logistic regression over the
  difference of the two sentences' 1-2-gram counts plus their word-count difference, the pair shown in a
  seeded random order, 5-fold cross-validated with folds grouped by caption, fitted per category
  (SugarCrepe's "adversarial refinement" idea). The same instrument `hardneg audit` uses; in (c) it is
  fitted afresh on the kept pairs.
- **longer**: share of negatives with more words than their caption.

Sets, on the distinct captions of `../shared/benchmarks/sugarcrepe-dev` (depth-1 candidates; hardneg's
operator/subtype as SugarCrepe's category names):
(a) `hardneg ingest` + `hardneg generate` with no options; (b) what `hardneg filter --rules` passes, with
the share of (a) it rejects; (c) what `hardneg audit --passed rules --balance` keeps, with the kept share
of (b); (d) SugarCrepe's own negatives of the same captions. "all" is the n-weighted mean of the rows.
Regenerate a section with the command given in it; each run appends one.
"""


def section(result: dict, title: str, command: str) -> str:
    """One run as a markdown section: command, timings, the table, telling n-grams, rules, samples."""
    times = ", ".join(f"{k} {v:.0f} s" for k, v in result["times"].items())
    head = [f"## {title}", "", "```bash", command, "```", "",
            f"{result['captions']} captions, generation run `{result['run_id']}`; {times} (2 cores).", ""]
    tail = ["", "20 random default negatives (seed 0), for a human to read:", "",
            *(f"- {s}" for s in result["samples"]), ""]
    return "\n".join(head) + "\n" + markdown(result) + "\n" + "\n".join(tail)


def samples(cands: Sequence[dict], k: int = 20, seed: int = 0) -> list[str]:
    """`k` random default negatives (seeded) for a human to read."""
    pick = random.Random(seed).sample(list(cands), min(k, len(cands)))
    return [f"[{c['category']}] {c['caption']}  ->  {c['negative']}" for c in pick]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dev", type=Path, default=REPO.parent / "shared" / "benchmarks" / "sugarcrepe-dev")
    ap.add_argument("--limit", type=int, default=None, help="Only the first N distinct captions (quick runs).")
    ap.add_argument("--out", type=Path, default=None, help="Append the run as a markdown section to this file.")
    ap.add_argument("--title", default=None, help="The section's title (default: the date and git commit).")
    ap.add_argument("--json", type=Path, default=None, help="Write the figures as JSON here.")
    args = ap.parse_args()
    command = " ".join([".venv/bin/python benchmarks/blind.py", *sys.argv[1:]])
    t0 = time.perf_counter()
    captions, sugar = dev_pairs(args.dev, args.limit)
    with tempfile.TemporaryDirectory(prefix="hardneg-blind-") as tmp:
        hn = run_hardneg(captions, Path(tmp) / "blind.db")
    result = evaluate(captions, hn, sugar)
    total = time.perf_counter() - t0
    result.update(captions=len(captions), run_id=hn["run_id"], times={**hn["times"], "total": total},
                  samples=samples(hn["candidates"]), audit_balanced=hn["audit_balanced"])
    text = section(result, args.title or default_title(), command)
    print(text)
    if args.out:
        write_section(args.out, text)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


def default_title() -> str:
    import subprocess

    rev = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True)
    return f"{time.strftime('%Y-%m-%d')}, {rev.stdout.strip() or 'no git'}"


def write_section(path: Path, text: str) -> None:
    """Append `text` to `path`, which starts with the preface when new."""
    old = path.read_text(encoding="utf-8") if path.exists() else PREFACE
    path.write_text(old.rstrip("\n") + "\n\n" + text, encoding="utf-8")


if __name__ == "__main__":
    main()
