"""REPLACE: substitute one object, attribute or relation by a contrasting one of the same kind.

Objects are replaced within their category (animal for animal), never by a synonym, hypernym or
hyponym; attributes within their type (colour for colour); relations by a contrasting relation
(on/under, sitting/standing), inflected to the form of the word they replace.
"""

from __future__ import annotations

from functools import partial

from toolkit.corpus import canonical_object
from toolkit.lexicon import Lexicon
from toolkit.morph import inflect_adjective, inflect_noun, inflect_verb, singular
from toolkit.operators.base import Change, Edit, Operator, Site
from toolkit.operators.sites import after_determiner, object_lemma_in_lexicon, words
from toolkit.parse import Parse
from toolkit.scene import Attribute, Relation, SceneObject

SINGULAR_COUNTS = {"one", "a", "an", "single", "lone"}
# What a general word may turn into: things of another category that share its scenes.
CONTRAST_CATEGORIES = {
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


def _count_number(word: str) -> str:
    return "sing" if word in SINGULAR_COUNTS else "plur"


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
        return [o for o in lex.object_substitutes(att.lemma) if group and _group(lex, o) == group]
    last = parse.tokens[att.end - 1]
    lemma = last.lemma.lower()
    if lemma != last.lower and last.tag in {"JJR", "JJS"}:
        return [inflect_adjective(s, last.tag) for s in lex.attribute_substitutes(lemma) if " " not in s]
    if att.end - att.start > 1:
        first = parse.tokens[att.start].lower  # "black rimmed" -> "white": the type comes from "black"
        return lex.attribute_substitutes(last.lower) or lex.attribute_substitutes(lemma) or lex.attribute_substitutes(first)
    return []


class Replace(Operator):
    name = "replace"

    def _propose(self, parse: Parse, subtype: str, lex: Lexicon) -> list[Site] | str:
        return {"obj": self._objects, "att": self._attributes, "rel": self._relations}[subtype](parse, lex)

    def _objects(self, parse: Parse, lex: Lexicon) -> list[Site] | str:
        scene = parse.scene
        if not scene.objects:
            return "no objects"
        present = {o.lemma for o in scene.objects} | {o.lemma.split(" ")[-1] for o in scene.objects}
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
            start = obj.noun_start if whole else obj.head
            subs = [s for s in lex.object_substitutes(lemma) if s not in present]
            if self.counts:
                # the corpus orders choices inside the lexicon's fine group first, then the rest
                context = [canonical_object(lex, o.lemma) for o in scene.objects if o is not obj]
                group = _group(lex, lemma)
                near = [s for s in subs if _group(lex, s) == group]
                subs = self.counts.rank_objects(context, near) + self.counts.rank_objects(context, subs[len(near):])
            subs = subs[: self.per_site]

            def build(sub: str, rank: int, obj=obj, lemma=lemma, start=start, end=obj.end) -> Edit:
                new = tuple(inflect_noun(sub, obj.number, lex.object_plural(sub)).split(" "))
                return single_replace(parse, "obj", start, end, new, f"{lemma}->{sub}", rank)

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
            if first_mod < start and not any(a.type == "count" and a.kind != "article" for a in scene.attributes_of(k)):
                # "a little girl" -> "a puppy": the modifiers go with the noun they described
                sites.append(self.site("obj", subs[:2], partial(build, obj=obj, lemma=lemma, start=first_mod), 1))
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
            if a.kind not in {"block", "group"}
            and (a.type or a.kind == "compound" or a.end - a.start > 1 and a.kind in {"amod", "predicate"})
        ]
        sites: list[Site] = [site for site in map(partial(self._solitary, parse, lex), range(len(scene.objects))) if site]
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

    def _solitary(self, parse: Parse, lex: Lexicon, k: int) -> Site | None:
        """A group becomes one: "a group of zebras" -> "a single zebra", "three women" -> "a lone woman"."""
        obj = parse.scene.objects[k]
        start = after_determiner(parse, obj)
        grouped = obj.number == "plur" and any(a.type == "count" for a in parse.scene.attributes_of(k))
        quantified = obj.start < obj.noun_start and parse.tokens[obj.noun_start - 1].lower == "of"
        if not (grouped or quantified) or obj.number != "plur":
            return None
        noun = singular(obj.lemma)

        def build(word: str, rank: int) -> Edit:
            new = ("a", word, *noun.split(" ")) if start == obj.start else (word, *noun.split(" "))
            # "a group of zebras stand" -> "a single zebra stands": the verb agrees with the group word
            subject = obj.noun_start - 2 if quantified and obj.noun_start >= 2 else obj.head
            number = ((subject, "sing"),)
            return single_replace(parse, "att", obj.start if start == obj.start else start, obj.end, new,
                                  f"count: group->{word}", rank, number=number)

        return self.site("att", ["single", "lone", "solitary"][: self.per_site], build)

    def _attribute(self, parse: Parse, lex: Lexicon, att: Attribute, sub: str, rank: int) -> Edit:
        obj = parse.scene.objects[att.obj]
        kw: dict[str, tuple] = {}
        if att.type == "count" and _count_number(sub) != obj.number and att.end <= obj.noun_start:
            number = _count_number(sub)
            noun = tuple(inflect_noun(obj.lemma, number, lex.object_plural(obj.lemma)).split(" "))
            kw["extra"] = (Change(obj.noun_start, obj.end, noun),)
            kw["number"] = ((obj.head, number),)  # the realiser fixes whatever verb agrees with it
        detail = f"{att.type}: {att.lemma}->{sub}"
        return single_replace(parse, "att", att.start, att.end, tuple(sub.split(" ")), detail, rank, **kw)

    def _relations(self, parse: Parse, lex: Lexicon) -> list[Site] | str:
        scene = parse.scene
        if not scene.relations:
            return "no relations"
        toks = parse.tokens
        sites: list[Site] = []

        def form(rel: Relation, sub: str) -> tuple[str, ...]:
            return tuple((inflect_verb(sub, verb_tag(toks[rel.start])) if rel.kind == "verb" else sub).split(" "))

        for rel in scene.relations:
            subs, end = lex.relation_substitutes(rel.lemma), rel.end
            if not subs and rel.kind == "verb" and rel.end - rel.start > 1:
                # a phrasal verb the lexicon lacks ("ski down"): contrast the verb, keep the particle
                subs, end = lex.relation_substitutes(toks[rel.start].lemma.lower()), rel.start + 1
            # relations keep the lexicon's best-contrast order: ordering them by corpus counts
            # reproduced fewer benchmark negatives (docs/REPLICATION.md)

            def build(sub: str, rank: int, rel=rel, end=end) -> Edit:
                detail = f"{rel.kind}: {rel.lemma}->{sub}"
                return single_replace(parse, "rel", rel.start, end, form(rel, sub), detail, rank)

            sites.append(self.site("rel", subs[: self.per_site], build))
        sites.extend(self._verb_and_preposition(parse, lex, form))
        return sites

    def _verb_and_preposition(self, parse: Parse, lex: Lexicon, form) -> list[Site]:
        """Both words of "sitting on" at once ("standing beside"), as a relation is often both."""
        rels = parse.scene.relations
        sites = []
        for verb in (r for r in rels if r.kind == "verb"):
            prep = next((r for r in rels if r.kind == "prep" and r.verb == verb.start and r.start == verb.end), None)
            if prep is None:
                continue
            vsubs, psubs = lex.relation_substitutes(verb.lemma)[:3], lex.relation_substitutes(prep.lemma)[:3]
            pairs = sorted(((v, p) for v in range(len(vsubs)) for p in range(len(psubs))), key=lambda vp: (sum(vp), vp))
            choices = [(vsubs[v], psubs[p]) for v, p in pairs][: self.per_site]

            def build(choice: tuple[str, str], rank: int, verb=verb, prep=prep) -> Edit:
                new = form(verb, choice[0]) + form(prep, choice[1])
                detail = f"verb+prep: {verb.lemma} {prep.lemma}->{choice[0]} {choice[1]}"
                return single_replace(parse, "rel", verb.start, prep.end, new, detail, rank)

            sites.append(self.site("rel", choices, build, priority=1))
        return sites
