"""Operators on concrete captions: exact outputs, and the cases that must produce nothing."""

import re

import pytest

from toolkit.generation.operators import GenerationConfig, generate
from toolkit.text.lexicon import load_lexicon
from toolkit.text.parse import parse_text


def run(nlp, caption, operators, subtypes=("obj", "att", "rel"), **kw):
    config = GenerationConfig(operators=tuple(operators), subtypes=tuple(subtypes), max_candidates=60, **kw)
    return generate(parse_text(caption, nlp=nlp), config)


def texts(gen):
    return {c.text for c in gen.candidates}


def test_swap_attributes_and_agents(nlp):
    gen = run(nlp, "A black dog chasing a white cat.", ["swap"])
    out = texts(gen)
    assert "A white dog chasing a black cat." in out  # attributes
    assert "A white cat chasing a black dog." in out  # agent and patient
    assert "A black cat chasing a white dog." in out  # nouns only
    att = next(c for c in gen.candidates if c.text == "A white dog chasing a black cat.")
    edit = att.edits[0]
    assert (edit.operator, edit.subtype, edit.spans) == ("swap", "att", ((1, 2), (5, 6)))
    assert edit.words_out == ("black", "white") and edit.words_in == ("white", "black")
    assert att.length_delta == 0 and att.depth == 1 and att.parent is None


def test_swap_fixes_agreement_and_capitals(nlp):
    gen = run(nlp, "A man on a motorcycle is waving at two men.", ["swap"], ("obj",))
    cand = next(c for c in gen.candidates if c.text == "Two men on a motorcycle are waving at a man.")
    assert ("is", "are", "agreement") in {(f.old, f.new, f.reason) for f in cand.fixes}
    out = texts(run(nlp, "Girls wash a motorcycle while men look on.", ["swap"], ("obj",)))
    assert "Men wash a motorcycle while girls look on." in out


def test_swap_moves_multiword_colours_whole(nlp):
    gen = run(nlp, "A girl in a neon green jacket holding a pink kite.", ["swap"], ("att",))
    cand = next(c for c in gen.candidates if c.text == "A girl in a pink jacket holding a neon green kite.")
    assert cand.edits[0].words_out == ("neon green", "pink")
    scene = parse_text("a tan colored teddy bear", nlp=nlp).scene
    assert ("tan colored", "color") in {(a.lemma, a.type) for a in scene.attributes}


def test_swap_exchanges_what_two_agents_do(nlp):
    out = texts(run(nlp, "A girl sitting next to a boy eating a red apple.", ["swap"], ("rel",)))
    assert out == {"A girl eating a red apple next to a boy sitting."}  # the verb with its object
    # the verbs alone only where both take an object: never "A girl eating next to a boy sitting a red apple"
    out = texts(run(nlp, "A woman walking a dog next to a man riding a bike.", ["swap"], ("rel",)))
    assert "A woman riding a dog next to a man walking a bike." in out
    # never phrases side by side: "Vase with a handle sitting flowers containing on table"
    out = texts(run(nlp, "Vase with a handle containing flowers sitting on table.", ["swap"], ("rel",)))
    assert out and not [t for t in out if "containing on" in t or "sitting containing" in t], out


def test_swap_noun_modifier_with_another_objects_noun(nlp):
    out = texts(run(nlp, "A stop sign near a tree and a building.", ["swap"], ("att",)))
    assert "A building sign near a tree and a stop." in out
    assert not any("stops" in t or "signs" in t for t in out)


def test_swap_attributes_the_parser_hung_on_one_noun(nlp):
    # "white" is a conjunct of "tile", and "red"/"blue" both hang on the last noun: each belongs to its own noun
    assert "A kitchen with white tile and blue cabinets." in texts(
        run(nlp, "A kitchen with blue tile and white cabinets.", ["swap"], ("att",)))
    assert "Cat wearing blue collar chasing red toy mouse on wooden floor." in texts(
        run(nlp, "Cat wearing red collar chasing blue toy mouse on wooden floor.", ["swap"], ("att",)))
    # adjacent modifiers of one noun stay put: swapping them changes nothing
    assert not any(c.edits[0].detail == "red<->blue" for c in run(nlp, "A red and blue kite.", ["swap"], ("att",)).candidates)


def test_no_candidate_puts_a_phrase_after_an_article(nlp):
    # "neon" parses as a noun of its own; swapping it with "a girl" would give "in an a girl green jacket"
    for cand in run(nlp, "A girl in a neon green jacket holding a pink kite.", ["swap", "replace", "add"]).candidates:
        words = cand.text.lower().split()
        assert not any(a in {"a", "an", "the"} and b in {"a", "an", "the"} for a, b in zip(words, words[1:], strict=False)), cand.text


def test_swap_counts_inflects_nouns(nlp):
    out = texts(run(nlp, "One apple and several oranges sit in a bowl.", ["swap"], ("att",)))
    assert "Several apples and one orange sit in a bowl." in out


@pytest.mark.parametrize(
    ("caption", "reason"),
    [
        ("A dog next to a cat.", "symmetric relation 'next to'"),
        ("A dog chasing a dog.", "identical"),
        ("A dog near a cat.", "symmetric"),
    ],
)
def test_swap_refuses_meaning_preserving_swaps(nlp, caption, reason):
    gen = run(nlp, caption, ["swap"], ("obj", "rel"))
    assert gen.candidates == []
    assert any(reason in s.reason for s in gen.skips), gen.skips


@pytest.mark.parametrize(
    ("caption", "same_meaning"),
    [
        # a bare second conjunct may share the first one's modifiers: nothing moves
        ("White cabinets and appliances on a counter.", "White appliances and cabinets on a counter."),
        ("A man in a red hat, suit, and blue tie.", "A man in a red suit, hat, and blue tie."),
        # whole phrases at the start, joined only by a symmetric relation once swapped
        ("An adult giraffe standing near a white duck in a field.", "A white duck near an adult giraffe standing in a field."),
    ],
)
def test_swap_refuses_swaps_that_keep_the_scene(nlp, caption, same_meaning):
    out = texts(run(nlp, caption, ["swap"], ("obj", "rel")))
    assert out and same_meaning not in out


