"""The offline rule filter: grammar and agreement, validity (the negative really changes the meaning) and
corpus plausibility. Each check returns the rules that fired with a reason; a candidate passes when none did.

Grammar checks read a spaCy parse of the candidate and report only what the edit introduced: a problem
the caption has too (its "a women", a parser misreading it) is no fault of the negative, which is never
held to be less grammatical than its caption. Such inherited problems are kept in the verdict's details
("inherited": the rules and reasons), so ungrammatical captions can still be found, and
`RuleConfig(inherited=True)` rejects them as well. Validity checks read the candidate's provenance
(edits with spans into the caption's parse, words out and in) and the lexicon; the plausibility check
compares the candidate's new attribute-object and subject-relation-object compositions with corpus counts.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass

from toolkit.evaluation.filters.counts import PlausibilityModel, describe
from toolkit.text.lemmas import getLemma
from toolkit.text.lexicon import Lexicon, load_lexicon
from toolkit.text.morph import indefinite_article
from toolkit.text.parse import Parse, Token
from toolkit.text.scene import QUANTIFIER_NOUNS
from toolkit.text.wordnet import verb_form_relation

RULES_VERSION = "rules.v1"
JUDGE = "rules"
CONJUNCTIONS = {"and", "or", "but", "nor"}
SUBJECT_DEPS = {"nsubj", "nsubjpass", "expl"}
SINGULAR_PRONOUNS = {"it", "he", "she", "this", "that", "one", "someone", "something", "everyone", "nobody"}
PLURAL_PRONOUNS = {"they", "we", "these", "those", "both", "many", "several", "some"}
NUMBER = {"sing": "singular", "plur": "plural"}
COLLECTIVE_NOUNS = {"couple", "family", "team", "crowd", "group", "herd", "flock", "staff", "audience", "police"}
RELATIVE_PRONOUNS = {"that", "which", "who", "whom"}
DOUBLE_OK = {"that", "had", "very", "bye", "no"}
MEANING_KEPT = {"same", "synonym", "hypernym", "hyponym"}  # for REPLACE: the caption stays true
SWAP_KEPT = {"same", "synonym"}  # for SWAP: exchanging these leaves the caption's meaning unchanged


@dataclass(frozen=True, slots=True)
class Fired:
    """A rule that fired, and why (quoted words from the candidate or the caption)."""

    rule: str
    why: str


@dataclass(frozen=True)
class RuleConfig:
    """Thresholds of the rule filter; its hash (with the counts' id) is stored with every verdict."""

    plausibility_threshold: float = -3.0  # natural-log ratio below which a new composition is implausible
    alpha: float = 1.0  # added to the Witten-Bell prior weight of the plausibility counts
    grammar: bool = True
    validity: bool = True
    plausibility: bool = True
    inherited: bool = False  # also reject a grammar problem the caption itself has (off: recorded only)

    def to_dict(self) -> dict:
        return asdict(self)

    def config_hash(self, counts_id: str = "") -> str:
        blob = json.dumps({"version": RULES_VERSION, "config": self.to_dict(), "counts": counts_id}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


# ----------------------------------------------------------------------------------------- grammar


def _words(parse: Parse) -> list[Token]:
    return [t for t in parse.tokens if not t.text.isspace()]


def article_issues(parse: Parse) -> list[Fired]:
    """"a apple", "an dog", "a dogs"."""
    out = []
    toks = _words(parse)
    for k, t in enumerate(toks[:-1]):
        if t.lower not in {"a", "an"}:
            continue
        nxt = toks[k + 1]
        if nxt.lower in {"a", "an", "the"}:
            if nxt.lower != t.lower:  # "a a" is reported as a doubled word
                out.append(Fired("doubled_word", f"'{t.text} {nxt.text}': two articles"))
            continue
        if not nxt.text[:1].isalnum():
            continue
        want = indefinite_article(nxt.text)
        if want != t.lower:
            out.append(Fired("article", f"'{t.text} {nxt.text}': expected '{want}'"))
        head = parse.tokens[t.head]
        between = parse.tokens[t.i + 1 : t.head]
        modifiers_only = t.head > t.i and all(b.dep in {"amod", "compound", "advmod", "nummod"} and b.pos not in
                                              {"PUNCT", "CCONJ", "NOUN", "PROPN"} for b in between)
        # not an article of a quantity ("a few cows", "a couple of dogs") nor before a noun whose plural
        # is its singular ("a sheep", "a thermos": the tagger may call it plural)
        quantity = nxt.lower in {"few", "couple", "lot", "dozen", "bunch", "number", "pair"}
        invariant = head.lower == head.lemma.lower()
        if t.dep == "det" and modifiers_only and head.tag in {"NNS", "NNPS"} and not quantity and not invariant:
            out.append(Fired("article", f"'{t.text}' before the plural '{head.text}'"))
    return out


def _subject_number(parse: Parse, subj: int, depth: int = 0) -> str | None:
    """'sing' | 'plur' | None (unknown) for the subject token `subj`."""
    tok = parse.tokens[subj]
    if tok.dep == "expl":  # "there is/are X": X decides
        attr = next((c for c in parse.children[tok.head] if parse.tokens[c].dep in {"attr", "nsubj"}), None)
        if attr is None or depth >= 2 or _coordinated(parse, attr):
            return None  # "there is a man and a woman": agreement with the nearest noun is in use
        return _subject_number(parse, attr, depth + 1)
    if tok.lower in QUANTIFIER_NOUNS | COLLECTIVE_NOUNS:
        return None  # "a group of people is/are", "the couple are": both are in use
    if tok.lower in RELATIVE_PRONOUNS:  # "a dog that is...": the noun the relative clause modifies
        clause = parse.tokens[tok.head]
        if clause.dep == "relcl" and depth < 2:
            noun = parse.tokens[clause.head]
            if noun.dep == "conj" or _coordinated(parse, clause.head):
                return None  # "a bathroom and a kitchen that is/are lit": the clause may modify the last one or both
            return _subject_number(parse, clause.head, depth + 1)
        return None
    if _coordinated(parse, subj):
        return "plur"
    if tok.tag in {"NNS", "NNPS"}:
        return "plur"
    if tok.tag in {"NN", "NNP"}:
        return "sing"
    if tok.lower in SINGULAR_PRONOUNS:
        return "sing"
    if tok.lower in PLURAL_PRONOUNS:
        return "plur"
    return None


def _coordinated(parse: Parse, head: int) -> bool:
    """"a cup, toothbrushes, and other items": nouns joined by "and" along the conj chain."""
    chain, stack = [], [head]
    while stack:
        k = stack.pop()
        chain.append(k)
        stack.extend(c for c in parse.children[k] if parse.tokens[c].dep == "conj" and parse.tokens[c].pos in {"NOUN", "PROPN"})
    if len(chain) < 2:
        return False
    return any(parse.tokens[c].lower == "and" for k in chain for c in parse.children[k])


def _finite_number(tok: Token) -> str | None:
    low = tok.lower
    if low in {"is", "was", "'s", "has", "does"} or tok.tag == "VBZ":
        return "sing"
    if low in {"are", "were", "'re", "have", "do"} or tok.tag == "VBP":
        return "plur"
    return None


def agreement_issues(parse: Parse) -> list[Fired]:
    """Subject-verb agreement: "the dogs is", "a dog are", "a man ride a horse"."""
    out = []
    toks = parse.tokens
    for t in toks:
        if t.tag not in {"VBZ", "VBP", "VBD", "VB"}:
            continue
        number = _finite_number(t)
        bare = t.tag == "VB"
        if number is None and not bare:
            continue  # a past tense other than was/were carries no number
        # an auxiliary agrees with the subject of the verb it serves
        holder = t.head if t.dep in {"aux", "auxpass"} else t.i
        subj = next((c for c in parse.children[holder] if toks[c].dep in SUBJECT_DEPS), None)
        if subj is None:
            continue
        if bare:
            helpers = [toks[c] for c in parse.children[holder] if toks[c].dep in {"aux", "auxpass"}]
            if (t.dep in {"aux", "auxpass", "xcomp", "ccomp", "advcl"}
                    or any(h.tag == "MD" or h.lower in {"to", "do", "does", "did"} for h in helpers)
                    or any(toks[c].dep in {"aux", "auxpass"} for c in parse.children[t.i])):
                continue  # "would be", "to ride", "does ride": no agreement on the bare form
            number = "plur"  # a bare verb with a subject reads as present plural ("dogs run")
        if subj == t.i - 1 and load_lexicon().is_object(t.lemma.lower()):
            continue  # "stop sign", "street sign" misparsed as subject + verb
        subj_number = _subject_number(parse, subj)
        if subj_number and subj_number != number:
            out.append(Fired("agreement", f"'{toks[subj].text} ... {t.text}': {NUMBER[subj_number]} subject, "
                                          f"{NUMBER[number]} verb"))
    return out


def doubled_word_issues(parse: Parse) -> list[Fired]:
    """"a a dog", "the red red car"."""
    out = []
    toks = _words(parse)
    for a, b in zip(toks, toks[1:], strict=False):
        if a.lower == b.lower and a.text[:1].isalpha() and a.lower not in DOUBLE_OK:
            out.append(Fired("doubled_word", f"'{a.text} {b.text}'"))
    return out


def dangling_issues(parse: Parse) -> list[Fired]:
    """A conjunction or an article with nothing to join or determine: "and a dog", "a dog and.", "a and a"."""
    out = []
    toks = _words(parse)
    n = len(toks)
    for k, t in enumerate(toks):
        prev = toks[k - 1] if k > 0 else None
        nxt = toks[k + 1] if k + 1 < n else None
        nxt_is_end = nxt is None or nxt.pos == "PUNCT" or nxt.lower in CONJUNCTIONS
        if t.lower in CONJUNCTIONS:
            if prev is None or (prev.pos == "PUNCT" and prev.text != ",") or prev.lower in CONJUNCTIONS | {"a", "an", "the"}:
                out.append(Fired("dangling_conjunction", f"'{t.text}' with nothing before it"))
            elif nxt_is_end:
                out.append(Fired("dangling_conjunction", f"'{t.text}' with nothing after it"))
        elif k == n - 1 and t.lower.rstrip(".") in {"a", "an", "the"} and t.lower.endswith("."):
            out.append(Fired("dangling_article", f"'{t.text}' determines nothing"))  # spaCy keeps "a." as one token
        elif t.lower in {"a", "an", "the"} and (nxt_is_end or (nxt is not None and nxt.pos in {"ADP", "VERB", "AUX"}
                                                               and nxt.tag not in {"VBG", "VBN"}
                                                               and not _nounlike(nxt))):
            out.append(Fired("dangling_article", f"'{t.text}' determines nothing"
                             + (f" (followed by '{nxt.text}')" if nxt is not None else "")))
    return out


def _nounlike(tok: Token) -> bool:
    lex = load_lexicon()
    return lex.is_object(tok.lower) or lex.is_object(tok.lemma.lower())


def grammar_issues(parse: Parse) -> list[Fired]:
    """All grammar and agreement rules on a parsed candidate."""
    return article_issues(parse) + agreement_issues(parse) + doubled_word_issues(parse) + dangling_issues(parse)


def split_inherited(issues: list[Fired], caption_issues: list[Fired]) -> tuple[list[Fired], list[Fired]]:
    """(new, inherited): a candidate's grammar problem is inherited when its caption has it too, the same
    rule with the same reason, or else the same rule as often ("A man and a women" -> "A women and a
    man": the agreement rule fires once on each, on other words). Only the excess of a rule is new."""
    left = list(caption_issues)
    new, inherited, unmatched = [], [], []
    for f in issues:
        if f in left:
            left.remove(f)
            inherited.append(f)
        else:
            unmatched.append(f)
    for f in unmatched:
        same_rule = next((g for g in left if g.rule == f.rule), None)
        if same_rule is None:
            new.append(f)
        else:
            left.remove(same_rule)
            inherited.append(f)
    return new, inherited


_CAPTION_ISSUES: dict[str, tuple[Parse, list[Fired]]] = {}


def _caption_issues(caption: Parse) -> list[Fired]:
    """The caption's own grammar problems, cached while the same parse of it is judged again."""
    hit = _CAPTION_ISSUES.get(caption.text)
    if hit is not None and hit[0] is caption:
        return hit[1]
    if len(_CAPTION_ISSUES) > 4096:
        _CAPTION_ISSUES.clear()
    issues = grammar_issues(caption)
    _CAPTION_ISSUES[caption.text] = (caption, issues)
    return issues


# ---------------------------------------------------------------------------------------- validity

_NORM = re.compile(r"[^\w\s]")


def normalize(text: str) -> str:
    """Lower case, punctuation dropped, whitespace collapsed."""
    return " ".join(_NORM.sub(" ", text.lower()).split())


def _lemmas(word: str, upos: str) -> set[str]:
    """The word and its lemma (last word lemmatised for multiword nouns, first word for verbs)."""
    w = word.lower().strip()
    parts = w.split()
    if not parts:
        return {w}
    out = {w}
    if upos == "VERB":
        lem = getLemma(parts[0], upos="VERB")
        if lem:
            out.add(" ".join([lem[0], *parts[1:]]))
    else:
        lem = getLemma(parts[-1], upos=upos)
        if lem and lem[0]:  # a digit has the empty lemma: never "4" -> "3" read as the same word
            out.add(" ".join([*parts[:-1], lem[0]]))
    return out


def _strip_det(words: str) -> str:
    parts = words.lower().split()
    while parts and parts[0] in {"a", "an", "the", "some", "two", "three", "several", "many"}:
        parts = parts[1:]
    return " ".join(parts)


def _lex_relation(lex: Lexicon, subtype: str, a: str, b: str) -> str | None:
    """The lexicon's relation between two words (trying surface forms and lemmas)."""
    upos = {"obj": "NOUN", "att": "ADJ", "rel": "VERB"}[subtype]
    fn = {"obj": lex.object_relation, "att": lex.attribute_relation, "rel": lex.relation_relation}[subtype]
    a, b = _strip_det(a) or a, _strip_det(b) or b
    found = None
    for x in _lemmas(a, upos):
        for y in _lemmas(b, upos):
            rel = fn(x, y)
            if rel in {"same", "synonym"}:
                return rel
            found = found or rel
    if found is None and subtype == "rel":  # a verb outside the lexicon: WordNet tells (a troponym is a hyponym,
        wn = verb_form_relation(lex, a, b)  # and what the old verb entails is as true as a hypernym)
        found = {"troponym": "hyponym", "entailment": "hypernym"}.get(wn, wn) if wn else None
    return found


def _objects_in(caption: Parse, span: tuple[int, int]) -> list[int]:
    start, end = span
    return [k for k, o in enumerate(caption.scene.objects) if start <= o.head < end]


def _told_apart(scene, lex: Lexicon, ka: int, kb: int) -> bool:
    """Whether anything but their symmetric relation tells objects ka and kb apart, so that swapping them
    changes what the caption says. The principle: a swap keeps the meaning when the two things are joined
    by a symmetric relation ("next to", "with") and *nothing else* relates either of them: no relation to a
    third thing ("a man next to a woman *in a gray dress*": the dress changes owner) and no verb of their
    own ("A person *walking* along the beach with a surfboard": the agent changes), except a verb of
    staying in place with no object ("A cat *sitting* next to a dog" says no more than "a cat next to a
    dog"). The generator refuses the swaps this calls symmetric (`toolkit.generation.operators.sites.symmetric_link`)
    and keeps the others, which SugarCrepe's own swap negatives are often made of."""
    for r in scene.relations:
        if not {r.subj, r.obj} & {ka, kb} or {r.subj, r.obj} == {ka, kb}:
            continue
        if r.subj is not None and r.obj is not None:
            return True
        if r.kind == "verb" and not (r.obj is None and lex.is_stationary(r.lemma)):
            return True
    return False


def _swap_issues(edit: dict, caption: Parse | None, lex: Lexicon) -> list[Fired]:
    out = []
    outs = edit.get("words_out") or []
    if len(outs) == 2:
        a, b = outs
        if normalize(a) == normalize(b):
            out.append(Fired("identical_swap", f"swaps '{a}' with the identical '{b}'"))
        else:
            rel = _lex_relation(lex, edit.get("subtype", "obj"), a, b)
            if rel in SWAP_KEPT:
                out.append(Fired("synonym_swap", f"swaps '{a}' and '{b}', which are {rel}s"))
    if caption is None or edit.get("subtype") == "att" or len(edit.get("spans") or []) != 2:
        return out
    left, right = (_objects_in(caption, tuple(s)) for s in edit["spans"])
    if not left or not right:
        return out
    scene = caption.scene
    for r in scene.relations:
        if r.subj is None or r.obj is None:
            continue
        if {r.subj, r.obj} & set(left) and {r.subj, r.obj} & set(right) and lex.is_symmetric(r.lemma):
            if not _told_apart(scene, lex, r.subj, r.obj):
                out.append(Fired("symmetric_swap", f"swaps the arguments of the symmetric relation '{r.lemma}'"))
                break
    heads = {scene.objects[k].head for k in left}, {scene.objects[k].head for k in right}
    for k in left + right:
        tok = caption.tokens[scene.objects[k].head]
        if tok.dep == "conj" and ((tok.head in heads[0] and tok.i in heads[1]) or (tok.head in heads[1] and tok.i in heads[0])):
            out.append(Fired("symmetric_swap", f"swaps the coordinated phrases '{caption.tokens[tok.head].text}' "
                                               f"and '{tok.text}'"))
            break
    return out


def _replace_issues(edit: dict, lex: Lexicon) -> list[Fired]:
    out = []
    for a, b in zip(edit.get("words_out") or [], edit.get("words_in") or [], strict=False):
        if normalize(a) == normalize(b):
            out.append(Fired("identical_replace", f"replaces '{a}' by itself"))
            continue
        if str(edit.get("detail", "")).startswith("count:"):
            continue  # "a field" -> "two fields": counts that cannot both hold (toolkit/generation/operators/counting.py)
        rel = _lex_relation(lex, edit.get("subtype", "obj"), a, b)
        if rel in MEANING_KEPT:
            out.append(Fired(f"{rel}_replace" if rel != "same" else "identical_replace",
                             f"'{a}' -> '{b}' is a {rel} replacement; the caption stays true"))
    return out


def validity_issues(caption_text: str, text: str, provenance: dict | None, caption: Parse | None,
                    lex: Lexicon | None = None) -> list[Fired]:
    """The negative must differ from the caption in meaning, not only in words."""
    lex = lex or load_lexicon()
    if normalize(caption_text) == normalize(text):
        return [Fired("identical", "the candidate is the caption")]
    out: list[Fired] = []
    for edit in (provenance or {}).get("edits", []):
        if edit.get("operator") == "swap":
            out += _swap_issues(edit, caption, lex)
        elif edit.get("operator") == "replace":
            out += _replace_issues(edit, lex)
    return out


# ------------------------------------------------------------------------------------ plausibility


def plausibility(model: PlausibilityModel, caption: Parse, candidate: Parse, threshold: float
                 ) -> tuple[float, dict, list[Fired]]:
    """Score (weakest new composition, 0 if none), details for the verdict, and the rule if it fired."""
    new = model.new_compositions(caption.scene, candidate.scene)
    if not new:
        return 0.0, {"score": 0.0, "new": []}, []
    weakest, score = new[0]
    details = {"score": round(score, 4), "new": [[describe(c), round(s, 4)] for c, s in new[:5]]}
    if score < threshold:
        return score, details, [Fired("implausible", f"'{describe(weakest)}' scores {score:.2f} "
                                                     f"(below {threshold}) in the caption counts")]
    return score, details, []


@dataclass
class RuleResult:
    passed: bool
    fired: list[Fired]
    score: float | None
    details: dict

    @property
    def rule(self) -> str | None:
        return self.fired[0].rule if self.fired else None

    def reasons(self) -> dict:
        return {"fired": [asdict(f) for f in self.fired], **self.details}


def check_candidate(caption_text: str, caption: Parse | None, text: str, candidate: Parse,
                    provenance: dict | None, config: RuleConfig, model: PlausibilityModel | None,
                    lex: Lexicon | None = None) -> RuleResult:
    """Every enabled rule on one candidate."""
    fired: list[Fired] = []
    details: dict = {}
    score = None
    if config.validity:
        fired += validity_issues(caption_text, text, provenance, caption, lex)
    if config.grammar:
        issues = grammar_issues(candidate)
        if caption is not None and not config.inherited:
            issues, inherited = split_inherited(issues, _caption_issues(caption))
            if inherited:
                details["inherited"] = [asdict(f) for f in inherited]
        fired += issues
    if config.plausibility and model is not None and caption is not None:
        score, details["plausibility"], more = plausibility(model, caption, candidate, config.plausibility_threshold)
        fired += more
    return RuleResult(not fired, fired, score, details)
