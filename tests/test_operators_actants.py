"""Actant swaps (agent <-> patient) that stay grammatical: possessives, agreement, verbs misread as nouns.

Grammar is checked with the plausibility rules off (`plausibility=False`, as `hardneg replicate` runs): many
of these swaps put a thing where a person acted ("A ball chases his dog"), which default generation leaves
out (tests/test_operators.py) but benchmarks such as VALSE's actant swaps contain."""

import pytest

from toolkit.generation.operators import GenerationConfig, generate
from toolkit.generation.operators.swap import ORPHAN
from toolkit.text.parse import Token, parse_text
from toolkit.text.retag import repair, verb_read_as_noun


def swaps(nlp, caption, subtypes=("obj", "att", "rel")):
    config = GenerationConfig(operators=("swap",), subtypes=tuple(subtypes), max_candidates=60, plausibility=False)
    return [c.text for c in generate(parse_text(caption, nlp=nlp), config).candidates]


@pytest.mark.parametrize("caption", [
    "A man exercises his torso.",  # never "His torso exercises a man." nor "A torso exercises his man."
    "A woman puckers her lip.",
    "A man flexes his biceps.",
    "A dog nips its owner.",  # "An owner nips its dog": "its" cannot refer to a person
])
def test_swap_never_leaves_a_possessive_without_its_referent(nlp, caption):
    gen = generate(parse_text(caption, nlp=nlp), GenerationConfig(operators=("swap",), subtypes=("obj", "rel"), plausibility=False))
    assert gen.candidates == [] and ORPHAN in {s.reason for s in gen.skips}


def test_swap_keeps_a_possessive_that_still_has_its_referent(nlp):
    # "a man" still comes first
    assert swaps(nlp, "A man puts his hat on the table.", ("obj",)) == [
        "A man puts the table on his hat.", "A man puts his table on the hat."]
    assert swaps(nlp, "A man and his dog play with a ball.", ("obj",)) == [
        "A man and a ball play with his dog.", "A man and his ball play with a dog."]  # never "A ball and his dog"
    # the referent is outside the caption, or the speaker
    assert swaps(nlp, "His dog chases a ball.", ("obj",)) == ["A ball chases his dog.", "His ball chases a dog."]
    assert swaps(nlp, "A doctor examines my mouth.", ("obj",)) == ["My mouth examines a doctor.", "A mouth examines my doctor."]
    # a thing that agrees with the possessive takes its referent's place
    assert swaps(nlp, "A duck flaps its wing.", ("obj",)) == ["A wing flaps its duck."]
    assert swaps(nlp, "A girl brushes her mother.", ("obj",)) == ["A mother brushes her girl."]


def test_swap_of_nouns_alone_keeps_the_articles_in_place(nlp):
    assert swaps(nlp, "A gate blocks the truck.", ("obj",)) == ["The truck blocks a gate.", "A truck blocks the gate."]
    # never a bare noun ("A weed hoes farmer") nor a setting under "a" ("A ground sniffs the dog")
    assert swaps(nlp, "A farmer hoes weed.", ("obj",)) == ["Weed hoes a farmer."]
    assert swaps(nlp, "A dog sniffs the ground.", ("obj",)) == ["The ground sniffs a dog."]


def test_swap_makes_the_verb_agree_with_the_new_subject(nlp):
    assert "The prize unveils the people." in swaps(nlp, "The people unveil the prize.", ("obj",))


@pytest.mark.parametrize(("caption", "expected"), [
    ("A puppy nips a finger.", ["A finger nips a puppy."]),
    ("A reporter interviews a policeman.", ["A policeman interviews a reporter."]),
    ("A man bites into a branch.", ["A branch bites into a man."]),
    ("A dog tugs a rope.", ["A rope tugs a dog."]),
])
def test_swap_of_a_verb_the_tagger_read_as_a_plural_noun(nlp, caption, expected):
    # before: "Some finger some puppy nips.", "A man a branch into bites.", "Tugs a dog a rope."
    assert swaps(nlp, caption) == expected


def test_a_verb_read_as_a_noun_is_a_verb_again(nlp):
    toks = parse_text("A puppy nips a finger.", nlp=nlp).tokens
    assert [(t.text, t.pos, t.tag, t.dep, t.head) for t in toks] == [
        ("A", "DET", "DT", "det", 1), ("puppy", "NOUN", "NN", "nsubj", 2), ("nips", "VERB", "VBZ", "ROOT", 2),
        ("a", "DET", "DT", "det", 4), ("finger", "NOUN", "NN", "dobj", 2), (".", "PUNCT", ".", "punct", 2)]
    assert toks[2].lemma == "nip"


def test_a_parse_stored_before_the_repair_is_repaired_when_read(nlp):
    """A database filled before text/retag.py existed holds the misparse; reading it gives the fresh parse."""
    import json

    from toolkit.text.parse import Parse

    fresh = parse_text("A puppy nips a finger.", nlp=nlp)
    stored = json.loads(fresh.to_json())
    stored["tokens"] = [["A", "a", "DET", "DT", "det", 2, " "], ["puppy", "puppy", "NOUN", "NN", "compound", 2, " "],
                        ["nips", "nip", "NOUN", "NNS", "ROOT", 2, " "], ["a", "a", "DET", "DT", "det", 4, " "],
                        ["finger", "finger", "NOUN", "NN", "appos", 2, ""], [".", ".", "PUNCT", ".", "punct", 2, ""]]
    assert Parse.from_json(fresh.text, json.dumps(stored)).tokens == fresh.tokens


@pytest.mark.parametrize("caption", [
    "Street signs on the corner of Furnace St and Crapo St.",  # plural noun phrases, no determiner
    "Three snow boards behind trophies in a window.",
    "The street signs on the corner.",  # "the" may open a plural phrase: a preposition after it is no proof
    "A dog runs on the beach.",  # already has its verb
])
def test_plural_nouns_stay_nouns(nlp, caption):
    toks = nlp(caption)
    tokens = tuple(Token(t.i, t.text, t.lemma_, t.pos_, t.tag_, t.dep_, t.head.i, t.whitespace_) for t in toks)
    assert verb_read_as_noun(tokens) is None and repair(tokens) == tokens


@pytest.mark.parametrize(("caption", "expected"), [
    ("A male child eats a pizza.", ["A pizza eats a male child."]),  # never "A male pizza eats a child."
    ("A father scolds a male child.", ["A male child scolds a father."]),  # never "a male father"
    ("A man talks with a cellular telephone.", ["A cellular telephone talks with a man."]),  # "a cellular man"
])
def test_nouns_swap_alone_only_where_their_modifiers_fit(nlp, caption, expected):
    assert swaps(nlp, caption, ("obj",)) == expected


def test_nouns_swap_alone_under_a_quantity_and_with_known_attributes(nlp):
    out = swaps(nlp, "A group of kids holding teddy bears and looking happy.", ("obj",))
    assert "A group of teddy bears holding kids and looking happy." in out
    assert "A black cat chasing a white dog." in swaps(nlp, "A black dog chasing a white cat.", ("obj",))


def test_a_moved_phrase_keeps_the_article_the_caption_gave_it(nlp):
    # "antelope" has no plural of its own; the caption's "an antelope" stays one (before: "Some antelope")
    assert swaps(nlp, "A hunter hunts an antelope.", ("obj",)) == ["An antelope hunts a hunter."]


def test_a_thing_read_as_an_adjective_before_the_verb(nlp):
    assert swaps(nlp, "A pelican floats in water.") == ["Water floats in a pelican."]  # was "Water in some pelican floats."
