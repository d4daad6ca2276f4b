"""ADD: insert an attribute of a type the object does not have yet, or join a new object to one.

ADD negatives are longer than their source by construction (recorded as `length_delta` on every
candidate); later stages (filters, set building) use that to counter the length bias.
"""

from __future__ import annotations

from toolkit.lexicon import Lexicon
from toolkit.operators.base import Change, Edit, Operator, Site
from toolkit.operators.sites import is_finite_subject, object_lemma_in_lexicon, words
from toolkit.parse import Parse
from toolkit.scene import SceneObject

# Conventional English adjective order: a new attribute goes before any existing one of a later type.
TYPE_ORDER = {
    "count": 0, "opinion": 1, "size": 2, "age": 3, "shape": 4, "state": 5, "temperature": 5,
    "texture": 5, "condition": 5, "light": 5, "weather": 5, "color": 6, "pattern": 7, "material": 8,
}
DEFAULT_ORDER = 5
# Types whose words sit naturally before a noun and change what a picture shows ("an asleep dog",
# "a left cup" do not), in the order ADD tries them.
ADD_TYPES = (
    "color", "size", "material", "pattern", "age", "shape", "openness", "fullness", "wetness", "cleanliness",
    "texture", "ripeness", "cooking", "cut", "temperature", "weather", "brightness", "surface", "integrity",
)


def insertion(parse: Parse, obj_index: int, type_: str) -> int:
    """Where an attribute of `type_` goes inside the noun phrase, by adjective order."""
    scene = parse.scene
    obj = scene.objects[obj_index]
    rank = TYPE_ORDER.get(type_, DEFAULT_ORDER)
    for att in scene.attributes_of(obj_index):
        if att.kind == "predicate" or att.start >= obj.noun_start:
            continue
        if TYPE_ORDER.get(att.type or "", DEFAULT_ORDER) > rank:
            return att.start
    return obj.noun_start


def single_insert(parse: Parse, subtype: str, pos: int, new: tuple[str, ...], detail: str, rank: int, number=()) -> Edit:
    return Edit("add", subtype, ((pos, pos),), ("",), (" ".join(new),), (Change(pos, pos, new),), number, detail, rank)


class Add(Operator):
    name = "add"
    subtypes = ("obj", "att")

    def _propose(self, parse: Parse, subtype: str, lex: Lexicon) -> list[Edit] | str:
        return {"obj": self._objects, "att": self._attributes}[subtype](parse, lex)

    def _attributes(self, parse: Parse, lex: Lexicon) -> list[Site] | str:
        scene = parse.scene
        if not scene.objects:
            return "no objects"
        sites: list[Site] = []
        for k, obj in enumerate(scene.objects):
            found = object_lemma_in_lexicon(lex, obj)
            if found is None:
                continue
            have = {a.type for a in scene.attributes_of(k)}
            present = {a.lemma for a in scene.attributes_of(k)}
            allowed = set(lex.attribute_types_for(found[0]))
            for type_ in (t for t in ADD_TYPES if t in allowed and t not in have):
                choices = [w for w in lex.attribute_words(type_) if w not in present][: self.per_site]
                pos = insertion(parse, k, type_)

                def build(word: str, rank: int, pos=pos, type_=type_) -> Edit:
                    return single_insert(parse, "att", pos, tuple(word.split(" ")), f"{type_}: +{word}", rank)

                sites.append(self.site("att", choices, build))
        return sites or "no object that can take a new attribute type"

    def _objects(self, parse: Parse, lex: Lexicon) -> list[Site] | str:
        scene = parse.scene
        if not scene.objects:
            return "no objects"
        present = {o.lemma for o in scene.objects}
        sites: list[Site] = []
        for obj in scene.objects:
            found = object_lemma_in_lexicon(lex, obj)
            if found is None or self._possessive(parse, obj):
                continue
            subs = [s for s in lex.object_substitutes(found[0]) if s not in present][: self.per_site]
            number = ((obj.head, "plur"),) if is_finite_subject(parse, obj) and obj.number == "sing" else ()

            def build(sub: str, rank: int, obj=obj, number=number, lemma=found[0]) -> Edit:
                new = ("and", "a", *sub.split(" "))
                return single_insert(parse, "obj", obj.end, new, f"+{sub} after {lemma}", rank, number)

            sites.append(self.site("obj", subs, build))
        return sites or "no object in the lexicon to join a new one to"

    @staticmethod
    def _possessive(parse: Parse, obj: SceneObject) -> bool:
        nxt = words(parse, obj.end, obj.end + 1)
        return bool(nxt) and nxt[0] in {"'s", "'"}
