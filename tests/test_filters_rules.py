"""The offline rule filter on concrete sentences, provenance and a small corpus; and over a database."""

import json

import pytest
from conftest import stored_candidates
from sqlalchemy import inspect, select, update

from toolkit.evaluation.filters.counts import PlausibilityCounts, PlausibilityModel, load_or_mine
from toolkit.evaluation.filters.rules import (
    Fired,
    RuleConfig,
    check_candidate,
    grammar_issues,
    split_inherited,
    validity_issues,
)
from toolkit.evaluation.filters.runner import run_rules
from toolkit.evaluation.filters.select import Selection
from toolkit.evaluation.filters.store import latest_verdicts
from toolkit.store.models import CandidateRow
from toolkit.store.verdicts import Verdict, VerdictFailure
from toolkit.text.parse import parse_text

GOOD = [
    "A black dog chasing a white cat.",
    "A man riding a horse next to a red car.",
    "Two zebras standing in a field.",
    "A dog and a cat are playing on the grass.",
    "There are two dogs on the grass.",
    "A woman holding an umbrella in the rain.",
    "A group of people are standing near a bus.",
    "A man wants to ride a horse.",
    "Why would the cow be grazing in front of those homes?",
    "An old man sits on a bench.",
    "A small clean bathroom and a dining room that is well lit.",  # the clause may modify the last noun only
    "Three women and a child that are standing in front of a table.",  # ... or both
    "A horse and a small sheep are standing in a field.",  # "sheep" is its own plural
    "A few young cows grazing in a field.",  # the "a" of a quantity
]
BAD = [
    ("A dog are running on the grass.", "agreement"),
    ("The dogs is sleeping on the couch.", "agreement"),
    ("A man ride a horse.", "agreement"),
    ("An dog sits on a couch.", "article"),
    ("A apple on a table.", "article"),
    ("A dogs running in a park.", "article"),
    ("A cat sitting on the the table.", "doubled_word"),
    ("A man is riding a an elephant.", "doubled_word"),
    ("A dog and.", "dangling_conjunction"),
    ("And a dog on the grass.", "dangling_conjunction"),
    ("A dog with the on a bench.", "dangling_article"),
    ("A dog that are running.", "agreement"),
]


@pytest.mark.parametrize("text", GOOD)
def test_grammatical_sentences_pass(nlp, text):
    assert grammar_issues(parse_text(text, nlp=nlp)) == []


@pytest.mark.parametrize(("text", "rule"), BAD)
def test_ungrammatical_sentences_fire_the_right_rule(nlp, text, rule):
    fired = grammar_issues(parse_text(text, nlp=nlp))
    assert rule in {f.rule for f in fired}, fired
    assert all(f.why for f in fired)


def _edit(op, sub, spans, out, inn):
    return {"edits": [{"operator": op, "subtype": sub, "spans": spans, "words_out": out, "words_in": inn, "detail": ""}]}


def test_validity_rules(nlp):
    cap = parse_text("A dog next to a cat.", nlp=nlp)
    assert validity_issues(cap.text, "a dog next to a cat", None, cap)[0].rule == "identical"
    # REPLACE by a hypernym / synonym keeps the caption true
    rules = {f.rule for f in validity_issues(cap.text, "An animal next to a cat.", _edit("replace", "obj", [[1, 2]], ["dog"], ["animal"]), cap)}
    assert rules == {"hypernym_replace"}
    man = parse_text("A man riding a horse.", nlp=nlp)
    rules = {f.rule for f in validity_issues(man.text, "A guy riding a horse.", _edit("replace", "obj", [[1, 2]], ["man"], ["guy"]), man)}
    assert rules == {"synonym_replace"}
    # swapping the arguments of "next to" says the same thing
    swapped = _edit("swap", "obj", [[1, 2], [5, 6]], ["dog", "cat"], ["cat", "dog"])
    assert {f.rule for f in validity_issues(cap.text, "A cat next to a dog.", swapped, cap)} == {"symmetric_swap"}
    # ... and so does swapping coordinated phrases; a real swap of agent and patient is fine
    coord = parse_text("A dog and a cat on the grass.", nlp=nlp)
    swap = _edit("swap", "obj", [[1, 2], [4, 5]], ["dog", "cat"], ["cat", "dog"])
    assert {f.rule for f in validity_issues(coord.text, "A cat and a dog on the grass.", swap, coord)} == {"symmetric_swap"}
    chase = parse_text("A dog chasing a cat.", nlp=nlp)
    swap = _edit("swap", "obj", [[1, 2], [4, 5]], ["dog", "cat"], ["cat", "dog"])
    assert validity_issues(chase.text, "A cat chasing a dog.", swap, chase) == []
    assert validity_issues(chase.text, "A cow chasing a cat.", _edit("replace", "obj", [[1, 2]], ["dog"], ["cow"]), chase) == []


