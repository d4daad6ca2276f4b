"""REPLACE: substitute one object, attribute or relation by a contrasting one of the same kind.

Objects are replaced within their category (animal for animal), never by a synonym, hypernym or
hyponym; attributes within their type (colour for colour); relations by a contrasting relation
(on/under, sitting/standing), inflected to the form of the word they replace.
"""

from __future__ import annotations

from functools import partial
from typing import Final

from toolkit.generation.corpus import canonical_object
from toolkit.generation.operators.actions import action_substitutes
from toolkit.generation.operators.base import Change, Edit, Operator, Site
from toolkit.generation.operators.counting import count_choices, count_edit, read_count
from toolkit.generation.operators.sites import (
    PERSONS,
    SETTINGS,
    WEARING,
    WORN,
    after_determiner,
    determiner_of,
    fits_number,
    gender,
    gender_held_by_pronouns,
    leading_determiner,
    named_things,
    object_lemma_in_lexicon,
    phrase_root,
    regendered_pronouns,
    taken_by,
    wearable,
    words,
)
from toolkit.text.lexicon import Lexicon
from toolkit.text.morph import (
    PLURAL_DETERMINERS,
    countable,
    inflect_adjective,
    inflect_noun,
    inflect_verb,
)
from toolkit.text.parse import Parse
from toolkit.text.scene import Attribute, Relation, SceneObject
from toolkit.text.wordnet import load_verbs

# Prepositions that need an object after them: a verb substitute ending in one ("look away from") needs one.
GOVERNING: Final = frozenset({"at", "from", "to", "with", "toward", "towards", "of", "for", "into", "onto", "through",
                              "after", "on", "in", "over", "under", "about", "across", "along", "around", "behind"})
# What a general word may turn into: things of another category that share its scenes.
CONTRAST_CATEGORIES: Final = {
    "person": ("animal",),
    "person_role": ("animal",),
    "animal": ("person",),
    "building": ("plant", "terrain", "structure"),
    "structure": ("plant", "building"),
    "vehicle": ("animal",),
    "furniture": ("appliance", "electronics"),
    "plant": ("structure",),
    "room": ("place", "terrain"),
}


def single_replace(
    parse: Parse, subtype: str, start: int, end: int, new: tuple[str, ...], detail: str, rank: int, **kw
) -> Edit:
    """An edit replacing tokens [start, end) by `new` (plus any extra changes given in `kw`)."""
    extra: tuple[Change, ...] = kw.get("extra", ())
    return Edit(
        "replace",
        subtype,
        ((start, end),),
        (" ".join(words(parse, start, end)),),
        (" ".join(new),),
        (Change(start, end, new), *extra),
        kw.get("number", ()),
        detail,
        rank,
    )


def verb_tag(tok) -> str:
    """The Penn tag a verb's replacement takes; "standing" tagged as a noun still means VBG."""
    if tok.tag.startswith("VB"):
        return tok.tag
    return "VBG" if tok.lower.endswith("ing") else "VBN" if tok.lower.endswith("ed") else "VBZ"


def _phrase_number(parse: Parse, obj: SceneObject, start: int) -> str:
    """The number of a noun replacing tokens [start, head]: the object's, unless a quantifier goes with
    it ("a group of stones" -> "a bush"): then the determiner left before it decides."""
    toks = parse.tokens
    if any(toks[i].lower == "of" for i in range(start, obj.noun_start)):
        det = leading_determiner(parse, obj, start)
        if det in {"a", "an", "one", "another", "each", "every"}:
            return "sing"
        if det is None or det in PLURAL_DETERMINERS:
            return "plur"
    return obj.number


def _group(lex: Lexicon, lemma: str) -> str | None:
    entry = lex.object_entry(lemma)
    return entry.group if entry else None


