"""Turn a parse plus a set of edits into a sentence: spacing, articles, agreement, capitalisation."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from operator import attrgetter
from typing import Final

from toolkit.generation.operators.base import Change, Edit, Fix
from toolkit.text.lemmas import getLemma
from toolkit.text.morph import agree_verb, countable, indefinite_article, match_case, singular
from toolkit.text.parse import Parse
from toolkit.text.scene import NOUN_POS, QUANTIFIER_NOUNS, SUBJECT_DEPS, modifier_read_as_name, verbs_read_as_nouns

QUANTITY_WORDS: Final = frozenset({"few", "couple", "lot", "lots", "dozen", "bunch", "number", "pair", "handful", "great"})

# A slot is a mutable list [text, trailing whitespace, source index or None for a new word]:
# realisation builds one per output word for every candidate, so it stays as cheap as possible.
TEXT: Final = 0
WS: Final = 1
SRC: Final = 2


@dataclass(slots=True)
class Realized:
    """A realised sentence (internal: not frozen, so building one per candidate stays cheap)."""

    text: str
    fixes: tuple[Fix, ...]
    length_delta: int

    def __init__(self, text: str, fixes: tuple[Fix, ...], length_delta: int) -> None:
        self.text, self.fixes, self.length_delta = text, fixes, length_delta  # native under mypyc: frozen.py


class EditConflict(ValueError):
    """Two edits touch overlapping source tokens."""


def _ordered_changes(edits: tuple[Edit, ...] | list[Edit]) -> list[Change]:
    changes = [c for e in edits for c in e.changes]
    if len(changes) > 1:  # most candidates make one change: nothing to order or to overlap
        changes.sort(key=_SPAN)
        for a, b in zip(changes, changes[1:], strict=False):
            if b.start < a.end or (a.start == a.end == b.start == b.end):
                raise EditConflict(f"edits overlap at tokens {a.start}-{a.end} and {b.start}-{b.end}")
    return changes


_SPAN: Final = attrgetter("start", "end")  # a C key function: a lambda's calls were 2 % of generation


def _build_slots(parse: Parse, changes: list[Change]) -> list[list]:
    """Output slots: the source tokens with the changes applied."""
    toks = parse.tokens
    slots: list[list] = []
    pos = 0
    for c in changes:
        slots.extend([t.text, t.ws, t.i] for t in toks[pos : c.start])
        if c.start == c.end:
            _insert(slots, c.words)
        else:
            last_ws = toks[c.end - 1].ws
            slots.extend([w, " ", None] for w in c.words)
            if c.words:
                slots[-1][WS] = last_ws
            elif slots and not last_ws:
                slots[-1][WS] = ""
        pos = c.end
    slots.extend([t.text, t.ws, t.i] for t in toks[pos:])
    return slots


def _insert(slots: list[list], words: tuple[str, ...]) -> None:
    """Insert words at the end of `slots`; the gap that was there moves after the last new word."""
    if not words:
        return
    gap = slots[-1][WS] if slots else " "
    if slots and slots[-1][TEXT].isspace():
        gap = " "  # after the caption's extra spaces ("a   field"): the new words still need a space after them
    elif slots:
        slots[-1][WS] = " "
    slots.extend([w, " ", None] for w in words)
    slots[-1][WS] = gap


def _fix_articles(slots: list[list], fixes: list[Fix], said: frozenset[tuple[str, str]] = frozenset()) -> None:
    """Every "a"/"an" agrees with the word after it, the caption's own too ("a enclosure" -> "an
    enclosure"): a negative is never less grammatical than the caption it comes from. `said` holds
    the caption's own (article, next word) pairs: a phrase a swap moves keeps its article ("an
    antelope" stays one, never "some antelope")."""
    for k in range(len(slots) - 1):
        slot = slots[k]
        text: str = slot[TEXT]  # typed, so the compiled build calls str's own methods on it
        if len(text) > 2:
            continue  # not an article ("a", "an" in any case): most words, looked at without lower-casing
        low = text.lower()
        if low != "a" and low != "an":
            continue
        nxt = k + 1
        while nxt < len(slots) - 1 and _text(slots[nxt]).isspace():
            nxt += 1  # "A  oven": the caption's extra space is a token of its own
        following = _text(slots[nxt])
        if following.lower() in {"a", "an", "the"}:
            continue  # one before another ("on a a road" stays as the caption had it)
        want = indefinite_article(following)
        if slot[SRC] is None and (low, following.lower()) not in said and not _counted_noun(slots, nxt):
            want = "some"  # a new noun not counted: "and some sand", "some french fries", never "a sand"
        if want != low:
            new = match_case(want, text)
            fixes.append(Fix(slot[SRC] if slot[SRC] is not None else -1, text, new, "article"))
            slot[TEXT] = new