def test_swap_still_moves_a_modifier_between_conjuncts_with_their_own_article(nlp):
    # which conjunct has the attribute: an attribute swap (SugarCrepe files it so), not an object swap
    gen = run(nlp, "A black dog and a cat on the grass.", ["swap"], ("obj", "att"))
    cand = next(c for c in gen.candidates if c.text == "A black cat and a dog on the grass.")
    assert cand.subtype == "att"
    # the participle stays where it was: the duck is the one standing now
    assert "A white duck standing near a man in a field." in texts(
        run(nlp, "A man standing near a white duck in a field.", ["swap"], ("obj", "rel")))


def test_swap_never_exchanges_coordinated_phrases(nlp):
    out = texts(run(nlp, "A black dog and a white cat.", ["swap"]))
    assert "A white cat and a black dog." not in out
    assert out == {"A white dog and a black cat.", "A black cat and a white dog."}


def test_replace_object_within_category_never_synonym_or_hypernym(nlp):
    lex = load_lexicon()
    gen = run(nlp, "A man riding a horse.", ["replace"], ("obj",))
    out = texts(gen)
    assert {"A woman riding a horse.", "A man riding a cow."} <= out
    for cand in gen.candidates:
        edit = cand.edits[0]
        old, new = edit.words_out[0].lower(), edit.words_in[0].lower()
        assert lex.object_relation(old, new) is None, (old, new)
        assert new not in {"guy", "gentleman", "animal", "stallion", "person"}


def test_replace_attribute_keeps_type_and_counts_inflect(nlp):
    gen = run(nlp, "Two dogs sleeping under a wooden table.", ["replace"], ("att",))
    out = texts(gen)
    assert "Two dogs sleeping under a metal table." in out
    assert "One dog sleeping under a wooden table." in out
    assert "Three dogs sleeping under a wooden table." in out
    assert all("big" not in t and "large" not in t for t in out)


def test_replace_attribute_only_by_words_plausible_on_the_object(nlp):
    out = texts(run(nlp, "A cat on a wooden table.", ["replace"], ("att",), per_site=60))
    assert {"A cat on a marble table.", "A cat on a glass table."} <= out
    assert not {"A cat on a denim table.", "A cat on a lace table."} & out


def test_replace_relation_by_contrast(nlp):
    out = texts(run(nlp, "A woman sitting in front of a laptop.", ["replace"], ("rel",)))
    assert "A woman sitting behind a laptop." in out
    assert "A woman standing in front of a laptop." in out


def test_add_object_and_attribute(nlp):
    gen = run(nlp, "A dog on the grass.", ["add"], add_length="longer")  # length-neutral ADD: test_operators_add_neutral
    out = texts(gen)
    assert "A dog and a cat on the grass." in out
    assert "An old dog on the grass." in out  # article fixed
    for cand in gen.candidates:
        assert cand.length_delta > 0
        assert all(s == e for s, e in cand.edits[0].spans)  # insertions only


def test_add_object_never_splits_a_two_word_preposition(nlp):
    gen = run(nlp, "An antilope is eating grass in between two zebra.", ["add"], ("obj",), add_length="longer")
    out = texts(gen)
    assert not any(" in next to " in t for t in out)  # never "grass in next to some dirt between two zebra"
    assert any(t.startswith("An antilope is eating grass in between two zebra next to ") for t in out)
    # after a verb's particle a new phrase still goes in: "curled up next to a dog on a bed"
    out = texts(run(nlp, "A cat curled up on a bed for a nap.", ["add"], ("obj",), add_length="longer"))
    assert any(t.startswith("A cat curled up next to ") for t in out)


def test_what_is_worn_is_replaced_and_joined_by_something_worn(nlp):
    carried = ("umbrella", "leash", "cane", "flag", "balloon", "briefcase", "suitcase", "wallet", "handbag", "backpack")
    out = texts(run(nlp, "A dog that is wearing a dog collar smiling", ["replace"], ("obj",), per_site=20))
    assert "A dog that is wearing an umbrella smiling" not in out
    worn = {t for t in out if t.startswith("A dog that is wearing ")}
    assert "A dog that is wearing a necklace smiling" in worn and not any(w in t for t in worn for w in carried)
    out = texts(run(nlp, "A black and brown dog is wearing a heavy metal collar.", ["add"], ("obj",), per_site=20,
                    add_length="longer"))
    assert "A black and brown dog is wearing an umbrella and a heavy metal collar." not in out
    joined = {t for t in out if "collar and " in t or " and a heavy" in t}
    assert "A black and brown dog is wearing a heavy metal collar and a watch." in joined
    assert not any(w in t for t in joined for w in carried)
    # what is held is not worn: any accessory may take its place
    out = texts(run(nlp, "A man wearing a hat holds an umbrella.", ["replace"], ("obj",), per_site=20))
    assert "A man wearing a hat holds a leash." in out


def test_add_attribute_never_splits_a_numeral_from_the_modifier_it_begins(nlp):
    out = texts(run(nlp, "The restored old time car is parked near a four engine airplane.", ["add"], ("att",),
                    add_length="longer"))
    assert not any(re.search(r"\ba four \w+ engine airplane", t) for t in out)  # never "a four big engine airplane"
    assert "The restored old time car is parked near a big four engine airplane." in out
    out = texts(run(nlp, "a two layered cake sits on a table top", ["add"], ("att",), add_length="longer"))
    assert "a two big layered cake sits on a table top" not in out and "a big two layered cake sits on a table top" in out
    # a numeral that counts its noun keeps the new word after it
    out = texts(run(nlp, "A man standing behind two brown horses on a dirt field.", ["add"], ("att",), add_length="longer"))
    assert "A man standing behind two big brown horses on a dirt field." in out