def attribute_choices(parse: Parse, lex: Lexicon, att: Attribute) -> list[str]:
    """Substitutes for an attribute: of its own words, else of its lemma inflected like it ("older" ->
    "younger"), else of its last word replacing the whole phrase ("very crowded" -> "empty")."""
    subs = lex.attribute_substitutes(att.lemma)
    if subs:
        return subs
    if att.kind == "compound":  # "a rock wall" -> "a brick wall", "pepperoni pizza" -> "mushroom pizza"
        if lex.is_object(parse.scene.objects[att.obj].lemma):
            return []  # "a fire hydrant" is one name: REPLACE object handles it
        group = _group(lex, att.lemma)  # same fine group only: a "rock wall" is no "grass wall"
        named = named_things(parse, lex)  # "a toilet and sink combination": never "a toilet and toilet ..."
        return [o for o in lex.object_substitutes(att.lemma) if group and _group(lex, o) == group and o not in named]
    last = parse.tokens[att.end - 1]
    lemma = last.lemma.lower()
    if lemma != last.lower and last.tag in {"JJR", "JJS"}:
        return [inflect_adjective(s, last.tag) for s in lex.attribute_substitutes(lemma) if " " not in s]
    if att.end - att.start > 1:
        first = parse.tokens[att.start].lower  # "black rimmed" -> "white": the type comes from "black"
        return lex.attribute_substitutes(last.lower) or lex.attribute_substitutes(lemma) or lex.attribute_substitutes(first)
    return []