def _text(slot: list) -> str:
    return slot[TEXT]  # a slot's text, typed for the compiled build


_JOINERS: Final = frozenset({"and", "or", ",", "of"})  # "of": "a group of giraffes" counts the group


def _counted_noun(slots: list[list], first: int) -> bool:
    """Whether the new phrase starting at slot `first` (after a new article) ends in a noun one of which
    takes "a": not "sand", "broccoli", "glasses", "french fries". Words of the caption are not judged."""
    end = first
    while end < len(slots) and slots[end][SRC] is None and slots[end][TEXT].lower() not in _JOINERS:
        end += 1
    if end == first or slots[first][SRC] is not None or slots[first][TEXT].lower() in QUANTITY_WORDS:
        return True  # "a few cows", "a couple of"
    return _one_counted(slots[end - 1][TEXT].lower())


@functools.lru_cache(maxsize=8192)
def _one_counted(noun: str) -> bool:
    """Whether one of `noun` takes "a": counted, and not a plural form (lemminflect's lookup, cached)."""
    lemmas = getLemma(noun, upos="NOUN")
    plural = bool(lemmas) and lemmas[0] != noun and noun.endswith("s")
    return countable(noun) and not plural


RELATIVE_PRONOUNS: Final = frozenset({"that", "who", "which"})
RECIPROCALS: Final = frozenset({"each other", "one another", "together", "side by side"})
NOUN_TAGS: Final = frozenset({"NN", "NNS", "NNP", "NNPS"})
# Pronouns referring to a noun whose number an edit changes, in the new number (persons keep "their").
_PRONOUN_SING: Final = {"their": "its", "them": "it", "themselves": "itself", "theirs": "its"}
_PRONOUN_PLUR: Final = {"its": "their", "it": "them", "itself": "themselves", "his": "their", "him": "them",
                        "himself": "themselves", "herself": "themselves"}


class Unrealizable(EditConflict):
    """The edit cannot be realised grammatically in this sentence (a pronoun whose antecedent is unclear
    would have to change number, "each other" would refer to one thing): the candidate is not made."""


def _agreement_holders(parse: Parse, head: int) -> list[int]:
    """The tokens a verb agrees with for the phrase headed by `head`: the head, and the quantifier noun
    measuring it ("a group of zebras *are*": group) or, for a quantifier noun, the noun it measures."""
    toks, kids = parse.tokens, parse.children
    out = [head]
    tok = toks[head]
    if tok.dep == "pobj" and toks[tok.head].lower == "of" and toks[tok.head].head != tok.head:
        q = toks[tok.head].head
        if toks[q].lower in QUANTIFIER_NOUNS or toks[q].lemma.lower() in QUANTIFIER_NOUNS:
            out.append(q)
    if tok.lower in QUANTIFIER_NOUNS or tok.lemma.lower() in QUANTIFIER_NOUNS:
        for of in (c for c in kids[head] if toks[c].lower == "of"):
            out.extend(g for g in kids[of] if toks[g].dep == "pobj")
    return out


def _coordinated(parse: Parse, tok_i: int) -> bool:
    """A noun joined to another by a conjunction ("a dog and a cat"): the verb stays plural whatever
    the number of one of them."""
    toks = parse.tokens
    tok = toks[tok_i]
    if tok.dep == "conj" and toks[tok.head].pos in NOUN_POS | {"PRON"}:
        return True
    kids = parse.children
    if tok.dep in SUBJECT_DEPS and sum(toks[c].dep in SUBJECT_DEPS for c in kids[tok.head]) > 1:
        return True  # "a collection of sinks, and basins are": two subjects the parser did not join
    return any(toks[c].dep == "conj" and toks[c].pos in NOUN_POS | {"PRON"} for c in kids[tok_i])


