"""SWAP: exchange two objects, the attributes of two objects, or the agent and patient of a relation.

Never swaps identical (or synonymous) words, never the arguments of a symmetric relation ("next to",
"with"), and never two coordinated noun phrases ("a dog and a cat"): those swaps keep the meaning.
"""

from __future__ import annotations

from itertools import combinations
from typing import Final

from toolkit.generation.operators.base import Change, Edit, Operator, Site
from toolkit.generation.operators.sites import (
    PERSONS,
    SETTINGS,
    WORN,
    after_determiner,
    conjuncts,
    determiner_of,
    fits_number,
    glued,
    joined_symmetrically,
    orphan_article,
    overlaps,
    phrase_number,
    phrase_root,
    symmetric_link,
    words,
)
from toolkit.text.lexicon import Lexicon
from toolkit.text.morph import inflect_noun
from toolkit.text.parse import Parse
from toolkit.text.scene import QUANTIFIER_NOUNS, Attribute, Relation, SceneObject, modifier_read_as_name


def movable_words(parse: Parse, start: int, end: int) -> tuple[str, ...]:
    """Source words for moving elsewhere: a sentence-initial capital is lowered ("A man" -> "a man"), and
    tokens written together stay one word ("black-rimmed", never "black - rimmed")."""
    ws: list[str] = []
    for i in range(start, end):
        tok = parse.tokens[i]
        if ws and not parse.tokens[i - 1].ws:
            ws[-1] += tok.text
        else:
            ws.append(tok.text)
    first = parse.tokens[start]
    acronym = len(ws[0]) > 1 and ws[0].isupper() if ws else False
    name = first.pos == "PROPN" and not modifier_read_as_name(first)
    if start == 0 and ws and not name and ws[0] != "I" and not acronym:
        ws[0] = ws[0][0].lower() + ws[0][1:]
    return tuple(ws)


def _number_changes(parse: Parse, a: SceneObject, b: SceneObject) -> tuple[tuple[int, str], ...]:
    """Agreement at a's place with the phrase that comes from b's, and the other way round: the realiser
    finds what agrees with each place (its verb, "there is/are", a relative clause's verb) and changes it
    where it disagrees, also where the two phrases have the same number but the verb followed a
    quantified noun ("a group of giraffes *drink*" -> "water *drinks*")."""
    return ((phrase_root(parse, a), phrase_number(parse, b)), (phrase_root(parse, b), phrase_number(parse, a)))


def np_swap(
    parse: Parse, a: SceneObject, b: SceneObject, subtype: str, detail: str, rank: int = 0, full: bool = False
) -> Edit:
    """Exchange two whole noun phrases (determiner, counts, adjectives and noun; with `full`, also an
    "of" complement: "a plate of sandwiches")."""
    ea, eb = (a.full_end, b.full_end) if full else (a.end, b.end)
    wa, wb = movable_words(parse, a.start, ea), movable_words(parse, b.start, eb)
    return Edit(
        "swap",
        subtype,
        ((a.start, ea), (b.start, eb)),
        (" ".join(words(parse, a.start, ea)), " ".join(words(parse, b.start, eb))),
        (" ".join(wb), " ".join(wa)),
        (Change(a.start, ea, wb), Change(b.start, eb, wa)),
        _number_changes(parse, a, b),
        detail,
        rank,
    )


def noun_swap(parse: Parse, lex: Lexicon, a: SceneObject, b: SceneObject, rank: int, subtype: str = "obj") -> Edit:
    """Exchange only the noun units, each inflected to the number of the place it moves to."""
    na = inflect_noun(b.lemma, a.number, lex.object_plural(b.lemma)).split(" ")
    nb = inflect_noun(a.lemma, b.number, lex.object_plural(a.lemma)).split(" ")
    return Edit(
        "swap",
        subtype,
        ((a.noun_start, a.end), (b.noun_start, b.end)),
        (" ".join(words(parse, a.noun_start, a.end)), " ".join(words(parse, b.noun_start, b.end))),
        (" ".join(na), " ".join(nb)),
        (Change(a.noun_start, a.end, tuple(na)), Change(b.noun_start, b.end, tuple(nb))),
        (),
        f"{a.lemma}<->{b.lemma} (nouns only)",
        rank,
    )


POSSESSIVES: Final = frozenset({"his", "her", "its", "their"})
ORPHAN: Final = "a possessive would be left without its referent ('His torso exercises a man')"


def orphaned_possessives(
    parse: Parse, lex: Lexicon, x: tuple[int, int], y: tuple[int, int], moves: bool = True
) -> frozenset[int]:
    """Possessive pronouns that a swap of spans `x` and `y` leaves without a referent.

    "A man exercises *his* torso": *his* refers to a thing named before it. When the possessive moves
    in front of every such thing ("His torso exercises a man"), or when they are all swapped away for
    things it cannot refer to ("A torso exercises his man"), it has none; a thing that agrees with it
    may take the place ("A mother reassures *her* daughter" -> "A daughter reassures her mother"). A
    possessive with no thing named before it (its referent is outside the caption) keeps it wherever it
    goes. With `moves` False, only the spans' nouns are exchanged: the words around them, the
    possessive too, stay in place."""
    toks, objs = parse.tokens, parse.scene.objects
    first, second = sorted((x, y))
    arriving = {}  # the object whose noun comes into each span
    for here, there in ((x, y), (y, x)):
        found = [o for o in objs if there[0] <= o.head < there[1]]
        arriving[here] = found[0] if found else None
    out = set()
    for tok in toks:
        if tok.tag != "PRP$" or tok.lower not in POSSESSIVES:
            continue
        before = [o for o in objs if o.head < tok.i]
        if not before:
            continue
        moved_ahead = moves and second[0] <= tok.i < second[1]
        place = first[0] if moved_ahead else tok.i
        referents = [o for o in before if o.head < place and not any(s <= o.head < e for s, e in (x, y))]
        if not moved_ahead:
            for span in (x, y):
                comer = arriving[span]
                if comer is not None and span[0] < tok.i and not span[0] <= tok.i < span[1] and _refers(lex, tok.lower, comer):
                    referents.append(comer)
        if not referents:
            out.add(tok.i)
    return frozenset(out)


