"""The scene view of a parse: objects, their attributes, and relations between them.

Derived from the stored tokens with a few dependency rules:
- an *object* is a noun that is not a compound modifier, a quantifier ("a bunch of") or part of a
  multiword preposition ("in front of"); its noun unit includes compounds ("stop sign");
- an *attribute* is an adjectival modifier (with its own adverbs: "bright red"), a colour/material
  noun used as a modifier ("wood table"), a count ("two", "several") or a predicate adjective
  ("the cat is black");
- a *relation* is a verb with its agent and patient (including participle fragments: "a dog chasing
  a cat", where the verb is an `acl` of the agent) or a preposition with its object, multiword
  prepositions included ("next to", "in front of", "on top of").
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from toolkit.text.frozen import reduce_frozen
from toolkit.text.lexicon import load_lexicon

if TYPE_CHECKING:  # the scene is built from a Parse, whose `scene` property imports this module on first use
    from toolkit.text.parse import Parse

NOUN_POS: Final = {"NOUN", "PROPN"}
NP_LEFT_DEPS: Final = {"det", "amod", "compound", "nummod", "poss", "nmod", "quantmod", "predet", "advmod", "case"}
COPULAS: Final = {"be", "look", "seem", "appear", "become", "remain", "stay"}
# Nouns that only measure or group another noun ("a bunch of bananas"); never objects themselves.
QUANTIFIER_NOUNS: Final = {
    "bunch", "group", "herd", "flock", "couple", "lot", "lots", "number", "variety", "pair", "set",
    "pile", "stack", "row", "line", "collection", "assortment", "array", "bundle", "handful", "piece",
    "slice", "kind", "type", "sort", "amount", "bit", "load", "crowd", "team", "bevy", "school",
    "pack", "dozen", "cluster", "selection", "plenty", "few", "side", "front", "top", "middle", "back",
}
SUBJECT_DEPS: Final = {"nsubj", "nsubjpass"}
PRONOUN_OBJECTS: Final = {"someone", "somebody", "everyone", "everybody", "anyone"}


@dataclass(unsafe_hash=True, slots=True)  # a value class: see toolkit/text/frozen.py
class SceneObject:
    """A noun phrase. Spans are token index ranges [start, end)."""

    head: int
    start: int  # first token of the noun phrase (determiner, counts, adjectives, compounds)
    noun_start: int  # first token of the noun unit (compounds + head): "stop sign"
    det: int | None
    number: str  # "sing" | "plur"
    lemma: str  # lemma of the noun unit, lower case: "stop sign"

    phrase_end: int = -1  # end of the phrase with its "of" complement ("a plate of sandwiches"), or -1

    def __init__(self, head: int, start: int, noun_start: int, det: int | None, number: str, lemma: str,
                 phrase_end: int = -1) -> None:
        self.head, self.start, self.noun_start, self.det = head, start, noun_start, det
        self.number, self.lemma, self.phrase_end = number, lemma, phrase_end

    @property
    def end(self) -> int:
        return self.head + 1

    @property
    def full_end(self) -> int:
        return self.phrase_end if self.phrase_end > 0 else self.head + 1

    def __reduce__(self) -> tuple:
        return reduce_frozen(self)  # pickles the compiled build too


@dataclass(unsafe_hash=True, slots=True)  # a value class: see toolkit/text/frozen.py
class Attribute:
    """A modifier of an object. `obj` indexes `Scene.objects`; `type` comes from the lexicon."""

    start: int
    end: int
    obj: int
    kind: str  # "amod" | "noun_mod" | "count" | "predicate" | "group" ("black and white", also split) | "block" | "part" | "loose" | "compound" ("dress" in "dress shirt", for swaps) | "article" ("a" as a count of one)
    lemma: str
    type: str | None

    def __init__(self, start: int, end: int, obj: int, kind: str, lemma: str, type: str | None) -> None:
        self.start, self.end, self.obj, self.kind, self.lemma, self.type = start, end, obj, kind, lemma, type

    def __reduce__(self) -> tuple:
        return reduce_frozen(self)  # pickles the compiled build too


@dataclass(unsafe_hash=True, slots=True)  # a value class: see toolkit/text/frozen.py
class Relation:
    """A verb or preposition linking a subject object to an object (either may be missing)."""

    start: int
    end: int
    kind: str  # "verb" | "prep"
    lemma: str
    subj: int | None
    obj: int | None
    verb: int | None = None  # the verb a preposition hangs on, if any

    def __init__(self, start: int, end: int, kind: str, lemma: str, subj: int | None, obj: int | None,
                 verb: int | None = None) -> None:
        self.start, self.end, self.kind, self.lemma = start, end, kind, lemma
        self.subj, self.obj, self.verb = subj, obj, verb

    def __reduce__(self) -> tuple:
        return reduce_frozen(self)  # pickles the compiled build too


@dataclass(unsafe_hash=True, slots=True)  # a value class: see toolkit/text/frozen.py
class Scene:
    objects: tuple[SceneObject, ...]
    attributes: tuple[Attribute, ...]
    relations: tuple[Relation, ...]

    def __init__(self, objects: tuple[SceneObject, ...], attributes: tuple[Attribute, ...],
                 relations: tuple[Relation, ...]) -> None:
        self.objects, self.attributes, self.relations = objects, attributes, relations

    def object_at(self, head: int) -> int | None:
        for k, obj in enumerate(self.objects):
            if obj.head == head:
                return k
        return None

    def attributes_of(self, obj: int) -> list[Attribute]:
        return [a for a in self.attributes if a.obj == obj]

    def __reduce__(self) -> tuple:
        return reduce_frozen(self)  # pickles the compiled build too


@functools.lru_cache(maxsize=4)
@functools.lru_cache(maxsize=4)
def _two_word_names(lex) -> frozenset[str]:
    return frozenset(w for w in lex.object_words() if w.count(" ") == 1)


@functools.lru_cache(maxsize=4)
def _multiword_index(lex) -> dict[str, list[tuple[str, ...]]]:
    """First word -> multiword prepositions starting with it, longest first."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in lex.multiword_prepositions():
        words = tuple(phrase.split())
        index.setdefault(words[0], []).append(words)
    for phrases in index.values():
        phrases.sort(key=len, reverse=True)
    return index


