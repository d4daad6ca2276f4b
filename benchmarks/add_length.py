"""Length-neutral ADD against plain ADD and SugarCrepe's ADD, on the SugarCrepe dev positives.

For each distinct `caption` of the dev split, ADD (obj and att) is generated with `add_length` "longer"
(plain) and "neutral" (each insertion with a deletion of as many words that keeps the caption true),
depth 1, corpus counts off, per caption `--max-candidates`. Per set and subtype:
- longer (words / chars): share of pairs whose negative has more words / characters than the caption;
- lm: share of pairs where a blind word-bigram model (interpolated Kneser-Ney, d 0.75, trained on the
  OTHER half of the positives, halves by a hash of the caption: never on a negative or the scored
  caption) gives the caption the higher log-probability; ties count one half. 50 % = blind;
- rules: share passing `toolkit.evaluation.filters.rules.check_candidate` (grammar + validity, and with the
  plausibility counts mined from the same positives, as `hardneg filter --rules` does on a store
  holding them), with the rules that fired.
SugarCrepe's own add_obj/add_att negatives of the same captions are measured the same way (no rules).

    .venv/bin/python benchmarks/add_length.py [--dev ../shared/benchmarks/sugarcrepe-dev] [--max-candidates 8]
                                              [--examples 15] [--json FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

from blind import BigramKN, half, train_halves, words  # noqa: E402  the same blind checker as docs/BLIND.md


def measure(pairs: Sequence[tuple[str, str]], lms: list[BigramKN]) -> dict:
    if not pairs:
        return {"n": 0}
    gaps = [lms[1 - half(c)].logprob(c) - lms[1 - half(c)].logprob(n) for c, n in pairs]
    lm = sum(1.0 if g > 1e-9 else 0.0 if g < -1e-9 else 0.5 for g in gaps) / len(pairs)
    return {
        "n": len(pairs),
        "longer_words": round(sum(len(words(n)) > len(words(c)) for c, n in pairs) / len(pairs), 3),
        "longer_chars": round(sum(len(n) > len(c) for c, n in pairs) / len(pairs), 3),
        "shorter_chars": round(sum(len(n) < len(c) for c, n in pairs) / len(pairs), 3),
        "lm": round(lm, 3),
    }


def main(argv: Sequence[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dev", type=Path, default=REPO.parent / "shared" / "benchmarks" / "sugarcrepe-dev")
    ap.add_argument("--max-candidates", type=int, default=8)
    ap.add_argument("--examples", type=int, default=15)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)

    from toolkit.evaluation.filters.counts import PlausibilityModel, mine_counts
    from toolkit.evaluation.filters.rules import RuleConfig, check_candidate, grammar_issues
    from toolkit.generation.operators import GenerationConfig, generate
    from toolkit.text.lexicon import load_lexicon
    from toolkit.text.parse import parse_texts

    sugar: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name in ("add_att", "add_obj"):
        for item in json.loads((args.dev / f"{name}.json").read_text()).values():
            sugar[name.split("_")[1]].append((item["caption"], item["negative_caption"]))
    captions = sorted({item["caption"] for f in sorted(args.dev.glob("*.json"))
                       for item in json.loads(f.read_text()).values()})
    lex = load_lexicon()
    t0 = time.perf_counter()
    parses = dict(zip(captions, parse_texts(captions), strict=True))
    lms = train_halves(captions)
    model = PlausibilityModel(mine_counts(parses.values()))
    own_issues = {c: set(grammar_issues(p)) for c, p in parses.items()}
    result: dict = {"captions": len(captions), "max_candidates": args.max_candidates, "sets": {}}
    examples = []
    runs: list[tuple[str, str, object]] = [("longer", "longer", None), ("neutral", "neutral", None)]
    try:  # the caption language model `hardneg generate` fits on the stored captions (here: the positives)
        caption_lm = importlib.import_module("toolkit.generation.caption_lm")
    except ImportError:
        print("toolkit.generation.caption_lm is not there: no neutral+lm run", file=sys.stderr)
    else:
        lm = caption_lm.fit_caption_lm(((hashlib.sha1(c.encode()).hexdigest(), c) for c in captions), lex)[0]
        runs.append(("neutral+lm", "neutral", lm))
    for label_set, mode, lm in runs:
        config = GenerationConfig(operators=("add",), subtypes=("obj", "att"), max_candidates=args.max_candidates,
                                  add_length=mode)
        t = time.process_time()
        cands = [c for p in parses.values() for c in generate(p, config, lex, None, lm).candidates]
        seconds = time.process_time() - t
        negs = dict(zip((c.id for c in cands), parse_texts(c.text for c in cands), strict=True))
        rules = {"grammar+validity": RuleConfig(plausibility=False), "with plausibility": RuleConfig()}
        for subtype in ("att", "obj", "all"):
            sub = [c for c in cands if subtype in {"all", c.subtype}]
            row = measure([(c.caption, c.text) for c in sub], lms)
            row["captions"] = len({c.caption for c in sub})
            row["length_delta_0"] = round(sum(c.length_delta == 0 for c in sub) / max(1, len(sub)), 3)
            for label, cfg in rules.items():
                fired: Counter = Counter()
                passed = new_ok = 0
                for c in sub:
                    res = check_candidate(c.caption, parses[c.caption], c.text, negs[c.id], c.provenance(), cfg,
                                          model if cfg.plausibility else None, lex)
                    passed += res.passed
                    new_ok += all(f in own_issues[c.caption] for f in res.fired)
                    fired.update({f.rule for f in res.fired})
                row[f"rules {label}"] = round(passed / max(1, len(sub)), 4)
                row[f"rules {label}, less the caption's own"] = round(new_ok / max(1, len(sub)), 4)
                row[f"fired {label}"] = dict(fired.most_common())
            result["sets"][f"{label_set} {subtype}"] = row
        result["sets"][f"{label_set} all"]["cpu_seconds"] = round(seconds, 1)
        if label_set == runs[-1][0]:
            rng = random.Random(0)
            examples = [{"caption": c.caption, "negative": c.text, "detail": c.edits[0].detail}
                        for c in rng.sample(cands, min(args.examples, len(cands)))]
    for subtype, pairs in sugar.items():
        result["sets"][f"sugarcrepe {subtype}"] = measure(pairs, lms)
    result["sets"]["sugarcrepe all"] = measure([p for ps in sugar.values() for p in ps], lms)
    result["examples"] = examples
    result["seconds"] = round(time.perf_counter() - t0, 1)
    cols = ("n", "captions", "longer_words", "longer_chars", "shorter_chars", "lm", "rules grammar+validity",
            "rules grammar+validity, less the caption's own", "rules with plausibility", "cpu_seconds")
    print("| set | " + " | ".join(cols) + " |")
    print("|" + " --- |" * (len(cols) + 1))
    for name, row in result["sets"].items():
        print(f"| {name} | " + " | ".join(str(row.get(c, "")) for c in cols) + " |")
    for name, row in result["sets"].items():
        for key in ("fired grammar+validity", "fired with plausibility"):
            if row.get(key):
                print(f"{name}: {key}: {row[key]}")
    for ex in examples:
        print(f"- {ex['caption']}\n  -> {ex['negative']}   [{ex['detail']}]")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