def _refers(lex: Lexicon, pronoun: str, obj: SceneObject | None) -> bool:
    """Whether a possessive pronoun can refer to the object: "his" to a man or a boy, "her" to a woman
    or a girl, "its" to a thing or an animal, "their" to more than one or to a person."""
    if obj is None:
        return False
    category = lex.object_category(obj.lemma)
    person = category in {"person", "person_role"}
    if pronoun == "their":
        return obj.number == "plur" or person
    if obj.number == "plur":
        return False
    if pronoun == "its":
        return not person
    kinds = ("man", "boy") if pronoun == "his" else ("woman", "girl")
    return any(lex.object_relation(obj.lemma, k) in {"same", "synonym", "hypernym"} for k in kinds)


def _orphans(parse: Parse, lex: Lexicon, a: SceneObject, b: SceneObject, kind: str) -> bool:
    """Whether a swap of this kind ("phrase", "phrase_of", "noun") leaves a possessive without its
    referent."""
    if kind == "noun":
        return bool(orphaned_possessives(parse, lex, (a.noun_start, a.end), (b.noun_start, b.end), moves=False))
    ea, eb = (a.full_end, b.full_end) if kind == "phrase_of" else (a.end, b.end)
    return bool(orphaned_possessives(parse, lex, (a.start, ea), (b.start, eb)))


def _count_number(word: str) -> str:
    return "sing" if word in {"one", "a", "an", "single", "lone"} else "plur"


# Count words said with more than themselves ("a couple of", "a single", "lots of"): they do not move alone.
_PHRASAL_COUNTS: Final = frozenset({"couple", "pair", "single", "dozen", "lots", "plenty", "few", "bunch", "lot"})


def _phrases_fit(parse: Parse, a: SceneObject, b: SceneObject) -> bool:
    """Whether each whole phrase can take the other's place: an article the parser left before a phrase
    stays there and needs a singular ("in a field": never "in a many people")."""
    def bare_singular(o: SceneObject) -> bool:
        return o.number == "sing" and all(t.pos not in {"DET", "NUM"} for t in parse.tokens[o.start : o.noun_start])

    return (not orphan_article(parse, a) or bare_singular(b)) and (not orphan_article(parse, b) or bare_singular(a))


def _not_a_modifier(parse: Parse, att: Attribute) -> bool:
    """An "attribute" with a plural noun or a verb form in it ("lights", "wires", "paddles"), or an adverb
    of the verb ("stand *together*"): never moved or swapped as a modifier of a noun."""
    toks = parse.tokens
    if att.kind == "loose" and any(toks[i].pos in {"ADV", "VERB", "AUX"} for i in range(att.start, att.end)):
        return True
    return any(toks[i].tag in {"NNS", "NNPS", "VBZ"} for i in range(att.start, att.end))


# Second halves of compound adjectives written apart: "dirty looking", "blue colored", "heart shaped".
COMPOUND_ADJECTIVE_ENDS: Final = frozenset({"looking", "colored", "coloured", "shaped", "sized", "themed", "styled"})


def _noun_slot(parse: Parse, att: Attribute) -> bool:
    """Whether the attribute is a word standing alone where a noun must, as a preposition's object
    ("with *straw*", "shades of *blue*")."""
    return att.kind == "loose" and any(parse.tokens[i].dep == "pobj" for i in range(att.start, att.end))


def _reads_as_noun(parse: Parse, att: Attribute) -> bool:
    """Whether the attribute's words can stand as a noun: a noun ("cement") or a colour ("shades of beige")."""
    return parse.tokens[att.end - 1].pos == "NOUN" or att.type == "color"


def _leaves_a_gap(parse: Parse, att: Attribute) -> bool:
    """Whether taking the attribute away (a move, nothing put in its place) would strand a word: the
    preposition it is the object of ("with *straw* on the floor") or the second half of a compound
    adjective ("*dirty* looking toilets")."""
    toks = parse.tokens
    return _noun_slot(parse, att) or att.end < len(toks) and toks[att.end].lower in COMPOUND_ADJECTIVE_ENDS


def _plain_count(parse: Parse, att: Attribute) -> bool:
    """A count said by its word alone ("two", "several", the article "a"), which can move to another noun."""
    toks = parse.tokens
    if att.kind == "article":
        return True
    return att.lemma not in _PHRASAL_COUNTS and not (att.end < len(toks) and toks[att.end].lower == "of")


PRONOUN_NOUNS: Final = frozenset({"other", "others", "one", "ones"})


def nouns_fit(parse: Parse, a: SceneObject, b: SceneObject) -> bool:
    """Whether each noun can take the other's place in that place's number ("a hat ... glasses": never
    "a glasses"); a word that stands for a noun never moves alone ("others": never "an other")."""
    if {a.lemma, b.lemma} & PRONOUN_NOUNS:
        return False
    return (fits_number(b.lemma, a.number, determiner_of(parse, a, a.noun_start))
            and fits_number(a.lemma, b.number, determiner_of(parse, b, b.noun_start)))


def modifiers_fit(parse: Parse, lex: Lexicon, stay: int, come: int) -> bool:
    """Whether the modifiers of object `stay` fit the noun of object `come` when only the nouns swap:
    each word between the determiner and the noun must be an attribute the lexicon knows, of a type
    that applies to the new noun and plausible on it ("a *young* girl" -> "a young toddler"). A word of
    no type may say what only the old noun is ("a *female* child", "the *ball* field"): never "a female
    dough", "the ballplayer field"."""
    scene = parse.scene
    obj, new = scene.objects[stay], scene.objects[come].lemma
    typed = {i: a for a in scene.attributes_of(stay) if a.type for i in range(a.start, a.end)}
    types = set(lex.attribute_types_for(new)) if lex.is_object(new) else None
    for i in range(after_determiner(parse, obj), obj.noun_start):
        att = typed.get(i)
        if att is None:
            tok = parse.tokens[i]
            if tok.pos in {"PUNCT", "CCONJ", "ADV", "DET", "NUM"} or tok.lower == "of" or tok.lemma.lower() in QUANTIFIER_NOUNS:
                continue  # "black and white", "very large", "a group of", "rows of"
            return False
        if not attribute_fits(lex, att, new, types):
            return False
    return True