def test_little_stays_with_children(nlp):
    out = texts(run(nlp, "A little boy making a mess with his dinner.", ["replace"], ("obj",), per_site=20))
    assert "A little man making a mess with his dinner." not in out  # what the caption says stays plausible
    assert "A little girl making a mess with her dinner." in out
    out = texts(run(nlp, "A grandmother looks at her family's pizza dinner", ["add"], ("att",), per_site=20,
                    add_length="longer"))
    assert "A little grandmother looks at her family's pizza dinner" not in out
    assert "A big grandmother looks at her family's pizza dinner" in out
    out = texts(run(nlp, "A lady and a little girl flying a kite on a grassy field.", ["swap"], ("att",)))
    assert "A little lady and a girl flying a kite on a grassy field." not in out


def test_a_verb_and_its_own_preposition_are_replaced_whole(nlp):
    out = texts(run(nlp, "A man looks at his phone on a bench.", ["replace"], ("rel",)))
    for bad in ("A man sleeps at his phone on a bench.", "A man naps at his phone on a bench.",
                "A man looks far from his phone on a bench.", "A man looks behind his phone on a bench."):
        assert bad not in out  # neither word of "look at" alone
    assert {"A man ignores his phone on a bench.", "A man looks away from his phone on a bench.",
            "A man looks at his phone under a bench."} <= out
    # `hardneg replicate` (plausibility rules off) still tries the words one at a time
    loose = texts(run(nlp, "A man looks at his phone on a bench.", ["replace"], ("rel",), plausibility=False))
    assert "A man looks far from his phone on a bench." in loose


def test_add_attribute_with_corpus_counts_goes_deeper_into_the_first_types(nlp):
    from toolkit.generation.corpus import CorpusCounts
    from toolkit.generation.operators.add import Add
    from toolkit.generation.operators.compose import ordered_edits

    lex = load_lexicon()
    seen = ["A marble table in a kitchen.", "A marble table with food.", "A glass table by a window."]
    counts = CorpusCounts.from_parses([parse_text(t, nlp=nlp) for t in seen], "test", lex)
    parse = parse_text("A table in a room.", nlp=nlp)

    def added(op):
        return list(dict.fromkeys(e.words_in[0] for e in ordered_edits(op.propose(parse, ("att",), lex).sites)))

    materials, cleanliness = set(lex.attribute_words("material")), set(lex.attribute_words("cleanliness"))
    plain, ranked = added(Add()), added(Add(counts=counts))
    # without counts, each type offers its first words in lexicon order ("wood", "wooden", ...)
    assert [w for w in plain if w in materials] == lex.attribute_words("material")[:4]
    # with them, the materials seen on tables come first; material, the first type, goes three words
    # deep before cleanliness (the tenth) has its first; colour, which every table has, comes later
    tried = [w for w in ranked if w in materials]
    assert tried[:2] == ["marble", "glass"]
    assert ranked.index(tried[2]) < ranked.index(next(w for w in ranked if w in cleanliness))
    colours = set(lex.attribute_words("color"))
    assert ranked.index(tried[2]) < ranked.index(next(w for w in ranked if w in colours))


def _added_attributes(nlp, caption, counts=None):
    """(type, word) of every ADD attribute edit, in selection order."""
    from toolkit.generation.operators.add import Add
    from toolkit.generation.operators.compose import ordered_edits

    sites = Add(per_site=60, counts=counts).propose(parse_text(caption, nlp=nlp), ("att",), load_lexicon()).sites
    return [tuple(e.detail.split(": +")) for e in ordered_edits(sites)]


def test_add_attribute_offers_only_words_plausible_on_the_object(nlp):
    on_hat = {w for t, w in _added_attributes(nlp, "A man in a hat.") if t in {"material", "integrity"}}
    assert {"straw", "wool", "torn"} <= on_hat
    assert not on_hat & {"glass", "marble", "rusty", "wooden"}  # no glass hat, no rusty hat
    on_sink = {w for t, w in _added_attributes(nlp, "A cat in a sink.") if t == "material"}
    assert "porcelain" in on_sink and not on_sink & {"denim", "cotton", "wooden"}


def test_add_attribute_tries_the_condition_of_a_vehicle_before_its_material(nlp):
    # a bus is metal in nearly every picture; whether it is rusty or dented varies
    types = [t for t, _ in _added_attributes(nlp, "A bus on a road.") if t in {"material", "integrity"}]
    assert types[0] == "integrity"
    types = [t for t, _ in _added_attributes(nlp, "A bench on a road.") if t in {"material", "integrity"}]
    assert types[0] == "material"


def test_add_attribute_on_a_word_naming_a_category(nlp):
    # "a building" names no one concept, but a building can still be brick or stone
    config = GenerationConfig(operators=("add",), subtypes=("att",), max_candidates=500, per_site=60)
    out = texts(generate(parse_text("A clock on a building.", nlp=nlp), config))
    assert "A clock on a brick building." in out
    assert "A clock on a denim building." not in out


def test_add_attribute_never_offers_colour_or_size_as_the_likeliest(nlp):
    from toolkit.generation.corpus import CorpusCounts

    lex = load_lexicon()
    seen = ["A white plate on a table.", "A white plate with food.", "A large white plate."]
    counts = CorpusCounts.from_parses([parse_text(t, nlp=nlp) for t in seen], "test", lex)
    config = GenerationConfig(operators=("add",), subtypes=("att",), max_candidates=500, per_site=8)
    cands = generate(parse_text("A plate on a table.", nlp=nlp), config, lex, counts).candidates
    on_plate = [c.edits[0].detail.split(":")[0] for c in cands if c.text.endswith(" plate on a table.")]
    # white and large are what the corpus says most of plates, and so the likeliest to be true of one
    assert "color" in on_plate and "size" in on_plate
    assert not {"color", "size"} & set(on_plate[:6])