def test_plausibility_scores_from_counts(nlp):
    corpus = ["A yellow banana on a table."] * 60 + ["A red car on the street.", "A blue car near a house."] * 5
    counts = PlausibilityCounts()
    for text in corpus:
        counts.add_scene(parse_text(text, nlp=nlp).scene)
    model = PlausibilityModel(counts)
    assert model.score(("att", "blue", "banana")) < -3.0  # banana seen 60 times, always yellow
    assert model.score(("att", "yellow", "banana")) > 0
    assert model.score(("att", "blue", "kite")) == pytest.approx(0.0)  # no evidence either way
    # counts round-trip and subtract (the audit's cross-fitting)
    again = PlausibilityCounts.from_json(counts.to_json())
    assert again.att == counts.att and again.captions == counts.captions
    assert (counts - again).att == {}

    caption = parse_text("A yellow banana on a table.", nlp=nlp)
    cand = parse_text("A blue banana on a table.", nlp=nlp)
    res = check_candidate(caption.text, caption, cand.text, cand,
                          _edit("replace", "att", [[1, 2]], ["yellow"], ["blue"]), RuleConfig(), model)
    assert not res.passed and res.rule == "implausible"
    assert "blue banana" in res.fired[0].why and res.score < -3.0
    cand = parse_text("A green banana on a table.", nlp=nlp)
    lenient = RuleConfig(plausibility_threshold=-10.0)
    assert check_candidate(caption.text, caption, cand.text, cand, None, lenient, model).passed


@pytest.fixture
def engine(db_url, captions_file, nlp):
    return stored_candidates(db_url, captions_file, nlp, max_candidates=10)


def test_migration_creates_the_filter_tables(engine):
    names = set(inspect(engine).get_table_names())
    assert {"verdict", "verdict_failure", "llm_cache", "filter_run", "plausibility_counts"} <= names
    cols = {c["name"] for c in inspect(engine).get_columns("verdict")}
    assert {"candidate_id", "judge", "passed", "rule", "reasons", "prompt_hash", "prompt_version", "created_at"} <= cols


def test_run_rules_stores_verdicts_and_skips_what_is_judged(engine, nlp):
    with engine.begin() as conn:  # one candidate with provenance that is not an object
        bad_id = conn.execute(select(CandidateRow.__table__.c.id).limit(1)).scalar_one()
        conn.execute(update(CandidateRow.__table__).where(CandidateRow.__table__.c.id == bad_id).values(provenance="[1, 2]"))
        total = conn.execute(select(CandidateRow.__table__.c.id)).all()
    report = run_rules(engine, Selection(), nlp=nlp)
    assert report.selected == len(total) and report.failed == 1
    assert report.judged == len(total) - 1
    with engine.connect() as conn:
        rows = conn.execute(select(Verdict.__table__)).all()
        fails = conn.execute(select(VerdictFailure.__table__)).all()
        latest = latest_verdicts(conn, "rules")
    assert len(rows) == report.judged and len(fails) == 1 and fails[0].candidate_id == bad_id
    assert "provenance" in fails[0].error
    for r in rows:
        reasons = json.loads(r.reasons)
        assert r.judge == "rules" and r.prompt_version == "rules.v1" and len(r.prompt_hash) == 16
        assert (r.rule is None) == r.passed == (reasons["fired"] == [])
    assert set(latest) == {r.candidate_id for r in rows}
    again = run_rules(engine, Selection(), nlp=nlp)
    assert again.already_judged == report.judged and again.judged == 0


def test_counts_record_their_source_and_are_reused(engine):
    sid, source, counts = load_or_mine(engine)
    assert source["kind"] == "captions" and source["parsed_captions"] == counts.captions > 0
    assert load_or_mine(engine)[0] == sid


