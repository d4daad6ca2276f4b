"""The value classes (toolkit/text/frozen.py) have hand-written `__init__`s, so that mypyc builds them
natively: each must take exactly its dataclass fields, in order, with the same defaults, and the class
must still compare, hash and pickle by value. Runs against whichever build is in use."""

import dataclasses
import pickle

import pytest

from toolkit.generation.operators.base import Candidate, Change, Edit, Fix, Site, Skip
from toolkit.generation.operators.counting import CountReading
from toolkit.generation.operators.moved import Construction
from toolkit.generation.operators.neutral import Deletion
from toolkit.generation.realize import Realized
from toolkit.text.parse import Token
from toolkit.text.scene import Attribute, Relation, Scene, SceneObject

DELETION = Deletion(3, 5, 2, 9, "a red", "modifier")
CHANGE = Change(1, 2, ("red",))
EDIT = Edit("replace", "att", ((1, 2),), ("blue",), ("red",), (CHANGE,), ((2, "sing"),), "color", 1)
# One instance's fields per class, in field order, every optional one set to something but its default.
SAMPLES = {
    Change: dict(start=1, end=2, words=("red",)),
    Edit: dict(operator="replace", subtype="att", spans=((1, 2),), words_out=("blue",), words_in=("red",),
               changes=(CHANGE,), number=((2, "sing"),), detail="color", rank=1),
    Fix: dict(position=0, old="a", new="an", reason="article"),
    Candidate: dict(id="c1", caption="a blue car", text="a red car", edits=(EDIT,), fixes=(), parent="p0",
                    length_delta=0),
    Skip: dict(operator="swap", subtype="obj", reason="one object"),
    CountReading: dict(obj=0, start=0, numeral_start=1, end=2, low=2, high=2, style="word", determiner="the",
                       noun=3, number="plur", fixed=True),
    Construction: dict(deletion=DELETION, connector=("on",), before_noun=("a",), obj=1, governor=0, subject=2),
    Deletion: dict(start=3, end=5, words=2, chars=9, text="a red", kind="modifier"),
    Token: dict(i=0, text="Dogs", lemma="dog", pos="NOUN", tag="NNS", dep="nsubj", head=1, ws=" "),
    SceneObject: dict(head=2, start=0, noun_start=1, det=0, number="sing", lemma="stop sign", phrase_end=5),
    Attribute: dict(start=1, end=2, obj=0, kind="amod", lemma="red", type="color"),
    Relation: dict(start=3, end=4, kind="prep", lemma="on", subj=0, obj=1, verb=2),
    Scene: dict(objects=(SceneObject(2, 0, 1, 0, "sing", "dog"),), attributes=(), relations=()),
    Site: dict(operator="add", subtype="att", choices=["red"], build=lambda choice, rank: EDIT, priority=2,
               group="neutral"),
    Realized: dict(text="a red car", fixes=(Fix(0, "a", "an", "article"),), length_delta=1),
}
VALUE_CLASSES = [cls for cls in SAMPLES if cls not in (Site, Realized)]  # the other two are mutable


def _other(value):
    """A different value of the same type (None for the value of an optional object field)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, tuple):
        return (*value, *value) if value else (CHANGE,)
    if isinstance(value, Deletion):
        return Deletion(0, 1, 1, 4, "old", "modifier")
    return None


@pytest.mark.parametrize("cls", SAMPLES, ids=lambda c: c.__name__)
def test_init_takes_every_field_by_name_and_position(cls):
    values = SAMPLES[cls]
    assert list(values) == [f.name for f in dataclasses.fields(cls)]
    by_name = cls(**values)
    by_position = cls(*values.values())
    for name, value in values.items():
        assert getattr(by_name, name) == value
        assert getattr(by_position, name) == value
    with pytest.raises(TypeError):
        cls(**values, not_a_field=1)


@pytest.mark.parametrize("cls", SAMPLES, ids=lambda c: c.__name__)
def test_init_defaults_are_the_fields_defaults(cls):
    values = SAMPLES[cls]
    fields = dataclasses.fields(cls)
    obj = cls(**{f.name: values[f.name] for f in fields if f.default is dataclasses.MISSING})
    for f in fields:
        if f.default is not dataclasses.MISSING:
            assert getattr(obj, f.name) == f.default != values[f.name], f.name


@pytest.mark.parametrize("cls", VALUE_CLASSES, ids=lambda c: c.__name__)
def test_value_classes_compare_hash_and_pickle_by_value(cls):
    values = SAMPLES[cls]
    a, b = cls(**values), cls(**values)
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert pickle.loads(pickle.dumps(a)) == a
    for f in dataclasses.fields(cls):
        other = cls(**{**values, f.name: _other(values[f.name])})
        assert (other != a) == f.compare, f.name  # Edit.rank is not compared


def test_a_generated_candidate_round_trips(nlp):
    from toolkit.generation.operators import GenerationConfig, generate
    from toolkit.text.parse import parse_text

    gen = generate(parse_text("A black dog chasing a white cat on a red sofa.", nlp=nlp), GenerationConfig())
    for cand in gen.candidates:
        copy = pickle.loads(pickle.dumps(cand))
        assert copy == cand and hash(copy) == hash(cand) and copy.provenance() == cand.provenance()
