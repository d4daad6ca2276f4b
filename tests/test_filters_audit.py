"""The text-only bias audit: the n-gram LM, per-operator baselines, and balancing towards chance."""

import json
import math

import pytest
from click.testing import CliRunner
from conftest import stored_candidates

from toolkit.cli import main
from toolkit.filters.audit import AuditConfig, Item, accuracies, audit_candidates, audit_pairs, balance
from toolkit.filters.ngram import KneserNey, train_counts


def test_kneser_ney_is_a_distribution_and_prefers_seen_word_order():
    texts = ["A black dog chasing a white cat.", "A dog sleeping on a couch.", "A white cat on a couch."] * 3
    lm = KneserNey(train_counts(texts))
    vocab = [*lm.cont3, "<never-seen>"]
    for ctx in [("a", "white"), ("zzz", "qqq"), ("<s>", "<s>")]:
        assert sum(lm.prob(*ctx, w) for w in vocab) == pytest.approx(1.0)
    assert lm.logprob("A dog sleeping on a couch.") > lm.logprob("couch a on sleeping dog A.")
    assert math.isfinite(lm.logprob("entirely unseen words here"))


def _item(k, cat, gaps):
    return Item(str(k), cat, f"c{k}", f"n{k}", dict(zip(("length", "lm", "lm_per_token", "plausibility"), gaps, strict=True)))


def test_balance_brings_a_biased_baseline_to_chance_and_reports_the_unbalanceable():
    # lm prefers the positive for 80 of 100 items; length always does (an ADD-like operator)
    items = [_item(k, "add", (1.0, 2.0 if k < 80 else -1.0, 0.0, 0.0)) for k in range(100)]
    assert accuracies(items)["lm"] == 0.8
    kept, stuck = balance(items, AuditConfig(tolerance=0.05, min_keep=0.2))
    acc = accuracies(kept)
    assert abs(acc["lm"] - 0.5) <= 0.05 and len(kept) >= 20
    assert "length" in stuck and "lm" not in stuck
    assert all(it.gaps["lm"] < 0 for it in items[80:] if it in kept) and sum(it.gaps["lm"] < 0 for it in kept) == 20


def test_audit_of_pairs_per_category(tmp_path, nlp):
    path = tmp_path / "pairs.jsonl"
    rows = [{"caption": f"A {c} dog chasing a cat on the grass.", "negative": f"A {c} cat chasing a dog on the grass.",
             "category": "swap_obj"} for c in ("black", "white", "brown", "small", "big", "young")]
    rows += [{"caption": f"A man riding a {c} horse.", "negative": f"A man riding a {c} horse and a tiny pink elephant.",
              "category": "add_obj"} for c in ("black", "white", "brown", "small", "big", "young")]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n{broken\n")
    report = audit_pairs(path, AuditConfig(balance=True), nlp=nlp)
    assert report["n"] == 12 and len(report["skipped"]) == 1 and "line" in report["skipped"][0]
    add = report["by_operator"]["add_obj"]
    assert add["length"] == 1.0 and add["lm"] == 1.0  # longer negatives: the blind baselines win
    assert report["by_operator"]["swap_obj"]["length"] == 0.5  # same length: a tie each time
    assert "length" in report["balanced"]["by_operator"]["add_obj"]["unbalanceable"]


def test_audit_of_stored_candidates_and_cli(db_url, captions_file, nlp, tmp_path):
    engine = stored_candidates(db_url, captions_file, nlp, max_candidates=10)
    report = audit_candidates(engine, config=AuditConfig(balance=True), nlp=nlp)
    assert report["n"] > 0 and report["trained_on"]["captions"] == 6
    assert all("/" in op for op in report["by_operator"])
    assert report["balanced"]["n"] <= report["n"]
    out = tmp_path / "kept.jsonl"
    result = CliRunner().invoke(main, ["audit", "--balance", "--out", str(out), "--db", db_url, "--json"])
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert d["balanced"]["n"] == len(out.read_text().splitlines())
    result = CliRunner().invoke(main, ["audit", "--db", db_url])
    assert result.exit_code == 0 and "lm_per_token" in result.output