def test_groups_with_many_more_sites_take_two_turns_after_the_first_round():
    from toolkit.generation.operators.base import Change, Edit, Site
    from toolkit.generation.operators.compose import ordered_edits

    def site(operator, subtype, word):
        def build(w, rank):
            return Edit(operator, subtype, ((0, 0),), ("",), (w,), (Change(0, 0, (w,)),), (), w, rank)
        return Site(operator, subtype, [word], build)

    many = [site("add", "att", f"a{i}") for i in range(6)]
    few = [site("add", "obj", f"o{i}") for i in range(3)]
    swaps = [site("swap", "obj", f"s{i}") for i in range(3)]
    order = [e.subtype for e in ordered_edits(many + few)]
    assert order[:8] == ["att", "obj", "att", "att", "obj", "att", "att", "obj"]
    # every group has its first edit before any group its second, however many sites it has
    first = [(e.operator, e.subtype) for e in ordered_edits(many + few + swaps)][:3]
    assert sorted(first) == [("add", "att"), ("add", "obj"), ("swap", "obj")]
    # with about as many sites, the groups alternate one by one
    order = [e.subtype for e in ordered_edits(many[:4] + few)]
    assert order[:4] == ["att", "obj", "att", "obj"]


def test_add_object_makes_subject_plural(nlp):
    out = texts(run(nlp, "A cat sleeps on the bed.", ["add"], ("obj",)))
    assert any(t.startswith("A cat and a ") and " sleep on the bed." in t for t in out), out


def test_nothing_to_operate_on_says_why(nlp):
    gen = run(nlp, "Hello.", ["swap", "replace", "add"])
    assert gen.candidates == []
    assert {(s.operator, s.subtype) for s in gen.skips} >= {("swap", "obj"), ("replace", "obj"), ("add", "att")}


def test_depth_two_composes_distinct_sites_with_parents(nlp):
    gen = run(nlp, "A black dog chasing a white cat on the grass.", ["swap", "replace", "add"], depth=2)
    by_id = {c.id: c for c in gen.candidates}
    deep = [c for c in gen.candidates if c.depth == 2]
    assert deep
    for cand in deep:
        parent = by_id[cand.parent]
        assert parent.edits == cand.edits[:1]
        first, second = cand.edits
        assert first.site.isdisjoint(second.site)
    assert len({c.text for c in gen.candidates}) == len(gen.candidates)
    assert all(c.text != gen.candidates[0].caption for c in gen.candidates)


def test_generation_is_deterministic_for_a_seed(nlp):
    caption = "A black dog chasing a white cat on the grass."
    a = [c.text for c in run(nlp, caption, ["swap", "replace", "add"], seed=7, depth=2).candidates]
    b = [c.text for c in run(nlp, caption, ["swap", "replace", "add"], seed=7, depth=2).candidates]
    assert a == b
    small = GenerationConfig(max_candidates=5, seed=1)
    other = GenerationConfig(max_candidates=5, seed=2)
    p = parse_text(caption, nlp=nlp)
    assert [c.text for c in generate(p, small).candidates] != [c.text for c in generate(p, other).candidates]


def test_config_validation():
    with pytest.raises(ValueError, match="unknown operator"):
        GenerationConfig(operators=("blend",))
    with pytest.raises(ValueError, match="depth"):
        GenerationConfig(depth=0)


@pytest.mark.parametrize("module", ["toolkit.generation.realize", "toolkit.text.scene", "toolkit.generation.operators.swap"])
def test_a_generation_module_can_be_imported_first(module):
    """No circular import whichever module a library user imports first (in a fresh interpreter)."""
    import subprocess
    import sys

    code = f"import {module}; from toolkit.generation.operators import GenerationConfig, generate; print(generate.__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "generate", out.stderr[-500:]


def test_add_object_never_joins_a_phrase_right_before_the_subjects_verb(nlp):
    # "A person on a skateboard and a ball does ...": read (and parsed) as a plural subject of "does"
    out = texts(run(nlp, "A person on a skateboard does a flip in a parking lot.", ["add"], ("obj",)))
    assert not [t for t in out if t.startswith("A person on a skateboard and a ")], out
    # (and nothing joins the setting: never "in a parking lot and a park")
    assert "A person on a skateboard does a flip in a parking lot next to a surfboard." in out
    assert not [t for t in out if "parking lot and" in t], out
    out = texts(run(nlp, "The girl with glasses is eating a slice of pizza.", ["add"], ("obj",)))
    assert not [t for t in out if t.startswith("The girl with glasses and a ")], out
    # the "of" of a quantity joins what the herd is of
    out = texts(run(nlp, "A herd of sheep are grazing in a green field.", ["add"], ("obj",)))
    assert "A herd of sheep and a horse are grazing in a green field." in out


def test_swap_never_exchanges_phrases_that_differ_in_their_article_only(nlp):
    gen = run(nlp, "A bus stopped at a curb to allow people to board the bus.", ["swap"], ("obj",))
    assert "The bus stopped at a curb to allow people to board a bus." not in texts(gen)
    gen = run(nlp, "A kitten is looking into a mirror and touching the mirror with one paw.", ["swap"], ("obj",))
    assert "A kitten is looking into the mirror and touching a mirror with one paw." not in texts(gen)


def test_replace_relation_never_replaces_a_noun_read_as_a_preposition(nlp):
    out = texts(run(nlp, "A person sprays the inside of a toilet.", ["replace"], ("rel",)))
    assert not [t for t in out if "the on" in t or "the in " in t], out


def test_add_object_before_a_phrase_right_before_the_subjects_verb_neither(nlp):
    out = texts(run(nlp, "A red bench on a slanted floor has the Coca-Cola symbol on it.", ["add"], ("obj",)))
    assert not [t for t in out if t.startswith("A red bench on a ") and " and a slanted floor" in t], out
    # a verb that is plural already agrees with the joined phrase
    out = texts(run(nlp, "A trio of zebras stand together in the grass.", ["add"], ("obj",)))
    assert [t for t in out if t.startswith("A trio of zebras and a ") and t.endswith(" stand together in the grass.")], out


def test_add_object_never_joins_a_subject_with_a_second_agreeing_verb(nlp):
    out = texts(run(nlp, "A little girl laughs and runs with a kite in a grassy park.", ["add"], ("obj",)))
    assert not [t for t in out if " laugh and runs " in t], out  # never "A little girl and a boy laugh and runs"
    assert not [t for t in out if t.startswith("A little girl and a ")], out