class Replace(Operator):
    """Substitute one object, attribute or relation. `plausible_only` (GenerationConfig.plausibility) also
    keeps a path after a verb for verbs of movement ("looking out a window", never "posing out a window")
    and replaces a bare singular noun only by one that stands bare too ("watching TV": never "watching
    laptop"); `hardneg replicate` turns it off with SWAP's rules (benchmarks have "watching laptop").
    A person replaced by one of the other gender takes the pronouns that refer to it along ("A girl ... her
    hand" -> "A boy ... his hand")."""

    name = "replace"

    def _propose(self, parse: Parse, subtype: str, lex: Lexicon) -> list[Site] | str:
        return {"obj": self._objects, "att": self._attributes, "rel": self._relations}[subtype](parse, lex)

    def _objects(self, parse: Parse, lex: Lexicon) -> list[Site] | str:
        scene = parse.scene
        if not scene.objects:
            return "no objects"
        present = named_things(parse, lex)
        sites: list[Site] = []
        unknown = []
        for k, obj in enumerate(scene.objects):
            found = object_lemma_in_lexicon(lex, obj)
            if found is None:
                site = self._general_word(parse, lex, obj)
                if site:
                    sites.append(site)
                else:
                    unknown.append(obj.lemma)
                continue
            lemma, whole = found
            # an unknown compound of several words ("side view mirror") goes whole: its modifiers name
            # that kind of mirror, never "a side view clock"
            start = obj.noun_start if whole or obj.head - obj.noun_start > 1 else obj.head
            subs = [s for s in lex.object_substitutes(lemma) if s not in present]
            det = determiner_of(parse, obj, start)
            subs = [s for s in subs if fits_number(s, obj.number, det)]
            held = gender_held_by_pronouns(parse, lex, k) if self.plausible_only else None
            if held:
                subs = [s for s in subs if gender(lex, s) in {None, held}]
            if self.plausible_only and taken_by(parse, k, INGESTING):
                # "drinking water" (water files under terrain): never "drinking sand", "drinking grass"
                subs = [s for s in subs if lex.object_category(s) in {"food", "drink"}]
            if self.plausible_only and taken_by(parse, k, WEARING):
                subs = [s for s in subs if wearable(lex, s)]  # "wearing a collar": never "wearing an umbrella"
            if self.plausible_only:
                # what the caption says of the object stays plausible of the new one (the lexicon's `on`
                # lists): "a little boy" never becomes "a little man"
                said = [a.lemma for a in scene.attributes_of(k)]
                subs = [s for s in subs if all(lex.attribute_plausible_on(w, s) for w in said)]
            if self.plausible_only and _bare_singular(parse, obj):
                # "watching TV": never "watching laptop"; "watching a laptop" would be a word longer than
                # its caption, which a text-only model learns to spot: only nouns that stand bare
                subs = [s for s in subs if not countable(s.rsplit(" ", 1)[-1])]
            if self.counts:
                # the corpus orders choices inside the lexicon's fine group first, then the rest
                context = [canonical_object(lex, o.lemma) for o in scene.objects if o is not obj]
                group = _group(lex, lemma)
                near = [s for s in subs if _group(lex, s) == group]
                subs = self.counts.rank_objects(context, near) + self.counts.rank_objects(context, subs[len(near):])
            subs = subs[: self.per_site]

            def build(sub: str, rank: int, obj=obj, k=k, lemma=lemma, start=start, end=obj.end) -> Edit:
                number = _phrase_number(parse, obj, start)
                new = tuple(inflect_noun(sub, number, lex.object_plural(sub)).split(" "))
                agree = ((phrase_root(parse, obj), number),) if number != obj.number else ()
                # "A girl ... her hand" -> "A boy ... his hand", never "A boy ... her hand"
                extra = tuple(Change(i, i + 1, (w,)) for i, w in regendered_pronouns(parse, lex, k, sub))
                return single_replace(parse, "obj", start, end, new, f"{lemma}->{sub}", rank, number=agree, extra=extra)

            sites.append(self.site("obj", subs, build))
            if not whole:  # "a birthday cake" -> "a pie": the unknown compound goes with its noun
                sites.append(self.site("obj", subs[:2], partial(build, start=obj.noun_start), 1))
                first = parse.tokens[obj.noun_start].lemma.lower()
                if lex.is_object(first) and not lex.attribute_type(first):
                    # a misparsed run of nouns ("a table drinking water"): its first noun is an object too
                    firsts = [s for s in lex.object_substitutes(first) if s not in present][:2]
                    sites.append(self.site("obj", firsts, partial(
                        self._first_noun, parse, lex, obj.noun_start, first), 1))
            first_mod = after_determiner(parse, obj)
            if (first_mod < start and not self.plausible_only
                    and not any(a.type == "count" and a.kind != "article" for a in scene.attributes_of(k))):
                # "a little girl" -> "a puppy": the modifiers go with the noun they described (benchmarks do
                # this; default output does not: the negative would lose a true word besides, and be shorter
                # than its caption, which a learned adversary reads as the caption's mark)
                det = leading_determiner(parse, obj, first_mod)
                fit = [s for s in subs[:2] if fits_number(s, _phrase_number(parse, obj, first_mod), det)]
                sites.append(self.site("obj", fit, partial(build, obj=obj, lemma=lemma, start=first_mod), 1))
            if obj.full_end > obj.end:
                # "a glass of water" -> "a soda can": the phrase with its complement
                sites.append(self.site("obj", subs[:2], partial(build, start=first_mod, end=obj.full_end), 1))
        return sites or f"no object in the lexicon ({', '.join(unknown)})"

    @staticmethod
    def _first_noun(parse: Parse, lex: Lexicon, pos: int, lemma: str, sub: str, rank: int) -> Edit:
        number = "plur" if parse.tokens[pos].tag == "NNS" else "sing"
        new = tuple(inflect_noun(sub, number, lex.object_plural(sub)).split(" "))
        return single_replace(parse, "obj", pos, pos + 1, new, f"{lemma}->{sub}", rank)

    def _general_word(self, parse: Parse, lex: Lexicon, obj: SceneObject) -> Site | None:
        """A general word ("people", "building") cannot become one of its own kinds ("man", "house"),
        which would still be true; it can become a thing of a contrasting category ("dogs", "tree")."""
        head = obj.lemma.split(" ")[-1]
        category = lex.object_category(head) if lex.is_object_hypernym(head) else None
        contrast = CONTRAST_CATEGORIES.get(category or "", ())
        if not contrast:
            return None
        pool = [e.canonical for c in contrast for e in lex.object_entries() if e.category == c]
        det = determiner_of(parse, obj, obj.head)
        pool = [s for s in pool if fits_number(s, obj.number, det)]
        if self.counts:
            context = [canonical_object(lex, o.lemma) for o in parse.scene.objects if o is not obj]
            pool = self.counts.rank_objects(context, pool)

        def build(sub: str, rank: int) -> Edit:
            new = tuple(inflect_noun(sub, obj.number, lex.object_plural(sub)).split(" "))
            return single_replace(parse, "obj", obj.head, obj.end, new, f"{head}->{sub} (other category)", rank)

        return self.site("obj", pool[: self.per_site], build)

    def _attributes(self, parse: Parse, lex: Lexicon) -> list[Site] | str:
        scene = parse.scene
        typed = [
            a for a in scene.attributes
            if a.kind not in {"block", "group"} and a.type != "count"
            and (a.type or a.kind == "compound" or a.end - a.start > 1 and a.kind in {"amod", "predicate"})
        ]
        sites: list[Site] = [site for site in map(partial(self._count, parse, lex), range(len(scene.objects))) if site]
        if not typed and not sites:
            return "no attribute of a known type"
        for att in typed:
            on_same = {a.lemma for a in scene.attributes_of(att.obj)}
            subs = [s for s in attribute_choices(parse, lex, att) if s not in on_same]
            found = object_lemma_in_lexicon(lex, parse.scene.objects[att.obj])
            if found:  # "a wooden table" -> "a marble table", never "a denim table"
                subs = lex.attribute_plausible(subs, found[0])
            if self.counts:
                subs = self.counts.rank_attributes(canonical_object(lex, scene.objects[att.obj].lemma), subs)
            subs = subs[: self.per_site]
            sites.append(self.site("att", subs, lambda sub, rank, att=att: self._attribute(parse, lex, att, sub, rank)))  # type: ignore[misc]
        return sites

    def _count(self, parse: Parse, lex: Lexicon, k: int) -> Site | None:
        """The count of object `k` replaced by one that contradicts it ("exactly 4" -> "exactly 3", "some
        giraffes" -> "a single giraffe", "a giraffe" -> "two giraffes"); an article or a bare plural, which
        say a count only in passing, comes after the caption's other attributes."""
        if self.plausible_only and parse.scene.objects[k].lemma in STAND_IN_NOUNS:
            return None  # "while others run": never "while an other runs" (a VALSE foil counts one)
        reading = read_count(parse, k)
        if reading is None:
            return None
        choices = count_choices(parse, reading)[: self.per_site]
        if not choices:
            return None  # explicit: a compiled build reads `if site` on an Optional as `is not None`
        passing = reading.style == "bare" or reading.end - reading.start == 1 and parse.tokens[reading.start].lower in {"a", "an"}
        return self.site("att", choices, partial(count_edit, parse, lex, reading), 5 if passing else 0)

    @staticmethod
    def _attribute(parse: Parse, lex: Lexicon, att: Attribute, sub: str, rank: int) -> Edit:
        detail = f"{att.type}: {att.lemma}->{sub}"
        return single_replace(parse, "att", att.start, att.end, tuple(sub.split(" ")), detail, rank)

    def _relations(self, parse: Parse, lex: Lexicon) -> list[Site] | str:
        scene = parse.scene
        if not scene.relations:
            return "no relations"
        toks = parse.tokens
        sites: list[Site] = []

        def form(rel: Relation, sub: str) -> tuple[str, ...]:
            return tuple((inflect_verb(sub, verb_tag(toks[rel.start])) if rel.kind == "verb" else sub).split(" "))

        # verbs with their own preposition ("look at"), by the verb's first token: (end, phrase)
        units = {rel.start: unit for rel in scene.relations if (unit := verb_unit(parse, lex, rel)) is not None}
        for rel in scene.relations:
            if rel.kind == "prep" and rel.start > 0 and toks[rel.start - 1].lower in {"a", "an", "the"}:
                continue  # a noun, not a preposition: "sprays *the inside* of a toilet" (never "the on a toilet")
            if (self.plausible_only and rel.kind == "prep" and rel.lemma not in FREE_PREPOSITIONS
                    and rel.verb in units and units[rel.verb][0] == rel.end):
                continue  # "looks at his phone": "at" goes with its verb, never "looks far from his phone"
            subs, end = lex.relation_substitutes(rel.lemma), rel.end
            unit = units.get(rel.start) if rel.kind == "verb" else None
            if unit is not None:
                # "looks at her phone" is one relation, replaced whole ("ignores her phone", "looks away from
                # her phone"); the verb alone never becomes one that needs its own object there ("ignores at
                # her phone") and, with the plausibility rules, none at all ("sleeps at her phone"), unless
                # any verb takes the preposition ("playing with a dog" -> "skiing with a dog")
                governed = self.plausible_only and unit[1].rsplit(" ", 1)[-1] not in FREE_PREPOSITIONS
                subs = [] if governed else [
                    s for s in subs if not lex.share_relation_set(unit[1], s) or lex.is_intransitive(s)]
                sites.append(self._unit_site(parse, lex, rel, *unit, form))
            if not subs and rel.kind == "verb" and rel.end - rel.start > 1:
                # a phrasal verb the lexicon lacks ("ski down"): contrast the verb, keep the particle
                subs, end = lex.relation_substitutes(toks[rel.start].lemma.lower()), rel.start + 1
            if not subs and rel.kind == "verb" and lex.relation_kind(rel.lemma) is None:
                # an action the lexicon lacks ("mends a shoe"): what else this agent does to such a thing
                wn = load_verbs()
                subs, end = action_substitutes(parse, lex, rel, self.counts, wn) if wn is not None else [], rel.end
            subs = [s for s in subs if relation_fits(parse, lex, rel, end, s, self.plausible_only)]
            # relations keep the lexicon's best-contrast order: ordering them by corpus counts
            # reproduced fewer benchmark negatives (docs/REPLICATION.md)

            def build(sub: str, rank: int, rel=rel, end=end) -> Edit:
                detail = f"{rel.kind}: {rel.lemma}->{sub}"
                return single_replace(parse, "rel", rel.start, end, form(rel, sub), detail, rank)

            sites.append(self.site("rel", subs[: self.per_site], build))
        sites.extend(self._verb_and_preposition(parse, lex, form, units))
        return sites

    def _unit_site(self, parse: Parse, lex: Lexicon, rel: Relation, end: int, phrase: str, form) -> Site:
        """A verb and its own preposition as one relation ("looking out a window" -> "looking away from a
        window"), by the contrasting relations of the same set."""
        subs = [s for s in lex.relation_substitutes(phrase) if lex.share_relation_set(phrase, s)]
        subs = [s for s in subs if relation_fits(parse, lex, rel, end, s, self.plausible_only)]

        def build(sub: str, rank: int) -> Edit:
            return single_replace(parse, "rel", rel.start, end, form(rel, sub), f"verb: {phrase}->{sub}", rank)

        return self.site("rel", subs[: self.per_site], build)

    def _verb_and_preposition(self, parse: Parse, lex: Lexicon, form, units: dict[int, tuple[int, str]]) -> list[Site]:
        """Both words of "sitting on" at once ("standing beside"), as a relation is often both."""
        rels = parse.scene.relations
        sites = []
        for verb in (r for r in rels if r.kind == "verb"):
            prep = next((r for r in rels if r.kind == "prep" and r.verb == verb.start and r.start == verb.end), None)
            if prep is None or verb.start in units:
                continue  # a verb and its own preposition ("look at") are replaced as one relation
            vsubs = [v for v in lex.relation_substitutes(verb.lemma)
                     if not _needs_object(v) and _fits_arguments(parse, lex, verb, verb.end, v)][:3]
            psubs = [p for p in lex.relation_substitutes(prep.lemma)
                     if relation_fits(parse, lex, prep, prep.end, p, self.plausible_only)][:3]
            pairs = sorted(((v, p) for v in range(len(vsubs)) for p in range(len(psubs))), key=lambda vp: (sum(vp), vp))
            choices = [(vsubs[v], psubs[p]) for v, p in pairs][: self.per_site]

            def build(choice: tuple[str, str], rank: int, verb=verb, prep=prep) -> Edit:
                new = form(verb, choice[0]) + form(prep, choice[1])
                detail = f"verb+prep: {verb.lemma} {prep.lemma}->{choice[0]} {choice[1]}"
                return single_replace(parse, "rel", verb.start, prep.end, new, detail, rank)

            sites.append(self.site("rel", choices, build, priority=1))
        return sites




