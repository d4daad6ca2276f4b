"""The text-only bias audit: the n-gram LM, per-operator baselines, and balancing towards chance."""

import json
import math
import random

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import stored_candidates
from scipy import sparse

from toolkit.evaluation.filters.adversary import accuracy as adversary_accuracy
from toolkit.evaluation.filters.adversary import adversary_gaps, cross_fit, telling_ngrams
from toolkit.evaluation.filters.audit import (
    BASELINES,
    AuditConfig,
    Item,
    _score_adversary,
    accuracies,
    audit_candidates,
    audit_pairs,
    balance,
    balance_category,
)
from toolkit.evaluation.filters.ngram import KneserNey, train_counts
from toolkit.faces.cli import main
from toolkit.generation.names import category_of


def test_kneser_ney_is_a_distribution_and_prefers_seen_word_order():
    texts = ["A black dog chasing a white cat.", "A dog sleeping on a couch.", "A white cat on a couch."] * 3
    lm = KneserNey(train_counts(texts))
    vocab = [*lm.cont3, "<never-seen>"]
    for ctx in [("a", "white"), ("zzz", "qqq"), ("<s>", "<s>")]:
        assert sum(lm.prob(*ctx, w) for w in vocab) == pytest.approx(1.0)
    assert lm.logprob("A dog sleeping on a couch.") > lm.logprob("couch a on sleeping dog A.")
    assert math.isfinite(lm.logprob("entirely unseen words here"))


def _item(k, cat, gaps):
    gaps = (*gaps, 0.0) if len(gaps) == 4 else gaps  # adversary at chance unless given
    return Item(str(k), cat, f"c{k}", f"n{k}", dict(zip(BASELINES, gaps, strict=True)))


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


# ------------------------------------------------------------------------------ the learned adversary

OBJECTS = "dog cat man woman horse bus car tree table pizza bird plate boat kite train".split()
COLOURS = "red blue green black white brown yellow pink orange purple grey".split()


