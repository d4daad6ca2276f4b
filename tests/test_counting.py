"""Counts as attributes (issue 16): a count replaced by one that contradicts it, in the caption's style,
with the noun, the verb and "there is/are" agreeing; no artefacts such as "exactly many" or "a lone"."""

import pytest

from toolkit.generation.operators import GenerationConfig, generate
from toolkit.generation.operators.counting import count_choices, numeral_value, read_count
from toolkit.text.parse import parse_text


def counted(nlp, caption, per_site=8):
    """Candidates of the count edits only, in generation order."""
    config = GenerationConfig(operators=("replace",), subtypes=("att",), per_site=per_site, max_candidates=60)
    gen = generate(parse_text(caption, nlp=nlp), config)
    return [c.text for c in gen.candidates if c.edits[0].detail.startswith("count:")]


def test_a_numeral_after_exactly_stays_a_digit_nearby_counts_first(nlp):
    out = counted(nlp, "There are exactly 4 wheels on the skateboard.")
    assert out == [
        "There are exactly 3 wheels on the skateboard.",
        "There are exactly 5 wheels on the skateboard.",
        "There are exactly 2 wheels on the skateboard.",
        "There are exactly 6 wheels on the skateboard.",
        "There are exactly 0 wheels on the skateboard.",
        "There is exactly 1 wheel on the skateboard.",
        "There are exactly 7 wheels on the skateboard.",
        "There are exactly 8 wheels on the skateboard.",
    ]
    assert counted(nlp, "There are exactly 4 wheels on the skateboard.", per_site=4) == out[:4]


def test_one_becomes_many_with_noun_and_there_are_agreeing(nlp):
    assert counted(nlp, "There is exactly 1 zebra.") == [
        "There are exactly 0 zebras.", "There are exactly 2 zebras.", "There are exactly 3 zebras.",
        "There are exactly 4 zebras.", "There are exactly 5 zebras.", "There are exactly 6 zebras.",
        "There are exactly 7 zebras.", "There are exactly 8 zebras.",
    ]


def test_number_words_stay_words_and_other_counts_replace_exactly_too(nlp):
    out = counted(nlp, "There are exactly four cats.")
    assert out == [
        "There are exactly three cats.", "There are exactly five cats.", "There are exactly two cats.",
        "There are exactly six cats.", "There is a single cat.", "There is exactly one cat.", "There is a cat.",
    ]
    out = counted(nlp, "Exactly one plane is flying away.")
    assert out == [
        "Exactly two planes are flying away.", "Exactly three planes are flying away.",
        "Some planes are flying away.", "A number of planes are flying away.", "Several planes are flying away.",
        "Many planes are flying away.", "A few planes are flying away.", "Exactly four planes are flying away.",
    ]


def test_a_quantity_becomes_one_and_the_verb_agrees(nlp):
    out = counted(nlp, "A number of people are walking around a plaza.", per_site=4)
    assert out[:2] == ["A single person is walking around a plaza.", "One person is walking around a plaza."]
    assert "Exactly one person is walking around a plaza." in out
    assert "A number of people are walking around two plazas." in out  # the article counts one plaza


def test_a_group_made_one_takes_its_pronouns_along(nlp):
    assert counted(nlp, "Some giraffes stand near the fence of their enclosure.") == [
        "A single giraffe stands near the fence of its enclosure.",
        "One giraffe stands near the fence of its enclosure.",
        "Exactly one giraffe stands near the fence of its enclosure.",
        "A giraffe stands near the fence of its enclosure.",
        "A lone giraffe stands near the fence of its enclosure.",
        "A solitary giraffe stands near the fence of its enclosure.",
    ]


def test_existence_there_is_a_and_there_are_no(nlp):
    assert counted(nlp, "There is a dog on the bed.", per_site=3) == [
        "There are no dogs on the bed.", "There are two dogs on the bed.", "There are some dogs on the bed.",
    ]
    assert counted(nlp, "There are no horses in the field.", per_site=3) == [
        "There is a horse in the field.", "There is one horse in the field.", "There are two horses in the field.",
    ]


def test_plurals_and_singulars(nlp):
    out = counted(nlp, "Giraffes stand in a field.")
    assert "A giraffe stands in a field." in out and "One giraffe stands in a field." in out
    assert "Giraffes stand in two fields." in out
    assert not any(t.startswith(("Two giraffes", "Some giraffes", "No giraffes")) for t in out)  # still true
    out = counted(nlp, "A giraffe eats leaves.")
    assert "Two giraffes eat leaves." in out and "A giraffe eats a leaf." in out
    assert not any(t.startswith("No ") for t in out)  # "no" only after "there is/are"


