"""The caption language model: leave-one-out scores, windowed gaps, substitutes drawn by frequency, and
candidates dropped when much less probable than their caption."""

import json
import math
import random
from collections import Counter

import pytest

from toolkit.generation.caption_lm import CaptionLM, fit_caption_lm, lm_tokens
from toolkit.generation.operators import GenerationConfig, generate
from toolkit.generation.operators.compose import draw_choices
from toolkit.generation.pipeline import generate_run, ingest
from toolkit.store.db import make_engine
from toolkit.store.models import Run
from toolkit.text.lexicon import load_lexicon
from toolkit.text.parse import parse_text

CORPUS = [
    "a dog sitting on a bench",
    "a dog running on the grass",
    "a cat sitting on a bench",
    "a man sitting on a bench in a park",
    "a red bus on the street",
    "a red car on the street",
    "a man riding a horse on the beach",
    "a woman riding a bike on the street",
]


def full_logprob(lm: CaptionLM, words: list[str], own: Counter) -> float:
    return lm.window_logprob(words, 2, len(words), own)


def test_leave_one_out_scores_a_caption_as_a_model_trained_without_it():
    caption = "a dog sitting on a bench"  # every word occurs in other captions too: the vocabulary is the same
    with_it = CaptionLM(CORPUS)
    without = CaptionLM([c for c in CORPUS if c != caption])
    words = lm_tokens(caption)
    loo = full_logprob(with_it, words, with_it.own_counts(words))
    assert loo == pytest.approx(full_logprob(without, words, Counter()), rel=1e-9)
    # without leaving it out, the model prefers the caption for having memorised it
    assert full_logprob(with_it, words, Counter()) > loo + 1.0


def test_a_caption_the_model_never_saw_has_nothing_to_leave_out():
    lm = CaptionLM(CORPUS)
    assert lm.own_counts(lm_tokens("a purple giraffe eating a kite")) == Counter()
    assert lm.own_counts(lm_tokens(CORPUS[0]))[("a", "dog", "sitting")] == 1


def test_gap_scores_only_the_words_that_differ_and_agrees_with_whole_sentences():
    lm = CaptionLM(CORPUS)
    cap, cand = lm_tokens("a dog sitting on a bench in a park"), lm_tokens("a horse sitting on a bench in a park")
    own = lm.own_counts(cap)
    whole = full_logprob(lm, cap, own) - full_logprob(lm, cand, own)
    assert lm.gap(cap, cand, own) == pytest.approx(whole, rel=1e-9)
    assert lm.gap(cap, cap, own) == 0.0
    # a swap far apart: the window covers both ends
    swapped = lm_tokens("a park sitting on a bench in a dog")
    assert lm.gap(cap, swapped, own) == pytest.approx(full_logprob(lm, cap, own) - full_logprob(lm, swapped, own))


def test_an_implausible_sentence_scores_worse_than_a_plausible_one():
    lm = CaptionLM(CORPUS)
    cap = lm_tokens("a cat sitting on a bench")
    own = lm.own_counts(cap)
    assert lm.gap(cap, lm_tokens("a bench sitting on a cat"), own) > lm.gap(cap, lm_tokens("a dog sitting on a bench"), own)


def test_lexicon_words_the_corpus_lacks_are_rare_not_impossible():
    lm = CaptionLM(CORPUS, priors=["zebra"])
    assert lm.word_count("zebra") > lm.word_count("qwerty") > 0
    assert math.isfinite(lm.gap(lm_tokens("a dog on a bench"), lm_tokens("a zebra on a bench")))


def test_mean_word_cost_is_measured_on_the_corpus():
    lm = CaptionLM(CORPUS)
    assert 0.5 < lm.word_cost < 10
    assert CaptionLM([]).word_cost == 5.0


def test_substitutes_are_drawn_in_proportion_to_how_often_captions_use_them():
    lm = CaptionLM(["a red car"] * 90 + ["a green car"] * 10)
    rng = random.Random(0)
    firsts = Counter(draw_choices(lm, ["green", "red"], 1, rng)[0] for _ in range(2000))
    assert 0.85 < firsts["red"] / 2000 < 0.95
    # tuples are weighed by their rarest part; all choices kept when keep is large
    assert sorted(draw_choices(lm, [("red", "x"), "green car"], 5, rng), key=str) == [("red", "x"), "green car"]


