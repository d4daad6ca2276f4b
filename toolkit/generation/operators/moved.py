"""Length-neutral ADD: drop a phrase or modifier, add one of the same construction elsewhere.

A length-neutral ADD pairs an insertion with a deletion that keeps the caption true
(`toolkit.generation.operators.neutral`). Paired with the plain insertions ("and a dog", "next to a
dog", any attribute) the deletions left markers: every object negative had gained "and" or "next to"
and lost an adjective or a phrase of some other shape, so a learned adversary over word differences
picked the caption every time (1.00 on the dev split; 0.77 for attributes, which gained rare types
and lost "very", "together", "tall"). Here what goes in has the construction of what came out:

- object: the dropped phrase's connecting word(s), determiner and modifiers, with a new noun, after
  another object of the caption (`moved_object_sites`):
      "A cat sleeping on a bed next to a window."  ->  "A cat sleeping next to a window on a chair."
      "Some people with a dog and a kite on the beach."  ->  "Some people with a dog on the beach and a surfboard."
- attribute: one object's modifier dropped, a new word of the same type given to another object
  (`droppable_attributes` here, the sites in `toolkit.generation.operators.add`):
      "A red car next to a tree."  ->  "A car next to a green tree."

The negative then differs from its caption only in which word fills the construction and where it
hangs: the connecting words cancel, and the new word is drawn like every substitute (in proportion to
how often captions use it). The dropped word is true of the image and the caption stays true without
it; the new one is what makes the negative false, as in every ADD.

What may be dropped (object): a prepositional phrase `neutral.deletions` allows ("on a bed", "next to
a window") whose object is a simple noun phrase (determiner, adjectives, numbers, noun), not a phrase
of a path ("down the street" needs a verb of motion), not the place of a verb of staying in place
("sitting on a couch": moved, it leaves "A couple sits while playing wii on a desk"), not one that leaves its verb stranded before a
comma or a participle; or the second of two joined objects ("and a kite") unless the pair is in a list
or the subject of a verb that agrees with it.
Where the new phrase goes: right after another object's phrase, never the one the dropped phrase hung
on nor the subject or object of the verb it hung on (that would replace its object, not add one: "A
man on a chair sitting" for "A man sitting on a bench"), never next to the gap, before a possessive,
inside a name or list, or before a phrase of the same preposition. A joined object makes a singular
subject plural, as plain ADD does, with its verb agreeing.
The new object: a countable contrasting object of the dropped one's kind from the lexicon, of as many
words (so that it reads after the same preposition: "on a bed" -> "on a chair"), on which the dropped
modifiers are plausible, never an object of the caption or one of its synonyms, hypernyms or hyponyms;
with corpus counts, only one captions have used after that preposition.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from toolkit.generation.corpus import CorpusCounts, canonical_object
from toolkit.generation.operators.base import Change, Edit, Site
from toolkit.generation.operators.neutral import Deletion, neutralise, span_deletion
from toolkit.generation.operators.sites import is_finite_subject, object_lemma_in_lexicon
from toolkit.text.lexicon import Lexicon
from toolkit.text.morph import countable, inflect_noun
from toolkit.text.parse import Parse, reduce_frozen
from toolkit.text.scene import SceneObject

# Prepositions of a path: their phrase needs a verb of motion, so it does not go after a noun ("children
# [down the sidewalk] running").
MOTION: Final = frozenset({"down", "up", "along", "across", "through", "past", "toward", "towards", "into", "onto", "off",
                           "out", "throughout", "from", "to"})
MODIFIER_POS: Final = frozenset({"DET", "ADJ", "NUM", "PRON"})  # what may stand before the noun of a moved phrase
NOT_HEADS: Final = frozenset({"compound", "amod", "nmod", "npadvmod", "poss", "appos"})  # objects that modify another word
QUOTES: Final = frozenset({'"', "'", "\u201c", "\u201d", "`", "``", "''"})
MAX_CONNECTOR: Final = 3  # words before the noun phrase: "on", "next to", "in front of"
# How a new object may relate to one the caption names: any of these and it may be in the image already.
NOT_NEW: Final = frozenset({"same", "synonym", "hypernym", "hyponym"})


@dataclass(unsafe_hash=True, slots=True)  # a value class: see toolkit/text/frozen.py
class Construction:
    """A droppable phrase "CONNECTOR [DETERMINER] [MODIFIERS] NOUN": its deletion, its words and what it hangs on."""

    deletion: Deletion
    connector: tuple[str, ...]  # ("on",), ("next", "to"), ("and",)
    before_noun: tuple[str, ...]  # the determiner and modifiers as written: ("a",), ("his", "red"), ("two",)
    obj: int  # the dropped object, an index into scene.objects
    governor: int  # the token the phrase hangs on: a noun or verb for a preposition, the first object's head for "and"
    subject: int | None = None  # the object the phrase says something about ("cat" in "a cat laying on a bed")

    def __init__(self, deletion: Deletion, connector: tuple[str, ...], before_noun: tuple[str, ...], obj: int,
                 governor: int, subject: int | None = None) -> None:
        self.deletion, self.connector, self.before_noun, self.obj, self.governor, self.subject = (
            deletion, connector, before_noun, obj, governor, subject)

    def __reduce__(self) -> tuple:
        return reduce_frozen(self)  # pickles the compiled build too


def _simple(parse: Parse, obj: SceneObject) -> bool:
    """The object's phrase is a determiner, adjectives, numbers and its noun, nothing after the noun and
    nothing inside that hangs outside it ("a bed", "his red kitchen counter", "two boats")."""
    toks = parse.tokens
    if obj.full_end != obj.end or obj.noun_start >= obj.end:
        return False
    if any(toks[i].pos not in MODIFIER_POS or not toks[i].text.isalpha() for i in range(obj.start, obj.noun_start)):
        return False
    if any(toks[i].pos not in {"NOUN", "PROPN"} or not toks[i].text.isalpha() for i in range(obj.noun_start, obj.end)):
        return False
    return all(obj.start <= toks[i].head < obj.end for i in range(obj.start, obj.end) if i != obj.head)


def phrase_constructions(parse: Parse, found: Sequence[Deletion], lex: Lexicon) -> list[Construction]:
    """The prepositional phrases among `found` (deletions that keep the caption true) that are a
    connector and a simple noun phrase, not the place of a verb of staying in place: "sitting on a couch"
    moved away leaves "A couple sits while playing wii on a desk", and every such negative loses "sitting
    on", which a learned adversary reads as the caption's mark."""
    toks = parse.tokens
    scene = parse.scene
    by_end = {o.end: k for k, o in enumerate(scene.objects)}
    out: list[Construction] = []
    for d in found:
        if d.kind != "phrase" or d.end not in by_end:
            continue
        k = by_end[d.end]
        obj = scene.objects[k]
        if not d.start < obj.start <= d.start + MAX_CONNECTOR or not _simple(parse, obj):
            continue
        if toks[obj.head].dep != "pobj" or toks[obj.head].head != obj.start - 1:
            continue  # the phrase's object is not this noun ("with fruit in it")
        if any(t.pos not in {"ADP", "ADV", "SCONJ"} and not (t.pos == "NOUN" and toks[t.i + 1].lower == "of")
               for t in toks[d.start : obj.start]):
            continue  # a connector is prepositions and adverbs ("next to"), or a noun before "of" ("in front of")
        if d.end < len(toks) and toks[d.end].text in QUOTES:
            continue  # 'below the word "stop."': the quotation is the object's
        if d.end < len(toks) and toks[d.end].tag in {"VBG", "VBN"}:
            continue  # a participle would be left to the word before: "holds a phone in a car rolled down"
        if toks[d.start].lower in MOTION:
            continue
        if d.start > 0 and d.end < len(toks) and toks[d.end].pos == "PUNCT" and toks[d.start - 1].pos in {
                "VERB", "AUX", "ADV", "PART", "ADP"}:
            continue  # the clause would end on its verb: "A plate of food sitting, it appears"
        connector = tuple(t.lower for t in toks[d.start : obj.start])
        if not all(w.isalpha() for w in connector):
            continue
        governor = toks[d.start].head
        if toks[governor].pos in {"VERB", "AUX"} and lex.is_stationary(toks[governor].lemma.lower()):
            continue
        subject = next((r.subj for r in scene.relations if r.kind == "prep" and r.obj == k and r.start == d.start), None)
        before = tuple(t.text for t in toks[obj.start : obj.noun_start])
        out.append(Construction(d, connector, before, k, governor, subject))
    return out