def test_determiners_keep_to_numerals(nlp):
    assert counted(nlp, "These two dogs play.", per_site=3) == [
        "These three dogs play.", "These four dogs play.", "These five dogs play."]
    assert counted(nlp, "The single tree stands.") == [
        "The two trees stand.", "The three trees stand.", "The four trees stand."]


def test_no_artefacts_of_negatives(nlp):
    captions = ["There are exactly 4 wheels on the skateboard.", "There is exactly 1 zebra.",
                "Three women walk a dog.", "A pair of black boots stand next to a red umbrella.",
                "A group of zebras stand in the grass.", "Two dogs sleeping under a wooden table."]
    for caption in captions:
        for text in counted(nlp, caption):
            low = text.lower()
            assert not any(w in low for w in ("exactly many", "exactly a ", "exactly some", "exactly several",
                                              "exactly both", "there are a ", "there is two", "exactly no"))
            assert "one people" not in low and "a people" not in low


ONE = ["a single", "one", "exactly one", "a", "a lone", "a solitary"]


@pytest.mark.parametrize("caption, choices", [
    ("Two dogs play.", ["one", "three", "four", ONE[0], *ONE[2:], "many", "five", "six", "seven", "eight", "nine"]),
    ("Several cows stand in a field.", ONE),
    ("A couple of dogs play on the beach.", [*ONE, "many", "four", "five"]),
    ("Many cows stand in a field.", [*ONE, "a few", "two", "three", "four"]),
])
def test_a_count_never_becomes_one_that_could_still_be_true(nlp, caption, choices):
    reading = read_count(parse_text(caption, nlp=nlp), 0)
    assert reading is not None
    assert count_choices(parse_text(caption, nlp=nlp), reading) == choices


def test_mass_nouns_and_definite_plurals_have_no_count(nlp):
    assert read_count(parse_text("Some water in a glass.", nlp=nlp), 0) is None
    assert read_count(parse_text("The dogs play.", nlp=nlp), 0) is None
    assert counted(nlp, "Some luggage sits on a cart.", per_site=60) == [
        "Some luggage sits on two carts.", "Some luggage sits on some carts.",
        "Some luggage sits on a number of carts.", "Some luggage sits on several carts.",
        "Some luggage sits on many carts.", "Some luggage sits on three carts.", "Some luggage sits on a few carts."]


def test_numeral_value():
    assert [numeral_value(w) for w in ("4", "four", "zero", "many", "1950")] == [4, 4, 0, None, None]


def test_rare_count_words_are_drawn_as_rarely_as_captions_use_them(nlp):
    """With a caption model, a site draws its choices by how often captions use them: where captions say
    "a single" and "one" but never "lone" or "solitary", negatives seldom do (no marker of negatives)."""
    from collections import Counter

    from toolkit.generation.caption_lm import CaptionLM

    lm = CaptionLM(["A single giraffe stands in a field.", "A man holds a single banana.", "One dog plays.",
                    "Two dogs play on the beach.", "Some cows stand in a field.", "One man and one woman."] * 5)
    parse = parse_text("Some giraffes stand near the fence.", nlp=nlp)
    drawn: Counter = Counter()
    for seed in range(20):
        config = GenerationConfig(operators=("replace",), subtypes=("att",), per_site=2, seed=seed,
                                  max_plausibility_drop=None)
        drawn.update(c.edits[0].detail.split("->")[1] for c in generate(parse, config, lm=lm).candidates)
    assert sum(drawn.values()) == 40
    assert drawn["a lone"] + drawn["a solitary"] + drawn["exactly one"] <= 4, drawn
    assert drawn["a single"] >= 5 and drawn["a"] >= 10, drawn


def test_a_count_keeps_its_number_where_what_agrees_could_not_follow(nlp):
    assert counted(nlp, "A couple of little girls sitting next to each other.") == [
        "Many little girls sitting next to each other.", "Four little girls sitting next to each other.",
        "Five little girls sitting next to each other."]
    assert counted(nlp, "a young girl is getting her temperature taken") == []  # never "three girls ... her"
    assert not any(t.startswith(("Some batters", "Two batters")) for t in counted(
        nlp, "A batter, catcher and umpire in a baseball game."))  # one count for the three


def test_count_edits_pass_the_validity_rules(nlp):
    from toolkit.evaluation.filters.rules import validity_issues

    for caption in ("There are exactly 4 wheels on the skateboard.", "A giraffe eats leaves.",
                    "Some tall giraffes stand in a field."):
        parse = parse_text(caption, nlp=nlp)
        config = GenerationConfig(operators=("replace",), subtypes=("att",), per_site=8, max_candidates=60)
        for cand in generate(parse, config).candidates:
            assert validity_issues(caption, cand.text, cand.provenance(), parse) == [], cand.text