def _multiword_spans(parse: Parse) -> dict[int, tuple[int, int, str]]:
    """Map each token inside a multiword preposition to (start, end, phrase)."""
    index = _multiword_index(load_lexicon())
    lowers = [t.lower for t in parse.tokens]
    spans: dict[int, tuple[int, int, str]] = {}
    i = 0
    while i < len(lowers):
        for words in index.get(lowers[i], ()):
            n = len(words)
            if tuple(lowers[i : i + n]) == words:
                for j in range(i, i + n):
                    spans[j] = (i, i + n, " ".join(words))
                i += n - 1
                break
        i += 1
    return spans


def _left_edge(parse: Parse, head: int) -> int:
    """First token of the noun phrase headed by `head` (left dependents only, kept contiguous)."""
    kids = parse.children
    start = head
    stack = [c for c in kids[head] if c < head and parse.tokens[c].dep in NP_LEFT_DEPS | {"cc", "conj", "punct"}]
    members = {head}
    while stack:
        c = stack.pop()
        members.add(c)
        stack.extend(k for k in kids[c] if k < head)
    while start - 1 in members:
        start -= 1
    # a leading conjunction or punctuation is never part of the phrase
    while start < head and parse.tokens[start].dep in {"cc", "punct"}:
        start += 1
    return start


# Attribute nouns that name a part of what they modify: inside a chain of compounds they belong to the name
# ("a *side* view mirror", "a *rear* view camera"); others stay attributes ("a *stone* fire place").
_CHAIN_TYPES: Final = frozenset({"position"})


def _noun_start(parse: Parse, head: int, lex_is_attr, attr_type=None) -> int:
    """First token of the noun unit: the compound nouns before the head. An attribute noun modifies the
    unit ("a *wood* table") unless it modifies another compound of it: "side" in "a side view mirror" is
    part of the name, never an attribute of the mirror to move or replace (a colour, material or age
    stays one: "a stone fire place")."""
    start = head
    toks = parse.tokens
    while (
        start - 1 >= 0
        and toks[start - 1].dep == "compound"
        and toks[start - 1].head in range(start, head + 1)
        and toks[start - 1].pos in NOUN_POS | {"ADJ", "VERB"}
        and (not lex_is_attr(toks[start - 1]) or _in_chain(toks[start - 1], head, attr_type))
    ):
        start -= 1
    return start