# Words that stand for people ("while *others* watch"): their count is no count of a thing.
STAND_IN_NOUNS: Final = frozenset({"other", "others"})
# Verbs whose object is eaten or drunk: it stays food or drink.
INGESTING: Final = frozenset({"eat", "drink", "sip", "chew", "munch", "nibble", "devour", "swallow", "taste", "lick", "gulp"})


def _bare_singular(parse: Parse, obj: SceneObject) -> bool:
    """Whether the object is a singular common noun standing bare ("watching TV", "eating food"), where a
    countable noun would need an article: no determiner, possessive or count before it, in a caption that
    uses articles elsewhere (a headline-style caption, "Man riding horse", keeps its style)."""
    toks = parse.tokens
    if obj.start == 0 or obj.number != "sing" or toks[obj.head].tag != "NN":
        return False
    if any(toks[i].pos in {"DET", "NUM", "PRON"} or toks[i].tag in {"PRP$", "POS"} for i in range(max(0, obj.start - 1), obj.noun_start)):
        return False
    return any(t.lower in {"a", "an", "the"} for t in toks)


def _described(parse: Parse, rel: Relation) -> int | None:
    """The object that does what the verb says where the scene names no subject: the one a participle
    describes ("a *flying* kite"), or the one whose phrase holds the verb's subject ("Two *slices* of pizza
    are sitting"); None when there is none."""
    tok = parse.tokens[rel.start]
    objs = parse.scene.objects
    if tok.dep in {"amod", "acl"}:
        return next((k for k, o in enumerate(objs) if o.head == tok.head), None)
    subjects = [c for c in parse.children[rel.start] if parse.tokens[c].dep in {"nsubj", "nsubjpass"}]
    return next((k for k, o in enumerate(objs) for c in subjects if o.start <= c < o.end), None)