def test_swap_attribute_defects_of_issue_15_stay_fixed(nlp):
    """Swaps and moves of attributes that left a sentence broken: a mass noun after "a" ("A rain and
    umbrella boots"), a stranded preposition or compound half ("with on the floor", "looking white
    toilets"), a hyphenated word split by spaces ("black - rimmed")."""
    out = texts(run(nlp, "An umbrella and rain boots sitting on a rug in a corner.", ["swap"], ("att",)))
    assert not any("rain and" in t or "a rain" in t.lower() for t in out), out
    out = texts(run(nlp, "A small cow in a enclosure with straw on the floor.", ["swap"], ("att",)))
    assert out == {"A cow in a small enclosure with straw on the floor.",
                   "A cow in an enclosure with small straw on the floor."}
    out = texts(run(nlp, "A bunch of dirty looking white toilets in a row outside.", ["swap"], ("att",)))
    assert out == {"A bunch of dirty looking toilets in a white row outside."}
    # (an untyped word such as "black-rimmed" trades places only without the plausibility rules)
    out = texts(run(nlp, "A man in front of a black-rimmed window next to wine bottles.", ["swap"], ("att",),
                    plausibility=False))
    assert "A man in front of a wine window next to black-rimmed bottles." in out
    assert not any(" - " in t for t in out)


def test_replace_relation_takes_near_to_whole(nlp):
    """"near to" is one relation, like "close to": never "stands near through four elephants"."""
    out = texts(run(nlp, "A baby elephant stands near to four larger adult elephants.", ["replace"], ("rel",)))
    assert "A baby elephant stands far from four larger adult elephants." in out
    assert not any(" near " in t and " near to " not in t for t in out), out


def test_relations_never_edit_half_of_a_hyphenated_word(nlp):
    """"double-decked" is one word: REPLACE never makes "a double-served bus", SWAP never moves "decked"."""
    caption = "People stand near the curb behind a lime green double-decked bus."
    out = texts(run(nlp, caption, ["replace", "swap"], ("rel",)))
    assert out and not [t for t in out if "double-decked" not in t], out
    assert "People stand far from the curb behind a lime green double-decked bus." in out


def test_a_count_change_makes_every_verb_of_the_subject_agree(nlp):
    """"Two dogs run and jump": both verbs follow the new count, never "One dog runs and jump"."""
    out = texts(run(nlp, "Two dogs run and jump in the grass.", ["replace"], ("att",)))
    assert "One dog runs and jumps in the grass." in out
    assert not [t for t in out if t.startswith(("One", "A ")) and " jump " in t], out


def test_add_attribute_never_makes_one_of_the_objects_own_noun(nlp):
    """"grassy grass", "a sandy sand": an attribute made from the noun it goes on says nothing."""
    out = texts(run(nlp, "Two dogs run and jump in the grass.", ["add"], ("att",)))
    assert out and not [t for t in out if "grassy" in t], out


def test_add_object_never_adds_a_body_part_on_its_own(nlp):
    """A shoulder is someone's: never "a crate on their shoulder and a face"."""
    out = texts(run(nlp, "A person carrying a crate on their shoulder.", ["add"], ("obj",), add_length="longer"))
    assert out and not [t for t in out if "shoulder and" in t or "and a shoulder" in t], out
    lex = load_lexicon()
    body = {w for w in lex.object_substitutes("shoulder")}
    assert not [t for t in out if set(t.rstrip(".").split()) & body], out


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("A man throws a tennis ball and poses his racquet.", set()),  # never "A tennis ball throws a man"
        ("A beautiful woman cooking food in a kitchen.", set()),  # never "A kitchen cooking food in a ... woman"
        ("A dog chasing a cat in the yard.", {"A cat chasing a dog in the yard."}),  # never "The yard chasing"
        ("A black dog chasing a white cat.", {"A white cat chasing a black dog."}),
        ("A vase sitting on a table.", {"A table sitting on a vase."}),  # staying in place: anything can
        ("A cake sitting on a table.", set()),  # ... but food trades places only with food
    ],
)
def test_swap_relation_never_makes_a_thing_do_what_a_person_or_an_animal_did(nlp, caption, expected):
    """A text-only model rejects "A tennis ball throws a man" without the image: no hard negative."""
    gen = run(nlp, caption, ["swap"], ("rel",))
    assert texts(gen) == expected
    if not expected:
        reasons = ("a thing would do what a person, an animal or a hand does", "food would trade places")
        assert any(r in s.reason for s in gen.skips for r in reasons), gen.skips


@pytest.mark.parametrize(
    ("caption", "subtype", "expected"),
    [
        # never "A red frisbee throwing a young boy", "The park throwing a red frisbee in a young boy"
        # (nor "A young boy throwing the park in a red frisbee": the setting stays the setting)
        ("A young boy throwing a red frisbee in the park.", "obj", set()),
        # never "A couch petting a dog on a man", "A man petting a couch on a dog"
        ("A man petting a dog on a couch.", "obj", {"A dog petting a man on a couch."}),
        # never "A blue woman holding an umbrella", "A wooden bird sitting on a small fence"
        ("A woman holding a blue umbrella.", "att", set()),
        ("A small bird sitting on a wooden fence.", "att", set()),
        # two colours trade places: the caption itself puts a colour on each
        ("A black man riding a white horse.", "att", {"A white man riding a black horse."}),
        ("A red dress and a cake.", "att", {"A dress and a red cake.", "A red cake and a dress."}),
        # "person" names a category, "soccer player" is an unknown compound of a known word, "orange and grey"
        # a block of colours: never "A rainbow colored person", "A group of gray people", "Orange and grey players"
        ("A person leaning against a metal rail while holding a rainbow colored umbrella.", "att",
         {"A person leaning against a rainbow colored rail while holding a metal umbrella."}),
        ("A group of people riding a large gray elephant.", "att", {"A group of large people riding a gray elephant."}),
        ("Soccer players in orange and grey uniforms on a field.", "att",
         {"Soccer players in uniforms on an orange and grey field."}),
        # a word the lexicon does not know is a thing, a name a person: never "Traffic holding onto Dad"
        ("Girl holding onto Dad in traffic.", "obj", {"Dad holding onto girl in traffic.", "Girl holding onto traffic in Dad."}),
        # "others" stands for people and moves whole: never "Men watch an other surfing"
        ("Others watch a man surfing.", "obj", {"A man watches others surfing."}),
    ],
)
def test_swap_puts_no_object_where_it_cannot_act_nor_an_attribute_where_it_cannot_be(nlp, caption, subtype, expected):
    assert texts(run(nlp, caption, ["swap"], (subtype,))) == expected


