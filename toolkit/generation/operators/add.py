"""ADD: insert an attribute of a type the object does not have yet, or join a new object to one.

Plain ADD negatives are longer than their source by construction (recorded as `length_delta` on every
candidate); later stages (filters, set building) use that to counter the length bias. With
`add_length` "neutral" or "both", ADD also comes length-neutral: something true is dropped
(`toolkit.generation.operators.neutral`) and something of its construction added elsewhere
(`toolkit.generation.operators.moved`), so the negative has the caption's length (`length_delta` 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Final

from toolkit.generation.corpus import CorpusCounts, canonical_object
from toolkit.generation.operators.base import Change, Edit, Operator, Site
from toolkit.generation.operators.moved import droppable_attributes, moved_object_sites
from toolkit.generation.operators.neutral import ADD_LENGTHS, NEVER_DROPPED, Deletion, deletions, neutralise, scoped
from toolkit.generation.operators.sites import (
    QUANTITY_WORDS,
    SETTINGS,
    WEARING,
    after_determiner,
    is_finite_subject,
    named_things,
    object_lemma_in_lexicon,
    taken_by,
    wearable,
    words,
)
from toolkit.text.lexicon import Lexicon
from toolkit.text.parse import Parse
from toolkit.text.scene import QUANTIFIER_NOUNS, SUBJECT_DEPS, SceneObject

# Conventional English adjective order: a new attribute goes before any existing one of a later type.
TYPE_ORDER: Final = {
    "count": 0, "opinion": 1, "size": 2, "age": 3, "shape": 4, "state": 5, "temperature": 5,
    "texture": 5, "condition": 5, "light": 5, "weather": 5, "color": 6, "pattern": 7, "material": 8,
}
DEFAULT_ORDER: Final = 5
# Types whose words sit naturally before a noun and change what a picture shows ("an asleep dog",
# "a left cup" do not), in the order ADD tries them: first the types an object usually has no value of
# unless the caption says so (material, damage, pattern, ground, weather, ...), last colour and size,
# which every object has: "a white plate" added to "a plate on a table" is as likely true of the image
# as false, so it is a poor negative. Benchmarks built with human checks (SugarCrepe) show the same
# preference; on the dev split ADD attribute exact went 0.065 -> 0.093 with this order alone.
ADD_TYPES: Final = (
    "material", "integrity", "pattern", "surface", "weather", "shape", "age", "texture", "brightness",
    "cleanliness", "wetness", "openness", "fullness", "ripeness", "cooking", "cut", "temperature", "color", "size",
)


# Types an object of these categories tries before the ADD_TYPES order. A vehicle's or a device's
# material is fixed by what it is (cars are metal, phones glass and plastic), so "a metal bus" is
# nearly always true of the image; their condition (rusty, dented, cracked) and age vary. Food is
# told apart by how it was prepared (fried, sliced) more than by its shape.
CATEGORY_TYPES: Final = {
    "vehicle": ("integrity", "age"),
    "vehicle_part": ("integrity", "age"),
    "electronics": ("integrity", "age"),
    "food": ("cooking", "cut", "texture", "ripeness", "temperature"),
}
COMMON_TYPES: Final = ("color", "size")  # what every object has: never among an object's likeliest (see ADD_TYPES)
UNKNOWN_OBJECT_TYPES: Final = ("color", "size", "pattern")  # for nouns the lexicon does not know


def insertion(parse: Parse, obj_index: int, type_: str) -> int:
    """Where an attribute of `type_` goes inside the noun phrase, by adjective order."""
    scene = parse.scene
    obj = scene.objects[obj_index]
    rank = TYPE_ORDER.get(type_, DEFAULT_ORDER)
    pos = obj.noun_start
    for att in scene.attributes_of(obj_index):
        if att.kind == "predicate" or not obj.start <= att.start < obj.noun_start:
            continue  # (only modifiers inside the phrase: never "A bird *big* cleans itself")
        if TYPE_ORDER.get(att.type or "", DEFAULT_ORDER) > rank:
            pos = att.start
            break
    toks = parse.tokens
    if pos - 2 >= obj.start and toks[pos - 1].pos == "NUM" and toks[pos - 2].lower in {"a", "an"}:
        return pos - 1  # a numeral after "a" counts nothing, it begins a modifier: "a big two layered cake"
    return pos


def _unknown_object_words(lex: Lexicon) -> dict[str, tuple[str, ...]]:
    """The types and words ADD tries on a noun the lexicon does not know."""
    return {t: tuple(lex.attribute_words(t)) for t in UNKNOWN_OBJECT_TYPES}


def _attribute_lemma(lex: Lexicon, obj: SceneObject) -> str | None:
    """The word whose categories decide an object's attribute types: its lexicon lemma, else a word
    naming a whole category ("a *building*", "some *food*", "*people*"), else None."""
    found = object_lemma_in_lexicon(lex, obj)
    if found:
        return found[0]
    for word in dict.fromkeys((obj.lemma, obj.lemma.split(" ")[-1])):
        if lex.is_object_hypernym(word) and lex.attribute_words_by_type(word):
            return word
    return None


def _first_absent(words: Sequence[str], present: set[str], n: int) -> list[str]:
    """The first n words not in `present`."""
    out: list[str] = []
    for w in words:
        if w not in present:
            out.append(w)
            if len(out) == n:
                break
    return out


def single_insert(parse: Parse, subtype: str, pos: int, new: tuple[str, ...], detail: str, rank: int, number=()) -> Edit:
    return Edit("add", subtype, ((pos, pos),), ("",), (" ".join(new),), (Change(pos, pos, new),), number, detail, rank)


def _joins_the_subject(parse: Parse, obj: SceneObject) -> bool:
    """Whether "and a Y" joined to this object would stand right before the verb of a singular subject
    that the object only ends a phrase of ("A person *on a skateboard* [and a ball] does a flip", "The
    girl with glasses [and a cup] is eating", "A red bench on [a tile and] a slanted floor has"): a
    reader, and the parser, take "a person ... and a ball" as the plural subject of "does", and agreeing
    the verb would make the person and the ball do the flip, so the site is not proposed. Farther from the
    verb the phrase reads as the inner one's ("A sign with teddy bears [and a flower pot] on it is ...");
    a verb that is plural already agrees ("A trio of zebras [and a giraffe] stand"), and so does one after
    a quantity ("A herd of sheep [and a horse] are grazing")."""
    toks = parse.tokens
    k, steps = obj.head, 0
    while toks[k].dep in {"pobj", "prep", "conj", "cc"} and toks[k].head != k and steps < 8:
        k, steps = toks[k].head, steps + 1
    subj = toks[k]
    if k == obj.head or subj.dep not in SUBJECT_DEPS or subj.tag not in {"NN", "NNP"}:
        return False
    if subj.lower in QUANTITY_WORDS or subj.lower in QUANTIFIER_NOUNS:
        return False
    verb = subj.head
    helpers = [c for c in parse.children[verb] if toks[c].dep in {"aux", "auxpass", "neg"} and c > k]
    first = min([verb, *helpers])
    singular = toks[first].tag == "VBZ" or toks[first].lower in {"is", "was", "has", "does"}
    return singular and obj.full_end == first  # "A trio of zebras [and a giraffe] stand": plural already


def _second_verb_agrees(parse: Parse, obj: SceneObject) -> bool:
    """Whether the subject has a second verb of its own that agrees in number ("A girl laughs and *runs*"):
    the agreement of a subject made plural reaches its first verb only, so such a subject gets no new
    object joined to it (never "A girl and a boy laugh and runs")."""
    toks = parse.tokens
    verb = toks[obj.head].head
    return any(toks[c].dep == "conj" and toks[c].tag == "VBZ" for c in parse.children[verb])


class Add(Operator):
    name = "add"
    subtypes = ("obj", "att")

    def __init__(self, per_site: int = 4, counts: CorpusCounts | None = None, add_length: str = "longer",
                 plausible_only: bool = True) -> None:
        # plausible_only: no new object joined to the setting ("riding a wave and a field", "drinks water
        # and some grass", "on a tennis court and a park")
        super().__init__(per_site, counts, plausible_only)
        if add_length not in ADD_LENGTHS:
            raise ValueError(f"add_length must be one of {', '.join(ADD_LENGTHS)}, not {add_length!r}")
        self.add_length = add_length  # "longer": plain insertions; "neutral": length-neutral only; "both"
        self._found: tuple[Parse, list[Deletion]] | None = None  # the deletions of the last parse

    def _propose(self, parse: Parse, subtype: str, lex: Lexicon) -> list[Site] | str:
        plain = {"obj": self._objects, "att": self._attributes}[subtype](parse, lex)
        if self.add_length == "longer" or isinstance(plain, str):
            return plain
        if self._found is None or self._found[0] is not parse:
            self._found = (parse, deletions(parse, lex))  # once for both subtypes
        found = self._found[1]
        neutral = self._moved(parse, lex, found) if subtype == "obj" else self._moved_attributes(parse, lex, found)
        if self.add_length == "both":
            return plain + neutral
        if not found:
            return "length-neutral: no word or phrase can be dropped and keep the caption true and grammatical"
        return neutral or "length-neutral: nothing dropped has a counterpart of its kind to add elsewhere"

    def _moved(self, parse: Parse, lex: Lexicon, found: list[Deletion]) -> list[Site]:
        """Length-neutral ADD object: a dropped phrase's construction, with a new object, after another
        object (`toolkit.generation.operators.moved`)."""

        def agrees(host: SceneObject) -> bool:
            plural = is_finite_subject(parse, host) and host.number == "sing"
            return not _joins_the_subject(parse, host) and not (plural and _second_verb_agrees(parse, host))

        return moved_object_sites(parse, lex, found, scoped(parse), self.counts, self.per_site, agrees)

    def _moved_attributes(self, parse: Parse, lex: Lexicon, found: list[Deletion]) -> list[Site]:
        """Length-neutral ADD attribute: one object's modifier dropped, a new word of the same type given
        to another object ("A *red* car next to a tree." -> "A car next to a *green* tree."). The negative
        loses a word of a type and gains one of that type, drawn like every substitute, so that neither
        the words nor their types tell the caption from the negative; the dropped word is true of the
        image, the new one makes the negative false, as in every ADD."""
        scene = parse.scene
        droppable = droppable_attributes(parse, lex, found)
        if not droppable:
            return []
        said = {t.lower for t in parse.tokens}
        # per object: the types it has, and the words of each type plausible on it
        objects = []
        for k, obj in enumerate(scene.objects):
            known = _attribute_lemma(lex, obj)
            plausible = lex.attribute_words_by_type(known) if known else _unknown_object_words(lex)
            objects.append((k, obj, {a.type for a in scene.attributes_of(k)}, plausible))
        sites: list[Site] = []
        for deletion, owner, type_ in droppable:
            gone = deletion.text.lower()
            contrasting = set(lex.attribute_substitutes(gone))  # never "wood" for a dropped "wooden"
            for k, obj, have, plausible in objects:
                if k == owner or type_ in have:
                    continue
                options = [w for w in plausible.get(type_, ()) if w in contrasting and w not in said and " " not in w
                           and "-" not in w and w not in NEVER_DROPPED]
                pos = insertion(parse, k, type_)
                if not options or deletion.start <= pos <= deletion.end:
                    continue
                if self.counts:
                    # only words captions have said of this object: a plausible type is not enough ("a moist family")
                    name = canonical_object(lex, obj.lemma)
                    options = [w for w in self.counts.rank_attributes(name, options)
                               if self.counts.attribute_object[(w, name)]]
                    if not options:
                        continue

                def build(word: str, rank: int, k=k, type_=type_, pos=pos, deletion=deletion) -> Edit:
                    return neutralise(self._insert_attribute(parse, k, type_, word, rank, pos), (deletion,))

                # the whole pool, not its first few: with a caption model the choices are drawn from it by
                # how often captions use each word, so that the words put in are as common as those dropped
                sites.append(Site(self.name, "att", options, build, 0, "neutral"))
        return sites

    def _attributes(self, parse: Parse, lex: Lexicon) -> list[Site] | str:
        scene = parse.scene
        if not scene.objects:
            return "no objects"
        sites: list[Site] = []
        for k, obj in enumerate(scene.objects):
            if parse.tokens[obj.head].pos == "PRON":
                continue  # "someone" takes no adjective before it: never "adult someone"
            known = _attribute_lemma(lex, obj)
            # an object gets only the words of a type that are plausible on it ("a denim jacket", not "a
            # denim sink"); a type with none left is no type for it
            plausible = lex.attribute_words_by_type(known) if known else _unknown_object_words(lex)
            have = {a.type for a in scene.attributes_of(k)}
            present = {a.lemma for a in scene.attributes_of(k)}
            first = CATEGORY_TYPES.get(lex.object_category(known) or "", ()) if known else ()
            words_of = {t: plausible[t] for t in (*first, *ADD_TYPES) if plausible.get(t) and t not in have}
            types = list(words_of)
            name = canonical_object(lex, obj.lemma)
            # with corpus counts every allowed word is ranked; without, only each type's first few are used
            absent = {t: [w for w in words_of[t] if w not in present] for t in types} if self.counts else {}
            for t_rank, type_ in enumerate(types):
                if self.counts:
                    # With corpus counts the words of a type come in the order they were seen on this
                    # object, and each type in ADD_TYPES order starts two tiers after the one before:
                    # the first types go three words deep before the fourth type's first word.
                    choices, priority = self.counts.rank_attributes(name, absent[type_]), 1 + 2 * t_rank
                else:
                    choices, priority = _first_absent(words_of[type_], present, self.per_site), 0
                sites.append(self.site("att", choices[: self.per_site], partial(self._insert_attribute, parse, k, type_),
                                       priority=priority))
            # the corpus's likeliest attributes of this object, whatever their type but colour and size;
            # from the third tier, since what captions say most about an object is most often true of it
            pool = [(w, t) for t in types if t not in COMMON_TYPES for w in absent.get(t, ())]
            if self.counts and pool:
                order = self.counts.rank_attributes(name, [w for w, _ in pool])
                type_of = dict(pool)
                likeliest = [(w, type_of[w]) for w in order][: self.per_site]
                sites.append(self.site("att", likeliest, lambda wt, rank, k=k: self._insert_attribute(  # type: ignore[misc]
                    parse, k, wt[1], wt[0], rank), priority=2))
                front = after_determiner(parse, obj)
                if any(front != insertion(parse, k, t) for _, t in likeliest[:2]):
                    # before every other modifier ("a spotted large umbrella"), as captions often do
                    sites.append(self.site("att", likeliest[:2], lambda wt, rank, k=k, front=front: self._insert_attribute(  # type: ignore[misc]
                        parse, k, wt[1], wt[0], rank, front), priority=1))
        return sites or "no object that can take a new attribute type"

    @staticmethod
    def _insert_attribute(parse: Parse, k: int, type_: str, word: str, rank: int, pos: int | None = None) -> Edit:
        pos = insertion(parse, k, type_) if pos is None else pos
        return single_insert(parse, "att", pos, tuple(word.split(" ")), f"{type_}: +{word}", rank)

    def _objects(self, parse: Parse, lex: Lexicon) -> list[Site] | str:
        scene = parse.scene
        if not scene.objects:
            return "no objects"
        present = named_things(parse, lex)
        context = [canonical_object(lex, o.lemma) for o in scene.objects]
        sites: list[Site] = []
        for k, obj in enumerate(scene.objects):
            found = object_lemma_in_lexicon(lex, obj)
            if found is None or self._possessive(parse, obj):
                continue
            if self.plausible_only and lex.object_category(found[0]) in SETTINGS:
                continue  # a caption has one setting: never "riding a wave and a field"
            if obj.full_end < len(parse.tokens) and parse.tokens[obj.full_end].tag in {"NN", "NNP"}:
                # a singular noun next: the phrase goes on ("white and glass furniture": never "white and glass
                # and a bowl furniture"); a plural may be a verb the tagger misread ("the phone *looks*")
                continue
            subs = [s for s in lex.addable_substitutes(found[0]) if s not in present]
            if self.plausible_only and taken_by(parse, k, WEARING):
                subs = [s for s in subs if wearable(lex, s)]  # "wearing a collar and a necklace"
            if self.counts:
                subs = self.counts.rank_objects(context, subs)
            subs = subs[: self.per_site]
            plural = ((obj.head, "plur"),) if is_finite_subject(parse, obj) and obj.number == "sing" else ()

            def after(sub: str, rank: int, obj=obj, number=plural, lemma=found[0]) -> Edit:
                return single_insert(parse, "obj", obj.full_end, ("and", "a", *sub.split(" ")), f"+{sub} after {lemma}",
                                     rank, number)

            def before(sub: str, rank: int, obj=obj, number=plural, lemma=found[0]) -> Edit:
                return single_insert(parse, "obj", obj.start, ("a", *sub.split(" "), "and"), f"+{sub} before {lemma}",
                                     rank, number)

            if not _joins_the_subject(parse, obj) and not (plural and _second_verb_agrees(parse, obj)):
                sites.append(self.site("obj", subs, after))
                if obj.start == 0 or parse.tokens[obj.start - 1].pos not in {"NOUN", "PROPN", "ADJ"}:
                    # never inside a phrase the parser split ("A calico *a dog and* cat drink")
                    sites.append(self.site("obj", subs[:2], before, priority=1))
        sites.extend(self._beside(parse, lex, context, present))
        return sites or "no object in the lexicon to join a new one to"

    def _beside(self, parse: Parse, lex: Lexicon, context: list[str], present: set[str]) -> list[Site]:
        """A new object next to the scene: before a prepositional phrase of the verb ("does a flip *near a
        tree* in a parking lot"), or at the end of the caption."""
        scene = parse.scene
        known = next(((o, found) for o in scene.objects if (found := object_lemma_in_lexicon(lex, o))), None)
        if known is None:
            return []
        subject, (lemma, _whole) = known
        pool = [s for s in lex.addable_substitutes(lemma) if s not in present]
        for other in scene.objects:  # things that go with the scene's other objects, too
            found = object_lemma_in_lexicon(lex, other)
            if found and other is not subject:
                pool += [s for s in lex.object_substitutes(found[0])[:3] if s not in present and s not in pool
                         and lex.object_addable(s)]
        if self.counts:
            pool = self.counts.rank_objects(context, pool)
        pool = pool[: max(2, self.per_site // 2)]
        toks = parse.tokens
        # never right after another preposition: "in between two zebras" is one ("grass in next to some
        # dirt between two zebras"); after a verb's particle is fine ("curled up next to a dog on a bed")
        points = sorted({r.start for r in scene.relations if r.kind == "prep" and r.verb is not None
                         and not (r.start > 0 and toks[r.start - 1].pos == "ADP" and toks[r.start - 1].dep == "prep")})
        end = len(toks) - 1 if toks and toks[-1].pos == "PUNCT" else len(toks)
        if end > 0 and end not in points:
            points.append(end)
        sites = []
        for pos in points:
            def build(sub: str, rank: int, pos=pos) -> Edit:
                return single_insert(parse, "obj", pos, ("next", "to", "a", *sub.split(" ")), f"+{sub} next to", rank)

            sites.append(self.site("obj", pool, build, priority=1))
        return sites

    @staticmethod
    def _possessive(parse: Parse, obj: SceneObject) -> bool:
        nxt = words(parse, obj.end, obj.end + 1)
        return bool(nxt) and nxt[0] in {"'s", "'"}