def _agreeing_verbs(parse: Parse, holder: int) -> list[int]:
    """Verbs that agree with `holder`: the verb it is subject of ("there *are* two dogs" too) and the
    verbs of relative clauses about it ("a zebra that *is* standing")."""
    toks, kids = parse.tokens, parse.children
    tok = toks[holder]
    verbs = []
    if tok.dep in SUBJECT_DEPS or tok.dep == "attr" and any(toks[c].dep == "expl" for c in kids[tok.head]):
        verbs.append(tok.head)
    elif tok.dep == "compound" and tok.head == holder + 1 and tok.head in verbs_read_as_nouns(parse):
        verbs.append(tok.head)  # "A surfer *paddles*": the verb the tagger read as a plural noun
    verbs.extend(
        c for c in kids[holder] if toks[c].dep == "relcl"
        and any(toks[g].dep in SUBJECT_DEPS and toks[g].lower in RELATIVE_PRONOUNS for g in kids[c])
    )
    # "two dogs run and jump" -> "a dog runs and jumps": a present verb joined to one of them, with no
    # subject of its own, shares theirs
    verbs.extend(
        c for v in list(verbs) for c in kids[v] if toks[c].dep == "conj"
        and (toks[c].tag in {"VBP", "VBZ"} or toks[c].tag == "VB" and toks[v].tag in {"VBP", "VBZ"})
        and not any(toks[g].dep in SUBJECT_DEPS for g in kids[c])
    )
    return verbs


def _fix_agreement(parse: Parse, slots: list[list], edits, fixes: list[Fix]) -> None:
    if not any(edit.number for edit in edits):
        return
    at_src = {s[SRC]: s for s in slots if s[SRC] is not None}
    for edit in edits:
        for head, number in edit.number:
            holders = _agreement_holders(parse, head)
            if any(_coordinated(parse, h) for h in holders):
                continue  # "several vehicles and a cart pull": still plural
            verbs = [v for h in holders for v in _agreeing_verbs(parse, h)]
            if verbs and number == "sing" and any(parse.tokens[h].tag in {"NNS", "NNPS"} for h in holders):
                _no_reciprocal(parse)  # "two giraffes stand together" -> never "a giraffe stands together"
            for verb in dict.fromkeys(verbs):
                _agree(parse, at_src, verb, number, fixes)
            if edit.operator == "replace":
                _fix_references(parse, at_src, head, holders, number, fixes)


def _no_reciprocal(parse: Parse) -> None:
    text = " " + " ".join(t.lower for t in parse.tokens) + " "
    if any(f" {r} " in text for r in RECIPROCALS):
        raise Unrealizable("a reciprocal ('each other', 'together') would refer to one thing")


def _agree(parse: Parse, at_src: dict, verb: int, number: str, fixes: list[Fix]) -> None:
    toks = parse.tokens
    helpers = [c for c in parse.children[verb] if toks[c].dep in {"aux", "auxpass"}]
    for t in [*helpers, verb]:
        slot = at_src.get(t)
        if slot is None:
            continue
        tag, lemma = toks[t].tag, toks[t].lemma
        if tag == "VB" and t == verb:
            if helpers or toks[verb].dep in {"xcomp", "ccomp", "advcl"}:
                return  # "can stand", "to stand": no agreement on the bare form
            tag = "VBP"  # "giraffes ... stand" tagged as a bare verb: a present plural
        if tag == "NNS":  # a verb read as a noun ("grazes"): its verb lemma, not the noun's
            tag, lemma = "VBZ", (getLemma(toks[t].lower, upos="VERB") or (lemma,))[0]
        new = agree_verb(slot[TEXT], lemma, tag, number)
        if new:
            fixes.append(Fix(t, slot[TEXT], new, "agreement"))
            slot[TEXT] = new
            return  # only the first finite form agrees ("is walking": "is" only)


def _noun_number(tok) -> str:
    return "plur" if tok.tag in {"NNS", "NNPS"} else "sing"


