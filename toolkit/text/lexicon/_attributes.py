"""Attribute vocabulary: parsing, validation and precomputed lookups for ``attributes.toml``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ._schema import check_keys, fail, group_list, word_list

_TYPE_KEYS = {"applies_to", "exclude", "words", "synonyms", "antonyms", "kinds", "overlaps", "on"}
Place = tuple[str, "str | None"]  # (object category, group or None)


@dataclass(frozen=True)
class AttributeType:
    """One attribute type (a contrast set such as ``color`` or ``size``)."""

    name: str
    words: tuple[str, ...]
    applies_to: tuple[str, ...]


class AttributeIndex:
    """Validated, precomputed view of ``attributes.toml``."""

    def __init__(
        self, data: dict[str, Any], categories: tuple[str, ...], file: str = "attributes.toml",
        groups: tuple[str, ...] = (),
    ) -> None:
        self.file = file
        self._groups = groups  # "category.group" names a type's `on` table may use
        check_keys(file, "top level", data, {"type"}, {"type"})
        table = check_keys(file, "type", data["type"], set(data["type"]))
        self.types: dict[str, AttributeType] = {}
        self._type_of: dict[str, str] = {}
        self._syn: dict[str, tuple[str, ...]] = {}
        self._ant: dict[str, list[str]] = {}
        self._parents: dict[str, set[str]] = {}
        self._overlaps: set[frozenset[str]] = set()
        self._types_for: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._on: dict[str, dict[str, frozenset[str]]] = {}
        self._implausible: dict[tuple[Place, ...], frozenset[str]] = {}
        self._by_type: dict[tuple[Place, ...], Mapping[str, tuple[str, ...]]] = {}
        for name, body in table.items():
            self._parse_type(name, body, categories)
        self._ancestors = {w: self._up(w, ()) for w in self._type_of}
        self._check_antonyms()
        self._subs = {w: tuple(self._compute_substitutes(w)) for w in self._type_of}

    # ---------------------------------------------------------------- parsing
    def _parse_type(self, name: str, body: Any, categories: tuple[str, ...]) -> None:
        where = f"type.{name}"
        check_keys(self.file, where, body, _TYPE_KEYS, {"words", "applies_to"})
        words = word_list(self.file, f"{where}.words", body["words"], min_len=2)
        for word in words:
            if word in self._type_of:
                fail(self.file, where, f"word {word!r} is already in type {self._type_of[word]!r}")
            self._type_of[word] = name
            self._syn[word] = (word,)
        applies = self._parse_applies(where, body, categories)
        self.types[name] = AttributeType(name, words, applies)
        self._parse_synonyms(where, name, body.get("synonyms", []))
        self._parse_antonyms(where, name, body.get("antonyms", []))
        self._parse_kinds(where, name, body.get("kinds", {}))
        for grp in group_list(self.file, f"{where}.overlaps", body.get("overlaps", [])):
            self._require_members(f"{where}.overlaps", name, grp)
            self._overlaps.update(frozenset((grp[0], other)) for other in grp[1:])
        self._parse_on(where, name, body.get("on", {}), applies)

    def _parse_on(self, where: str, name: str, table: Any, applies: tuple[str, ...]) -> None:
        """`on`: for an object category (or "category.group"), the only words of the type that are
        plausible on it ("denim" fits a jacket, not a table); categories not named take every word."""
        table = check_keys(self.file, f"{where}.on", table, set(table) if isinstance(table, dict) else set())
        on: dict[str, frozenset[str]] = {}
        for key, value in table.items():
            cat = key.split(".")[0]
            if cat not in applies or ("." in key and key not in self._groups):
                fail(self.file, f"{where}.on.{key}",
                     f"not a category (or category.group) the type applies to (applies to: {', '.join(applies)})")
            words = word_list(self.file, f"{where}.on.{key}", value)
            self._require_members(f"{where}.on.{key}", name, words)
            on[key] = frozenset(words)
        if on:
            self._on[name] = on

    def _parse_applies(self, where: str, body: dict, categories: tuple[str, ...]) -> tuple[str, ...]:
        applies = word_list(self.file, f"{where}.applies_to", body["applies_to"], min_len=1)
        exclude = word_list(self.file, f"{where}.exclude", body.get("exclude", []))
        for cat in [c for c in applies if c != "*"] + list(exclude):
            if cat not in categories:
                fail(self.file, where, f"unknown object category {cat!r} (known: {', '.join(categories)})")
        chosen = categories if "*" in applies else applies
        return tuple(c for c in chosen if c not in exclude)

    def _require_members(self, where: str, name: str, words: tuple[str, ...]) -> None:
        for word in words:
            if self._type_of.get(word) != name:
                fail(self.file, where, f"{word!r} is not in the words list of type {name!r}")

    def _parse_synonyms(self, where: str, name: str, value: Any) -> None:
        for grp in group_list(self.file, f"{where}.synonyms", value):
            self._require_members(f"{where}.synonyms", name, grp)
            for word in grp:
                if len(self._syn[word]) > 1:
                    fail(self.file, f"{where}.synonyms", f"{word!r} is in two synonym groups")
                self._syn[word] = grp

    def _parse_antonyms(self, where: str, name: str, value: Any) -> None:
        for a, b in (
            self._pair(f"{where}.antonyms", p) for p in group_list(self.file, f"{where}.antonyms", value)
        ):
            self._require_members(f"{where}.antonyms", name, (a, b))
            if self._syn[a] == self._syn[b]:
                fail(self.file, f"{where}.antonyms", f"{a!r} and {b!r} are both synonyms and antonyms")
            self._ant.setdefault(a, []).append(b)
            self._ant.setdefault(b, []).append(a)

    def _pair(self, where: str, pair: tuple[str, ...]) -> tuple[str, str]:
        if len(pair) != 2:
            fail(self.file, where, f"expected a pair, got {list(pair)}")
        return pair[0], pair[1]

    def _parse_kinds(self, where: str, name: str, table: Any) -> None:
        table = check_keys(
            self.file, f"{where}.kinds", table, set(table) if isinstance(table, dict) else set()
        )
        for general, specifics in table.items():
            kinds = word_list(self.file, f"{where}.kinds.{general}", specifics, min_len=1)
            self._require_members(f"{where}.kinds", name, (general, *kinds))
            for word in kinds:
                self._parents.setdefault(word, set()).add(general)

    def _up(self, word: str, path: tuple[str, ...]) -> frozenset[str]:
        if word in path:
            fail(self.file, f"kinds ({word!r})", "kinds cycle")
        result: set[str] = set()
        for syn in self._syn[word]:
            for parent in self._parents.get(syn, ()):
                result |= {parent, *self._syn[parent], *self._up(parent, (*path, word))}
        return frozenset(result)

    def _check_antonyms(self) -> None:
        for word, others in self._ant.items():
            for other in others:
                rel = self.relation(word, other)
                if rel is not None:
                    fail(self.file, f"antonyms ({word!r}, {other!r})", f"antonym pair is also {rel!r}")

    # ---------------------------------------------------------------- queries
    def _compute_substitutes(self, word: str) -> list[str]:
        ordered: list[str] = []
        for syn in self._syn[word]:
            for ant in self._ant.get(syn, ()):
                ordered += [ant, *self._syn[ant]]
        ordered += self.types[self._type_of[word]].words
        out: dict[str, None] = {}
        for cand in ordered:
            if self.relation(word, cand) is None:
                out[cand] = None
        return list(out)

    def type_of(self, word: str) -> str | None:
        """Attribute type of ``word``."""
        return self._type_of.get(word)

    def relation(self, a: str, b: str) -> str | None:
        """'same' | 'synonym' | 'hypernym' | 'hyponym' | 'related' | None (different types -> None)."""
        if a == b:
            return "same"
        if a not in self._type_of or self._type_of.get(a) != self._type_of.get(b):
            return None
        if b in self._syn[a]:
            return "synonym"
        up_a, up_b = self._ancestors.get(a, frozenset()), self._ancestors.get(b, frozenset())
        if b in up_a:
            return "hypernym"
        if a in up_b:
            return "hyponym"
        if any(frozenset((x, y)) in self._overlaps for x in self._syn[a] for y in self._syn[b]):
            return "related"
        return None

    def substitutes(self, word: str) -> list[str]:
        """Same-type words: antonyms first, then the rest in file order; never related words."""
        return list(self._subs.get(word, ()))

    def types_for(self, categories: tuple[str, ...]) -> list[str]:
        """Attribute types that apply to any of ``categories`` (file order)."""
        found = self._types_for.get(categories)
        if found is None:  # asked for every object of every caption: computed once per category set
            found = self._types_for[categories] = tuple(
                t.name for t in self.types.values() if any(c in t.applies_to for c in categories))
        return list(found)

    def words_on(self, type_: str, places: tuple[Place, ...]) -> list[str]:
        """Words of a type plausible on an object at these (category, group) places, file order: a
        group's `on` list, else its category's, else every word; the union over several places; none
        for a type that applies at none of them."""
        return list(self.plausible_by_type(places).get(type_, ()))

    def plausible_by_type(self, places: tuple[Place, ...]) -> Mapping[str, tuple[str, ...]]:
        """Every type that applies at these places, in file order, with its words plausible there
        (``words_on``; a type may have none left). Read-only, computed once per set of places."""
        found = self._by_type.get(places)
        if found is None:
            cats = {cat for cat, _ in places}
            found = self._by_type[places] = MappingProxyType({
                name: self._compute_words_on(kind, places)
                for name, kind in self.types.items() if cats & set(kind.applies_to)})
        return found

    def implausible_at(self, places: tuple[Place, ...]) -> frozenset[str]:
        """Words of the types that apply at these places but are not in their `on` lists there."""
        found = self._implausible.get(places)
        if found is None:
            found = self._implausible[places] = frozenset(
                w for name, plausible in self.plausible_by_type(places).items()
                for w in set(self.types[name].words) - set(plausible))
        return found

    def _compute_words_on(self, kind: AttributeType, places: tuple[Place, ...]) -> tuple[str, ...]:
        on = self._on.get(kind.name, {})
        allowed: set[str] = set()
        for cat, grp in places:
            if cat not in kind.applies_to:
                continue
            chosen = on.get(f"{cat}.{grp}", on.get(cat))
            if chosen is None:
                return kind.words
            allowed |= chosen
        return tuple(w for w in kind.words if w in allowed)

    def words(self, type_: str) -> list[str]:
        """Words of one attribute type in file order."""
        found = self.types.get(type_)
        return [] if found is None else list(found.words)