def _noun_read_as_adjective(tok, head: int, lex, attr_type) -> bool:
    """A noun the tagger took for an adjective of the head ("a toilet and *sink*/ADJ combination"): a
    word the lexicon knows as a thing and not as any attribute. Left as an attribute, an ADD would split
    the name ("a toilet and sink white combination")."""
    return (tok.dep == "amod" and tok.head == head and tok.pos == "ADJ" and lex.is_object(tok.lower)
            and attr_type(tok) is None)


def _in_chain(tok, head: int, attr_type) -> bool:
    """An attribute noun modifying another compound of the unit rather than its head ("side view mirror")."""
    return tok.head != head and tok.pos in NOUN_POS and attr_type is not None and attr_type(tok) in _CHAIN_TYPES


def modifier_read_as_name(tok) -> bool:
    """A capitalised attribute word the tagger took for a name modifying the next word ("*White* ornate
    seat", the caption's first word): neither an object nor a name to keep capitalised."""
    if tok.tag != "NNP" or tok.dep not in {"compound", "amod", "nmod"}:
        return False
    lex = load_lexicon()
    return bool(lex.attribute_type(tok.lower)) and not lex.is_object(tok.lower)


def extract_scene(parse: Parse) -> Scene:
    """Build the scene view of a parse."""
    lex = load_lexicon()
    toks = parse.tokens
    kids = parse.children
    mwp = _multiword_spans(parse)

    def attr_type(tok) -> str | None:
        return lex.attribute_type(tok.lower) or lex.attribute_type(tok.lemma.lower())

    def is_attr_noun(tok) -> bool:
        # "wood table", "metal rail": a colour/material/pattern noun used as a modifier
        if lex.is_object(tok.lemma.lower()) and attr_type(tok) not in {"color", "material", "pattern"}:
            return False
        return attr_type(tok) is not None

    # two-word names the lexicon knows ("fire hydrant", "teddy bear") are one object even when the
    # tagger splits them ("hydrant" as an adverb, "teddy" as its own noun)
    names: dict[int, int] = {}
    for a, b in zip(toks, toks[1:], strict=False):
        second = b.lemma.lower() if b.pos in NOUN_POS else b.lower  # "street lighting" is no "street light"
        if a.pos in NOUN_POS | {"ADJ"} and b.pos != "PUNCT" and f"{a.lower} {second}" in _two_word_names(lex):
            names[b.i] = a.i
    verbs = verbs_read_as_nouns(parse)
    objects: list[SceneObject] = []
    for tok in toks:
        if tok.i in names.values() or tok.i in verbs:
            continue
        if tok.i in names:
            start = names[tok.i]
            det = next((c for c in kids[start] + kids[tok.i] if toks[c].dep in {"det", "poss"} and c < start), None)
            number = "plur" if tok.tag in {"NNS", "NNPS"} or tok.lower.endswith("s") and tok.lemma != tok.lower else "sing"
            lemma = f"{toks[start].lower} {tok.lemma.lower()}"
            objects.append(SceneObject(tok.i, det if det is not None else start, start, det, number, lemma))
            continue
        if tok.pos == "PRON" and tok.lower in PRONOUN_OBJECTS:
            objects.append(SceneObject(tok.i, tok.i, tok.i, None, "sing", tok.lower))
            continue
        if tok.pos not in NOUN_POS:
            continue
        if modifier_read_as_name(tok):
            continue  # a capitalised modifier the tagger read as a name ("*White* ornate seat"): no object
        subject = tok.head in verbs and tok.i == tok.head - 1  # "A *surfer* paddles over a wave"
        if tok.dep == "compound" and toks[tok.head].pos in NOUN_POS and not subject:
            continue  # part of a noun unit ("stop" in "stop sign") or a modifier ("wood table")
        if _is_quantifier(tok) and any(toks[c].lower == "of" for c in kids[tok.i]):
            continue
        if tok.i in mwp:
            continue
        noun_start = _noun_start(parse, tok.i, is_attr_noun, attr_type)
        if noun_start > 0 and toks[noun_start - 1].dep == "amod" and toks[noun_start - 1].head == tok.i:
            # "a polar bear", "a hot dog": an adjective that the lexicon knows as part of the name
            unit = " ".join([toks[noun_start - 1].lower] + [t.lower for t in toks[noun_start : tok.i]] + [tok.lemma.lower()])
            if lex.is_object(unit):
                noun_start -= 1
        while noun_start > 0 and _noun_read_as_adjective(toks[noun_start - 1], tok.i, lex, attr_type):
            noun_start -= 1  # "a toilet and *sink* combination": part of the name, never an attribute
        det = next((c for c in kids[tok.i] if toks[c].dep in {"det", "poss"} and c < tok.i), None)
        if subject and det is None:
            det = next((c for c in kids[tok.head] if toks[c].dep in {"det", "poss"} and c < tok.i), None)
        number = "plur" if tok.tag in {"NNS", "NNPS"} else "sing"
        if number == "plur" and det is not None and toks[det].lower in {"a", "an"} and tok.lower == tok.lemma.lower():
            number = "sing"  # "a black sheep": a noun whose plural is itself, tagged plural
        lemma = " ".join([t.lower for t in toks[noun_start : tok.i]] + [_noun_lemma(tok, lex)])
        start = _left_edge(parse, tok.head if subject else tok.i)
        quantifier = _quantifier_of(parse, tok.i)
        if quantifier in mwp:
            quantifier = None  # "on top of a mattress": "top" belongs to the preposition
        if quantifier is not None and start == noun_start or quantifier is not None and start > quantifier:
            start = _left_edge(parse, quantifier)  # "a pair of shoes", "a slice of pizza": one phrase
        objects.append(SceneObject(tok.i, start, noun_start, det, number, lemma))

    head_to_obj = {o.head: k for k, o in enumerate(objects)}
    objects = [_with_complement(parse, o, objects, head_to_obj) for o in objects]
    attributes = _attributes(parse, objects, head_to_obj, attr_type, is_attr_noun, verbs)
    relations = _relations(parse, head_to_obj, mwp, verbs)
    return Scene(tuple(objects), tuple(attributes), tuple(relations))


