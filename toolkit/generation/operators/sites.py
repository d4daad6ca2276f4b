"""Helpers the operators share for reading sites off a parse's scene."""

from __future__ import annotations

from typing import Final

from toolkit.text.lexicon import Lexicon
from toolkit.text.morph import countable, match_case
from toolkit.text.parse import Parse
from toolkit.text.scene import SUBJECT_DEPS, Scene, SceneObject, verbs_read_as_nouns


def words(parse: Parse, start: int, end: int) -> tuple[str, ...]:
    """Source words of tokens [start, end)."""
    return tuple(t.text for t in parse.tokens[start:end])


def is_finite_subject(parse: Parse, obj: SceneObject) -> bool:
    """True when the object is the subject of a verb whose form agrees in number (also of a verb the
    tagger read as a noun: "A surfer *paddles*")."""
    tok = parse.tokens[obj.head]
    return tok.dep in SUBJECT_DEPS or tok.head == obj.head + 1 and tok.head in verbs_read_as_nouns(parse)


def conjuncts(parse: Parse, a: SceneObject, b: SceneObject) -> bool:
    """True when the two objects are coordinated ("a dog and a cat"): swapping them changes nothing."""
    ta, tb = parse.tokens[a.head], parse.tokens[b.head]
    if tb.dep == "conj" and tb.head == a.head or ta.dep == "conj" and ta.head == b.head:
        return True
    return ta.dep == tb.dep == "conj" and ta.head == tb.head


# Words that join two phrases the way "and" does: whatever relates to one relates to both.
CONJOINING: Final = {"and", "or", ",", "with", "together with", "along with", "as well as"}


def joined_symmetrically(parse: Parse, lex: Lexicon, a: SceneObject, b: SceneObject) -> str | None:
    """The word(s) between two phrases when they only conjoin them ("a vase *with* a sunflower", "a
    dog *and* a cat"): swapping such neighbours keeps the meaning. Spatial symmetric relations ("a
    pizza next to a salad") are left to `symmetric_link`, since other words may still tell the two
    apart ("cutting a pizza next to a salad")."""
    first, second = (a, b) if a.start < b.start else (b, a)
    between = " ".join(t.lower for t in parse.tokens[first.full_end : second.start])
    return between if between in CONJOINING else None


def symmetric_link(scene: Scene, lex: Lexicon, ka: int, kb: int, stationary: bool = False) -> str | None:
    """The symmetric relation ("next to", "with", ...) linking objects ka and kb when it is all that
    tells them apart: swapping "a dog next to a cat" (or "a cat sitting next to a dog") changes nothing,
    but swapping the girl and the lamp in "a girl sitting on a bed next to a lamp" moves the girl off the
    bed. With `stationary`, a verb of staying in place with no object of its own ("sitting", "parked")
    tells neither apart either: the phrases swap to (nearly) the same scene."""
    link = next(
        (r.lemma for r in scene.relations if {r.subj, r.obj} == {ka, kb} and lex.is_symmetric(r.lemma)), None
    )
    if link is None:
        return None
    others = [r for r in scene.relations if {r.subj, r.obj} & {ka, kb} and {r.subj, r.obj} != {ka, kb}]
    telling = [r for r in others if r.subj is not None and r.obj is not None
               or r.kind == "verb" and not (stationary and r.obj is None and lex.is_stationary(r.lemma))]
    return None if telling else link


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


def named_things(parse: Parse, lex: Lexicon) -> set[str]:
    """Every thing the caption names, for substitutes to avoid: its objects' lemmas and each of their
    words, and every noun or known object word wherever it stands, a modifier too ("sink" in "a toilet and
    sink combination": never "a toilet and a sink and sink combination", "a sink and sink combination")."""
    out = {o.lemma for o in parse.scene.objects}
    out |= {w for o in parse.scene.objects for w in o.lemma.split(" ")}
    for tok in parse.tokens:
        if tok.pos in {"NOUN", "PROPN"} or lex.is_object(tok.lower):
            out.add(tok.lemma.lower())
            out.add(tok.lower)
    return out


def after_determiner(parse: Parse, obj: SceneObject) -> int:
    """The position right after the phrase's determiner (or its start when it has none):
    "a [large brown dog]", "a [pair of shoes]"."""
    for i in range(obj.start, obj.noun_start):
        if parse.tokens[i].dep in {"det", "poss"} or parse.tokens[i].pos == "DET":
            return i + 1
    return obj.start


