"""Substitutes for a verb the lexicon does not know: another action the same agent does to the same kind
of thing ("a man mends a shoe" -> "a man polishes a shoe", "a woman kneads dough" -> "a woman bakes dough").

The choices come from verbs seen in the corpus (who did them, to what) and the lexicon's verbs. WordNet
keeps them false: never a verb that shares a sense with the replaced one, lies above or below it, or is
entailed by it (any sense of either). Its frames, and the corpus, keep them fluent: a verb with an object
gets a verb that takes one (never "sleeps dough"), a verb without one gets a verb that needs none, and a
person's action goes to a verb people do (an animal's or a thing's only to one seen done by such).
"""

from __future__ import annotations

from collections import Counter

from lemminflect import getLemma

from toolkit.corpus import CorpusCounts, agent_kind, canonical_object, verb_complement
from toolkit.lexicon import Lexicon
from toolkit.parse import Parse
from toolkit.scene import Relation
from toolkit.wordnet import (
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


def _kind(lex: Lexicon, name: str) -> str:
    return agent_kind(lex, [name], 0)


def _fits_agent(wn: WordNetVerbs, uses: Counter, agent: str, sub: str) -> bool:
    """A person's action goes to a verb whose commonest senses people do, or that the corpus saw them do;
    any other agent's only to a verb the corpus saw such an agent do ("a beaver instructs" is never seen)."""
    if agent == "person":
        return any(a == agent for a, _ in uses) or bool(wn.frames(sub) & PERSON_FRAMES)
    return agent != "" and any(a == agent for a, _ in uses)


def _fits_complement(wn: WordNetVerbs, lex: Lexicon, uses: Counter, comp: str, sub: str) -> bool:
    """A verb with an object gets one that takes an object; one with a preposition of its own gets one
    the corpus saw with that preposition; one with nothing after it gets one that needs nothing."""
    frames = wn.frames(sub)
    if comp.startswith("prep:"):  # seen with it, and no transitive verb in a passive ("drenched by")
        return any(c == comp for _, c in uses) and bool(frames & INTRANSITIVE_FRAMES)
    if comp:
        kind = _kind(lex, comp)
        if any(c == comp or kind not in {"", "thing"} and _kind(lex, c) == kind for _, c in uses):
            return True  # seen with this object, or this category of object
        # else its commonest sense must take this kind of object: never "instructs money", "rids a statue"
        return bool(wn.frames(sub, 1) & (ANIMATE_OBJECT_FRAMES if kind in {"person", "animal"} else THING_OBJECT_FRAMES))
    if lex.relation_kind(sub) == "verb" and not lex.is_intransitive(sub):
        return any(c == "" for _, c in uses)  # a lexicon verb with an object ("hold") needs to be seen without
    return any(c == "" for _, c in uses) or bool(frames & INTRANSITIVE_FRAMES)


def _score(lex: Lexicon, uses: Counter, agent: str, comp: str, same_file: bool) -> tuple[int, float]:
    """Plausibility at this place, higher first: a verb seen with this very object or this category of
    object (or this preposition, or with nothing after it as here) comes first, then one of the same WordNet file as the replaced verb
    (contact, consumption...); within each, the share of the verb's uses that fit (a verb seen with
    everything, "hold", is no better a fit for a statue than one seen with statues)."""
    kind = _kind(lex, comp) if comp and not comp.startswith("prep:") else ""
    fit, total = 0.0, 0
    for (a, c), n in uses.items():
        total += n
        ckind = _kind(lex, c) if c and not c.startswith("prep:") else ""
        same = c == comp or kind not in {"", "thing"} and ckind == kind
        fit += n * ((4 if c == comp else 1) if same else 0) + n * 0.25 * (a == agent)
    seen_here = any(c == comp or kind not in {"", "thing"} and _kind(lex, c) == kind for _, c in uses)
    tier = 2 if seen_here else 1 if same_file else 0
    return tier, fit / (total + 4)


def action_substitutes(
    parse: Parse, lex: Lexicon, rel: Relation, counts: CorpusCounts | None, wn: WordNetVerbs
) -> list[str]:
    """Verbs that can replace a verb the lexicon lacks, most plausible first; [] when WordNet does not
    know it (nothing could then show a substitute is no synonym)."""
    lemma = rel.lemma
    if " " in lemma or not wn.knows(lemma) or lemma in LIGHT_VERBS:
        return []
    names = [canonical_object(lex, o.lemma) for o in parse.scene.objects]
    agent = agent_kind(lex, names, rel.subj)
    comp = verb_complement(parse, names, rel)
    pool = list(counts.verbs()) if counts else []
    pool += [w for w in lex.relation_words() if lex.relation_kind(w) == "verb" and " " not in w]
    # every reading of the word ("taped": spaCy says "tap", lemminflect "tape") must differ from the substitute
    lemmas = {lemma, *(w for w in getLemma(parse.tokens[rel.start].lower, upos="VERB") if wn.knows(w))}
    if lemmas & LIGHT_VERBS:
        return []
    files = set(wn.lexnames(lemma))
    scored: list[tuple[int, float, int, str]] = []
    for i, sub in enumerate(dict.fromkeys(pool)):
        if sub in lemmas or sub in LIGHT_VERBS or not sub.isalpha() or not wn.knows(sub):
            continue
        if any(wn.relation(w, sub) is not None or lex.relation_relation(w, sub) is not None for w in lemmas):
            continue
        uses = counts.uses_of(sub) if counts else Counter()
        if not _fits_agent(wn, uses, agent, sub) or not _fits_complement(wn, lex, uses, comp, sub):
            continue
        same_file = bool(files & set(wn.lexnames(sub, 1)))
        tier, fit = _score(lex, uses, agent, comp, same_file)
        scored.append((-tier, -fit, i, sub))
    return [sub for _, _, _, sub in sorted(scored)]