def conjunct_constructions(parse: Parse, blocked: set[int]) -> list[Construction]:
    """Second objects of a pair joined by "and" ("a sandwich *and a pickle*") that can go: a simple
    phrase with a determiner or in the plural, the pair neither in a list nor the subject of a verb that
    agrees with it, nothing after the pair but a new phrase or the end."""
    toks = parse.tokens
    scene = parse.scene
    heads = {o.head: k for k, o in enumerate(scene.objects)}
    out: list[Construction] = []
    for k, obj in enumerate(scene.objects):
        tok = toks[obj.head]
        if tok.dep != "conj" or tok.head not in heads or obj.start < 2:
            continue
        first = scene.objects[heads[tok.head]]
        cc = obj.start - 1
        if toks[cc].lower != "and" or first.full_end != cc or not _simple(parse, obj):
            continue
        if obj.det is None and obj.number == "sing":
            continue  # "a banana and peanut butter": a bare singular reads as a list's, not an object's
        if toks[first.head].dep == "conj" or toks[first.start - 1].text == "," or any(
                toks[c].dep == "conj" and c != obj.head for c in parse.children[first.head]):
            continue  # a list of three: "a plate, a cup and a fork"
        if is_finite_subject(parse, first) or set(range(cc, obj.end)) & blocked:
            continue  # "A cat and a dog *are* sleeping" would keep "are"
        if obj.end < len(toks) and toks[obj.end].pos not in {"PUNCT", "ADP", "VERB", "AUX", "SCONJ", "ADV", "PART"}:
            continue
        if not tok.ws and obj.end < len(toks) and toks[obj.end].pos != "PUNCT":
            continue
        before = tuple(t.text for t in toks[obj.start : obj.noun_start])
        out.append(Construction(span_deletion(parse, cc, obj.end, "conjunct"), ("and",), before, k, first.head))
    return out