def test_replace_relation_never_gives_a_verb_that_takes_no_object_one(nlp):
    """"puckering his lips holding an orange": the parser makes "lips" the next verb's subject, but a
    phrase right after the verb reads as its object: never "A man kneeling his lips"."""
    out = texts(run(nlp, "A man puckering his lips holding an orange", ["replace"], ("rel",), per_site=8))
    assert out and not [t for t in out if "his lips" in t and "puckering" not in t], out


def test_a_capitalised_colour_read_as_a_name_is_no_object(nlp):
    """The tagger reads the first word of "White ornate seat ..." as a name: never "Television ornate seat
    in nicely decorated room with White.", and a moved "White" is lowered like any first word."""
    caption = "White ornate seat in nicely decorated room with television."
    assert "white" not in {o.lemma for o in parse_text(caption, nlp=nlp).scene.objects}
    out = texts(run(nlp, caption, ["swap"], ("obj",)))
    assert out == {"Television in nicely decorated room with white ornate seat."}  # the room stays the setting


def test_add_attribute_stays_inside_its_noun_phrase_and_never_before_a_pronoun(nlp):
    """"A bird cleans itself": "cleans" is a verb, no attribute whose place decides where "big" goes (never
    "A bird big cleans itself"); "someone" takes no adjective (never "while adult someone looks on")."""
    out = texts(run(nlp, "A bird cleans itself next to a body of water.", ["add"], ("att",), per_site=8))
    assert out and not [t for t in out if re.search(r"bird \w+ cleans", t)], out
    out = texts(run(nlp, "A dog sits on a bed while someone looks on.", ["add"], ("att",), per_site=8))
    assert out and not [t for t in out if "while someone" not in t], out


def test_a_passive_verb_is_replaced_only_by_one_its_subject_can_undergo(nlp):
    """"A person being photographed": never "being laughed", "being sung", "being drunk"."""
    out = texts(run(nlp, "A person being photographed while on a skateboard.", ["replace"], ("rel",), per_site=8))
    verbs = {t.split()[3] for t in out if not t.startswith("A person being photographed")}
    assert verbs == {"ignored"}, out
    out = texts(run(nlp, "The shiny motorcycle has been put on display.", ["replace"], ("rel",), per_site=8))
    assert "The shiny motorcycle has been taken off display." in out


@pytest.mark.parametrize(
    ("caption", "never"),
    [
        ("Several people on surfboards who are riding a wave.", "a wave and"),  # the setting: one place
        ("A man holding a tennis racquet on a court.", "a court and"),
        ("A calico cat drinks water from a faucet.", "water and"),  # never "drinks water and some grass"
        ("A calico cat drinks water from a faucet.", "calico a"),  # never "A calico a dog and cat drink"
        ("An upscale living area containing white and glass furniture.", "glass and"),
    ],
)
def test_add_object_joins_nothing_to_the_setting_nor_inside_a_split_phrase(nlp, caption, never):
    out = texts(run(nlp, caption, ["add"], ("obj",), per_site=8, add_length="longer"))
    assert out and not [t for t in out if never in t], out


def test_the_quickstart_caption_gets_no_path_after_a_still_verb_and_keeps_its_mirror_whole(nlp):
    """"looking out a window": never "posing / sleeping out a window"; "a side view mirror" (split by the
    parser) never lends "side" to the dog ("a side dog ... a view mirror")."""
    caption = "a reflection of a dog looking out a window in a side view mirror"
    out = texts(run(nlp, caption, ["replace", "swap"], ("rel", "att"), per_site=8))
    assert out and not [t for t in out if re.search(r"\w+ing out a window", t) and "looking out" not in t], out
    assert "a reflection of a dog looking away from a window in a side view mirror" in out
    assert not [t for t in out if "side dog" in t], out


def test_a_word_for_a_group_moves_only_onto_a_plural(nlp):
    """"various food items": never "A various collaboration of pictures of food items"."""
    out = texts(run(nlp, "A collaboration of pictures of various food items", ["swap"], ("att",)))
    assert not [t for t in out if "various collaboration" in t], out


@pytest.mark.parametrize(
    ("caption", "subtype", "never"),
    [
        # half a hyphenated word never moves alone
        ("A Man skis using a sail in open snow-packed field.", "obj", "sail-packed"),
        ("A huge, crashing wave is carrying a kneeling wet-suited surfer to shore.", "att", "-suited surfer"),
        # a coordinated subject acts too; a subject the parser read as a quantifier or a compound acts too
        ("A young man and a small boy are talking about a piece of pizza.", "obj", "pizza are talking"),
        ("A group of giraffes drink water in the wilderness.", "obj", "wilderness drinks"),
        ("Three giraffe drinking from a pond with brush in back.", "obj", "pond drinking"),
        # a hand acts: never "A carrot is holding a hand"; posing is for the living: never "A flying kite posing"
        ("A hand is holding a carrot for a llama to chew.", "obj", "carrot is holding"),
        ("Young boy posing in front of a flying kite in the park", "obj", "kite posing"),
        # the setting stays the setting, a garment stays worn
        ("A baby deer and a large deer are standing in the woods.", "obj", "standing in a large deer"),
        ("a lady dressed in khakis standing in a bathroom next to the sink.", "obj", "in the sink next to a bathroom"),
        ("A man taking a bite of a doughnut while wearing glasses.", "obj", "wearing doughnuts"),
        ("Three girls walking down the sidewalk under a sun umbrella.", "att", "down the sun"),
        # a word of no known type, half a modifier, a noun before an adjective: never swapped
        ("A huge, crashing wave is carrying a kneeling wet-suited surfer to shore.", "att", "A kneeling, crashing wave"),
        ("A lime green room with older style furnishings and curtains.", "att", "A style room"),
        ("A dinner plate that has white steamed rice with stir fry vegetables and chicken.", "att", "dinner steamed"),
        ("An Air Force jet flying in a deep blue sky.", "att", "Air Force sky"),
        ("a pretty lady with a red book smiling on a white bed", "att", "a red lady"),
        # body parts stay with their owners; half a compound adjective is no object
        ("A cat with blue eyes sitting on a pink bed.", "obj", "bed with blue eyes"),
        ("A cat with blue eyes sitting on a pink bed.", "obj", "sitting on blue eyes"),
        ("There is a cream colored couch behind the oval coffee table.", "obj", "oval cream"),
    ],
)
def test_swap_keeps_words_where_a_text_only_model_expects_them(nlp, caption, subtype, never):
    """Defects seen in default output (2026-12-06), each read by a text-only model without the image."""
    out = texts(run(nlp, caption, ["swap"], (subtype,)))
    assert not [t for t in out if never in t], out


