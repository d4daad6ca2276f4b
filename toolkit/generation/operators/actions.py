"""Substitutes for a verb the lexicon does not know: another action the same agent does to the same kind
of thing ("a man mends a shoe" -> "a man polishes a shoe", "a woman kneads dough" -> "a woman bakes dough").

The choices come from verbs seen in the corpus (who did them, to what) and the lexicon's verbs. WordNet
keeps them false: never a verb that shares a sense with the replaced one, lies above or below it, or is
entailed by it (any sense of either). Its frames, and the corpus, keep them fluent: a verb with an object
gets a verb that takes one (never "sleeps dough"), and so does a passive ("the dough is baked"), a verb
without one gets a verb that needs none, and a person's action goes to a verb people do (an animal's or a
thing's only to one seen done by such). A verb never seen with such a complement must at least be the
same kind of action (WordNet's file: contact, consumption...): never "a man climbs a shoe".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from toolkit.generation.corpus import CorpusCounts, agent_kind, canonical_object, is_passive, verb_roles
from toolkit.text.lemmas import getLemma
from toolkit.text.lexicon import Lexicon
from toolkit.text.parse import Parse
from toolkit.text.scene import Relation
from toolkit.text.wordnet import (
    ANIMATE_OBJECT_FRAMES,
    INTRANSITIVE_FRAMES,
    PERSON_FRAMES,
    THING_OBJECT_FRAMES,
    WordNetVerbs,
)

# Verbs too general or too grammatical to contrast with an action ("has a shoe", "gets dough"); a general
# list of English light and auxiliary-like verbs, not taken from any benchmark.
LIGHT_VERBS = frozenset({
    "be", "have", "do", "get", "make", "take", "give", "go", "come", "let", "keep", "put", "set", "seem",
    "become", "use", "try", "want", "need", "like", "begin", "start", "continue", "stop", "finish", "appear",
    "show", "see", "look", "watch", "say", "tell", "think", "know", "feel", "find", "leave", "allow", "help",
    "include", "contain", "involve", "feature", "depict", "display", "wear", "dress", "happen", "remain",
    "stay", "bring", "enjoy", "wait", "pose", "prepare", "gather", "spend", "share",
})


POOL_LIMIT = 16  # substitutes handed on per verb (REPLACE keeps `per_site` of those that fit)
_LEXICON_POOL: dict = {}  # the pool when there is no corpus: the lexicon's verbs


@dataclass(frozen=True)
class _Verb:
    """A possible substitute with what is known of it: its uses in the corpus as (agent kind, complement,
    the complement's kind, count), and its WordNet frames and files."""

    lemma: str
    uses: tuple[tuple[str, str, str, int], ...]
    total: int
    frames: frozenset[int]  # of its two commonest senses
    first_frames: frozenset[int]  # of its commonest sense
    first_file: str
    needs_object: bool  # a lexicon verb not listed as intransitive ("hold")
    agents: frozenset[str]
    complements: frozenset[str]
    kinds: frozenset[str]  # of its complements


@lru_cache(maxsize=4096)
def _kind(lex: Lexicon, name: str) -> str:
    """The kind of a complement: an object's category ("person", "food", "thing"), else the complement."""
    return agent_kind(lex, [name], 0) if name and not name.startswith("prep:") else name


def _pool(lex: Lexicon, counts: CorpusCounts | None, wn: WordNetVerbs) -> list[_Verb]:
    """Every possible substitute, corpus verbs (commonest first) then the lexicon's; computed once per corpus."""
    cache = counts.derived if counts is not None else _LEXICON_POOL
    key = ("action pool", id(lex))
    if key not in cache:
        lemmas = list(counts.verbs()) if counts is not None else []
        lemmas += [w for w in lex.relation_words() if lex.relation_kind(w) == "verb" and " " not in w]
        pool = []
        for sub in dict.fromkeys(lemmas):
            if sub in LIGHT_VERBS or not sub.isalpha() or not wn.knows(sub):
                continue
            uses = counts.uses_of(sub) if counts is not None else Counter()
            pool.append(_Verb(
                sub, tuple((a, c, _kind(lex, c), n) for (a, c), n in uses.items()), sum(uses.values()),
                wn.frames(sub), wn.frames(sub, 1), next(iter(wn.lexnames(sub, 1)), ""),
                lex.relation_kind(sub) == "verb" and not lex.is_intransitive(sub),
                frozenset(a for a, _ in uses), frozenset(c for _, c in uses), frozenset(_kind(lex, c) for _, c in uses)))
        cache[key] = pool
    return cache[key]


def _fits_agent(verb: _Verb, agent: str) -> bool:
    """A person's action goes to a verb whose commonest senses people do, or that the corpus saw them do;
    any other agent's only to a verb the corpus saw such an agent do ("a beaver instructs" is never seen)."""
    seen = agent in verb.agents
    if agent == "*":
        return True
    if agent == "person":
        return seen or bool(verb.frames & PERSON_FRAMES)
    return agent != "" and seen


def _seen_here(verb: _Verb, comp: str, kind: str) -> bool:
    """Seen with this very complement, or with an object of this (known) category."""
    return comp in verb.complements or kind not in {"", "thing"} and kind in verb.kinds


def _fits_complement(verb: _Verb, comp: str, kind: str) -> bool:
    """A verb with an object gets one that takes an object; one with a preposition of its own gets one
    the corpus saw with that preposition; one with nothing after it gets one that needs nothing."""
    if comp.startswith("prep:"):  # seen with it, and no transitive verb in a passive ("drenched by")
        return _seen_here(verb, comp, kind) and bool(verb.frames & INTRANSITIVE_FRAMES)
    if comp:
        if _seen_here(verb, comp, kind):
            return True
        # else its commonest sense must take this kind of object: never "instructs money", "rids a statue"
        return bool(verb.first_frames & (ANIMATE_OBJECT_FRAMES if kind in {"person", "animal"} else THING_OBJECT_FRAMES))
    if verb.needs_object:
        return _seen_here(verb, comp, kind)  # a lexicon verb with an object ("hold") must be seen without
    return bool(verb.frames & INTRANSITIVE_FRAMES)  # never "is attempting loudly"


def _score(verb: _Verb, agent: str, comp: str, kind: str, files: set[str]) -> tuple[int, float]:
    """Plausibility at this place, higher first: a verb seen with this very object or this category of
    object (or this preposition, or with nothing after it as here) comes first, then one of the same
    WordNet file as the replaced verb (contact, consumption...); within each, the share of the verb's uses
    that fit (a verb seen with everything, "hold", is no better a fit for a statue than one seen with statues)."""
    fit = 0.0
    for a, c, ckind, n in verb.uses:
        same = c == comp or kind not in {"", "thing"} and ckind == kind
        fit += n * ((4 if c == comp else 1) if same else 0) + n * 0.25 * (a == agent)
    tier = 2 if _seen_here(verb, comp, kind) else 1 if verb.first_file in files else 0
    return tier, fit / (verb.total + 4)


def action_substitutes(
    parse: Parse, lex: Lexicon, rel: Relation, counts: CorpusCounts | None, wn: WordNetVerbs
) -> list[str]:
    """Verbs that can replace a verb the lexicon lacks (with its particle, if any), most plausible first
    (at most POOL_LIMIT); []
    when WordNet does not know it (nothing could then show a substitute is no synonym)."""
    lemma = rel.lemma.split(" ")[0]  # a verb with its particle ("wrings out") is replaced whole by one verb
    # every reading of the word ("taped": spaCy says "tap", lemminflect "tape") must differ from the substitute
    lemmas = {lemma, rel.lemma, *(w for w in getLemma(parse.tokens[rel.start].lower, upos="VERB") if wn.knows(w))}
    if not wn.knows(lemma) or lemmas & LIGHT_VERBS:
        return []
    names = [canonical_object(lex, o.lemma) for o in parse.scene.objects]
    agent, comp = verb_roles(parse, lex, names, rel)
    if is_passive(parse, rel) and not agent:
        agent = "*"  # "the dough is kneaded": whoever does it
    kind = _kind(lex, comp)
    related = frozenset().union(*(wn.related_lemmas(w) for w in lemmas))
    known = [w for w in lemmas if lex.relation_kind(w) is not None]  # the lexicon's synonyms too
    files = set(wn.lexnames(lemma))
    scored: list[tuple[int, float, int, str]] = []
    for i, verb in enumerate(_pool(lex, counts, wn)):
        sub = verb.lemma
        if sub in lemmas or sub in related or any(lex.relation_relation(w, sub) is not None for w in known):
            continue
        if _fits_agent(verb, agent) and _fits_complement(verb, comp, kind):
            tier, fit = _score(verb, agent, comp, kind, files)
            if tier:  # never seen here and of another kind of action: "climbs a shoe", "skis his back"
                scored.append((-tier, -fit, i, sub))
    return [sub for _, _, _, sub in sorted(scored)[:POOL_LIMIT]]