def verbs_read_as_nouns(parse: Parse) -> frozenset[int]:
    """Third-person verbs the tagger read as plural nouns right after their subject: "A surfer *paddles*
    over a wave", "A zebra *grazes* in a field" (the subject then looks like a compound modifier): a verb's
    "-s" form read as a plural noun after a thing's name, not followed by a noun nor counted, with an "a"
    before it, or a verb the lexicon knows that is no thing."""
    from toolkit.text.lemmas import getInflection, getLemma

    lex = load_lexicon()
    toks, kids = parse.tokens, parse.children
    out = set()
    for tok in toks:
        if tok.tag not in {"NNS", "VBZ"} or tok.i == 0 or toks[tok.i - 1].dep != "compound" or toks[tok.i - 1].head != tok.i:
            continue
        if tok.tag == "VBZ":  # tagged a verb, parsed as a noun: "A young child/compound smiles/VBZ"
            if lex.is_object(toks[tok.i - 1].lemma.lower()):
                out.add(tok.i)
            continue
        if tok.i + 1 < len(toks) and toks[tok.i + 1].pos in NOUN_POS or not lex.is_object(toks[tok.i - 1].lemma.lower()):
            continue
        if any(toks[c].dep == "nummod" for c in kids[tok.i]):
            continue  # "three snow boards"
        lemmas = getLemma(tok.lower, upos="VERB")
        if not lemmas or tuple(getInflection(lemmas[0], "VBZ"))[:1] != (tok.lower,):
            continue
        if any(toks[c].lower in {"a", "an"} for c in kids[tok.i]):
            out.add(tok.i)  # "a ... stretches": never a plural noun
        elif lex.relation_kind(lemmas[0]) == "verb" and not lex.is_object(tok.lemma.lower()):
            out.add(tok.i)
    return frozenset(out)


def _is_quantifier(tok) -> bool:
    """A noun that measures or groups another ("a bunch of", "two pieces of")."""
    return tok.lower in QUANTIFIER_NOUNS or tok.pos in NOUN_POS and tok.lemma.lower() in QUANTIFIER_NOUNS