def _fits_arguments(parse: Parse, lex: Lexicon, rel: Relation, end: int, sub: str) -> bool:
    """A verb only a person does needs a person (or a hand) as its subject ("three dogs skiing"), one only
    the living do a person or an animal ("a jet walking"), one done to a person or an animal needs one as
    its object ("hugging two balls"); unknown words pass."""
    if rel.kind != "verb":
        return True
    scene = parse.scene
    subj = rel.subj if rel.subj is not None else _described(parse, rel)
    if lex.needs_person_subject(sub) and subj is not None:
        if lex.object_category(scene.objects[subj].lemma.split(" ")[-1]) not in PERSONS | {"body_part", None}:
            return False
    if lex.needs_animate_subject(sub) and subj is not None:
        if lex.object_category(scene.objects[subj].lemma.split(" ")[-1]) not in PERSONS | {"animal", "body_part", None}:
            return False  # never "An Air Force jet walking", "a walking kite"
    if lex.needs_animate_object(sub):
        obj = rel.obj
        if end > rel.end:  # a verb with its own preposition: the preposition's object
            obj = next((r.obj for r in scene.relations if r.kind == "prep" and r.start == rel.end), None)
        if obj is not None and lex.object_category(scene.objects[obj].lemma.split(" ")[-1]) not in PERSONS | {"animal", None}:
            return False
    return True