# Words an "a" goes with to say a quantity ("a few", "a couple of"): that "a" is no singular determiner.
QUANTITY_WORDS: Final = frozenset({"few", "couple", "lot", "lots", "dozen", "bunch", "number", "pair", "handful",
                                   "group", "herd", "flock", "variety", "set", "row", "pile", "stack", "collection"})


def leading_determiner(parse: Parse, obj: SceneObject, before: int) -> str | None:
    """The first determiner of an object's phrase before token `before`, whatever it determines ("*a*
    herd of cows"), lower case."""
    for i in range(obj.start, min(before, obj.noun_start)):
        tok = parse.tokens[i]
        if tok.dep in {"det", "poss", "predet"} or tok.pos == "DET":
            return tok.lower
    return None


def determiner_of(parse: Parse, obj: SceneObject, before: int) -> str | None:
    """The determiner of an object's noun before token `before` ("the", "some", "their"), lower case; the
    one of a quantity it is measured by does not count ("*a* herd of cows", "*a* few cows")."""
    toks = parse.tokens
    end = min(before, obj.noun_start)
    first = max([obj.start] + [i + 1 for i in range(obj.start, end) if toks[i].lower == "of"])
    for i in range(first, end):
        tok = toks[i]
        if tok.lower in {"a", "an"} and i + 1 < len(toks) and toks[i + 1].lower in QUANTITY_WORDS:
            continue
        if tok.dep in {"det", "poss", "predet"} or tok.pos == "DET":
            return tok.lower
    return None


SINGULAR_DETERMINERS: Final = frozenset({"a", "an", "one", "each", "every", "another"})
# Lexicon categories of people ("a man", "a skier").
PERSONS: Final = frozenset({"person", "person_role"})
# Categories of the scene's setting ("on a beach", "in a kitchen", "in the sky"): a caption has one.
SETTINGS: Final = frozenset({"terrain", "place", "room", "sky"})
# Categories of what people wear ("in a red dress", "wearing glasses").
WORN: Final = frozenset({"clothing", "accessory"})
# Verbs whose object is worn: what replaces it or joins it is worn too ("wearing a collar": never "wearing
# an umbrella", "wearing a collar and a briefcase").
WEARING: Final = frozenset({"wear", "have on", "dress in", "sport", "put on", "take off"})


def taken_by(parse: Parse, k: int, verbs: frozenset[str]) -> bool:
    """Whether object k is what one of these verbs takes ("wearing a *collar*", "drinking *water*")."""
    return any(r.kind == "verb" and r.obj == k and r.lemma in verbs for r in parse.scene.relations)


def wearable(lex: Lexicon, lemma: str) -> bool:
    """Clothing, or an accessory that is worn (glasses, a watch, a collar) rather than carried (a bag, an
    umbrella, a leash)."""
    entry = lex.object_entry(lemma)
    return entry is not None and (entry.category == "clothing" or (entry.category == "accessory" and entry.group == "worn"))


# Gendered words for people the lexicon does not relate to "man" / "woman" ("son", "queen").
_MALE: Final = frozenset({"son", "brother", "king", "prince", "uncle", "nephew", "grandfather", "grandpa", "boyfriend"})
_FEMALE: Final = frozenset({"daughter", "sister", "queen", "princess", "aunt", "niece", "grandmother", "grandma",
                            "girlfriend"})
# A pronoun for the other gender: "her" is "his" as a possessive (PRP$), "him" as an object.
_TO_FEMALE: Final = {"he": "she", "him": "her", "his": "her", "himself": "herself"}
_TO_MALE: Final = {"she": "he", "hers": "his", "herself": "himself"}


def gender(lex: Lexicon, lemma: str) -> str | None:
    """"male", "female" or None for a person noun: "man", "boy" and their kinds ("father", "guy"),
    "woman", "girl" and theirs; "policeman" by its ending."""
    for kinds, word_set, name in ((("woman", "girl"), _FEMALE, "female"), (("man", "boy"), _MALE, "male")):
        if lemma in word_set or lemma.endswith(kinds[0]) and lemma != "human":
            return name
        if any(lex.object_relation(lemma, k) in {"same", "synonym", "hypernym"} for k in kinds):
            return name
    return None