def _quantifier_of(parse: Parse, head: int) -> int | None:
    """The quantifier noun a noun is measured by ("pair" in "a pair of shoes"), if any."""
    toks = parse.tokens
    of = toks[head].head
    if toks[head].dep == "pobj" and toks[of].lower == "of" and _is_quantifier(toks[toks[of].head]):
        q = toks[of].head
        return q if toks[q].pos in NOUN_POS and q < head else None
    return None


def _with_complement(parse: Parse, obj: SceneObject, objects: list[SceneObject], head_to_obj) -> SceneObject:
    """Record where "X of Y" ends, so that a swap can move "a plate of sandwiches" as one phrase."""
    toks = parse.tokens
    for c in parse.children[obj.head]:
        if c > obj.head and toks[c].lower == "of" and c == obj.head + 1:
            pobj = next((g for g in parse.children[c] if toks[g].dep == "pobj"), None)
            if pobj in head_to_obj:
                inner = objects[head_to_obj[pobj]]
                return SceneObject(obj.head, obj.start, obj.noun_start, obj.det, obj.number, obj.lemma, inner.end)
    return obj


def _subtree_span(parse: Parse, root: int, skip_deps: frozenset[str] = frozenset()) -> tuple[int, int]:
    kids = parse.children
    members = {root}
    stack = [c for c in kids[root] if parse.tokens[c].dep not in skip_deps]
    while stack:
        c = stack.pop()
        members.add(c)
        stack.extend(kids[c])
    return min(members), max(members) + 1


def _attributes(parse, objects, head_to_obj, attr_type, is_attr_noun, verbs=frozenset()) -> list[Attribute]:
    toks = parse.tokens
    kids = parse.children
    out: list[Attribute] = []

    def add_adj(adj: int, k: int, kind: str) -> None:
        # the adjective with its adverbs/compound modifiers ("bright red", "light blue"), not its conjuncts
        start, end = _subtree_span(parse, adj, frozenset({"conj", "cc", "prep", "punct"}))
        if end > objects[k].noun_start and kind != "predicate":
            end = min(end, objects[k].noun_start) or end
        lemma = " ".join(t.lower for t in toks[start:end])
        tok = toks[adj]
        out.append(Attribute(start, end, k, kind, lemma, attr_type(tok)))
        conj = [c for c in kids[adj] if toks[c].dep == "conj" and toks[c].pos in {"ADJ", "NOUN", "VERB"}]
        for c in conj:
            add_adj(c, k, kind)
        if conj and kind != "group":
            # "blue and silver" as one attribute too, so it can be swapped as a whole
            g_start, g_end = _subtree_span(parse, adj, frozenset({"prep", "punct"}))
            types = {attr_type(toks[i]) for i in [adj, *conj]}
            g_lemma = " ".join(t.lower for t in toks[g_start:g_end])
            out.append(Attribute(g_start, g_end, k, "group", g_lemma, types.pop() if len(types) == 1 else None))

    for k, obj in enumerate(objects):
        quantifier = _quantifier_of(parse, obj.head)
        if quantifier is not None and obj.start <= quantifier and attr_type(toks[quantifier]) == "count":
            out.append(Attribute(quantifier, quantifier + 1, k, "count", toks[quantifier].lower, "count"))  # "a couple of"
        # modifiers of the head, and of compound nouns in its unit ("a red stop sign": red -> stop)
        modifiers = {c for h in range(obj.noun_start, obj.head + 1) for c in kids[h] if c < obj.noun_start}
        if toks[obj.head].head in verbs:  # "A tall giraffe stretches": "tall" hangs on the verb read as a noun
            modifiers |= {c for c in kids[toks[obj.head].head] if c < obj.noun_start and toks[c].dep != "det"}
        done: set[int] = set()
        for c in sorted(modifiers):
            tok = toks[c]
            if c in done:
                continue
            if _colour_phrase(toks, c, modifiers, attr_type):
                # "rainbow colored", "tan colored", "neon green": one colour, swapped and replaced whole
                out.append(Attribute(c, c + 2, k, "amod", f"{tok.lower} {toks[c + 1].lower}", "color"))
                done.add(c + 1)
            elif tok.dep == "nummod" or (tok.dep in {"amod", "det"} and attr_type(tok) == "count"):
                out.append(Attribute(c, c + 1, k, "count", tok.lower, "count"))
            elif tok.dep == "amod" or (tok.dep == "nmod" and tok.pos == "ADJ"):  # "a chubby/nmod bearded man"
                add_adj(c, k, "amod")
            elif tok.dep == "compound" and is_attr_noun(tok):
                out.append(Attribute(c, c + 1, k, "noun_mod", tok.lower, attr_type(tok)))
    # "a goat" counts one goat: the article is a count that can swap with "two" ("two goats ... a goat")
    counted = {a.obj for a in out if a.kind == "count"}
    for k, obj in enumerate(objects):
        if obj.det is not None and k not in counted and obj.number == "sing" and toks[obj.det].lower in {"a", "an"}:
            out.append(Attribute(obj.det, obj.det + 1, k, "article", "a", "count"))
    out.extend(_blocks(parse, objects, out))
    out.extend(_loose_attributes(parse, objects, out, attr_type))
    # predicate adjectives: "the cat is black", "a train painted white"
    for tok in toks:
        if tok.dep == "oprd" or tok.dep == "acomp" and toks[tok.head].lemma in COPULAS:
            if tok.pos not in {"ADJ", "VERB"} and not (tok.pos == "NOUN" and attr_type(tok)):
                continue
            subj = next((c for c in kids[tok.head] if toks[c].dep in SUBJECT_DEPS), None)
            if subj is not None and subj in head_to_obj:
                add_adj(tok.i, head_to_obj[subj], "predicate")
    out.sort(key=lambda a: a.start)
    return out