def test_a_phrase_is_drawn_as_often_as_captions_use_the_phrase_not_its_words():
    """"near to" is rare however common "near" is: drawn by its word, it came up as often as "near"
    and marked the negatives (a learned adversary's most telling n-gram after "without")."""
    lm = CaptionLM(["a dog near a car"] * 50 + ["a dog next to a car"] * 50 + ["a dog near to a car"] * 2)
    assert lm.phrase_count(["near", "to"]) == 2 + lm.unseen
    assert lm.phrase_count(["next", "to"]) == 50 + lm.unseen
    assert lm.phrase_count(["near"]) == lm.word_count("near")
    rng = random.Random(0)
    firsts = Counter(draw_choices(lm, ["near to", "next to"], 1, rng)[0] for _ in range(2000))
    assert firsts["near to"] / 2000 < 0.1


def test_fit_caption_lm_is_the_same_for_any_order_of_the_same_captions():
    lex = load_lexicon()
    pairs = [(str(i), c) for i, c in enumerate(CORPUS)]
    a, va = fit_caption_lm(pairs, lex)
    b, vb = fit_caption_lm(list(reversed(pairs)) + pairs[:2], lex)  # duplicates count once
    assert va == vb and a.c3 == b.c3 and a.word_cost == b.word_cost and va.endswith("(8 captions)")


def test_generation_drops_candidates_much_less_probable_than_the_caption(nlp):
    lm = CaptionLM(CORPUS * 3)
    parse = parse_text("a dog sitting on a bench in a park", nlp=nlp)
    # seed 1: a draw of substitutes for "dog" that holds "cat" (which substitutes a site draws depends on
    # every site the caption proposes: the count sites of its articles too)
    keep_all = generate(parse, GenerationConfig(max_candidates=200, max_plausibility_drop=None, seed=1), lm=lm)
    strict = generate(parse, GenerationConfig(max_candidates=200, max_plausibility_drop=0.0, seed=1), lm=lm)
    assert strict.candidates and len(strict.candidates) < len(keep_all.candidates)
    cap = lm_tokens(parse.text)
    own = lm.own_counts(cap)
    for c in strict.candidates:
        assert lm.gap(cap, lm_tokens(c.text), own) - c.length_delta * lm.word_cost <= 1e-9
    assert any("much less plausible than the caption" in s.reason for s in strict.skips)
    # with plausibility off the model is not consulted: the output is generation without it
    off = generate(parse, GenerationConfig(plausibility=False), lm=lm)
    plain = generate(parse, GenerationConfig(plausibility=False))
    assert [c.text for c in off.candidates] == [c.text for c in plain.candidates]


def test_generation_config_validates_the_plausibility_settings():
    with pytest.raises(ValueError, match="pool"):
        GenerationConfig(pool=0)
    with pytest.raises(ValueError, match="max_plausibility_drop"):
        GenerationConfig(max_plausibility_drop=-1.0)


def test_generate_run_records_the_caption_model_and_a_new_corpus_is_a_new_run(db_url, nlp, tmp_path):
    from toolkit.text.ingest import read_captions

    engine = make_engine(db_url)
    path = tmp_path / "caps.txt"
    path.write_text("\n".join(CORPUS[:4]) + "\n")
    ingest(engine, read_captions(path), nlp=nlp)
    first = generate_run(engine, GenerationConfig(), workers=0)
    with engine.connect() as conn:
        vers = json.loads(conn.execute(Run.__table__.select().where(Run.__table__.c.id == first.run_id)).one().versions)
    assert vers["caption_lm"].endswith("(4 captions)")
    assert generate_run(engine, GenerationConfig(), workers=0).run_id == first.run_id  # resumes: same corpus
    path.write_text("\n".join(CORPUS[4:]) + "\n")
    ingest(engine, read_captions(path), nlp=nlp)
    assert generate_run(engine, GenerationConfig(), workers=0).run_id != first.run_id
