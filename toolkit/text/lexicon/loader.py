"""Load the hand-written vocabularies (objects, attributes, relations) into a fast lookup object."""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Final

from ._attributes import AttributeIndex, AttributeType
from ._objects import ObjectEntry, ObjectIndex
from ._relations import RelationIndex, RelationSet
from ._schema import LexiconError, fail

OBJECTS_FILE = "objects.toml"
ATTRIBUTES_FILE = "attributes.toml"
RELATIONS_FILE = "relations.toml"
VERSION_FILE = "VERSION"
DATA_FILES = (OBJECTS_FILE, ATTRIBUTES_FILE, RELATIONS_FILE, VERSION_FILE)
_VERSION_RE = re.compile(r"^\d{4}\.\d{1,2}\.\d+$")

__all__ = [
    "AttributeType",
    "DATA_FILES",
    "Lexicon",
    "LexiconError",
    "ObjectEntry",
    "RelationSet",
    "load_lexicon",
]


_MISS: Final = "?"  # a memo's miss, where None is an answer (no relation ever reads "?")


def _derived(word: str, object_lemma: str) -> bool:
    """An attribute made from the object's own noun says nothing: "grassy grass", "a sandy sand"."""
    return len(object_lemma) >= 3 and word != object_lemma and word.startswith(object_lemma)


def _parse_toml(name: str, raw: bytes) -> dict:
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LexiconError(f"{name}: not valid UTF-8 TOML: {exc}") from exc


def _version(raw: dict[str, bytes]) -> str:
    base = raw[VERSION_FILE].decode("utf-8").strip()
    if not _VERSION_RE.match(base):
        fail(VERSION_FILE, "version", f"expected 'YYYY.MM.N', got {base!r}")
    digest = hashlib.sha256()
    for name in DATA_FILES:
        digest.update(name.encode() + b"\0" + raw[name] + b"\0")
    return f"{base}+{digest.hexdigest()[:12]}"