COLOURED: Final = frozenset({"colored", "coloured", "color", "colour", "toned", "tone"})
SHADES: Final = frozenset({"light", "dark", "bright", "pale", "deep", "neon", "pastel", "navy", "hot", "baby", "lime", "olive"})


def _colour_phrase(toks, c: int, modifiers: set[int], attr_type) -> bool:
    """Two modifiers of one noun that name one colour: "<word> colored" ("rainbow colored", "tan
    colored") or "<shade> <colour>" ("neon green", "light blue")."""
    nxt = c + 1
    if nxt not in modifiers or nxt >= len(toks) or toks[c].pos not in {"NOUN", "PROPN", "ADJ"}:
        return False
    if toks[c].dep not in {"nmod", "compound", "npadvmod", "amod"} or toks[nxt].dep not in {"amod", "compound"}:
        return False
    if toks[nxt].lower in COLOURED:
        return True
    return toks[c].lower in SHADES and attr_type(toks[nxt]) == "color"


LOOSE_TYPES: Final = {"color", "material", "size", "pattern", "age", "emotion", "texture", "brightness", "temperature",
                      "openness", "fullness", "wetness", "cleanliness", "shape", "ripeness", "cooking", "weather",
                      "style", "focus", "orientation", "posture", "company"}


def _loose_attributes(parse: Parse, objects: list[SceneObject], attributes: list[Attribute], attr_type) -> list[Attribute]:
    """Attribute words the dependency rules missed ("dressed in yellow", "gold detailing") and typed
    words inside longer modifiers ("bright" in "bright pink"), each tied to the nearest object."""
    if not objects:
        return []
    toks = parse.tokens
    spans = {(a.start, a.end) for a in attributes}
    heads = [o.head for o in objects]
    out = []
    for a in attributes:
        if a.end - a.start > 1 and a.kind in {"amod", "predicate"}:
            for i in range(a.start, a.end):
                t = attr_type(toks[i])
                if t in LOOSE_TYPES and (i, i + 1) not in spans:
                    out.append(Attribute(i, i + 1, a.obj, "part", toks[i].lower, t))
                    spans.add((i, i + 1))
    covered = {i for a in attributes for i in range(a.start, a.end)} | {o.head for o in objects if o.start < o.head}
    for first, second in zip(toks, toks[1:], strict=False):  # two-word attributes: "upside down", "out of focus"
        t = load_lexicon().attribute_type(f"{first.lower} {second.lower}")
        if t and not any(x.start == first.i and x.end == second.i + 1 and x.kind != "block" for x in attributes):
            target = next((k for k, h in enumerate(heads) if h > second.i), len(heads) - 1)
            out.append(Attribute(first.i, second.i + 1, target, "loose", f"{first.lower} {second.lower}", t))
            covered |= {first.i, second.i}
    for tok in toks:
        if tok.i in covered or tok.pos not in {"ADJ", "NOUN", "PROPN", "VERB", "ADV"} or tok.tag in {"VBZ", "VBP"}:
            continue  # (a present-tense verb is no attribute: "A bird *cleans* itself")
        t = attr_type(tok)
        if t not in LOOSE_TYPES or (tok.i, tok.i + 1) in spans:
            continue
        target = next((k for k, h in enumerate(heads) if h > tok.i), len(heads) - 1)
        if tok.head in heads and tok.dep != "conj":  # "red tile and white/conj cabinets": white is the cabinets'
            target = heads.index(tok.head)
        out.append(Attribute(tok.i, tok.i + 1, target, "loose", tok.lower, t))
    return out