def _needs_object(phrase: str) -> bool:
    """A verb phrase ending in a preposition that needs its object ("look away from", "stare at")."""
    return " " in phrase and phrase.rsplit(" ", 1)[1] in GOVERNING


def verb_unit(parse: Parse, lex: Lexicon, rel: Relation) -> tuple[int, str] | None:
    """(end, phrase) when a verb and the preposition right after it make one relation the lexicon knows
    ("look at", "look out of"), else None."""
    if rel.kind != "verb":
        return None
    for prep in parse.scene.relations:
        if prep.kind == "prep" and prep.start == rel.end and prep.verb == rel.start:
            phrase = f"{rel.lemma} {prep.lemma}"
            if lex.relation_kind(phrase) == "verb":
                return prep.end, phrase
    return None


# A preposition any verb takes ("skiing *with* a dog"): in a verb phrase ending in it ("play with") either
# word may be replaced alone.
FREE_PREPOSITIONS: Final = frozenset({"with"})


def _object_follows(parse: Parse, rel: Relation, end: int) -> bool:
    """Whether the relation's words are followed by their object ("holding *a cup*", "looking at *it*")."""
    toks, kids = parse.tokens, parse.children
    if end > rel.end:
        return True  # a verb with its preposition: the preposition's object follows
    for c in kids[rel.start]:
        if toks[c].dep in {"dobj", "dative"} and min([c, *(g for g in kids[c] if g < c)]) == end:
            return True
    # a phrase right after the verb reads as its object whatever the parser hung it on ("puckering *his
    # lips* holding an orange": "lips" parsed as the next verb's subject); never "kneeling his lips"
    return any(o.start == end for o in parse.scene.objects)


# Verbs that link their subject to an adjective ("looking pensive", "seems happy").
LINKING_VERBS: Final = frozenset({"look", "seem", "appear", "feel", "become", "stay", "remain", "sound", "smell", "taste",
                                  "turn", "get", "grow", "go", "keep", "be"})


def _object_category(parse: Parse, lex: Lexicon, k: int | None) -> str | None:
    """The lexicon category of object k's head word ("shirt" of "a red shirt": clothing), None without one."""
    return None if k is None else lex.object_category(parse.scene.objects[k].lemma.rsplit(" ", 1)[-1])


# Particles and adverbs of place that read with no object after them ("propped *up*", "running *around*"); not
# "in", "on", "off", "along", "across": before the verb's next phrase they read as a preposition left dangling.
STANDALONE: Final = frozenset({"up", "down", "out", "away", "back", "over", "around", "inside", "outside", "nearby",
                               "together", "apart", "ahead", "behind"})