def attribute_fits(lex: Lexicon, att: Attribute, new: str, types: set[str] | None = None, attested: bool = False) -> bool:
    """Whether the attribute reads as well on the object `new` as on its own: a type that applies to it
    (unless the caption `attested` it) and a word plausible on it (never "a *blue* woman", "a *wooden*
    bird"). Counts fit anything; an object the lexicon does not know takes any word its `on` lists allow."""
    if att.type in {None, "count"}:
        return True  # words of no type are left to modifiers_fit and the caption model
    if attested:
        return lex.attribute_plausible_on(att.lemma, new)
    if types is None:  # also for a word naming a category ("a person"), or an unknown compound's last word
        types = set(lex.attribute_types_for(new) or lex.attribute_types_for(new.rsplit(" ", 1)[-1])) or None
    return (types is None or att.type in types) and lex.attribute_plausible_on(att.lemma, new)


# Attribute types that describe a group ("various food items", "matching shirts"): plural nouns only.
GROUP_TYPES: Final = frozenset({"sameness"})


def modifiers_fit_on(parse: Parse, lex: Lexicon, att: Attribute, new: str, attested: bool = False) -> bool:
    """`attribute_fits` for an attribute or, for a block of modifiers ("orange and grey"), each typed one in it."""
    if att.kind != "block":
        return attribute_fits(lex, att, new, attested=attested)
    parts = [a for a in parse.scene.attributes_of(att.obj)
             if a.kind in {"amod", "noun_mod", "group"} and att.start <= a.start and a.end <= att.end]
    return all(attribute_fits(lex, a, new, attested=attested) for a in parts)