def _blocks(parse: Parse, objects: list[SceneObject], attributes: list[Attribute]) -> list[Attribute]:
    """Modifiers that a swap can move as one: all the adjectives of a noun ("a small white dog": "small
    white"), the same with its count ("two large giraffes": "two large"), and a compound modifier as an
    attribute of its noun ("a dress shirt": "dress")."""
    toks = parse.tokens
    out = []
    for k, obj in enumerate(objects):
        for kinds, type_ in (({"amod", "noun_mod"}, None), ({"amod", "noun_mod", "count"}, "count")):
            mods = [a for a in attributes if a.obj == k and a.kind in kinds and a.end <= obj.noun_start]
            if len(mods) < 2 or type_ == "count" and not any(a.kind == "count" for a in mods):
                continue
            start = min(a.start for a in mods)
            covered = {i for a in mods for i in range(a.start, a.end)}
            if all(i in covered or toks[i].lower in {"and", ",", "-"} for i in range(start, obj.noun_start)):
                lemma = " ".join(t.lower for t in toks[start : obj.noun_start])
                out.append(Attribute(start, obj.noun_start, k, "block", lemma, type_))
        if obj.noun_start < obj.head:  # "dress" in "a dress shirt", "stop" in "a stop sign"
            lemma = " ".join(t.lower for t in toks[obj.noun_start : obj.head])
            out.append(Attribute(obj.noun_start, obj.head, k, "compound", lemma, None))
    return out


def _verb_subject(parse: Parse, verb: int, head_to_obj: dict[int, int], depth: int = 0) -> int | None:
    """The object acting as subject of a verb: its nsubj, the noun a participle modifies, or the
    subject inherited from a coordinated or governing verb."""
    toks = parse.tokens
    for c in parse.children[verb]:
        if toks[c].dep in SUBJECT_DEPS:
            if c in head_to_obj:
                return head_to_obj[c]
            if toks[c].pos == "PRON" and toks[verb].dep == "relcl":
                break
            return None
    tok = toks[verb]
    if tok.dep in {"acl", "relcl"} and tok.head in head_to_obj:
        return head_to_obj[tok.head]
    if tok.dep in {"conj", "advcl", "xcomp"} and tok.head != verb and depth < 4:
        return _verb_subject(parse, tok.head, head_to_obj, depth + 1)
    if tok.dep == "ROOT" and tok.head == verb:
        return None
    return None


def _noun_lemma(tok, lex) -> str:
    """spaCy's lemma, unless the lexicon knows only lemminflect's ("vases": spaCy says "vas")."""
    lemma = tok.lemma.lower()
    if not lex.is_object(lemma) and not lex.is_object_hypernym(lemma):
        from toolkit.text.lemmas import getLemma

        for other in getLemma(tok.lower, upos="NOUN"):
            if lex.is_object(other) or lex.is_object_hypernym(other):
                return other
    return lemma


def _verb_lemma(tok) -> str:
    """spaCy's lemma, unless the lexicon knows only lemminflect's ("riding": spaCy says "rid")."""
    lemma = tok.lemma.lower()
    lex = load_lexicon()
    if lex.relation_kind(lemma) != "verb":
        from toolkit.text.lemmas import getLemma

        for other in getLemma(tok.lower, upos="VERB"):
            if lex.relation_kind(other) is not None:
                return other
    return lemma


