"""REPLACE: substitute one object, attribute or relation by a contrasting one of the same kind.

Objects are replaced within their category (animal for animal), never by a synonym, hypernym or
hyponym; attributes within their type (colour for colour); relations by a contrasting relation
(on/under, sitting/standing), inflected to the form of the word they replace.
"""

from __future__ import annotations

from toolkit.lexicon import Lexicon
from toolkit.morph import inflect_noun, inflect_verb
from toolkit.operators.base import Change, Edit, Operator, Site
from toolkit.operators.sites import is_finite_subject, object_lemma_in_lexicon, words
from toolkit.parse import Parse
from toolkit.scene import Attribute

SINGULAR_COUNTS = {"one", "a", "an", "single", "lone"}


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
        for obj in scene.objects:
            found = object_lemma_in_lexicon(lex, obj)
            if found is None:
                unknown.append(obj.lemma)
                continue
            lemma, whole = found
            start = obj.noun_start if whole else obj.head
            subs = [s for s in lex.object_substitutes(lemma) if s not in present][: self.per_site]

            def build(sub: str, rank: int, obj=obj, lemma=lemma, start=start) -> Edit:
                new = tuple(inflect_noun(sub, obj.number, lex.object_plural(sub)).split(" "))
                return single_replace(parse, "obj", start, obj.end, new, f"{lemma}->{sub}", rank)

            sites.append(self.site("obj", subs, build))
        return sites or f"no object in the lexicon ({', '.join(unknown)})"

    def _attributes(self, parse: Parse, lex: Lexicon) -> list[Site] | str:
        scene = parse.scene
        typed = [a for a in scene.attributes if a.type]
        if not typed:
            return "no attribute of a known type"
        sites: list[Site] = []
        for att in typed:
            on_same = {a.lemma for a in scene.attributes_of(att.obj)}
            subs = [s for s in lex.attribute_substitutes(att.lemma) if s not in on_same][: self.per_site]
            sites.append(self.site("att", subs, lambda sub, rank, att=att: self._attribute(parse, lex, att, sub, rank)))
        return sites

    def _attribute(self, parse: Parse, lex: Lexicon, att: Attribute, sub: str, rank: int) -> Edit:
        obj = parse.scene.objects[att.obj]
        kw = {}
        if att.type == "count" and _count_number(sub) != obj.number and att.end <= obj.noun_start:
            number = _count_number(sub)
            noun = tuple(inflect_noun(obj.lemma, number, lex.object_plural(obj.lemma)).split(" "))
            kw["extra"] = (Change(obj.noun_start, obj.end, noun),)
            if is_finite_subject(parse, obj):
                kw["number"] = ((obj.head, number),)
        detail = f"{att.type}: {att.lemma}->{sub}"
        return single_replace(parse, "att", att.start, att.end, tuple(sub.split(" ")), detail, rank, **kw)

    def _relations(self, parse: Parse, lex: Lexicon) -> list[Site] | str:
        scene = parse.scene
        if not scene.relations:
            return "no relations"
        toks = parse.tokens
        sites: list[Site] = []
        for rel in scene.relations:
            subs = lex.relation_substitutes(rel.lemma)[: self.per_site]

            def build(sub: str, rank: int, rel=rel) -> Edit:
                if rel.kind == "verb":
                    new = tuple(inflect_verb(sub, toks[rel.start].tag).split(" "))
                else:
                    new = tuple(sub.split(" "))
                return single_replace(parse, "rel", rel.start, rel.end, new, f"{rel.kind}: {rel.lemma}->{sub}", rank)

            sites.append(self.site("rel", subs, build))
        return sites