def test_swap_still_exchanges_settings_garments_and_colours_of_one_kind(nlp):
    assert "Several people are swimming in the beach with two chairs on the ocean." in texts(
        run(nlp, "Several people are swimming in the ocean with two chairs on the beach.", ["swap"], ("obj",)))
    assert "A man in a red hat and a blue shirt." not in texts(run(nlp, "A man in a red hat and a blue shirt.", ["swap"]))
    assert "A woman in a blue shirt and red pants." in texts(
        run(nlp, "A woman in a red shirt and blue pants.", ["swap"], ("att",)))


def test_replace_relation_gives_no_thing_a_verb_only_the_living_do(nlp):
    """"An Air Force jet walking", "a walking kite": never; "a flying kite" -> "a racing kite" may stay."""
    out = texts(run(nlp, "An Air Force jet flying in a deep blue sky.", ["replace"], ("rel",), per_site=12))
    assert out and not [t for t in out if re.search(r"jet (walking|hiking|strolling|swimming|posing)", t)], out
    out = texts(run(nlp, "Young boy posing in front of a flying kite in the park", ["replace"], ("rel",), per_site=12))
    assert out and not [t for t in out if re.search(r"(walking|swimming|strolling|wandering) kite", t)], out


def test_a_caption_in_capitals_gets_capital_substitutes(nlp):
    out = texts(run(nlp, "MAN ON A CONTRAPTION, SURROUNDED BY A BICYCLE AND ANOTHER PERSON", ["replace"], ("obj",)))
    assert out and all(t == t.upper() for t in out), out


def test_replace_object_regenders_the_pronouns_of_the_one_person(nlp):
    """"A girl feeding four giraffes at a zoo from his hand": never; with two people, pronouns are unsure
    and stay."""
    out = texts(run(nlp, "A little girl brushing her teeth while she smiles at herself.", ["replace"], ("obj",)))
    assert "A little boy brushing his teeth while he smiles at himself." in out
    assert not [t for t in out if re.search(r"\b(boy|man)\b.*\b(her|she|herself)\b", t)], out
    out = texts(run(nlp, "A woman and a man walking her dog.", ["replace"], ("obj",), per_site=12))
    assert "A woman and a boy walking her dog." in out  # two people: "her" is not surely the man's
    out = texts(run(nlp, "A boy hugging her.", ["replace"], ("obj",)))
    assert "A girl hugging her." in out  # an object pronoun "her" is someone else's


def test_replace_object_never_leaves_a_countable_noun_bare(nlp):
    """"watching TV" -> never "watching laptop" (nor "watching a laptop", a word longer than its caption)."""
    out = texts(run(nlp, "A family watching TV in the living room.", ["replace"], ("obj",)))
    assert "A family watching TV in the kitchen." in out
    assert not [t for t in out if re.search(r"watching (a )?(phone|laptop|remote|camera|computer)\b", t)], out
    # what is drunk stays a drink (water files under terrain): never "drinking sand"
    out = texts(run(nlp, "A man drinking water at a table.", ["replace"], ("obj",), per_site=12))
    assert out and not [t for t in out if re.search(r"drinking (grass|sand|dirt|mud|snow)", t)], out
    # headline style keeps its style; benchmarks' own bare nouns are reproduced in replicate
    assert "Woman riding horse on beach." in texts(run(nlp, "Man riding horse on beach.", ["replace"], ("obj",)))
    assert "A family watching phone in the living room." in texts(
        run(nlp, "A family watching TV in the living room.", ["replace"], ("obj",), plausibility=False, per_site=12))


def test_a_quantified_subject_keeps_its_kind_and_a_stand_in_noun_its_count(nlp):
    """"Two slices of pizza are walking": never; "while others run" -> never "while an other runs"."""
    out = texts(run(nlp, "Two slices of pizza are sitting on a paper plate.", ["replace"], ("rel",), per_site=12))
    assert out and not [t for t in out if re.search(r"are (walking|sleeping|jumping|swimming|posing)", t)], out
    out = texts(run(nlp, "Man flying a kite on the beach while others run along the sand.", ["replace"], ("att",)))
    assert "Man flying two kites on the beach while others run along the sand." in out
    assert not [t for t in out if " other runs" in t], out


def test_a_noun_the_tagger_read_as_an_adjective_stays_part_of_its_name(nlp):
    """"sink" in "a toilet and sink combination" is tagged ADJ: ADD never splits the name ("a toilet and sink
    white combination"), and nothing the caption names comes in again, as a new object, a replaced one or a
    replaced modifier ("a toilet and a sink and sink combination", "a sink and sink combination", "a toilet
    and toilet combination")."""
    caption = "A tan toilet and sink combination in a small room."
    parse = parse_text(caption, nlp=nlp)
    assert [o.lemma for o in parse.scene.objects] == ["toilet", "sink combination", "room"]
    out = texts(run(nlp, caption, ["add", "replace"], per_site=8))
    assert "A tan toilet and a shower and sink combination in a small room." in out
    assert "A tan toilet and big sink combination in a small room." in out
    for never in ("sink white combination", "and a sink and sink", "sink and sink", "toilet and toilet"):
        assert not [t for t in out if never in t], (never, out)