# Prepositions and particles of a path: what follows them is where a movement or a look goes.
PATHS: Final = frozenset({"out", "into", "through", "across", "along", "up", "down", "off", "onto", "toward", "towards",
                          "away", "past"})


def _moves(lex: Lexicon, verb: str) -> bool:
    """A verb of movement ("jump", "climb"): it can go along a path ("jumping out a window")."""
    return any(s.name.endswith("locomotion") and verb in s.words for s in lex.relation_sets())


def _has_object(parse: Parse, rel: Relation) -> bool:
    """A preposition with its object: a scene object, or any object word spaCy hangs under it ("on *it*")."""
    kids = parse.children[rel.end - 1]
    return rel.obj is not None or any(parse.tokens[c].dep in {"pobj", "pcomp"} for c in kids)


def relation_fits(parse: Parse, lex: Lexicon, rel: Relation, end: int, sub: str, paths: bool = True) -> bool:
    """Whether a substitute reads at the relation's place: a verb that needs an object gets one ("looking
    at" never replaces "sleeping"), no verb brings a preposition next to one already there ("looking away
    from out a window"), no verb that takes no object gets one ("sleeping the camera"); "without" never
    before a counted thing ("without a ball", never "without two balls"); with `paths`, a path after a verb
    ("out a window") only after a verb of movement or of the old verb's own kind. With `paths` (the
    plausibility rules) also: a person "in" a garment is at most "without" it ("A man in a red shirt",
    never "A man on a red shirt"); a verb with an adjective after it ("looking pensive") becomes only
    another verb that links one ("seeming pensive", never "smiling pensive"); a verb used as an adjective
    before its noun ("white *steamed* rice") is no relation to replace ("white ridden rice"); a verb done
    on a place ("surf") takes no thing as its object ("surfing a frisbee")."""
    toks = parse.tokens
    if not _fits_arguments(parse, lex, rel, end, sub):
        return False
    if rel.kind == "prep":
        if not _has_object(parse, rel) and sub not in STANDALONE:
            return False  # a particle or adverb ("lying face *down* on the table") never becomes "out of"
        if paths and rel.lemma == "in" and _object_category(parse, lex, rel.obj) in WORN and not sub.startswith("without"):
            return False  # "A man in a red shirt": never "A man on a red shirt"
        if sub.startswith("without") and rel.obj is not None:
            return not any(a.type == "count" and a.kind != "article" for a in parse.scene.attributes_of(rel.obj))
        return True
    if paths and toks[rel.start].dep == "amod" and toks[rel.start].head > rel.start:
        return False
    if paths and any(toks[c].dep in {"acomp", "oprd"} and toks[c].pos == "ADJ" for c in parse.children[rel.start]):
        if sub.split(" ")[0] not in LINKING_VERBS:
            return False
    follows = _object_follows(parse, rel, end)
    if (paths and follows and rel.obj is not None and lex.takes_setting_object(sub.split(" ")[0])
            and _object_category(parse, lex, rel.obj) not in SETTINGS):
        return False  # "catching a frisbee": never "surfing a frisbee"
    passive = any(toks[c].dep == "auxpass" for c in parse.children[rel.start])
    prep_after = end < len(toks) and toks[end].dep in {"prep", "prt", "agent"} and toks[end].head == rel.start
    if " " in sub and prep_after:
        return False
    if _needs_object(sub) and (not follows or passive):
        return False
    if paths and prep_after and toks[end].lower in PATHS and not (lex.share_relation_set(rel.lemma, sub) or _moves(lex, sub)):
        return False  # a path after the verb needs a movement (or the verb's own kind): never "a dog posing out a window"
    if passive and lex.is_intransitive(sub):
        return False  # never "A person being laughed"
    unit = verb_unit(parse, lex, rel) if passive and end > rel.end else None
    old = unit[1] if unit else rel.lemma  # "has been *put on* display": the verb with its preposition
    if passive and lex.relation_kind(old) and not (lex.share_relation_set(old, sub) or lex.needs_animate_object(sub)):
        # a passive's subject undergoes the new verb: one of the lexicon verb's own contrast set or one done
        # to the living ("being photographed" -> "being ignored", "being fed"), never "being sung", "being
        # drunk" (a verb the lexicon lacks gets verbs seen with objects in captions: `operators.actions`)
        return False
    # (a verb that takes no object itself has none: "sit cross legged" is no object)
    return not (follows and lex.is_intransitive(sub) and not lex.is_intransitive(rel.lemma))