def test_a_swap_across_a_symmetric_relation_is_valid_when_something_else_tells_the_objects_apart(nlp):
    walk = parse_text("A person walking along the beach with a surfboard.", nlp=nlp)
    swap = _edit("swap", "obj", [[1, 2], [8, 9]], ["person", "surfboard"], ["surfboard", "person"])
    assert validity_issues(walk.text, "A surfboard walking along the beach with a person.", swap, walk) == []
    dress = parse_text("A man standing next to a woman in a gray dress.", nlp=nlp)
    swap = _edit("swap", "obj", [[1, 2], [6, 7]], ["man", "woman"], ["woman", "man"])
    assert validity_issues(dress.text, "A woman standing next to a man in a gray dress.", swap, dress) == []
    # a verb of staying in place with no object tells nothing apart
    sit = parse_text("A cat sitting next to a dog.", nlp=nlp)
    swap = _edit("swap", "obj", [[1, 2], [6, 7]], ["cat", "dog"], ["dog", "cat"])
    assert [(f.rule, f.why) for f in validity_issues(sit.text, "A dog sitting next to a cat.", swap, sit)] == [
        ("symmetric_swap", "swaps the arguments of the symmetric relation 'next to'")]


def test_grammar_problems_the_caption_has_too_are_recorded_not_rejected(nlp):
    caption = parse_text("A dog are running on the grass.", nlp=nlp)
    cand = parse_text("A cat are running on the grass.", nlp=nlp)
    edit = _edit("replace", "obj", [[1, 2]], ["dog"], ["cat"])
    res = check_candidate(caption.text, caption, cand.text, cand, edit, RuleConfig(plausibility=False), None)
    assert res.passed and res.fired == []
    assert res.reasons() == {"fired": [], "inherited": [
        {"rule": "agreement", "why": "'cat ... are': singular subject, plural verb"}]}
    strict = check_candidate(caption.text, caption, cand.text, cand, edit, RuleConfig(plausibility=False, inherited=True), None)
    assert not strict.passed and strict.rule == "agreement" and "inherited" not in strict.details
    # a problem the edit adds is still reported, beside the inherited one
    worse = parse_text("A cat are running on the the grass.", nlp=nlp)
    res = check_candidate(caption.text, caption, worse.text, worse, edit, RuleConfig(plausibility=False), None)
    assert [f.rule for f in res.fired] == ["doubled_word"] and [f["rule"] for f in res.details["inherited"]] == ["agreement"]
    # and a caption with no problem of its own records none
    fine = parse_text("A dog is running on the grass.", nlp=nlp)
    bad = parse_text("A dog are running on the grass.", nlp=nlp)
    res = check_candidate(fine.text, fine, bad.text, bad, None, RuleConfig(plausibility=False), None)
    assert [f.rule for f in res.fired] == ["agreement"] and "inherited" not in res.details


def test_split_inherited_counts_each_rule():
    a1, a2 = Fired("agreement", "'women ... are'"), Fired("agreement", "'man ... is'")
    art = Fired("article", "'a apple'")
    assert split_inherited([a2, art], [a1]) == ([art], [a2])  # same rule as often: inherited
    assert split_inherited([a1, a2], [a1]) == ([a2], [a1])  # one more than the caption: new
    assert split_inherited([], [a1]) == ([], [])


def test_an_article_is_no_attribute_in_the_plausibility_counts(nlp):
    counts = PlausibilityCounts()
    for text in ["A person on a street."] * 80 + ["A young person on a bench."]:
        counts.add_scene(parse_text(text, nlp=nlp).scene)
    assert dict(counts.att) == {("young", "person"): 1}
    model = PlausibilityModel(counts)
    caption = parse_text("A person on a street.", nlp=nlp)
    old = parse_text("An old person on a street.", nlp=nlp)
    assert check_candidate(caption.text, caption, old.text, old, None, RuleConfig(), model).passed


def test_which_object_a_relation_takes_is_learned_from_its_uses_with_one(nlp):
    counts = PlausibilityCounts()
    for text in ["A man is walking."] * 60 + ["A woman walking a horse."] * 2 + ["A man riding a horse."] * 5:
        counts.add_scene(parse_text(text, nlp=nlp).scene)
    assert dict(counts.triples) == {("man", "walk", "-"): 60, ("woman", "walk", "horse"): 2, ("man", "ride", "horse"): 5}
    model = PlausibilityModel(counts)
    # sixty men walking with no object say nothing against a man walking a horse
    assert model.score(("rel", "man", "walk", "horse")) > 0