def _hosts(parse: Parse, lex: Lexicon, c: Construction) -> list[int]:
    """Objects whose phrase the new one may follow: known to the lexicon, away from the dropped phrase
    and the gap it leaves, not the one the dropped phrase hangs on, not before a possessive or inside a
    name ("a *stop* sign")."""
    toks = parse.tokens
    d = c.deletion
    joined = c.connector == ("and",)
    out = []
    for k, obj in enumerate(parse.scene.objects):
        point = obj.full_end
        nxt = toks[point] if point < len(toks) else None
        if k in (c.obj, c.subject) or obj.head == c.governor or object_lemma_in_lexicon(lex, obj) is None:
            continue
        if toks[obj.head].dep in NOT_HEADS or nxt is not None and nxt.pos in {"ADJ", "NOUN", "PROPN", "NUM"}:
            continue  # a word of another phrase: "an image of a school [in a plate] approved lunch"
        if nxt is not None and (nxt.lower == c.connector[0] or nxt.tag == "VBN"):
            continue  # "a teddy bear [on a field] on it", "her legs [on a bench] crossed"
        if toks[obj.head].head == c.governor and not joined:
            continue  # the subject or object of the verb the phrase hung on: "A man [on a chair] sitting"
        if d.start <= point <= d.end or d.start <= obj.start < d.end or obj.start <= d.start < point:
            continue
        if nxt is not None and (nxt.lower in {"'s", "'"} or nxt.dep == "case"):
            continue
        if joined and nxt is not None and nxt.lower == "and":
            continue  # "a cup and a bowl and a fork"
        if not joined and nxt is not None and nxt.lower in {",", "and", "or"}:
            continue  # the next item of a list follows: "with mirror [in a bedroom], shower stall and toilet"
        if not joined and (toks[obj.head].dep == "conj" or any(toks[i].dep == "conj" for i in parse.children[obj.head])):
            continue  # inside a list: "a toilet, bathtub [in a kitchen], and a cat"
        out.append(k)
    return out