def _fix_references(parse: Parse, at_src: dict, head: int, holders: list[int], number: str, fixes: list[Fix]) -> None:
    """A noun changed number in place ("some giraffes" -> "a single giraffe"): the pronouns that refer to
    it follow ("their enclosure" -> "its enclosure"); a reference that cannot follow, or whose
    antecedent is unclear, makes the edit unrealisable."""
    toks = parse.tokens
    nouns = [h for h in holders if toks[h].tag in NOUN_TAGS and _noun_number(toks[h]) != number]
    if not nouns:
        return
    noun, old = nouns[-1], _noun_number(toks[nouns[-1]])
    table = _PRONOUN_SING if number == "sing" else _PRONOUN_PLUR
    person: bool | None = None
    for tok in toks[head + 1 :]:
        if tok.pos != "PRON" or tok.lower not in table or tok.lower == "it" and tok.dep in SUBJECT_DEPS:
            if tok.pos == "PRON" and tok.dep in SUBJECT_DEPS and tok.lower in {"they", "it", "he", "she"}:
                if _antecedent(parse, tok.i, old) in holders:
                    raise Unrealizable(f"the subject pronoun '{tok.text}' refers to the changed noun")
            continue
        found = _antecedent(parse, tok.i, old)
        if found is None:
            raise Unrealizable(f"unclear what '{tok.text}' refers to")
        if found not in holders:
            continue
        if person is None:
            from toolkit.text.lexicon import load_lexicon

            lex = load_lexicon()
            lemma = toks[noun].lemma.lower()
            person = bool({lex.object_category(lemma), lex.object_category(singular(lemma))} & {"person", "person_role"})
        if person and number == "sing":
            continue  # "a single person ... their": singular they
        new = table[tok.lower]
        slot = at_src.get(tok.i)
        if slot is not None and new != slot[TEXT].lower():
            new = match_case(new, slot[TEXT])
            fixes.append(Fix(tok.i, slot[TEXT], new, "agreement"))
            slot[TEXT] = new


def _antecedent(parse: Parse, pronoun: int, number: str) -> int | None:
    """The noun before `pronoun` it refers to: the first noun of that number when it heads the clause
    (subject or fragment head) or is the only one; None when unclear."""
    toks = parse.tokens
    nouns = [t.i for t in toks[:pronoun] if t.tag in NOUN_TAGS and t.dep != "compound" and _noun_number(t) == number]
    if not nouns:
        return -1
    if len(nouns) == 1:
        return nouns[0]
    first = toks[nouns[0]]
    if first.dep in SUBJECT_DEPS or first.dep == "ROOT" or first.dep == "attr":
        return nouns[0]
    return None


def _fix_case(parse: Parse, slots: list[list], fixes: list[Fix]) -> None:
    if not slots or not parse.text[:1].isupper():
        return
    head = slots[0]
    if head[SRC] != 0:
        first = parse.tokens[0]
        moved = next((s for s in slots if s[SRC] == 0), None)
        text = moved[TEXT] if moved else ""
        acronym = len(text) > 1 and text.isupper()  # "A" is a capitalised article, "TV" an acronym
        name = first.pos == "PROPN" and not modifier_read_as_name(first)
        if moved and not name and text != "I" and not acronym:
            new = text[0].lower() + text[1:]
            if new != text:
                fixes.append(Fix(0, text, new, "capitalisation"))
                moved[TEXT] = new
    new = match_case(head[TEXT], parse.text)
    if new != head[TEXT]:
        fixes.append(Fix(head[SRC] if head[SRC] is not None else -1, head[TEXT], new, "capitalisation"))
        head[TEXT] = new
    if parse.text.isupper() and sum(c.isalpha() for c in parse.text) >= 8:
        # a caption written in capitals ("MAN ON A CONTRAPTION, SURROUNDED BY ...") stays so: never "ANOTHER cat"
        for slot in slots:
            upper = slot[TEXT].upper()
            if upper != slot[TEXT]:
                fixes.append(Fix(slot[SRC] if slot[SRC] is not None else -1, slot[TEXT], upper, "capitalisation"))
                slot[TEXT] = upper


_MAY_DOUBLE: Final = frozenset({"very", "had", "that"})