def _is_verb(tok, lex, head_to_obj) -> bool:
    """A verb, or a participle the tagger called an adjective or noun ("a girl in a dress *standing*")."""
    if tok.pos == "VERB" or (tok.pos == "AUX" and tok.dep not in {"aux", "auxpass"} and tok.lemma != "be"):
        return True
    participle = tok.tag in {"VBG", "VBN"} or tok.tag == "NN" and tok.lower.endswith("ing")
    return (
        participle and tok.dep not in {"amod", "compound"} and not lex.is_object(tok.lower)
        and lex.relation_kind(_verb_lemma(tok)) == "verb"
    )


def _hyphenated(toks, i: int) -> bool:
    """Token i is part of a hyphenated word ("double-decked", "snow-covered"): a hyphen glued to it."""
    return (i > 0 and toks[i - 1].text == "-" and not toks[i - 1].ws) or (
        not toks[i].ws and i + 1 < len(toks) and toks[i + 1].text == "-")


def _relations(parse: Parse, head_to_obj: dict[int, int], mwp, verbs=frozenset()) -> list[Relation]:
    toks = parse.tokens
    kids = parse.children
    out: list[Relation] = []
    lex = load_lexicon()
    for tok in toks:
        if _hyphenated(toks, tok.i):
            continue  # half of a word: never "a double-served bus"
        if tok.i in verbs or _is_verb(tok, lex, head_to_obj):
            subj = head_to_obj.get(tok.i - 1) if tok.i in verbs else _verb_subject(parse, tok.i, head_to_obj)
            dobj = next((c for c in kids[tok.i] if toks[c].dep in {"dobj", "attr", "dative"}), None)
            end = tok.i + 1
            prt = [c for c in kids[tok.i] if toks[c].dep == "prt" and c == end]
            if prt:
                end += 1
            lemma = " ".join([_verb_lemma(tok)] + [toks[c].lower for c in prt])
            out.append(Relation(tok.i, end, "verb", lemma, subj, head_to_obj.get(dobj) if dobj is not None else None))
        elif tok.pos == "ADP" and tok.dep in {"prep", "agent", "dative"}:
            pobj = next((c for c in kids[tok.i] if toks[c].dep in {"pobj", "pcomp"}), None)
            if pobj is None:
                continue  # a particle-like use ("looks on"): no relation
            if tok.i in mwp:
                start, end, lemma = mwp[tok.i]
                if tok.i != end - 1:
                    continue  # only the last word of "in front of" carries the object
            else:
                start, end, lemma = tok.i, tok.i + 1, tok.lower
            anchor = toks[start].head if start != tok.i else tok.head
            # climb out of the multiword phrase ("front" -> "in" -> the verb/noun it hangs on)
            guard = 0
            while start <= anchor < end and guard < 5:
                anchor = toks[anchor].head
                guard += 1
            verb = None
            if anchor in head_to_obj:
                subj = head_to_obj[anchor]
            elif anchor in verbs:  # "A surfer paddles *over* a wave"
                verb = anchor
                subj = head_to_obj.get(anchor - 1)
            elif toks[anchor].pos in {"VERB", "AUX"}:
                verb = anchor
                subj = _verb_subject(parse, anchor, head_to_obj)
            elif toks[anchor].dep == "advmod" and toks[toks[anchor].head].pos in {"VERB", "AUX"}:
                verb = toks[anchor].head
                subj = _verb_subject(parse, verb, head_to_obj)
            else:
                subj = None
            # the object may be a pronoun ("behind him"): the relation is still there to replace
            out.append(Relation(start, end, "prep", lemma, subj, head_to_obj.get(pobj), verb))
        elif tok.pos in {"ADV", "ADP"} and tok.dep in {"advmod", "prt", "npadvmod"} and tok.i not in mwp:
            # a location without an object: "the men are *outside*", "zebras standing *together*"
            if lex.relation_kind(tok.lower) == "prep" and not parse.children[tok.i]:
                head = tok.head
                subj = head_to_obj.get(head)
                if subj is None and toks[head].pos in {"VERB", "AUX"}:
                    subj = _verb_subject(parse, head, head_to_obj)
                out.append(Relation(tok.i, tok.i + 1, "prep", tok.lower, subj, None, head if subj is None else None))
    out.sort(key=lambda r: r.start)
    return out