def test_a_person_whose_pronoun_cannot_follow_keeps_its_gender(nlp):
    """"A woman ... with her child": "her" may be the woman's or not (two people), so it is not changed,
    and the woman is never replaced by a man ("A man standing ... with her child"). With one person the
    pronoun goes along ("A girl ... her hand" -> "A boy ... his hand")."""
    out = texts(run(nlp, "A woman standing on the side walk with her child.", ["replace"], ("obj",), per_site=8))
    assert "A girl standing on the side walk with her child." in out
    assert not [t for t in out if re.match(r"A (man|boy|guy|father|grandfather|groom) ", t)], out
    out = texts(run(nlp, "A girl feeding giraffes from her hand.", ["replace"], ("obj",), per_site=8))
    assert "A boy feeding giraffes from his hand." in out


def test_no_negative_puts_one_word_on_both_sides_of_a_joining_word(nlp):
    """"A man on a motorcycle is waving at two men": never "A man on a man is waving at two motorcycles"."""
    out = texts(run(nlp, "A man on a motorcycle is waving at two men.", ["swap", "add", "replace"], per_site=8))
    assert out and not [t for t in out if re.search(r"\b(\w+) (on|and|with) (a |two )?\1\b", t, re.I)], out


@pytest.mark.parametrize(
    ("caption", "never"),
    [
        # a person "in" a garment is at most without it
        ("A man in a red shirt tossing a white frisbee.", r"man (on|at|under|behind|near|above) a red shirt"),
        ("A person in a helmet is riding a skateboard.", r"person (on|on top of|at|under|inside of) a helmet"),
        # a verb with an adjective after it becomes only one that links one
        ("A man in a purple shirt and matching tie looking pensive.", r"(smiling|talking|walking|sitting) pensive"),
        # a verb used as an adjective before its noun is no relation
        ("A dinner plate that has white steamed rice with stir fry vegetables.", r"white (?!steamed)\w+ rice"),
        # a verb done on a place takes no thing as its object
        ("A man in a red shirt tossing a white frisbee.", r"(surfing|skiing|skateboarding|sailing|swimming) a white"),
        ("A young man hitting a ball with a racquet.", r"(surfing|skiing|skateboarding|sailing|snowboarding) a ball"),
    ],
)
def test_replace_relation_keeps_what_the_verb_or_preposition_governs_plausible(nlp, caption, never):
    out = texts(run(nlp, caption, ["replace"], ("rel",), per_site=8))
    assert not [t for t in out if re.search(never, t)], out


def test_a_verb_done_on_a_place_still_replaces_one_done_on_a_place(nlp):
    out = texts(run(nlp, "A man on a surfboard surfing a large wave.", ["replace"], ("rel",), per_site=8))
    assert "A man on a surfboard skiing a large wave." in out


def test_replace_object_keeps_the_modifiers_in_default_output(nlp):
    """"A little girl" -> "A boy" loses a true word besides and is shorter than its caption (a learned
    adversary's mark); default output keeps the modifiers, `replicate` (no plausibility rules) still
    replaces the phrase as benchmarks do."""
    out = texts(run(nlp, "A little girl playing tennis.", ["replace"], ("obj",), per_site=8))
    assert "A little boy playing tennis." in out and "A boy playing tennis." not in out
    out = texts(run(nlp, "A little girl playing tennis.", ["replace"], ("obj",), per_site=8, plausibility=False))
    assert "A boy playing tennis." in out


def test_food_trades_places_only_with_food(nlp):
    """"A bowl of food resting on top of a table": never "a bowl of a table resting on top of food"; "A
    sandwich is sitting in a white plate": never "A white plate is sitting in a sandwich"."""
    out = texts(run(nlp, "A banana and a nearly empty bowl of food resting on top of a table.", ["swap"], ("obj", "rel")))
    assert out
    assert not [t for t in out if "bowl of a table" in t or "on top of food" in t or "on top of a banana" in t], out
    out = texts(run(nlp, "A sandwich is sitting in a white plate on top of a wood table.", ["swap"], ("obj", "rel")))
    assert not [t for t in out if "in a sandwich" in t or t.startswith(("A white plate", "A wood table"))], out
    out = texts(run(nlp, "A banana sitting on top of a white plate next to a pastry.", ["swap"], ("obj",)))
    assert "A pastry sitting on top of a white plate next to a banana." in out


@pytest.mark.parametrize(
    ("caption", "expected", "never"),
    [
        # the noun before "of" stays with its phrase; the noun after it may move
        ("A cup sits on the edge of a white tub in a bathroom.", "A white tub sits on the edge of a cup in a bathroom.",
         "The edge sits"),
        ("Plate of food that includes chicken, beans and a pickle.", None, "Food of plate"),
        # a verb with a complement does not move without it; an infinitive does not move
        ("A boy getting ready to blow out birthday candles with a girl watching.",
         "A girl getting ready to blow out birthday candles with a boy watching.", "watching ready"),
        ("A bus stopped at a curb to allow people to board the bus.", None, "people to allow"),
    ],
)
def test_swap_keeps_of_phrases_and_verb_complements_together(nlp, caption, expected, never):
    out = texts(run(nlp, caption, ["swap"], ("obj", "rel")))
    assert expected is None or expected in out, out
    assert not [t for t in out if never.lower() in t.lower()], out


@pytest.mark.parametrize(
    ("caption", "never"),
    [
        ("A bedroom with two beds and a desk to one side and a small window on the opposite side.", "side on a"),
        ("A grassy hill side with some animals in the distance", "the distance with"),
        ("A cat is laying on sofa and the dog is laying on the floor in front.", "front is laying"),
    ],
)
def test_a_word_for_where_something_is_trades_no_places(nlp, caption, never):
    """"side", "distance", "front" say where something is, relative to something else: swapped, they read as
    things ("the opposite side on a small window")."""
    out = texts(run(nlp, caption, ["swap"], ("obj", "rel")))
    assert not [t for t in out if never.lower() in t.lower()], out