# Words that join two phrases; one word on both sides of them reads as a slip ("a man on a man", "a
# train with train tracks", "a street light and light church", "brown and brown dog").
_LINKS: Final = frozenset({"and", "or", "with", "of", "on", "in", "at", "by", "near", "under", "over"})
_LINKED_DETERMINERS: Final = frozenset({"a", "an", "the", "two", "some"})


def doubled_words(text: str) -> set[str]:
    """Words that occur twice in a row ("in a park park"), and words on both sides of a joining word
    ("a man on a man", "toilet and a toilet", as "man ~ man"), ignoring case and punctuation."""
    ws = [w if w.isalnum() else w.strip(".,;:!?\"'") for w in text.lower().split()]  # most words have nothing to strip
    out: set[str] = set()
    n = len(ws)
    for i in range(n - 1):  # one pass: every realised candidate is checked
        x, y = ws[i], ws[i + 1]
        if x == y and x.isalpha() and x not in _MAY_DOUBLE:
            out.add(x)
        if i < n - 2 and y in _LINKS and x.isalpha() and x not in _LINKS and x not in _LINKED_DETERMINERS:
            j = i + 3 if ws[i + 2] in _LINKED_DETERMINERS and i + 3 < n else i + 2
            if ws[j] == x:
                out.add(f"{x} ~ {x}")  # whatever joins them: "a tv on a tv stand" -> "in a tv stand" is none new
    return out


_STACKED: Final = re.compile(r"\b(?:a|an|the)\s+(?:a|an|the)\b", re.IGNORECASE)


_ARTICLE_WORDS: Final = ("a", "an", "the")
_ARTICLE_SET: Final = frozenset(_ARTICLE_WORDS)


def _article_edge(chunk: str, at_end: bool) -> bool:
    """Whether a whitespace-free piece of lower-case ASCII text ends (or starts) with an article that a
    non-word character or the piece's edge bounds (`\\b` in `_STACKED`)."""
    for art in _ARTICLE_WORDS:
        n = len(art)
        if at_end and chunk.endswith(art) and (len(chunk) == n or not _word_char(chunk[-n - 1])):
            return True
        if not at_end and chunk.startswith(art) and (len(chunk) == n or not _word_char(chunk[n])):
            return True
    return False


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def stacked_articles(text: str) -> bool:
    """Two articles in a row ("an a girl", "in the a kitchen"): a phrase spliced in after an article.
    ASCII text is read piece by piece between spaces, as `_STACKED` would match it: every realised
    candidate is checked, and the regex search cost more than the rest of the check together."""
    if not text.isascii():
        return _STACKED.search(text) is not None
    after_article = False
    for chunk in text.lower().split():
        # a piece of word characters only has an article at its edge when it is one
        if after_article and (chunk in _ARTICLE_SET or not chunk.isalnum() and _article_edge(chunk, at_end=False)):
            return True
        after_article = chunk in _ARTICLE_SET or not chunk.isalnum() and _article_edge(chunk, at_end=True)
    return False


_ALNUM: Final = re.compile(r"[^\W_]")


_WORDLIKE: Final[dict[str, bool]] = {}  # `_is_word` of every text seen: the same tokens come up candidate after candidate


def _is_word(text: str) -> bool:
    known = _WORDLIKE.get(text)
    if known is None:
        known = _WORDLIKE[text] = _ALNUM.search(text) is not None
        if len(_WORDLIKE) > 65536:
            _WORDLIKE.clear()
    return known


def realize(parse: Parse, edits: tuple[Edit, ...] | list[Edit]) -> Realized:
    """Apply edits (at distinct sites) to the source tokens and return the fixed-up sentence."""
    changes = _ordered_changes(edits)
    slots = _build_slots(parse, changes)
    fixes: list[Fix] = []
    _fix_agreement(parse, slots, edits, fixes)
    _fix_articles(slots, fixes, parse.article_pairs)
    _fix_case(parse, slots, fixes)
    parts: list[str] = []
    for s in slots:  # one join, no string per slot
        parts.append(s[TEXT])
        parts.append(s[WS])
    text = "".join(parts).strip()
    toks = parse.tokens
    delta = sum(sum(map(_is_word, c.words)) - sum(_is_word(toks[i].text) for i in range(c.start, c.end)) for c in changes)
    return Realized(text, tuple(fixes), delta)
