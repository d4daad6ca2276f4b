import pytest

from toolkit.text.morph import agree_verb, indefinite_article, inflect_noun, inflect_verb, pluralize


@pytest.mark.parametrize(
    ("word", "article"),
    [("dog", "a"), ("apple", "an"), ("orange", "an"), ("hour", "an"), ("umbrella", "an"), ("unicorn", "a"),
     ("european", "a"), ("one", "a"), ("elephant", "an"), ("university", "a"), ("honest", "an"), ("x", "an")],
)
def test_indefinite_article(word, article):
    assert indefinite_article(word) == article


def test_plurals_regular_irregular_and_multiword():
    assert pluralize("dog") == "dogs"
    assert pluralize("man") == "men"
    assert pluralize("bus") == "buses"
    assert pluralize("stop sign") == "stop signs"
    assert pluralize("person", "people") == "people"
    assert inflect_noun("dog", "sing") == "dog"
    assert inflect_noun("child", "plur", "children") == "children"


def test_verb_inflection_keeps_particles():
    assert inflect_verb("ride", "VBG") == "riding"
    assert inflect_verb("sit", "VBZ") == "sits"
    assert inflect_verb("look at", "VBG") == "looking at"
    assert inflect_verb("stand", "VBP") == "stand"


def test_agreement():
    assert agree_verb("is", "be", "VBZ", "plur") == "are"
    assert agree_verb("Are", "be", "VBP", "sing") == "Is"
    assert agree_verb("sits", "sit", "VBZ", "plur") == "sit"
    assert agree_verb("sit", "sit", "VBP", "sing") == "sits"
    assert agree_verb("sitting", "sit", "VBG", "plur") is None
    assert agree_verb("was", "be", "VBD", "plur") == "were"