def _sole_person(parse: Parse, lex: Lexicon, k: int) -> bool:
    """Whether object k is the caption's one person in the singular: the pronouns after it are its own."""
    objs = parse.scene.objects
    persons = [o for o in objs if o.number == "sing" and lex.object_category(o.lemma.rsplit(" ", 1)[-1]) in PERSONS]
    return persons == [objs[k]]


_PRONOUNS_OF: Final = {"female": frozenset({"she", "her", "hers", "herself"}), "male": frozenset({"he", "him", "his", "himself"})}


def gender_held_by_pronouns(parse: Parse, lex: Lexicon, k: int) -> str | None:
    """Object k's gender when a pronoun of that gender follows it that a replacement cannot take along
    (the caption has another person in the singular, so `regendered_pronouns` leaves it): "A woman ...
    with *her* child" never becomes "A man ... with her child"."""
    objs = parse.scene.objects
    own = gender(lex, objs[k].lemma.rsplit(" ", 1)[-1])
    if own is None or objs[k].number != "sing":
        return None
    if not any(t.lower in _PRONOUNS_OF[own] for t in parse.tokens[objs[k].end:]):
        return None
    return own if not _sole_person(parse, lex, k) else None


def regendered_pronouns(parse: Parse, lex: Lexicon, k: int, new: str) -> tuple[tuple[int, str], ...]:
    """(token, word) for each pronoun after object k that has to change when its noun becomes `new`: "A
    girl feeding giraffes from *her* hand" -> "A boy feeding giraffes from *his* hand". Only where object k
    is the caption's one person in the singular, so that the pronouns are surely its own, and `new` has a
    gender."""
    target = gender(lex, new)
    objs = parse.scene.objects
    if target is None or objs[k].number != "sing":
        return ()
    if not _sole_person(parse, lex, k):
        return ()
    out = []
    for tok in parse.tokens[objs[k].end:]:
        low = tok.lower
        if target == "female":
            word = _TO_FEMALE.get(low)
        else:
            word = _TO_MALE.get(low) or ({"PRP$": "his", "PRP": "him"}.get(tok.tag) if low == "her" else None)
        if word:
            out.append((tok.i, match_case(word, tok.text)))
    return tuple(out)


def glued(parse: Parse, start: int, end: int) -> bool:
    """Whether the span is half of a word written with a hyphen ("*snow*-packed", "wet-*suited*"): moved
    alone, it leaves the other half behind ("open a sail-packed field")."""
    toks = parse.tokens
    before = start > 0 and not toks[start - 1].ws and toks[start - 1].tag == "HYPH"
    after = 0 < end < len(toks) and not toks[end - 1].ws and toks[end].tag == "HYPH"
    return before or after


def fits_number(lemma: str, number: str, det: str | None) -> bool:
    """Whether a noun can stand at a place of this number after this determiner: never "a broccoli",
    "two luggages", "a scissors", "a giraffes"."""
    if number == "plur" and det in SINGULAR_DETERMINERS:
        return False
    if countable(lemma):
        return True
    return number == "sing" and det not in SINGULAR_DETERMINERS


def orphan_article(parse: Parse, obj: SceneObject) -> bool:
    """An "a"/"an" right before the phrase that the parser left out of it ("a Tv, potted plant, tables"):
    whatever phrase takes this place follows it (not one of a quantity: "a few people")."""
    toks = parse.tokens
    return obj.start > 0 and toks[obj.start - 1].lower in {"a", "an"} and toks[obj.start].lower not in QUANTITY_WORDS


def phrase_root(parse: Parse, obj: SceneObject) -> int:
    """The token of an object's phrase that the rest of the sentence hangs on (its subject, its "there
    is" attribute): the head noun, unless the parser hung the phrase on another word of it ("a fire
    *hydrant*" parsed with "fire" as the noun)."""
    toks = parse.tokens
    head = obj.head
    guard = 0
    while obj.start <= toks[head].head < obj.end and toks[head].head != head and guard < 8:
        head = toks[head].head
        guard += 1
    return head


def phrase_number(parse: Parse, obj: SceneObject) -> str:
    """The number a verb agrees with for the whole phrase: its noun's, or its quantifier's ("two slices of
    pizza" is plural, "a bunch of grapes" singular)."""
    toks = parse.tokens
    for i in range(obj.start, obj.noun_start):
        if toks[i].lower == "of" and i > obj.start and toks[i - 1].pos in {"NOUN", "PROPN"}:
            return "plur" if toks[i - 1].tag in {"NNS", "NNPS"} else "sing"
    return obj.number


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]