class Lexicon:
    """Object / attribute / relation vocabularies with precomputed lookups.

    All inputs are lower-case lemma strings; multiword entries are joined by single spaces.
    """

    def __init__(self, raw: dict[str, bytes]) -> None:
        """Build from the raw bytes of the four data files (see ``DATA_FILES``)."""
        missing = [name for name in DATA_FILES if name not in raw]
        if missing:
            raise LexiconError(f"missing lexicon file(s): {missing}")
        self.version: str = _version(raw)
        self._objects = ObjectIndex(_parse_toml(OBJECTS_FILE, raw[OBJECTS_FILE]), OBJECTS_FILE)
        attr_data = _parse_toml(ATTRIBUTES_FILE, raw[ATTRIBUTES_FILE])
        self._attributes = AttributeIndex(attr_data, tuple(self._objects.categories), ATTRIBUTES_FILE,
                                          self._objects.group_names())
        self._relations = RelationIndex(_parse_toml(RELATIONS_FILE, raw[RELATIONS_FILE]), RELATIONS_FILE)
        # object_relation per pair: generation asks about the same pairs caption after caption
        self._object_relations: dict[tuple[str, str], str | None] = {}
        self._plausible_on: dict[tuple[str, str], bool] = {}  # attribute_plausible_on, per (word, object)
        self._words_by_type: dict[str, Mapping[str, tuple[str, ...]]] = {}  # per object lemma
        self._addable_subs: dict[str, tuple[str, ...]] = {}  # per object lemma
        # the contrast sets each relation phrase is in (by position): REPLACE relation asks for pairs
        set_ids: dict[str, set[int]] = {}
        for k, rel_set in enumerate(self._relations.sets.values()):
            for word in rel_set.words:
                set_ids.setdefault(word, set()).add(k)
        self._relation_set_ids = {word: frozenset(ids) for word, ids in set_ids.items()}

    @classmethod
    def from_dir(cls, path: str | os.PathLike[str]) -> Lexicon:
        """Load the data files from a directory (used by tests and for custom vocabularies)."""
        return cls._from_reader(lambda name: (Path(path) / name).read_bytes())

    @classmethod
    def from_package(cls) -> Lexicon:
        """Load the data files shipped inside the ``toolkit.text.lexicon`` package."""
        root = resources.files(__package__)
        return cls._from_reader(lambda name: root.joinpath(name).read_bytes())

    @classmethod
    def _from_reader(cls, read: Callable[[str], bytes]) -> Lexicon:
        raw: dict[str, bytes] = {}
        for name in DATA_FILES:
            try:
                raw[name] = read(name)
            except FileNotFoundError as exc:
                raise LexiconError(f"{name}: lexicon file not found ({exc})") from exc
        return cls(raw)

    # ------------------------------------------------------------------ objects
    def object_entry(self, lemma: str) -> ObjectEntry | None:
        """The concept listing ``lemma`` as a synonym; None for unknown, hyponym-only or hypernym words."""
        return self._objects.entry(lemma)

    def is_object(self, lemma: str) -> bool:
        """True for concept words and hyponym words (e.g. "poodle"); False for pure hypernyms."""
        return self._objects.is_object(lemma)

    def is_object_hypernym(self, lemma: str) -> bool:
        """True for generic words like "animal", "vehicle", "thing", "pet" that are not concepts."""
        return lemma in self._objects.hypernym_words

    def object_substitutes(self, lemma: str) -> list[str]:
        """Canonical lemmas of contrasting concepts: same group first, then the rest of the category."""
        return self._objects.substitutes(lemma)

    def object_relation(self, a: str, b: str) -> str | None:
        """'same' | 'synonym' | 'hypernym' (b above a) | 'hyponym' (b a kind of a) | 'related' | None."""
        key = (a, b)
        memo = self._object_relations
        found = memo.get(key, _MISS)
        if found == _MISS:
            if len(memo) > 200_000:  # bounded: a long run meets many pairs once
                memo.clear()
            found = memo[key] = self._objects.relation(a, b)
        return found

    def object_category(self, lemma: str) -> str | None:
        """Coarse category ("animal", "person_role", ...); for a hypernym word, the first one it names."""
        return self._objects.category(lemma)

    def object_addable(self, lemma: str) -> bool:
        """False for a thing that belongs to someone (a body part): ADD never puts one in on its own
        ("on their shoulder and a face"); True for every other object and for unknown words."""
        return self._objects.category(lemma) not in self._objects.owned

    def addable_substitutes(self, lemma: str) -> tuple[str, ...]:
        """``object_substitutes`` less those ``object_addable`` rejects, in the same order. Read-only and
        kept per lemma: ADD asks for a category's hundred substitutes at every object of every caption."""
        found = self._addable_subs.get(lemma)
        if found is None:
            found = self._addable_subs[lemma] = tuple(s for s in self._objects.substitutes(lemma) if self.object_addable(s))
        return found

    def object_plural(self, lemma: str) -> str | None:
        """Irregular plural if listed (e.g. "man" -> "men")."""
        return self._objects.plural(lemma)

    def object_categories(self) -> list[str]:
        """All object categories in file order."""
        return list(self._objects.categories)

    def object_entries(self) -> list[ObjectEntry]:
        """All object concepts in file order."""
        return list(self._objects.entries)

    def object_words(self) -> list[str]:
        """Every concept word and hyponym word."""
        return self._objects.known_words()

    # ---------------------------------------------------------------- attributes
    def attribute_type(self, word: str) -> str | None:
        """Attribute type ('color', 'material', 'size', ..., 'count') or None."""
        return self._attributes.type_of(word)

    def attribute_substitutes(self, word: str) -> list[str]:
        """Same-type words: antonyms first, then the rest in file order; never synonyms or kinds of word."""
        return self._attributes.substitutes(word)

    def attribute_relation(self, a: str, b: str) -> str | None:
        """'same' | 'synonym' | 'hypernym' (navy -> blue) | 'hyponym' | 'related' | None."""
        return self._attributes.relation(a, b)

    def attribute_types_for(self, object_lemma: str) -> list[str]:
        """Attribute types plausible for the object's category ([] for unknown objects)."""
        return self._attributes.types_for(self._objects.categories_of(object_lemma))

    def attribute_words(self, type_: str) -> list[str]:
        """Words of one attribute type, file order ([] for an unknown type)."""
        return self._attributes.words(type_)

    def attribute_words_for(self, type_: str, object_lemma: str) -> list[str]:
        """Words of one attribute type plausible on this object (its `on` list in attributes.toml), file
        order: "denim", "wool", "leather" for a jacket, not "marble"; every word for an unknown object."""
        places = self._objects.places_of(object_lemma)
        return self._attributes.words_on(type_, places) if places else self._attributes.words(type_)

    def attribute_words_by_type(self, object_lemma: str) -> Mapping[str, tuple[str, ...]]:
        """Every attribute type plausible for the object's category, in file order, with the words of it
        plausible on the object (``attribute_words_for``), less those made from its own noun ("grassy"
        for grass); empty for an unknown object. Read-only."""
        found = self._words_by_type.get(object_lemma)
        if found is None:
            found = self._attributes.plausible_by_type(self._objects.places_of(object_lemma))
            if any(_derived(w, object_lemma) for words in found.values() for w in words):
                found = {t: tuple(w for w in words if not _derived(w, object_lemma)) for t, words in found.items()}
            self._words_by_type[object_lemma] = found
        return found

    def attribute_plausible_on(self, word: str, object_lemma: str) -> bool:
        """False for an attribute word that its type's `on` list leaves out for this object ("denim" for a
        table); True otherwise, also for words of no type, of types that do not apply to the object at
        all, and for objects the lexicon does not know."""
        key = (word, object_lemma)
        memo = self._plausible_on
        found = memo.get(key)
        if found is None:  # REPLACE object asks this of a category's hundred substitutes at each object
            if len(memo) > 200_000:
                memo.clear()
            found = memo[key] = word not in self._attributes.implausible_at(self._objects.places_of(object_lemma)) \
                and not _derived(word, object_lemma)
        return found

    def attribute_plausible(self, words: Iterable[str], object_lemma: str) -> list[str]:
        """The words, less those ``attribute_plausible_on`` rejects for this object; order kept."""
        drop = self._attributes.implausible_at(self._objects.places_of(object_lemma))
        return [w for w in words if w not in drop and not _derived(w, object_lemma)]

    def attribute_type_names(self) -> list[str]:
        """All attribute types in file order."""
        return list(self._attributes.types)

    # ----------------------------------------------------------------- relations
    def relation_kind(self, phrase: str) -> str | None:
        """'verb' | 'prep' | None."""
        return self._relations.kind(phrase)

    def relation_substitutes(self, phrase: str) -> list[str]:
        """Contrasting relations of the same kind, best contrast first; never synonyms."""
        return self._relations.substitutes(phrase)

    def relation_relation(self, a: str, b: str) -> str | None:
        """'same' | 'synonym' | None."""
        return self._relations.relation(a, b)

    def is_symmetric(self, phrase: str) -> bool:
        """True if swapping the relation's arguments keeps the caption true ("next to", "hug")."""
        return self._relations.is_symmetric(phrase)

    def is_intransitive(self, phrase: str) -> bool:
        """True for a verb that takes no direct object ("sleep", "smile", "stand"): "sleeping the camera"."""
        return self._relations.is_intransitive(phrase)

    def needs_person_subject(self, phrase: str) -> bool:
        """True for a verb only a person does ("ski", "read", "talk"): "three dogs skiing" is no negative."""
        return self._relations.needs_person_subject(phrase)

    def needs_animate_subject(self, phrase: str) -> bool:
        """True for a verb only a person or an animal does ("walk", "pose", and every person-only verb):
        "a jet walking" is no negative, nor "a kite posing"."""
        return self._relations.needs_animate_subject(phrase)

    def needs_animate_object(self, phrase: str) -> bool:
        """True for a verb done to a person or an animal ("hug", "pet", "talk to"): never "hugging two balls"."""
        return self._relations.needs_animate_object(phrase)

    def takes_setting_object(self, phrase: str) -> bool:
        """True for a verb whose object, if any, is where it is done ("surfing a wave", "skiing a slope"):
        never "surfing a frisbee"."""
        return self._relations.takes_setting_object(phrase)

    def is_stationary(self, phrase: str) -> bool:
        """True for a verb of staying in place ("sit", "stand", "park"): "a cat *sitting* next to a dog"
        says no more about which is which than "a cat next to a dog"."""
        return self._relations.is_stationary(phrase)

    def multiword_prepositions(self) -> list[str]:
        """Multiword prepositions, longest first (e.g. "in front of", "next to")."""
        return self._relations.multiword_prepositions()

    def relation_words(self) -> list[str]:
        """All relation phrases in file order."""
        return self._relations.words()

    def relation_sets(self) -> list[RelationSet]:
        """All relation contrast sets in file order."""
        return list(self._relations.sets.values())

    def share_relation_set(self, a: str, b: str) -> bool:
        """Whether two relation phrases are in one contrast set."""
        ids = self._relation_set_ids
        return not ids.get(a, frozenset()).isdisjoint(ids.get(b, frozenset()))


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The packaged lexicon, loaded once per process."""
    return Lexicon.from_package()
