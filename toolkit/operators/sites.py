"""Helpers the operators share for reading sites off a parse's scene."""

from __future__ import annotations

from toolkit.lexicon import Lexicon
from toolkit.parse import Parse
from toolkit.scene import SUBJECT_DEPS, Scene, SceneObject


def words(parse: Parse, start: int, end: int) -> tuple[str, ...]:
    """Source words of tokens [start, end)."""
    return tuple(t.text for t in parse.tokens[start:end])


def is_finite_subject(parse: Parse, obj: SceneObject) -> bool:
    """True when the object is the subject of a verb whose form agrees in number."""
    return parse.tokens[obj.head].dep in SUBJECT_DEPS


def conjuncts(parse: Parse, a: SceneObject, b: SceneObject) -> bool:
    """True when the two objects are coordinated ("a dog and a cat"): swapping them changes nothing."""
    ta, tb = parse.tokens[a.head], parse.tokens[b.head]
    if tb.dep == "conj" and tb.head == a.head or ta.dep == "conj" and ta.head == b.head:
        return True
    return ta.dep == tb.dep == "conj" and ta.head == tb.head


# Words that join two phrases the way "and" does: whatever relates to one relates to both.
CONJOINING = {"and", "or", ",", "with", "together with", "along with", "as well as"}


def joined_symmetrically(parse: Parse, lex: Lexicon, a: SceneObject, b: SceneObject) -> str | None:
    """The word(s) between two phrases when they only conjoin them ("a vase *with* a sunflower", "a
    dog *and* a cat"): swapping such neighbours keeps the meaning. Spatial symmetric relations ("a
    pizza next to a salad") are left to `symmetric_link`, since other words may still tell the two
    apart ("cutting a pizza next to a salad")."""
    first, second = (a, b) if a.start < b.start else (b, a)
    between = " ".join(t.lower for t in parse.tokens[first.full_end : second.start])
    return between if between in CONJOINING else None


def symmetric_link(scene: Scene, lex: Lexicon, ka: int, kb: int) -> str | None:
    """The symmetric relation ("next to", "with", ...) linking objects ka and kb when it is all that
    tells them apart: swapping "a dog next to a cat" changes nothing, but swapping the girl and the lamp
    in "a girl sitting on a bed next to a lamp" moves the girl off the bed."""
    link = next(
        (r.lemma for r in scene.relations if {r.subj, r.obj} == {ka, kb} and lex.is_symmetric(r.lemma)), None
    )
    if link is None:
        return None
    others = [r for r in scene.relations if {r.subj, r.obj} & {ka, kb} and {r.subj, r.obj} != {ka, kb}]
    return None if any(r.subj is not None and r.obj is not None or r.kind == "verb" for r in others) else link


def object_lemma_in_lexicon(lex: Lexicon, obj: SceneObject) -> tuple[str, bool] | None:
    """The lemma to look up for an object: the full noun unit if known, else its head noun.

    Returns (lemma, whole_unit) or None when neither is in the lexicon.
    """
    if lex.is_object(obj.lemma):
        return obj.lemma, True
    head = obj.lemma.split(" ")[-1]
    if head != obj.lemma and lex.is_object(head):
        return head, False
    return None


def after_determiner(parse: Parse, obj: SceneObject) -> int:
    """The position right after the phrase's determiner (or its start when it has none):
    "a [large brown dog]", "a [pair of shoes]"."""
    for i in range(obj.start, obj.noun_start):
        if parse.tokens[i].dep in {"det", "poss"} or parse.tokens[i].pos == "DET":
            return i + 1
    return obj.start


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]