class Swap(Operator):
    """Exchange two objects, two attributes or the actants of a relation.

    `plausible_only` (GenerationConfig.plausibility, the default) keeps each word where it can be: no
    thing takes the place of a person or an animal that does something, no attribute moves onto an
    object its type never describes. Off, SWAP makes every grammatical exchange, as benchmarks do
    ("A surfboard carrying a person", "Two wooden elephants" are SugarCrepe negatives): `hardneg
    replicate` turns it off to measure which of a benchmark's edits hardneg can make at all."""

    name = "swap"

    def _propose(self, parse: Parse, subtype: str, lex: Lexicon) -> list[Site] | str:
        return {"obj": self._objects, "att": self._attributes, "rel": self._relations}[subtype](parse, lex)

    def _same_thing(self, lex: Lexicon, a: SceneObject, b: SceneObject) -> bool:
        return a.lemma == b.lemma or lex.object_relation(a.lemma, b.lemma) is not None

    @staticmethod
    def _phrase(parse: Parse, obj: SceneObject) -> str:
        return " ".join(words(parse, obj.start, obj.end)).lower()

    def _objects(self, parse: Parse, lex: Lexicon) -> list[Site] | str:
        scene = parse.scene
        objs = scene.objects
        if len(objs) < 2:
            return "fewer than two objects"
        sites: list[Site] = []
        blocked = set()
        for ka, kb in combinations(range(len(objs)), 2):
            a, b = objs[ka], objs[kb]
            if overlaps((a.start, a.end), (b.start, b.end)) or _half_word(parse, a) or _half_word(parse, b):
                continue
            same = self._same_thing(lex, a, b)
            if same and self._phrase(parse, a) == self._phrase(parse, b) or _same_but_article(parse, lex, a, b):
                blocked.add("the objects are identical, synonyms or hypernyms")
                continue
            why = self.plausible_only and (_cannot_take_place(parse, lex, ka, b) or _cannot_take_place(parse, lex, kb, a))
            if why:
                blocked.add(why)
                continue
            link = symmetric_link(scene, lex, ka, kb, stationary=True)
            if link:
                blocked.add(f"the objects are linked by symmetric relation '{link}'")
                continue
            # "a dog and a cat", "a vase with a sunflower": the phrases swap to the same scene
            coordinated = conjuncts(parse, a, b) or joined_symmetrically(parse, lex, a, b) is not None
            # "a man ... two men": the same noun with other modifiers swaps as a whole phrase only
            kinds = [] if coordinated or _side_by_side(parse, lex, a, b, full=False) else ["phrase"]
            if kinds and not _phrases_fit(parse, a, b):
                kinds = []  # "a Tv, potted plant, tables": never "a tables, potted plant, Tv"
            if not coordinated and (a.full_end, b.full_end) != (a.end, b.end):
                apart = not overlaps((a.start, a.full_end), (b.start, b.full_end))
                if apart and not _side_by_side(parse, lex, a, b, full=True):
                    kinds.append("phrase_of")
            mods_a = " ".join(words(parse, after_determiner(parse, a), a.noun_start)).lower()
            mods_b = " ".join(words(parse, after_determiner(parse, b), b.noun_start)).lower()
            # between coordinated phrases the nouns swap as their modifiers' objects (`_coordinated_nouns`)
            # with the same modifiers the nouns alone differ from the phrases by the articles that stay in
            # place ("A gate blocks the truck" -> "A truck blocks the gate")
            dets_differ = _articles_stay(parse, lex, a, b)
            if (not same and not coordinated and (mods_a != mods_b or a.number != b.number or dets_differ)
                    and nouns_fit(parse, a, b)
                    and modifiers_fit(parse, lex, ka, kb) and modifiers_fit(parse, lex, kb, ka)):
                kinds.append("noun")
            if not kinds:
                blocked.add("coordinated objects: swapping them keeps the meaning")
                continue
            kinds = [k for k in kinds if not _orphans(parse, lex, a, b, k)]
            if not kinds:
                blocked.add(ORPHAN)
                continue

            def build(kind: str, rank: int, a=a, b=b) -> Edit:
                if kind.startswith("phrase"):
                    return np_swap(parse, a, b, "obj", f"{a.lemma}<->{b.lemma}", rank, full=kind == "phrase_of")
                return noun_swap(parse, lex, a, b, rank)

            sites.append(self.site("obj", kinds, build))
        return sites or "; ".join(sorted(blocked)) or "no pair of distinct objects"

    def _attributes(self, parse: Parse, lex: Lexicon) -> list[Site] | str:
        scene = parse.scene
        attrs = list(scene.attributes)
        if not attrs:
            return "no attributes"
        sites: list[Site] = []
        blocked = set()
        for x, y in combinations(attrs, 2):
            if overlaps((x.start, x.end), (y.start, y.end)) or (x.obj == y.obj and not _misattached(parse, x, y)):
                continue
            # never "a kneeling huge-suited surfer" ("wet-suited"), "A kneeling, crashing wave", "A white plate ...
            # dinner steamed rice" (benchmarks have some: "a brown-and-white cat ... a black dog")
            if self.plausible_only and (glued(parse, x.start, x.end) or glued(parse, y.start, y.end)
                                        or not (_may_stand_for(parse, lex, x, y) and _may_stand_for(parse, lex, y, x))):
                continue
            if "article" in (x.kind, y.kind) and {x.kind, y.kind} != {"article", "count"}:
                continue  # "a" swaps only with a single count word: "a goat ... two goats"
            if _not_a_modifier(parse, x) or _not_a_modifier(parse, y):
                continue
            if any(_noun_slot(parse, a) and not _reads_as_noun(parse, b) for a, b in ((x, y), (y, x))):
                continue  # never "a straw cow ... with *small* on the floor"
            if x.type == "count" and y.type == "count" and not self._counts_swap(parse, x, y):
                continue  # "a pair of boots ... two umbrellas": never "a two of boots"; never "a cattle"
            if x.lemma == y.lemma or lex.attribute_relation(x.lemma, y.lemma) in {"same", "synonym"}:
                blocked.add("identical or synonymous attributes")
                continue
            oa, ob = scene.objects[x.obj], scene.objects[y.obj]
            if oa.lemma == ob.lemma and (conjuncts(parse, oa, ob) or symmetric_link(scene, lex, x.obj, y.obj)):
                blocked.add("interchangeable objects")
                continue
            # two words of one type trade places: the caption says the type applies to both ("a black man
            # riding a white horse"), only the words are checked
            if self.plausible_only and any(a.type in GROUP_TYPES and scene.objects[b.obj].number != "plur"
                                           for a, b in ((x, y), (y, x))):
                continue  # never "a various collaboration"
            same_type = x.type is not None and x.type == y.type
            if self.plausible_only and not (modifiers_fit_on(parse, lex, x, ob.lemma, attested=same_type)
                                            and modifiers_fit_on(parse, lex, y, oa.lemma, attested=same_type)):
                blocked.add("an attribute implausible on its new object")
                continue
            if (x.type == "count") != (y.type == "count"):
                count = x if x.type == "count" else y
                if count.kind == "article":
                    continue  # "a" only swaps with another count
                other_k = (y if count is x else x).obj
                other = scene.objects[other_k]
                if _count_number(count.lemma) != other.number or _count_number(count.lemma) != scene.objects[count.obj].number:
                    continue  # "two" cannot move onto a singular noun without re-inflecting it
                if any(a.type == "count" and a.kind != "article" for a in scene.attributes_of(other_k)):
                    continue  # "two large giraffes ... many rocks": never "two many giraffes"
                priority = 2
            else:
                priority = 0 if x.type and x.type == y.type else 1
            sites.append(self.site("att", [(x, y)], lambda pair, rank: self._attribute_pair(parse, lex, pair[0], pair[1], rank),
                                   priority))
        sites.extend(self._moves(parse, lex, attrs))
        sites.extend(self._modifier_nouns(parse, lex, attrs))
        sites.extend(self._coordinated_nouns(parse, lex))
        return sites or "; ".join(sorted(blocked)) or "attributes on fewer than two objects"

    @staticmethod
    def _counts_swap(parse: Parse, x: Attribute, y: Attribute) -> bool:
        scene = parse.scene
        if not (_plain_count(parse, x) and _plain_count(parse, y)):
            return False
        oa, ob = scene.objects[x.obj], scene.objects[y.obj]
        # each noun after the count word that comes to it: never "an electronics", "a broccoli"
        return fits_number(oa.lemma, ob.number, y.lemma) and fits_number(ob.lemma, oa.number, x.lemma)

    def _coordinated_nouns(self, parse: Parse, lex: Lexicon) -> list[Site]:
        """Exchange the nouns of two coordinated (or symmetrically related) phrases that differ in their
        modifiers: "a white sofa and a gray rug" -> "a white rug and a gray sofa", "an adult giraffe standing
        near a white duck" -> "a white giraffe standing near an adult duck" say which thing has which
        attribute (SugarCrepe files them as attribute swaps); the whole phrases would swap to the same scene."""
        objs = parse.scene.objects
        out = []
        for a, b in combinations(objs, 2):
            if overlaps((a.start, a.end), (b.start, b.end)) or self._same_thing(lex, a, b):
                continue
            if not (conjuncts(parse, a, b) or joined_symmetrically(parse, lex, a, b) is not None
                    or symmetric_link(parse.scene, lex, objs.index(a), objs.index(b), stationary=True)):
                continue
            if _bare(b if b.start > a.start else a) or not nouns_fit(parse, a, b) or _orphans(parse, lex, a, b, "noun"):
                continue
            if glued(parse, a.noun_start, a.end) or glued(parse, b.noun_start, b.end):
                continue
            ka, kb = objs.index(a), objs.index(b)
            if self.plausible_only and not (modifiers_fit(parse, lex, ka, kb) and modifiers_fit(parse, lex, kb, ka)):
                continue  # never "a pretty book with a red lady"
            mods_a = " ".join(words(parse, after_determiner(parse, a), a.noun_start)).lower()
            mods_b = " ".join(words(parse, after_determiner(parse, b), b.noun_start)).lower()
            if mods_a == mods_b:
                continue

            def build(pair: tuple[SceneObject, SceneObject], rank: int) -> Edit:
                return noun_swap(parse, lex, pair[0], pair[1], rank, subtype="att")

            out.append(self.site("att", [(a, b)], build, priority=1))
        return out

    def _modifier_nouns(self, parse: Parse, lex: Lexicon, attrs: list[Attribute]) -> list[Site]:
        """Exchange a noun used as a modifier with another object's noun: "a street sign ... a building" ->
        "a building sign ... a street"; "two chocolate doughnuts, one strawberry" -> "two strawberry ..."."""
        scene, toks = parse.scene, parse.tokens
        out = []
        for x in attrs:
            if x.kind != "compound" or x.end - x.start != 1 or toks[x.start].pos != "NOUN":
                continue
            owner = scene.objects[x.obj]
            thing = lex.is_object(toks[x.start].lemma.lower())
            targets = [
                o for k, o in enumerate(scene.objects)
                if k != x.obj and o.noun_start == o.head and o.number == "sing" and toks[o.head].pos == "NOUN"
                and o.lemma not in {toks[x.start].lower, owner.lemma} and not overlaps((o.start, o.end), (owner.start, owner.end))
                and _may_take_modifier_noun(parse, lex, o, thing)
                and not glued(parse, o.noun_start, o.end) and not glued(parse, x.start, x.end)
                # a setting's place takes only another setting: never "walking down the sun" ("a sun umbrella")
                and (not self.plausible_only or _trade_places(lex.object_category(toks[x.start].lemma.lower()) or "thing",
                                                               _kind_of(parse, lex, o)) == "")
                # the modifier becomes that phrase's noun: never "a rain" ("rain boots ... an umbrella")
                and fits_number(toks[x.start].lemma.lower(), o.number, determiner_of(parse, o, o.noun_start))
            ]
            if targets:
                out.append(self.site("att", targets, lambda t, rank, x=x: _exchange(  # type: ignore[misc]
                    parse, (x.start, x.end), (t.head, t.head + 1), "att", f"modifier noun: {x.lemma}<->{t.lemma}", rank),
                    priority=2))
        return out

    def _attribute_pair(self, parse: Parse, lex: Lexicon, x: Attribute, y: Attribute, rank: int) -> Edit:
        scene = parse.scene
        oa, ob = scene.objects[x.obj], scene.objects[y.obj]
        wx, wy = movable_words(parse, x.start, x.end), movable_words(parse, y.start, y.end)
        changes = [Change(x.start, x.end, wy), Change(y.start, y.end, wx)]
        number: tuple[tuple[int, str], ...] = ()
        if x.type == "count" and oa.number != ob.number:
            # "one apple and several oranges" -> "several apples and one orange"
            changes.append(Change(oa.noun_start, oa.end, tuple(inflect_noun(oa.lemma, ob.number).split(" "))))
            changes.append(Change(ob.noun_start, ob.end, tuple(inflect_noun(ob.lemma, oa.number).split(" "))))
            number = _number_changes(parse, oa, ob)
        return Edit(
            "swap",
            "att",
            ((x.start, x.end), (y.start, y.end)),
            (" ".join(words(parse, x.start, x.end)), " ".join(words(parse, y.start, y.end))),
            (" ".join(wy), " ".join(wx)),
            tuple(changes),
            number,
            f"{x.lemma}<->{y.lemma}",
            rank,
        )

    def _moves(self, parse: Parse, lex: Lexicon, attrs: list[Attribute]) -> list[Site]:
        """Move an attribute to an object that has none: "a red dress and a cake" -> "a dress and a red cake"."""
        scene = parse.scene
        toks = parse.tokens
        has_attr = {a.obj for a in attrs if a.type != "count"}
        out = []
        for x in attrs:
            if x.type in {None, "count"} or x.kind == "predicate" or _not_a_modifier(parse, x) or _leaves_a_gap(parse, x):
                continue
            if self.plausible_only and (glued(parse, x.start, x.end) or x.kind == "part"):
                continue  # never "a room with ... green curtains" from "a lime green room"
            owner = scene.objects[x.obj]
            if x.kind == "noun_mod" and owner.end < len(toks) and toks[owner.end].tag in {"NN", "NNS"}:
                continue  # a name the parser split ("a side view / mirror"): never "a side dog ... a view mirror"
            neighbours = {toks[i].lower for i in (x.start - 1, x.end) if 0 <= i < len(toks)}
            if neighbours & {"and", ",", "or", "-"}:
                continue
            targets = [
                t for k, t in enumerate(scene.objects)
                if k != x.obj and k not in has_attr and t.lemma != scene.objects[x.obj].lemma
                and (not self.plausible_only or modifiers_fit_on(parse, lex, x, t.lemma))
                and (not self.plausible_only or x.type not in GROUP_TYPES or t.number == "plur")
                and not (t.noun_start <= x.start < t.end or x.start <= t.noun_start < x.end)
                and not glued(parse, t.noun_start, t.end)
            ]
            if targets:
                out.append(self.site("att", targets, lambda t, rank, x=x: self._move(parse, x, t, rank), priority=2))  # type: ignore[misc]
        return out

    def _move(self, parse: Parse, x: Attribute, target: SceneObject, rank: int) -> Edit:
        wx = movable_words(parse, x.start, x.end)
        return Edit(
            "swap",
            "att",
            ((x.start, x.end), (target.noun_start, target.noun_start)),
            (" ".join(words(parse, x.start, x.end)), ""),
            ("", " ".join(wx)),
            (Change(x.start, x.end, ()), Change(target.noun_start, target.noun_start, wx)),
            (),
            f"move {x.lemma}: {parse.scene.objects[x.obj].lemma}->{target.lemma}",
            rank,
        )

    def _verbs(self, parse: Parse, lex: Lexicon) -> list[Site]:
        """Exchange what two agents do: "a dog surfing ... his owner swimming" -> "a dog swimming ...
        his owner surfing"."""
        toks = parse.tokens
        verbs = [r for r in parse.scene.relations if r.kind == "verb" and r.subj is not None]
        sites = []
        for x, y in combinations(verbs, 2):
            if x.subj == y.subj or x.lemma == y.lemma or lex.relation_relation(x.lemma, y.lemma) is not None:
                continue
            if toks[x.start].tag != toks[y.start].tag or overlaps((x.start, x.end), (y.start, y.end)):
                continue  # the same verb form only: no re-inflection, no agreement to redo
            if self.plausible_only and (toks[x.start].tag == "VB" or _complemented(parse, x.start)
                                        or _complemented(parse, y.start)):
                # "getting ready to blow ... a girl watching": never "watching ready to blow ... getting";
                # "to allow people to board the bus": never "to board the bus people to allow"
                continue
            px, py = _verb_phrase(parse, x.start, x.end), _verb_phrase(parse, y.start, y.end)
            # the verbs alone only where both take an object or neither does: never "sitting a red apple"
            # (benchmarks have them: "A dog swimming a small wave with his owner surfing" in SugarCrepe)
            alone = (x.obj is None) == (y.obj is None) or not self.plausible_only
            spans = [((x.start, x.end), (y.start, y.end))] if alone else []
            if (px, py) != ((x.start, x.end), (y.start, y.end)) and not overlaps(px, py) and min(px[1], py[1]) < max(px[0], py[0]):
                # "a woman walking ... a man riding a bike" -> "... riding a bike ... walking"; never side by side
                # ("containing flowers sitting on a table" -> "sitting containing flowers on a table")
                spans.append((px, py))
            if not spans:
                continue
            choices = [_exchange(parse, a, b, "rel", f"actions: {x.lemma}<->{y.lemma}") for a, b in spans]
            sites.append(self.site("rel", choices, lambda e, rank: e, priority=1))
        return sites

    def _relations(self, parse: Parse, lex: Lexicon) -> list[Site] | str:
        scene = parse.scene
        rels = [r for r in scene.relations if r.subj is not None and r.obj is not None and r.subj != r.obj]
        if not rels:
            return self._verbs(parse, lex) or "no relation with both an agent and a patient"
        sites: list[Site] = []
        blocked = set()
        for rel in rels:
            assert rel.subj is not None and rel.obj is not None  # (for the type checker: `rels` has both)
            a, b = scene.objects[rel.subj], scene.objects[rel.obj]
            if lex.is_symmetric(rel.lemma) or joined_symmetrically(parse, lex, a, b):
                blocked.add(f"symmetric relation '{rel.lemma}'")
                continue
            if overlaps((a.start, a.end), (b.start, b.end)) or self._same_thing(lex, a, b):
                blocked.add("identical arguments")
                continue
            if glued(parse, a.start, a.end) or glued(parse, b.start, b.end):
                continue
            why = self.plausible_only and (_cannot_take_place(parse, lex, rel.subj, b, rel)
                                           or _cannot_take_place(parse, lex, rel.obj, a))
            if why:
                blocked.add(why)
                continue
            detail = f"{rel.lemma}: {a.lemma}<->{b.lemma}"
            if _orphans(parse, lex, a, b, "phrase"):
                blocked.add(ORPHAN)
                continue
            sites.append(self.site("rel", [(a, b)], lambda ab, rank, d=detail: np_swap(parse, ab[0], ab[1], "rel", d, rank)))  # type: ignore[misc]
        sites.extend(self._verbs(parse, lex))
        return sites or "; ".join(sorted(blocked))


