"""The offline rule filter on concrete sentences, provenance and a small corpus; and over a database."""

import json

import pytest
from conftest import stored_candidates
from sqlalchemy import inspect, select, update

from toolkit.filters.counts import PlausibilityCounts, PlausibilityModel, load_or_mine
from toolkit.filters.rules import RuleConfig, check_candidate, grammar_issues, validity_issues
from toolkit.filters.runner import run_rules
from toolkit.filters.select import Selection
from toolkit.filters.store import latest_verdicts
from toolkit.parse import parse_text
from toolkit.store.models import CandidateRow
from toolkit.store.verdicts import Verdict, VerdictFailure

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
