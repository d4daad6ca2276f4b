"""Relation vocabulary: parsing, validation and precomputed lookups for ``relations.toml``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._schema import check_keys, fail, group_list, word_list

_KINDS = ("verb", "prep")
_SET_KEYS = {"words", "synonyms", "opposites", "see_also"}


@dataclass(frozen=True)
class RelationSet:
    """A contrast set of relations of one kind (``verb`` or ``prep``)."""

    name: str
    kind: str
    words: tuple[str, ...]
    see_also: tuple[str, ...]


class RelationIndex:
    """Validated, precomputed view of ``relations.toml``."""

    def __init__(self, data: dict[str, Any], file: str = "relations.toml") -> None:
        self.file = file
        check_keys(file, "top level", data, {"symmetric", "symmetric_conjunctions", "intransitive", "stationary", "person_subject",
                                           "animate_subject", "animate_object", "setting_object",
                                           *_KINDS})
        self.sets: dict[str, RelationSet] = {}
        self._kind: dict[str, str] = {}
        self._sets_of: dict[str, list[str]] = {}
        self._syn: dict[str, tuple[str, ...]] = {}
        self._opp: dict[str, list[str]] = {}
        for kind in [k for k in data if k in _KINDS]:  # file order, so errors name the later entry
            table = data[kind]
            check_keys(file, kind, table, set(table) if isinstance(table, dict) else set())
            for name, body in table.items():
                self._parse_set(kind, name, body)
        self._check_see_also()
        self.symmetric = self._parse_symmetric(data)
        self.intransitive = self._verb_list(data, "intransitive")
        self.stationary = self._verb_list(data, "stationary")
        self.person_subject = self._verb_list(data, "person_subject")
        self.animate_subject = self._verb_list(data, "animate_subject")
        self.animate_object = self._verb_list(data, "animate_object")
        self.setting_object = self._verb_list(data, "setting_object")
        self._subs = {w: tuple(self._compute_substitutes(w)) for w in self._kind}

    # ---------------------------------------------------------------- parsing
    def _parse_set(self, kind: str, name: str, body: Any) -> None:
        where = f"{kind}.{name}"
        if name in self.sets:
            fail(self.file, where, f"set name {name!r} is used for both verbs and prepositions")
        check_keys(self.file, where, body, _SET_KEYS, {"words"})
        words = word_list(self.file, f"{where}.words", body["words"], min_len=2)
        for word in words:
            if self._kind.get(word, kind) != kind:
                fail(self.file, where, f"{word!r} is listed both as a verb and as a preposition")
            self._kind[word] = kind
            self._sets_of.setdefault(word, []).append(name)
            self._syn.setdefault(word, (word,))
        see_also = word_list(self.file, f"{where}.see_also", body.get("see_also", []))
        self.sets[name] = RelationSet(name, kind, words, see_also)
        self._parse_synonyms(where, words, body.get("synonyms", []))
        self._parse_opposites(where, words, body.get("opposites", []))

    def _require_members(self, where: str, words: tuple[str, ...], members: tuple[str, ...]) -> None:
        for word in members:
            if word not in words:
                fail(self.file, where, f"{word!r} is not in this set's words list")

    def _parse_synonyms(self, where: str, words: tuple[str, ...], value: Any) -> None:
        for grp in group_list(self.file, f"{where}.synonyms", value):
            self._require_members(f"{where}.synonyms", words, grp)
            for word in grp:
                if len(self._syn[word]) > 1:
                    fail(
                        self.file,
                        f"{where}.synonyms",
                        f"{word!r} is already in synonym group {self._syn[word]}",
                    )
                self._syn[word] = grp

    def _parse_opposites(self, where: str, words: tuple[str, ...], value: Any) -> None:
        for pair in group_list(self.file, f"{where}.opposites", value):
            if len(pair) != 2:
                fail(self.file, f"{where}.opposites", f"expected a pair, got {list(pair)}")
            self._require_members(f"{where}.opposites", words, pair)
            a, b = pair
            if b in self._syn[a]:
                fail(self.file, f"{where}.opposites", f"{a!r} and {b!r} are both synonyms and opposites")
            self._opp.setdefault(a, []).append(b)
            self._opp.setdefault(b, []).append(a)

    def _check_see_also(self) -> None:
        for rset in self.sets.values():
            for other in rset.see_also:
                if other not in self.sets or self.sets[other].kind != rset.kind:
                    fail(self.file, f"{rset.kind}.{rset.name}.see_also", f"unknown {rset.kind} set {other!r}")
        for word, kind in self._kind.items():
            for syn in self._syn[word]:
                if syn in self._opp.get(word, ()):
                    fail(self.file, f"{kind} {word!r}", f"{syn!r} is both a synonym and an opposite")

    def _verb_list(self, data: dict[str, Any], key: str) -> frozenset[str]:
        phrases = word_list(self.file, key, data.get(key, []))
        for phrase in phrases:
            if self._kind.get(phrase) != "verb":
                fail(self.file, key, f"{phrase!r} is not a known verb")
        return frozenset(phrases)

    def _parse_symmetric(self, data: dict[str, Any]) -> frozenset[str]:
        phrases = word_list(self.file, "symmetric", data.get("symmetric", []))
        for phrase in phrases:
            if phrase not in self._kind:
                fail(self.file, "symmetric", f"{phrase!r} is not a known relation")
        conj = word_list(self.file, "symmetric_conjunctions", data.get("symmetric_conjunctions", []))
        return frozenset(phrases + conj)

    # ---------------------------------------------------------------- queries
    def _compute_substitutes(self, phrase: str) -> list[str]:
        syns = self._syn[phrase]
        ordered: list[str] = []
        for syn in syns:
            for opp in self._opp.get(syn, ()):
                ordered += [opp, *self._syn[opp]]
        names: dict[str, None] = {n: None for s in syns for n in self._sets_of[s]}
        for name in list(names):
            ordered += self.sets[name].words
        for name in list(names):
            for other in self.sets[name].see_also:
                ordered += self.sets[other].words
        return list(dict.fromkeys(w for w in ordered if w not in syns))

    def kind(self, phrase: str) -> str | None:
        """'verb' | 'prep' | None."""
        return self._kind.get(phrase)

    def substitutes(self, phrase: str) -> list[str]:
        """Contrasting relations of the same kind, best contrast first; never synonyms."""
        return list(self._subs.get(phrase, ()))

    def relation(self, a: str, b: str) -> str | None:
        """'same' | 'synonym' | None."""
        if a == b:
            return "same"
        if a in self._syn and b in self._syn[a]:
            return "synonym"
        return None

    def is_symmetric(self, phrase: str) -> bool:
        """True if the relation's arguments can be swapped without changing truth."""
        return phrase in self.symmetric

    def is_intransitive(self, phrase: str) -> bool:
        """True for a verb that takes no direct object ("sleep", "smile"): it cannot replace one that has one."""
        return phrase in self.intransitive

    def needs_person_subject(self, phrase: str) -> bool:
        """True for a verb only a person does ("ski", "read")."""
        return phrase in self.person_subject

    def needs_animate_subject(self, phrase: str) -> bool:
        """True for a verb only a person or an animal does ("walk", "pose")."""
        return phrase in self.animate_subject or phrase in self.person_subject

    def needs_animate_object(self, phrase: str) -> bool:
        """True for a verb done to a person or an animal ("hug", "pet", "talk to")."""
        return phrase in self.animate_object

    def takes_setting_object(self, phrase: str) -> bool:
        """True for a verb whose object is where it is done ("surf a wave")."""
        return phrase in self.setting_object

    def is_stationary(self, phrase: str) -> bool:
        """True for a verb of staying in place ("sit", "park"): with no object it tells no two things apart."""
        return phrase in self.stationary

    def multiword_prepositions(self) -> list[str]:
        """Multiword prepositions, longest first (then alphabetical)."""
        multi = [w for w, k in self._kind.items() if k == "prep" and " " in w]
        return sorted(multi, key=lambda w: (-len(w.split()), -len(w), w))

    def words(self) -> list[str]:
        """All relation phrases in file order."""
        return list(self._kind)