EATEN: Final = frozenset({"food", "drink"})
# Nouns that say where something is relative to something else: no thing of the scene.
RELATIVE_PLACES: Final = frozenset({"side", "distance", "front", "back", "top", "bottom", "middle", "edge", "center",
                                    "centre", "background", "foreground", "left", "right", "end", "rear", "inside",
                                    "outside"})
VERB_COMPLEMENTS: Final = frozenset({"dobj", "prt", "acomp", "attr", "dative", "oprd"})
ANIMATE: Final = PERSONS | {"animal"}
ACTORS: Final = ANIMATE | {"body_part"}  # "A hand is holding a carrot": never "A carrot is holding a hand"


def _half_word(parse: Parse, obj: SceneObject) -> bool:
    """Whether the object's noun is half of a word: written with a hyphen ("*snow*-packed") or the first
    half of a compound adjective ("a *cream* colored couch")."""
    toks = parse.tokens
    return glued(parse, obj.start, obj.end) or (obj.end < len(toks) and toks[obj.end].lower in COMPOUND_ADJECTIVE_ENDS
                                                 and toks[obj.end].dep == "amod")  # never "a man looking"


def _trade_places(a: str, b: str) -> str:
    """Why things of lexicon categories `a` and `b` cannot trade places, or "": the scene's setting only
    with a setting of its kind ("standing in the woods": never "the woods standing in a deer", "in the sink
    next to a bathroom", "walking down the sun"), what people wear only with another garment ("wearing
    glasses": never "wearing doughnuts"). Grammatical, but a text-only model knows which way round the
    world is. A body part trades places only with a body part, food and drink only with food and drink."""
    if (a in SETTINGS or b in SETTINGS) and a != b:
        return "a setting would trade places with a thing in it or another kind of place"
    if (a in WORN) != (b in WORN):
        return "a garment would trade places with a thing not worn"
    if (a == "body_part") != (b == "body_part"):
        return "a body part would trade places with something else"  # "A cat with a pink bed sitting on blue eyes"
    if (a in EATEN) != (b in EATEN):
        # "a bowl of food resting on a table": never "a bowl of a table resting on food", "a white plate
        # sitting in a sandwich"
        return "food would trade places with a thing not eaten"
    return ""


