"""Object vocabulary: parsing, validation and precomputed lookups for ``objects.toml``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._schema import check_keys, fail, is_normal, word_list

_TOP_KEYS = {"generic", "plurals", "category"}
_CATEGORY_KEYS = {"hypernyms", "group", "owned"}
_GROUP_KEYS = {"hypernyms", "concepts", "closed"}
_CONCEPT_KEYS = {"words", "hyponyms", "hypernyms", "overlaps", "plural"}


@dataclass(frozen=True)
class ObjectEntry:
    """One object concept; ``canonical`` is ``words[0]``."""

    canonical: str
    category: str
    group: str
    words: tuple[str, ...]
    hyponyms: tuple[str, ...]
    hypernyms: tuple[str, ...]
    plural: str | None


class ObjectIndex:
    """Validated, precomputed view of ``objects.toml``."""

    def __init__(self, data: dict[str, Any], file: str = "objects.toml") -> None:
        self.file = file
        check_keys(file, "top level", data, _TOP_KEYS, {"category"})
        self.generic = frozenset(word_list(file, "generic", data.get("generic", [])))
        self.entries: list[ObjectEntry] = []
        self.categories: dict[str, tuple[str, ...]] = {}
        self._by_word: dict[str, int] = {}
        self._group_hyper: dict[tuple[str, str], tuple[str, ...]] = {}
        self._closed: set[tuple[str, str]] = set()  # groups whose concepts substitute only for each other
        self.owned: set[str] = set()  # categories of things that belong to someone: ADD never adds one
        self._overlap_words: list[tuple[int, tuple[str, ...]]] = []
        self._parse_categories(data["category"])
        self.hypernym_words = self._collect_hypernym_words()
        self._hypo_parents = self._index_hyponyms()
        self._places: dict[str, tuple[tuple[str, str | None], ...]] = {}
        self._ancestors = self._closure(self._build_parents())
        self._overlaps = self._build_overlaps()
        self._plurals = self._parse_plurals(data.get("plurals", {}))
        self._subs = self._build_substitutes()
        self._hyper_categories = self._build_hypernym_categories()

    # ---------------------------------------------------------------- parsing
    def _parse_categories(self, table: Any) -> None:
        check_keys(self.file, "category", table, set(table) if isinstance(table, dict) else set())
        for cat, body in table.items():
            where = f"category.{cat}"
            if not is_normal(cat) or " " in cat:
                fail(self.file, where, "category names must be lower-case identifiers")
            check_keys(self.file, where, body, _CATEGORY_KEYS, {"group"})
            self.categories[cat] = word_list(self.file, f"{where}.hypernyms", body.get("hypernyms", []))
            owned = body.get("owned", False)
            if not isinstance(owned, bool):
                fail(self.file, f"{where}.owned", f"expected true or false, got {owned!r}")
            if owned:
                self.owned.add(cat)
            groups = check_keys(self.file, f"{where}.group", body["group"], set(body["group"]))
            if not groups:
                fail(self.file, f"{where}.group", "a category needs at least one group")
            for grp, gbody in groups.items():
                self._parse_group(cat, grp, gbody)

    def _parse_group(self, cat: str, grp: str, body: Any) -> None:
        where = f"category.{cat}.group.{grp}"
        check_keys(self.file, where, body, _GROUP_KEYS, {"concepts"})
        self._group_hyper[(cat, grp)] = word_list(self.file, f"{where}.hypernyms", body.get("hypernyms", []))
        closed = body.get("closed", False)
        if not isinstance(closed, bool):
            fail(self.file, f"{where}.closed", f"expected true or false, got {closed!r}")
        if closed:
            self._closed.add((cat, grp))
        concepts = body["concepts"]
        if not isinstance(concepts, list) or not concepts:
            fail(self.file, f"{where}.concepts", "expected a non-empty list of concept tables")
        for i, concept in enumerate(concepts):
            self._parse_concept(cat, grp, concept, f"{where}.concepts[{i}]")

    def _parse_concept(self, cat: str, grp: str, body: Any, where: str) -> None:
        check_keys(self.file, where, body, _CONCEPT_KEYS, {"words"})
        words = word_list(self.file, f"{where}.words", body["words"], min_len=1)
        where = f"{where} ({words[0]!r})"
        hypo = word_list(self.file, f"{where}.hyponyms", body.get("hyponyms", []))
        hyper = word_list(self.file, f"{where}.hypernyms", body.get("hypernyms", []))
        plural = body.get("plural")
        if plural is not None and not is_normal(plural):
            fail(self.file, f"{where}.plural", f"bad plural {plural!r}")
        for field, values in (("hyponyms", hypo), ("hypernyms", hyper)):
            clash = sorted(set(values) & set(words))
            if clash:
                fail(self.file, where, f"{clash} listed both as synonyms and as {field}")
        if set(hypo) & set(hyper):
            fail(self.file, where, f"{sorted(set(hypo) & set(hyper))} listed both as hyponyms and hypernyms")
        idx = len(self.entries)
        for word in words:
            if word in self._by_word:
                other = self.entries[self._by_word[word]].canonical
                fail(self.file, where, f"word {word!r} is already listed in concept {other!r}")
            self._by_word[word] = idx
        self.entries.append(ObjectEntry(words[0], cat, grp, words, hypo, hyper, plural))
        overlaps = word_list(self.file, f"{where}.overlaps", body.get("overlaps", []))
        self._overlap_words.append((idx, overlaps))

    def _parse_plurals(self, table: Any) -> dict[str, str]:
        check_keys(self.file, "plurals", table, set(table) if isinstance(table, dict) else set())
        plurals: dict[str, str] = {}
        for word, plural in table.items():
            if not is_normal(word) or not is_normal(plural):
                fail(self.file, f"plurals.{word}", f"bad plural entry {word!r} = {plural!r}")
            if self.node(word) is None:
                fail(self.file, f"plurals.{word}", "word is not in the object vocabulary")
            plurals[word] = plural
        for entry in self.entries:
            if entry.plural is not None:
                known = plurals.get(entry.canonical)
                if known is not None and known != entry.plural:
                    fail(self.file, f"concept {entry.canonical!r}", f"plural {entry.plural!r} != {known!r}")
                plurals[entry.canonical] = entry.plural
        return plurals

    # ---------------------------------------------------------------- structure
    def _collect_hypernym_words(self) -> frozenset[str]:
        named = set(self.generic)
        for cat, words in self.categories.items():
            named |= self._checked_hypernyms(f"category.{cat}.hypernyms", words)
        for (cat, grp), words in self._group_hyper.items():
            named |= self._checked_hypernyms(f"category.{cat}.group.{grp}.hypernyms", words)
        free = {h for e in self.entries for h in e.hypernyms if h not in self._by_word}
        return frozenset(named | free)

    def _checked_hypernyms(self, where: str, words: tuple[str, ...]) -> set[str]:
        for word in words:
            if word in self._by_word:
                other = self.entries[self._by_word[word]].canonical
                fail(self.file, where, f"hypernym word {word!r} is also a word of concept {other!r}")
        return set(words)

    def _index_hyponyms(self) -> dict[str, tuple[int, ...]]:
        parents: dict[str, list[int]] = {}
        for idx, entry in enumerate(self.entries):
            for word in entry.hyponyms:
                if word in self.hypernym_words:
                    fail(
                        self.file, f"concept {entry.canonical!r}", f"hyponym {word!r} is also a hypernym word"
                    )
                if word not in self._by_word:
                    parents.setdefault(word, []).append(idx)
        return {w: tuple(p) for w, p in parents.items()}

    def node(self, word: str) -> str | None:
        """Identity of ``word`` in the hierarchy: the canonical lemma for concept words, else the word."""
        idx = self._by_word.get(word)
        if idx is not None:
            return self.entries[idx].canonical
        if word in self._hypo_parents or word in self.hypernym_words:
            return word
        return None

    def _known_node(self, word: str) -> str:
        """`node` of a word the hierarchy holds (every hypernym and hyponym of a concept is one)."""
        return self.node(word) or word

    def _build_parents(self) -> dict[str, set[str]]:
        parents: dict[str, set[str]] = {}
        for cat_words in self.categories.values():
            for word in cat_words:
                parents.setdefault(word, set()).update(self.generic)
        for (cat, _grp), grp_words in self._group_hyper.items():
            for word in grp_words:
                parents.setdefault(word, set()).update(self.categories[cat])
        for entry in self.entries:
            ups = parents.setdefault(entry.canonical, set())
            ups.update(self._known_node(h) for h in entry.hypernyms)
            ups.update(self._group_hyper[(entry.category, entry.group)], self.categories[entry.category])
            ups.update(self.generic)
            for word in entry.hyponyms:
                parents.setdefault(self._known_node(word), set()).add(entry.canonical)
        for node, ups in parents.items():
            ups.discard(node)
        return parents

    def _closure(self, parents: dict[str, set[str]]) -> dict[str, frozenset[str]]:
        done: dict[str, frozenset[str]] = {}
        active: set[str] = set()

        def visit(node: str) -> frozenset[str]:
            if node in done:
                return done[node]
            if node in active:
                fail(self.file, f"concept {node!r}", "hypernym/hyponym cycle")
            active.add(node)
            result: set[str] = set()
            for up in parents.get(node, ()):
                result.add(up)
                result |= visit(up)
            active.discard(node)
            done[node] = frozenset(result)
            return done[node]

        for node in list(parents):
            visit(node)
        return done

    def _build_overlaps(self) -> frozenset[frozenset[str]]:
        pairs = set()
        for idx, words in self._overlap_words:
            canonical = self.entries[idx].canonical
            for word in words:
                other = self._by_word.get(word)
                if other is None:
                    fail(self.file, f"concept {canonical!r}.overlaps", f"{word!r} is not a concept word")
                if other == idx:
                    fail(self.file, f"concept {canonical!r}.overlaps", f"{word!r} is its own synonym")
                pairs.add(frozenset((canonical, self.entries[other].canonical)))
        return frozenset(pairs)

    def _build_substitutes(self) -> dict[str, tuple[str, ...]]:
        subs: dict[str, tuple[str, ...]] = {}
        for entry in self.entries:
            same = [e for e in self.entries if e.category == entry.category and e.group == entry.group]
            # a closed group ("a crowd", "a team") and the rest of its category never replace each other
            rest = [] if (entry.category, entry.group) in self._closed else [
                e for e in self.entries if e.category == entry.category and e.group != entry.group
                and (e.category, e.group) not in self._closed]
            subs[entry.canonical] = tuple(
                e.canonical for e in same + rest if self.relation(entry.canonical, e.canonical) is None
            )
            for word in entry.words[1:]:  # a synonym ("plane", "lady") contrasts with what its concept does
                subs[word] = subs[entry.canonical]
        for word, parent_ids in self._hypo_parents.items():
            found: dict[str, None] = {}
            for idx in parent_ids:
                for cand in subs[self.entries[idx].canonical]:
                    if self.relation(word, cand) is None:
                        found[cand] = None
            subs[word] = tuple(found)
        return subs

    def _build_hypernym_categories(self) -> dict[str, tuple[str, ...]]:
        cats: dict[str, dict[str, None]] = {}
        for entry in self.entries:
            for up in self._ancestors.get(entry.canonical, ()):
                if up in self.hypernym_words and up not in self.generic:
                    cats.setdefault(up, {})[entry.category] = None
        return {word: tuple(c) for word, c in cats.items()}

    # ---------------------------------------------------------------- queries
    def entry(self, word: str) -> ObjectEntry | None:
        """The concept that lists ``word`` among its synonyms."""
        idx = self._by_word.get(word)
        return None if idx is None else self.entries[idx]

    def is_object(self, word: str) -> bool:
        """True for concept words and hyponym words (not for pure hypernyms)."""
        return word in self._by_word or word in self._hypo_parents

    def category(self, word: str) -> str | None:
        """Category of a concept/hyponym word; first category named by a hypernym word."""
        entry = self.entry(word)
        if entry is not None:
            return entry.category
        if word in self._hypo_parents:
            return self.entries[self._hypo_parents[word][0]].category
        cats = self._hyper_categories.get(word, ())
        return cats[0] if cats else None

    def places_of(self, word: str) -> tuple[tuple[str, str | None], ...]:
        """(category, group) of the concept(s) a word names; group None for a hypernym's categories."""
        found = self._places.get(word)
        if found is None:  # asked for every object of every caption
            found = self._places[word] = self._compute_places(word)
        return found

    def _compute_places(self, word: str) -> tuple[tuple[str, str | None], ...]:
        entry = self.entry(word)
        if entry is not None:
            return ((entry.category, entry.group),)
        if word in self._hypo_parents:
            return tuple(dict.fromkeys((self.entries[i].category, self.entries[i].group) for i in self._hypo_parents[word]))
        return tuple((c, None) for c in self._hyper_categories.get(word, ()))

    def group_names(self) -> tuple[str, ...]:
        """Every "category.group" name."""
        return tuple(f"{cat}.{grp}" for cat, grp in self._group_hyper)

    def categories_of(self, word: str) -> tuple[str, ...]:
        """All categories a word can refer to (several for hypernyms like "person")."""
        if word in self._hyper_categories:
            return self._hyper_categories[word]
        cat = self.category(word)
        return () if cat is None else (cat,)

    def plural(self, word: str) -> str | None:
        """Irregular plural, if listed."""
        return self._plurals.get(word)

    def ancestors(self, word: str) -> frozenset[str]:
        """All hypernym nodes above ``word`` (transitive)."""
        node = self.node(word)
        return frozenset() if node is None else self._ancestors.get(node, frozenset())

    def relation(self, a: str, b: str) -> str | None:
        """'same' | 'synonym' | 'hypernym' (b above a) | 'hyponym' (b below a) | 'related' | None."""
        if a == b:
            return "same"
        na, nb = self.node(a), self.node(b)
        if na is None or nb is None:
            return None
        if na == nb:
            return "synonym"
        up_a, up_b = self._ancestors.get(na, frozenset()), self._ancestors.get(nb, frozenset())
        if nb in up_a:
            return "hypernym"
        if na in up_b:
            return "hyponym"
        if frozenset((na, nb)) in self._overlaps:
            return "related"
        return None

    def substitutes(self, word: str) -> list[str]:
        """Canonical lemmas of contrasting concepts (same group first, then same category)."""
        return list(self._subs.get(word, ()))

    def known_words(self) -> list[str]:
        """Every concept word and hyponym word, in file order."""
        words = [w for e in self.entries for w in e.words]
        return words + [w for w in self._hypo_parents if w not in self._by_word]