def _new_objects(lex: Lexicon, counts: CorpusCounts | None, c: Construction, dropped: str, size: int,
                 present: Sequence[str], context: Sequence[str], keep: int) -> list[str]:
    """Countable objects of the dropped one's kind and of its `size` in words (after "a" a mass noun
    would need "some") on which the dropped phrase's modifiers are plausible, that the caption does not
    name or imply, likeliest with the caption's objects first when there are corpus counts. With
    counts, an object must also have been seen after the connector, if it is a preposition."""
    slot = None if c.connector == ("and",) else " ".join(c.connector)
    typed = [w for w in (t.lower() for t in c.before_noun) if lex.attribute_type(w)]
    pool = [s for s in lex.addable_substitutes(dropped)
            if s.count(" ") + 1 == size and s not in present and countable(s)
            and (counts is None or slot is None or counts.relation_object[(slot, s)])]  # "taking pictures *in a baby*"
    if counts is not None:
        pool = counts.rank_objects(context, pool)
    subs: list[str] = []
    for s in pool:  # the dearer checks only until there are enough (a category holds a hundred objects)
        if not all(lex.attribute_plausible_on(w, s) for w in typed):
            continue  # "on a wooden bench" -> never "on a wooden cloud"
        if any(lex.object_relation(p, s) in NOT_NEW for p in present):
            continue
        subs.append(s)
        if len(subs) == keep:
            break
    return subs


def _number_change(parse: Parse, host: SceneObject, connector: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    if connector == ("and",) and host.number == "sing" and is_finite_subject(parse, host):
        return ((host.head, "plur"),)
    return ()


def moved_object_sites(parse: Parse, lex: Lexicon, found: Sequence[Deletion], blocked: set[int],
                       counts: CorpusCounts | None, per_site: int, agrees: Callable[[SceneObject], bool]) -> list[Site]:
    """Length-neutral ADD object sites: per droppable construction and host object, the new objects.
    `agrees(host)` says whether "and a Y" may join the host (plain ADD's own checks)."""
    scene = parse.scene
    known = [object_lemma_in_lexicon(lex, o) for o in scene.objects]
    present = [f[0] if f else o.lemma for f, o in zip(known, scene.objects, strict=True)]
    context = [canonical_object(lex, o.lemma) for o in scene.objects]
    sites: list[Site] = []
    for c in phrase_constructions(parse, found, lex) + conjunct_constructions(parse, blocked):
        dropped = known[c.obj]
        if dropped is None:
            continue
        gone = scene.objects[c.obj]
        subs = _new_objects(lex, counts, c, dropped[0], gone.end - gone.noun_start, present, context, per_site)
        if not subs:
            continue
        for k in _hosts(parse, lex, c):
            host = scene.objects[k]
            if c.connector == ("and",) and not agrees(host):
                continue

            def build(sub: str, rank: int, c=c, host=host, number=gone.number) -> Edit:
                noun = inflect_noun(sub, number, lex.object_plural(sub)) if number == "plur" else sub
                words = (*c.connector, *c.before_noun, *noun.split(" "))
                point = host.full_end
                agree = _number_change(parse, host, c.connector)
                insert = Edit("add", "obj", ((point, point),), ("",), (" ".join(words),), (Change(point, point, words),),
                              agree, f"+{sub} {' '.join(c.connector)} after {host.lemma}", rank)
                return neutralise(insert, (c.deletion,))

            sites.append(Site("add", "obj", subs, build, 0, "neutral"))
    return sites


def droppable_attributes(parse: Parse, lex: Lexicon, found: Sequence[Deletion]) -> list[tuple[Deletion, int, str]]:
    """The one-word modifiers among `found` that the lexicon types, with the object each is on and its
    type ("a *wooden* table": table, material)."""
    owners = {(a.start, a.end): a.obj for a in parse.scene.attributes}
    out = []
    for d in found:
        if d.kind != "modifier" or d.end - d.start != 1 or (d.start, d.end) not in owners:
            continue
        type_ = lex.attribute_type(parse.tokens[d.start].lower)
        if type_ is not None:
            out.append((d, owners[(d.start, d.end)], type_))
    return out