def _may_stand_for(parse: Parse, lex: Lexicon, att: Attribute, other: Attribute) -> bool:
    """Whether the attribute may take the other's place: a whole modifier of a type the lexicon knows (a
    colour, a size, a count), or a noun naming a thing right before its noun that lands right before
    another ("a black-rimmed window ... wine bottles" -> "a wine window ... black-rimmed bottles"). A word of
    no known type ("kneeling", "Air Force"), half of a modifier ("green" of "lime green"), a noun landing
    before an adjective ("a white plate ... dinner steamed rice") or half of a name ("gas" of "gas station
    sign") may not describe what it moves onto, or reads as garbage there."""
    if att.type is not None and att.kind != "part":
        return True
    toks, objs = parse.tokens, parse.scene.objects
    owner, there = objs[att.obj], objs[other.obj]
    return (att.end - att.start == 1 and toks[att.start].pos == "NOUN" and lex.is_object(toks[att.start].lemma.lower())
            and att.end == owner.noun_start == owner.head and other.end == there.noun_start
            and not (owner.end < len(toks) and toks[owner.end].tag in {"NN", "NNS"}))


def _agents(parse: Parse, k: int) -> tuple[set[int], set[int]]:
    """The objects whose verbs object k does: itself and the phrase it is coordinated with ("a man and *a
    boy* are talking"); and verbs whose subject the scene missed: the verb a quantifier of the phrase is
    the subject of ("A group/nsubj of giraffes drink"), the verb its noun hangs on where the parser read
    a subject as a compound of the verb ("Three giraffe/compound drinking/ROOT from a pond")."""
    toks, objs = parse.tokens, parse.scene.objects
    obj = objs[k]
    head = obj.head
    while toks[head].dep == "conj" and toks[head].head != head:
        head = toks[head].head
    agents = {k} | {j for j, o in enumerate(objs) if o.head == head}
    verbs = {toks[i].head for i in range(obj.start, obj.noun_start) if toks[i].dep in {"nsubj", "nsubjpass"}}
    if toks[head].dep == "compound" and toks[toks[head].head].pos == "VERB":
        verbs.add(toks[head].head)
    return agents, verbs


