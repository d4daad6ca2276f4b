"""REPLACE: substitute one object, attribute or relation by a contrasting one of the same kind.

Objects are replaced within their category (animal for animal), never by a synonym, hypernym or
hyponym; attributes within their type (colour for colour); relations by a contrasting relation
(on/under, sitting/standing), inflected to the form of the word they replace.
"""

from __future__ import annotations

from toolkit.lexicon import Lexicon
from toolkit.morph import inflect_noun, inflect_verb
from toolkit.operators.base import Change, Edit, Operator
from toolkit.operators.sites import is_finite_subject, object_lemma_in_lexicon, words
from toolkit.parse import Parse

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

    def _propose(self, parse: Parse, subtype: str, lex: Lexicon) -> list[Edit] | str:
        return {"obj": self._objects, "att": self._attributes, "rel": self._relations}[subtype](parse, lex)

    def _objects(self, parse: Parse, lex: Lexicon) -> list[Edit] | str:
        scene = parse.scene
        if not scene.objects:
            return "no objects"
        present = {o.lemma for o in scene.objects} | {o.lemma.split(" ")[-1] for o in scene.objects}
        edits: list[Edit] = []
        unknown = []
        for obj in scene.objects:
            found = object_lemma_in_lexicon(lex, obj)
            if found is None:
                unknown.append(obj.lemma)
                continue
            lemma, whole = found
            start = obj.noun_start if whole else obj.head
            subs = [s for s in lex.object_substitutes(lemma) if s not in present][: self.per_site]
            for rank, sub in enumerate(subs):
                new = tuple(inflect_noun(sub, obj.number, lex.object_plural(sub)).split(" "))
                edits.append(single_replace(parse, "obj", start, obj.end, new, f"{lemma}->{sub}", rank))
        return edits or f"no object in the lexicon ({', '.join(unknown)})"

    def _attributes(self, parse: Parse, lex: Lexicon) -> list[Edit] | str:
        scene = parse.scene
        typed = [a for a in scene.attributes if a.type]
        if not typed:
            return "no attribute of a known type"
        edits: list[Edit] = []
        for att in typed:
            obj = scene.objects[att.obj]
            on_same = {a.lemma for a in scene.attributes_of(att.obj)}
            subs = [s for s in lex.attribute_substitutes(att.lemma) if s not in on_same][: self.per_site]
            for rank, sub in enumerate(subs):
                new = tuple(sub.split(" "))
                kw = {}
                if att.type == "count" and _count_number(sub) != obj.number and att.end <= obj.noun_start:
                    number = _count_number(sub)
                    noun = tuple(inflect_noun(obj.lemma, number, lex.object_plural(obj.lemma)).split(" "))
                    kw["extra"] = (Change(obj.noun_start, obj.end, noun),)
                    if is_finite_subject(parse, obj):
                        kw["number"] = ((obj.head, number),)
                edits.append(
                    single_replace(parse, "att", att.start, att.end, new, f"{att.type}: {att.lemma}->{sub}", rank, **kw)
                )
        return edits or "no substitute for any attribute"

    def _relations(self, parse: Parse, lex: Lexicon) -> list[Edit] | str:
        scene = parse.scene
        if not scene.relations:
            return "no relations"
        toks = parse.tokens
        edits: list[Edit] = []
        for rel in scene.relations:
            subs = lex.relation_substitutes(rel.lemma)[: self.per_site]
            for rank, sub in enumerate(subs):
                if rel.kind == "verb":
                    new = tuple(inflect_verb(sub, toks[rel.start].tag).split(" "))
                else:
                    new = tuple(sub.split(" "))
                edits.append(
                    single_replace(parse, "rel", rel.start, rel.end, new, f"{rel.kind}: {rel.lemma}->{sub}", rank)
                )
        return edits or "no relation in the lexicon"