def _captions(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    caps = (f"A {rng.choice(COLOURS)} {rng.choice(OBJECTS)} next to a {rng.choice(COLOURS)} {rng.choice(OBJECTS)} "
            f"near the {rng.choice(OBJECTS)}." for _ in range(n * 3))
    return list(dict.fromkeys(caps))[:n]


def _marked(caption: str) -> str:
    """The caption with its first colour replaced by "lone": the same length, one planted marker."""
    first = caption.split()[1]
    return caption.replace(f"A {first} ", "A lone ", 1)


def _recoloured(caption: str, seed: int) -> str:
    first = caption.split()[1]
    other = random.Random(seed).choice([c for c in COLOURS if c != first])
    return caption.replace(f"A {first} ", f"A {other} ", 1)


def test_adversary_finds_a_planted_marker_and_names_it_first():
    pairs = [(c, _marked(c)) for c in _captions(400)]
    fit = cross_fit(pairs, [c for c, _ in pairs])
    assert fit.note is None and adversary_accuracy(fit.gaps) >= 0.98
    telling = telling_ngrams(pairs)
    assert "lone" in telling["negative"][0][0] and telling["negative"][0][1] < 0
    assert all("lone" not in g for g, _ in telling["positive"])


def test_adversary_is_at_chance_without_an_artefact():
    rng = random.Random(3)
    caps = _captions(600)

    def shuffled(text: str) -> str:
        w = text.rstrip(".").split()
        rng.shuffle(w)
        return " ".join(w)

    pairs = [(shuffled(c), shuffled(rng.choice(caps))) for c in caps]  # both sides from the same distribution
    assert abs(adversary_accuracy(adversary_gaps(pairs, [c for c, _ in pairs])) - 0.5) < 0.07


def test_adversary_folds_keep_a_caption_out_of_its_own_training():
    # each caption has words of its own, and its negatives words of their own: nothing carries across captions
    pairs = [(f"caption{g} thing{g} here", f"negative{g} other{g} here") for g in range(40) for _ in range(5)]
    grouped = cross_fit(pairs, [c for c, _ in pairs])
    assert all(g == 0.0 for g in grouped.gaps)  # the model scoring a pair never saw its caption's words
    leaky = cross_fit(pairs, list(range(len(pairs))))  # folds by pair: the same caption sits in training
    assert adversary_accuracy(leaky.gaps) == 1.0


def test_adversary_on_small_inputs_scores_chance_and_says_so():
    fit = cross_fit([("a dog", "a cat"), ("a red car", "a blue car")], ["a dog", "a red car"])
    assert fit.gaps == [0.0, 0.0] and "2 caption group" in fit.note
    assert cross_fit([], []).gaps == []
    assert telling_ngrams([("a dog", "a cat")]) == {"negative": [], "positive": []}


def test_category_of_separates_length_neutral_add():
    assert category_of("add", "att", 0) == "add/att (length-neutral)"
    assert category_of("add", "obj", 2) == "add/obj"
    assert category_of("swap", "att", 0) == "swap/att"


def test_balance_refits_the_adversary_on_what_it_keeps():
    # 40 % of the negatives carry a marker; the rest are honest recolourings
    caps = _captions(500)
    items = [Item(str(k), "add/att (length-neutral)", c, _marked(c) if k % 5 < 2 else _recoloured(c, k), {})
             for k, c in enumerate(caps)]
    config = AuditConfig(balance=True, baselines=("adversary",), min_keep=0.3)
    _score_adversary(items, config)
    assert accuracies(items, ["adversary"])["adversary"] > 0.65
    kept, stuck, rounds = balance_category(items, config)
    assert not stuck and len(kept) >= 0.5 * len(items)
    refit = accuracies(kept, ["adversary"])["adversary"]  # the kept items carry a re-fitted adversary's margins
    assert abs(refit - 0.5) <= config.tolerance + 0.02
    assert all(it.gaps is not orig.gaps for it, orig in zip(kept, items, strict=False))  # copies, not the input


def test_cli_audit_lists_telling_ngrams(tmp_path):
    path = tmp_path / "pairs.jsonl"
    rows = [{"caption": c, "negative": _marked(c), "category": "replace_att"} for c in _captions(60)]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = CliRunner().invoke(main, ["audit", str(path), "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 0, result.output
    assert "adversary" in result.output and "most telling n-grams" in result.output
    assert "negative: 'a lone'" in result.output or "negative: 'lone'" in result.output
    result = CliRunner().invoke(main, ["audit", str(path), "--db", str(tmp_path / "none.db"), "--json", "--balance"])
    d = json.loads(result.stdout)
    assert d["by_operator"]["replace_att"]["adversary"] >= 0.95
    assert d["telling"]["replace_att"]["negative"][0][0] in ("lone", "a lone")
    assert "telling" in d["balanced"] and "adversary" in d["balanced"]["by_operator"]["replace_att"]["unbalanceable"]


def test_adversary_vocabulary_over_all_pairs_gives_the_training_fold_margins():
    # an n-gram that no training pair shows gets weight 0, so counting the vocabulary once over every pair
    # scores a fold exactly as a vocabulary fitted on the training folds would
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    from toolkit.evaluation.filters.adversary import TOKEN, _oriented

    caps = _captions(120)
    pairs = [(c, _marked(c) if k % 3 else _recoloured(c, k)) for k, c in enumerate(caps)]
    gaps = cross_fit(pairs, caps, folds=4, seed=5).gaps
    train, test = next(GroupKFold(n_splits=4).split(pairs, groups=list(range(len(pairs)))))
    vec = CountVectorizer(ngram_range=(1, 2), token_pattern=TOKEN).fit([t for i in train for t in pairs[i]])

    def delta(rows):
        length = [[len(pairs[i][0].split()) - len(pairs[i][1].split())] for i in rows]
        counts = vec.transform([pairs[i][0] for i in rows]) - vec.transform([pairs[i][1] for i in rows])
        return sparse.hstack([counts, sparse.csr_matrix(length)], format="csr")

    x, label = _oriented(delta(train), 5)
    w = LogisticRegression(C=1.0, solver="liblinear", fit_intercept=False, random_state=5).fit(x, label).coef_.ravel()
    assert np.allclose(delta(test) @ w, [gaps[i] for i in test], atol=1e-6)
