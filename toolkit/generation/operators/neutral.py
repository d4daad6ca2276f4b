"""Length-neutral ADD: pair an insertion with deletions that keep the caption true.

A plain ADD negative is longer than its caption by construction, so a model that only reads the text
(or prefers the shorter of two sentences) picks the caption. Dropping information keeps a caption
true of its image ("a red vase" shows a vase), while the added attribute or object makes it false;
so an ADD composed with a deletion elsewhere in the sentence, of as many words as it inserts, is
still a valid negative and has the caption's length.

What may be deleted, each a span whose removal leaves a grammatical sentence:
- a modifier before a noun ("a *wooden* table", "a *black and white* cat", "a *very* large dog" ->
  "very"), never a count, an article, a word of a compound name ("fire hydrant", "hot dog"), a
  comparative or superlative, or a word that changes what the noun is ("a *stuffed* bear", "a *stone*
  lion": the lexicon says which types and words are plausible on the object);
- an adverb of a verb ("running *quickly*", "standing *together*"), never a negation, a hedge
  ("*almost* falling") or the predicate of a copula ("the men are *outside*");
- a prepositional phrase on a noun or an active verb ("a cat *on a bed*", "sitting *on a bench*"),
  never "of", a phrase a verb or adjective needs ("filled *with food*", "full *of water*") or the
  predicate of a copula ("a cat is *on the bed*").
Nothing inside the scope of a negation or a downward quantifier ("without a red hat", "no red cars",
"every red car") is deleted, since there dropping a modifier changes what the caption says. A
deletion never touches the phrase the insertion goes into or the words next to it, never removes the
inserted words themselves ("+wooden" while dropping "wooden" would move an attribute) and always
leaves an object.

Which insertion goes with a deletion is `toolkit.generation.operators.moved`'s work: one of the same
construction, so that the words the negative gains and loses are of one kind. (Pairing any insertion with
deletions of as many words, closest in characters, left markers a learned adversary found every time:
"and a", "next to" against a dropped adjective or phrase.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from toolkit.generation.operators.base import Change, Edit
from toolkit.generation.operators.sites import object_lemma_in_lexicon
from toolkit.text.lemmas import getAllLemmas
from toolkit.text.lexicon import Lexicon
from toolkit.text.parse import Parse, Token, reduce_frozen
from toolkit.text.scene import SceneObject

ADD_LENGTHS: Final = ("longer", "neutral", "both")

# Words whose scope must keep every word: dropping a modifier there makes the caption say more, not less.
SCOPE_WORDS: Final = frozenset({
    "no", "not", "n't", "never", "without", "none", "nothing", "nobody", "neither", "nor", "every", "each",
    "all", "any", "few", "little", "only", "except", "instead",
})
# Modifiers whose removal changes what the noun is or which one is meant.
KEEP_MODIFIERS: Final = frozenset({
    "fake", "toy", "artificial", "stuffed", "plush", "faux", "model", "miniature", "imitation", "cartoon", "former",
    "pretend", "mock", "fictional", "virtual", "other", "same", "different", "opposite", "similar", "matching",
    "respective", "such", "only", "lone", "single", "double", "twin", "triple", "main", "first", "second", "third",
    "last", "next", "previous", "final", "half", "whole", "entire", "own", "certain", "particular", "usual",
    "typical", "extra", "few", "many", "several", "various", "multiple", "numerous", "more", "most", "less",
    "least", "much", "enough", "baby", "adult", "male", "female", "front", "back", "rear", "top", "bottom",
    "upper", "lower", "left", "right", "middle", "inner", "outer", "hot", "cold",
})
# Words a deletion never drops are never what a length-neutral ADD puts in either: a word only ever added
# would mark the negatives ("little", in the scope words, was the adversary's first clue).
NEVER_DROPPED: Final = SCOPE_WORDS | KEEP_MODIFIERS
# Attribute types never deleted: counts, and types that say what the thing is rather than describe it.
KEEP_TYPES: Final = frozenset({"count", "sameness", "multiplicity", "realness", "position"})
# Adverbs of an adjective that only intensify it ("a *very* large dog" -> "a large dog").
INTENSIFIERS: Final = frozenset({"very", "really", "extremely", "quite", "super", "incredibly", "fairly", "rather", "so",
                                 "too", "pretty", "highly"})
# Adverbs of a verb that may go: manner adverbs in -ly (less these) and a few of place and company.
VERB_ADVERBS: Final = frozenset({"together", "outside", "inside", "outdoors", "indoors", "nearby", "alone", "happily",
                                 "peacefully", "quietly", "calmly", "patiently", "closely", "casually", "proudly"})
KEEP_ADVERBS: Final = frozenset({
    "only", "nearly", "barely", "hardly", "scarcely", "likely", "partly", "partially", "mostly", "early", "almost",
    "apparently", "seemingly", "supposedly", "allegedly", "merely", "simply", "just", "not", "never", "also",
    "currently", "recently", "finally", "probably", "possibly", "actually", "really", "already", "still", "even",
    "completely", "fully", "totally", "entirely", "halfway", "newly", "freshly", "directly", "exactly", "roughly",
    "approximately", "largely", "slightly", "somewhat", "poorly", "badly", "rarely", "seldom", "occasionally",
    "briefly", "temporarily", "apart", "separately", "individually", "respectively",
})
# Prepositions whose phrase is never deleted: it is a complement, a comparison or a measure.
KEEP_PREPOSITIONS: Final = frozenset({"of", "than", "as", "like", "about", "for", "to", "into", "onto", "from", "per",
                                      "including", "except", "despite", "toward", "towards", "during", "until", "since"})
# Verbs that need their prepositional phrase ("filled with food", "made of wood", "heading to town").
PHRASE_VERBS: Final = frozenset({
    "fill", "cover", "dress", "make", "top", "load", "stack", "pile", "line", "decorate", "surround", "stuff",
    "pack", "consist", "belong", "put", "place", "set", "go", "head", "get", "come", "lead", "turn", "attach",
    "tie", "hook", "mount", "fit", "point", "pour", "dip", "arrange", "spread", "wrap", "live", "deal", "depend",
    "rely", "focus", "lack", "need", "want", "try", "begin", "start",
})
PARTICLES: Final = frozenset({"out", "up", "down", "off", "away", "back"})  # a verb's particle, first in "out of"
# What may follow a deleted phrase: punctuation, or the start of another phrase or clause.
PHRASE_BOUNDARY: Final = frozenset({"PUNCT", "ADP", "CCONJ", "SCONJ", "VERB", "AUX", "ADV", "PART", "SPACE"})
CLOSING: Final = frozenset({".", ",", ";", ":", "!", "?", ")", "..."})  # punctuation that may follow a deleted span
PREDICATE_VERBS: Final = frozenset({"be", "look", "seem", "appear", "become", "remain", "stay", "get", "feel", "sound"})


@dataclass(unsafe_hash=True, slots=True)  # a value class: see toolkit/text/frozen.py
class Deletion:
    """Source tokens [start, end) whose removal keeps the caption true and grammatical."""

    start: int
    end: int
    words: int  # words removed (tokens with a letter or digit)
    chars: int  # characters removed from the caption, one separating space included
    text: str
    kind: str  # "modifier" | "adverb" | "phrase"; "conjunct" (`moved`: "and a kite")

    def __init__(self, start: int, end: int, words: int, chars: int, text: str, kind: str) -> None:
        self.start, self.end, self.words, self.chars, self.text, self.kind = start, end, words, chars, text, kind

    def __reduce__(self) -> tuple:
        return reduce_frozen(self)  # pickles the compiled build too


def _is_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _subtree(parse: Parse, root: int) -> set[int]:
    kids = parse.children
    members = {root}
    stack = list(kids[root])
    while stack:
        c = stack.pop()
        members.add(c)
        stack.extend(kids[c])
    return members


def scoped(parse: Parse) -> set[int]:
    """Tokens in the scope of a negation or a downward quantifier, where no word may be deleted."""
    toks = parse.tokens
    out: set[int] = set()
    for tok in toks:
        if tok.lower not in SCOPE_WORDS:
            continue
        root = tok.i if tok.pos == "ADP" or tok.head == tok.i else tok.head
        # "not" and "never" scope over their verb's whole clause, the subject included
        out |= _subtree(parse, root)
        out.add(tok.i)
    return out


def _clean_edges(parse: Parse, start: int, end: int) -> bool:
    """The span is whole words, not the inside of a hyphenated word, with no conjunction or
    punctuation left stranded next to the gap ("a big and table", "a black-and- cat")."""
    toks = parse.tokens
    if start > 0 and (not toks[start - 1].ws or toks[start - 1].pos in {"CCONJ", "PUNCT"}):
        return False
    if end < len(toks) and not toks[end - 1].ws and toks[end].text not in CLOSING:
        return False  # glued to the next word ("red" in "red-and-white"; "bed" in "on a bed." is not)
    if end < len(toks) and toks[end].pos == "CCONJ":
        return False
    return not (toks[start].pos in {"CCONJ", "PUNCT"} or toks[end - 1].pos in {"CCONJ", "PUNCT"})


def _whole(parse: Parse, start: int, end: int) -> bool:
    """No word outside the span depends on one inside it ("old time *looking* clock" keeps "looking")."""
    return not any(start <= t.head < end and not start <= t.i < end for t in parse.tokens)


def _known_modifier(tok: Token, lex: Lexicon) -> bool:
    """A modifier the lexicon types, or a word English uses as an adjective: an adjective
    ("cute", "huge") or a past participle ("tiled", "organized"); not a noun the tagger called an
    adjective ("a *bobble* head", "a *key* board"), nor "-ing" forms, which name kinds ("a *dining* table")."""
    if lex.attribute_type(tok.lower) or lex.attribute_type(tok.lemma.lower()):
        return True
    if tok.pos == "ADJ" and tok.tag == "JJ":
        return bool(getAllLemmas(tok.lower, "ADJ"))
    if tok.tag == "VBN":
        return bool(getAllLemmas(tok.lower, "VERB"))
    return tok.lower in INTENSIFIERS or tok.pos in {"CCONJ", "PUNCT"}


def span_deletion(parse: Parse, start: int, end: int, kind: str) -> Deletion:
    """The deletion of source tokens [start, end), with the words and characters it removes."""
    words = sum(_is_word(t.text) for t in parse.tokens[start:end])
    text = parse.span_text(start, end)
    return Deletion(start, end, words, len(text) + 1, text, kind)


def _modifiers(parse: Parse, lex: Lexicon, blocked: set[int]) -> list[Deletion]:
    toks = parse.tokens
    scene = parse.scene
    out: list[Deletion] = []
    for a in scene.attributes:
        if a.kind not in {"amod", "noun_mod", "group", "block"} or a.type in KEEP_TYPES:
            continue
        obj = scene.objects[a.obj]
        if a.end > obj.noun_start or a.start <= (obj.det if obj.det is not None else -1) or a.start < obj.start:
            continue
        if obj.lemma in {"one", "ones"} or blocked & set(range(a.start, a.end)):
            continue
        span = toks[a.start : a.end]
        if any(t.tag in {"JJR", "JJS", "RBR", "RBS", "CD"} or t.pos in {"NUM", "DET", "PRON", "PART", "ADP"}
               or t.lower in KEEP_MODIFIERS for t in span):
            continue
        # the modifier hangs on the noun itself, not on a word of a compound name ("a flat screen tv")
        roots = [t for t in span if not a.start <= t.head < a.end]
        if a.kind != "block" and any(t.head != obj.head for t in roots):
            continue
        if lex.is_object(f"{a.lemma} {obj.lemma}") or lex.is_object(f"{span[-1].lower} {toks[obj.noun_start].lower}"):
            continue  # part of a name the lexicon knows ("polar bear", "hot dog")
        if not _plausible(lex, obj, [t.lower for t in span]) or not all(_known_modifier(t, lex) for t in span):
            continue
        if not _clean_edges(parse, a.start, a.end) or not _whole(parse, a.start, a.end):
            continue
        after = toks[a.end]
        if not _is_word(after.text) or after.tag in {"NNS", "NNPS"} and after.i != obj.head:
            continue  # 'the infamous "blue screen"' -> 'the "blue screen"'; "an old doctors office"
        if obj.det is None and not set(range(obj.start, obj.noun_start)) - set(range(a.start, a.end)):
            # a bare noun is left: fine for a plural or a caption's first word the lexicon knows
            # ("white pastries" -> "pastries"), not for a singular inside ("in yellow shirt" -> "in shirt")
            if object_lemma_in_lexicon(lex, obj) is None or obj.number != "plur" and a.start > 0:
                continue
        out.append(span_deletion(parse, a.start, a.end, "modifier"))
    # an adverb that only intensifies an adjective before a noun: "a *very* large dog"
    objects_by_head = {o.head: o for o in scene.objects}
    for tok in toks:
        if tok.lower not in INTENSIFIERS or tok.dep != "advmod" or tok.i in blocked or parse.children[tok.i]:
            continue
        adj = toks[tok.head]
        if adj.pos != "ADJ" or adj.i != tok.i + 1 or adj.head not in objects_by_head:
            continue
        if _clean_edges(parse, tok.i, tok.i + 1):
            out.append(span_deletion(parse, tok.i, tok.i + 1, "modifier"))
    return out


def _plausible(lex: Lexicon, obj: SceneObject, words: Sequence[str]) -> bool:
    """Every typed word is of a type the object can have and plausible on it: "a stone lion" is no lion
    of stone but a statue, so "stone" stays."""
    found = object_lemma_in_lexicon(lex, obj)
    lemma = found[0] if found else None
    types = set(lex.attribute_types_for(lemma)) if lemma else set()
    for w in words:
        t = lex.attribute_type(w)
        if t is None:
            continue
        if t in KEEP_TYPES:
            return False
        if lemma and (t not in types or not lex.attribute_plausible_on(w, lemma)):
            return False
    return True


def _adverbs(parse: Parse, blocked: set[int]) -> list[Deletion]:
    toks = parse.tokens
    out: list[Deletion] = []
    for tok in toks:
        if tok.pos != "ADV" or tok.dep != "advmod" or tok.i in blocked or parse.children[tok.i]:
            continue
        low = tok.lower
        if low in KEEP_ADVERBS or not (low in VERB_ADVERBS or low.endswith("ly") and len(low) > 4):
            continue
        verb = toks[tok.head]
        if verb.pos != "VERB" or verb.lemma.lower() in PREDICATE_VERBS or verb.tag == "VBN":
            continue  # "the men are outside", "a dog looks happy", "a neatly made bed"
        if _clean_edges(parse, tok.i, tok.i + 1) and _whole(parse, tok.i, tok.i + 1):
            out.append(span_deletion(parse, tok.i, tok.i + 1, "adverb"))
    return out


def _phrases(parse: Parse, blocked: set[int]) -> list[Deletion]:
    toks = parse.tokens
    scene = parse.scene
    heads = {o.head for o in scene.objects}
    out: list[Deletion] = []
    kids = parse.children
    for r in scene.relations:
        if r.kind != "prep":
            continue
        if r.obj is None and not any(toks[c].dep == "pobj" and toks[c].tag == "PRP" for c in kids[r.end - 1]):
            continue  # an object, or a pronoun ("with a vase *on it*")
        words = [t.lower for t in toks[r.start : r.end]]
        if words[0] in KEEP_PREPOSITIONS:
            continue
        # the phrase's top token: the one of the preposition whose head lies outside it
        anchor = next((i for i in range(r.start, r.end) if not r.start <= toks[i].head < r.end), r.start)
        gov = toks[anchor].head
        if gov == anchor or toks[anchor].dep not in {"prep", "advmod", "npadvmod"}:
            continue
        governor = toks[gov]
        if gov in heads or governor.pos in {"NOUN", "PROPN"}:
            if gov not in heads:
                continue  # a noun that is no object ("in *front* of")
        elif governor.pos == "VERB":
            if governor.tag == "VBN" or governor.lemma.lower() in PHRASE_VERBS | PREDICATE_VERBS:
                continue
            if len(words) > 1 and words[0] in PARTICLES:
                continue  # the verb's own particle: "sticking *out* of the sand" -> "sticking"
        else:
            continue  # an adjective's ("full of"), a copula's ("is on the bed"), an adverb's complement
        members = _subtree(parse, anchor) | set(range(r.start, r.end))
        start, end = min(members), max(members) + 1
        if len(members) != end - start or members & blocked or gov in members:
            continue
        if end < len(toks) and toks[end].pos == "PUNCT" and (start == 0 or toks[start - 1].pos == "PUNCT"):
            continue  # ", on a bed." would leave ",."; "On a table, a cat ..." would leave ", a cat ..."
        if end < len(toks) and toks[end].pos not in PHRASE_BOUNDARY:
            continue  # what follows is no new phrase: the parse cut one in two ("standing *in a front* some grass")
        final = all(t.pos in {"PUNCT", "SPACE"} for t in toks[end:])
        if final and start > 0 and toks[start - 1].pos in {"VERB", "AUX", "ADV", "PART", "ADP"}:
            continue  # the caption would end on its verb ("a cat is sitting."), which reads cut off
        if not _clean_edges(parse, start, end) or not _whole(parse, start, end):
            continue
        out.append(span_deletion(parse, start, end, "phrase"))
    return out


def deletions(parse: Parse, lex: Lexicon) -> list[Deletion]:
    """Every span whose removal keeps the caption true and grammatical, in sentence order."""
    blocked = scoped(parse)
    found = _modifiers(parse, lex, blocked) + _adverbs(parse, blocked) + _phrases(parse, blocked)
    unique = {(d.start, d.end): d for d in found}
    return sorted(unique.values(), key=lambda d: (d.start, d.end))


def neutralise(edit: Edit, combo: Sequence[Deletion]) -> Edit:
    """The insertion `edit` with the deletions added: one change per deletion, spans and words of
    each, and the dropped words named in its detail."""
    spans = edit.spans + tuple((d.start, d.end) for d in combo)
    dropped = " + ".join(f"'{d.text}'" for d in combo)
    return Edit(
        edit.operator, edit.subtype, spans,
        edit.words_out + tuple(d.text for d in combo),
        edit.words_in + ("",) * len(combo),
        edit.changes + tuple(Change(d.start, d.end, ()) for d in combo),
        edit.number,
        f"{edit.detail} (length-neutral: dropped {dropped})",
        edit.rank,
    )