def _actions(parse: Parse, lex: Lexicon, k: int, rel: Relation | None = None) -> list[str]:
    """The verbs object k does, less verbs of staying in place ("a cake sitting on a table" reads as well
    as "a cat sitting on a table"): every verb it (or the phrase it is coordinated with) is the subject
    of and, given a relation, the verb that relation's preposition hangs on ("cooking food *in* a kitchen")."""
    verb = rel.verb if rel is not None else None
    agents, missed = _agents(parse, k)
    toks, verbs = parse.tokens, [r for r in parse.scene.relations if r.kind == "verb"]
    done = [r for r in verbs if r.subj in agents or r.start in missed or verb is not None and r.start == verb]
    # a verb with no subject of its own hung on one of those does it too ("a cat stands on a table drinking")
    heads = {r.start for r in done}
    done += [r for r in verbs if r.subj is None and r not in done and toks[r.start].dep in {"advcl", "xcomp", "conj"}
             and toks[r.start].head in heads]
    acts = [r.lemma for r in done]
    for extra in (verb, *missed):
        if extra is not None and not any(r.start == extra for r in parse.scene.relations):
            acts.append(parse.tokens[extra].lemma.lower())
    # staying in place is no action, unless only the living do it ("a boy posing": never "a kite posing")
    return [v for v in acts if not lex.is_stationary(v) or lex.needs_animate_subject(v)]


# Words the lexicon has no category for that name people in captions ("while *others* watch", "*one* of
# them"); names and pronouns ("Dad", "someone") are people too.
_PEOPLE_WORDS: Final = PRONOUN_NOUNS | {"couple"}


def _kind_of(parse: Parse, lex: Lexicon, obj: SceneObject) -> str:
    """The object's lexicon category (of the noun as written first: "glasses" are worn, a "glass" holds a
    drink; of its last word for an unknown compound: "baby girl"), "person" for a name, a pronoun or a
    word for people, else "thing"."""
    written = " ".join(words(parse, obj.noun_start, obj.end)).lower()
    for word in dict.fromkeys((written, obj.lemma, obj.lemma.rsplit(" ", 1)[-1])):
        category = lex.object_category(word)
        if category:
            return category
    if parse.tokens[obj.head].pos in {"PRON", "PROPN"} or obj.lemma in _PEOPLE_WORDS:
        return "person"
    return "thing"


def _complemented(parse: Parse, verb: int) -> bool:
    """Whether a verb has an adjective or a clause for its complement ("getting *ready*", "trying *to
    catch*"): it does not move without it."""
    return any(parse.tokens[c].dep in {"acomp", "xcomp", "ccomp", "oprd"} for c in parse.children[verb])


def _in_of_phrase(parse: Parse, obj: SceneObject) -> bool:
    """Whether the object is the noun before "of" in a noun phrase ("the *edge* of a tub", "a *plate* of
    food", "a *pair* of doors"): moved alone, it leaves "The edge sits on a cup of a white tub", "Food of
    plate". (The noun after "of" may move: "A white tub sits on the edge of a cup".)"""
    toks = parse.tokens
    return obj.end < len(toks) and toks[obj.end].lower == "of"


def _cannot_take_place(parse: Parse, lex: Lexicon, k: int, new: SceneObject, rel: Relation | None = None) -> str:
    """Why the object `new` cannot take the place of object k, or "": a thing never does what a person or
    an animal did ("A tennis ball throws a man", "A kitchen cooking food in a woman", "Traffic holding onto
    Dad"; a text-only model spots those), nor an animal what only people do, nor a thing undergo what only
    the living do ("petting a couch")."""
    was, now = _kind_of(parse, lex, parse.scene.objects[k]), _kind_of(parse, lex, new)
    why = _trade_places(was, now)
    if why:
        return why
    if _in_of_phrase(parse, parse.scene.objects[k]) or _in_of_phrase(parse, new):
        return "a noun of an 'of' phrase would leave the other half behind"
    if {parse.scene.objects[k].lemma.rsplit(" ", 1)[-1], new.lemma.rsplit(" ", 1)[-1]} & RELATIVE_PLACES:
        # "a desk to one side and a small window on the opposite side": never "the opposite side on a small
        # window"; "some animals in the distance": never "The distance with some animals"
        return "a word for where something is (side, distance, front) would trade places"
    actions = _actions(parse, lex, k, rel)
    if actions and (was in ANIMATE and now not in ANIMATE or was in ACTORS and now not in ACTORS):
        return f"a thing would do what a person, an animal or a hand does ('{actions[0]}')"
    people_only = [v for v in actions if lex.needs_person_subject(v)]
    if people_only and now not in PERSONS:
        return f"only people '{people_only[0]}'"
    owned = [r for r in parse.scene.relations if r.subj == k and r.obj is not None
             and _kind_of(parse, lex, parse.scene.objects[r.obj]) == "body_part"]
    if owned and was in ANIMATE and now not in ANIMATE:
        return "a thing would have a person's or an animal's body part"  # never "A pink bed with blue eyes"
    done_to = [r.lemma for r in parse.scene.relations if r.obj == k and lex.needs_animate_object(r.lemma)]
    if done_to and now not in ANIMATE:
        return f"only the living are '{done_to[0]}'-ed"
    return ""


def _side_by_side(parse: Parse, lex: Lexicon, a: SceneObject, b: SceneObject, full: bool) -> bool:
    """True when swapping the two phrases whole leaves them joined only by a symmetric relation at the
    start of the caption ("An adult giraffe standing *near* a white duck ..."): nothing before the
    first phrase tells them apart, so the swapped caption says the same."""
    first, second = (a, b) if a.start < b.start else (b, a)
    if first.start != 0:
        return False
    between = " ".join(words(parse, first.full_end if full else first.end, second.start)).lower()
    return bool(between) and lex.is_symmetric(between)


def _may_take_modifier_noun(parse: Parse, lex: Lexicon, target: SceneObject, thing: bool) -> bool:
    """Whether a modifier noun can take the target's place: never a person's or an animal's ("a *tennis*
    holding a man racquet"), and one that names no thing ("tennis", "sports") never the subject's."""
    if lex.object_category(target.lemma) in {"person", "person_role", "animal"}:
        return False
    return thing or parse.tokens[target.head].dep not in {"nsubj", "nsubjpass", "ROOT"}


def _same_but_article(parse: Parse, lex: Lexicon, a: SceneObject, b: SceneObject) -> bool:
    """Two phrases that differ in their article at most, of one noun or synonyms ("*a* bus ... *the* bus",
    "a picture ... a photo"): swapping them says the same."""
    if a.number != b.number or not (a.lemma == b.lemma or lex.object_relation(a.lemma, b.lemma) in {"same", "synonym"}):
        return False
    def rest(o: SceneObject) -> list[str]:
        return [w.lower() for w in words(parse, o.start, o.noun_start) if w.lower() not in {"a", "an", "the"}]
    return rest(a) == rest(b)


def _article(parse: Parse, obj: SceneObject) -> str | None:
    """The phrase's determiner, with "a" and "an" one article."""
    det = determiner_of(parse, obj, obj.noun_start)
    return "a" if det == "an" else det


def _articles_stay(parse: Parse, lex: Lexicon, a: SceneObject, b: SceneObject) -> bool:
    """Whether swapping the nouns alone, each under the other's determiner, says something the whole
    phrases do not: both have a determiner and they differ ("A gate blocks the truck" -> "A truck blocks
    the gate"); never a bare noun left ("A weed hoes farmer") nor a setting under "a" ("A ground")."""
    da, db = _article(parse, a), _article(parse, b)
    if da is None or db is None or da == db:
        return False
    return all(not (det == "a" and lex.object_category(noun.lemma) in SETTINGS) for det, noun in ((da, b), (db, a)))


def _bare(obj: SceneObject) -> bool:
    """A noun phrase with no determiner and no modifier of its own ("... and *appliances*")."""
    return obj.noun_start == obj.start


def _verb_phrase(parse: Parse, start: int, end: int) -> tuple[int, int]:
    """The verb with its object and particle ("holding a pink umbrella"), when they follow it contiguously."""
    toks, kids = parse.tokens, parse.children
    members = set(range(start, end))
    stack = [c for i in range(start, end) for c in kids[i] if toks[c].dep in VERB_COMPLEMENTS and c >= end]
    while stack:
        c = stack.pop()
        members.add(c)
        stack.extend(kids[c])
    last = max(members) + 1
    if set(range(start, last)) != members or (last > end and toks[last - 1].pos == "PUNCT"):
        return start, end
    return start, last


def _exchange(parse: Parse, a: tuple[int, int], b: tuple[int, int], subtype: str, detail: str, rank: int = 0) -> Edit:
    """Exchange the words of two source spans as they are (no re-inflection)."""
    wa, wb = words(parse, *a), words(parse, *b)
    return Edit("swap", subtype, (a, b), (" ".join(wa), " ".join(wb)), (" ".join(wb), " ".join(wa)),
                (Change(a[0], a[1], wb), Change(b[0], b[1], wa)), (), detail, rank)


def _misattached(parse: Parse, x: Attribute, y: Attribute) -> bool:
    """Two modifiers of one noun with a verb or noun between them: the parser hung both on the last noun
    ("wearing blue/amod vest catching red/amod flying disc"), so they belong to different things."""
    if x.type is None or x.type != y.type or {x.kind, y.kind} != {"amod"}:
        return False
    first, second = sorted((x, y), key=lambda a: a.start)
    return any(parse.tokens[i].pos in {"VERB", "NOUN", "PROPN", "ADP"} for i in range(first.end, second.start))
