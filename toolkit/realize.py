"""Turn a parse plus a set of edits into a sentence: spacing, articles, agreement, capitalisation."""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.morph import agree_verb, indefinite_article, match_case
from toolkit.operators.base import Change, Edit, Fix
from toolkit.parse import Parse

SUBJECT_DEPS = {"nsubj", "nsubjpass"}


@dataclass(slots=True)
class _Slot:
    text: str
    ws: str
    src: int | None  # source token index, None for words an edit put in
    anchor: int  # source position the slot stands at (for new words: start of their change)


@dataclass(frozen=True, slots=True)
class Realized:
    text: str
    fixes: tuple[Fix, ...]
    length_delta: int


class EditConflict(ValueError):
    """Two edits touch overlapping source tokens."""


def _ordered_changes(edits: tuple[Edit, ...] | list[Edit]) -> list[Change]:
    changes = sorted((c for e in edits for c in e.changes), key=lambda c: (c.start, c.end))
    for a, b in zip(changes, changes[1:], strict=False):
        if b.start < a.end or (a.start == a.end == b.start == b.end):
            raise EditConflict(f"edits overlap at tokens {a.start}-{a.end} and {b.start}-{b.end}")
    return changes


def _build_slots(parse: Parse, changes: list[Change]) -> list[_Slot]:
    toks = parse.tokens
    slots: list[_Slot] = []
    by_start: dict[int, list[Change]] = {}
    for c in changes:
        by_start.setdefault(c.start, []).append(c)
    pos = 0
    n = len(toks)
    while pos <= n:
        replaced_to = None
        for c in by_start.get(pos, []):
            if c.start == c.end:
                _insert(slots, c.words, pos)
            else:
                words = list(c.words)
                for k, w in enumerate(words):
                    last = k == len(words) - 1
                    slots.append(_Slot(w, toks[c.end - 1].ws if last else " ", None, c.start))
                if not words and slots and not toks[c.end - 1].ws:
                    slots[-1].ws = ""
                replaced_to = c.end
        if replaced_to is not None:
            pos = replaced_to
            continue
        if pos < n:
            t = toks[pos]
            slots.append(_Slot(t.text, t.ws, pos, pos))
        pos += 1
    return slots


def _insert(slots: list[_Slot], words: tuple[str, ...], pos: int) -> None:
    """Insert words before source token `pos`; the gap that was there moves after the last new word."""
    if not words:
        return
    gap = slots[-1].ws if slots else " "
    if slots:
        slots[-1].ws = " "
    for k, w in enumerate(words):
        slots.append(_Slot(w, gap if k == len(words) - 1 else " ", None, pos))


def _fix_articles(slots: list[_Slot], fixes: list[Fix]) -> None:
    for k, slot in enumerate(slots[:-1]):
        low = slot.text.lower()
        if low not in {"a", "an"}:
            continue
        nxt = slots[k + 1].text
        want = indefinite_article(nxt)
        if want != low:
            new = match_case(want, slot.text)
            fixes.append(Fix(slot.src if slot.src is not None else -1, slot.text, new, "article"))
            slot.text = new


def _fix_agreement(parse: Parse, slots: list[_Slot], edits, fixes: list[Fix]) -> None:
    toks = parse.tokens
    kids = parse.children
    at_src = {s.src: s for s in slots if s.src is not None}
    for edit in edits:
        for subj, number in edit.number:
            tok = toks[subj]
            if tok.dep not in SUBJECT_DEPS:
                continue
            verb = tok.head
            targets = [c for c in kids[verb] if toks[c].dep in {"aux", "auxpass"}] + [verb]
            for t in targets:
                slot = at_src.get(t)
                if slot is None:
                    continue
                new = agree_verb(slot.text, toks[t].lemma, toks[t].tag, number)
                if new:
                    fixes.append(Fix(t, slot.text, new, "agreement"))
                    slot.text = new
                    break  # only the first finite form agrees ("is walking": "is" only)


def _fix_case(parse: Parse, slots: list[_Slot], fixes: list[Fix]) -> None:
    if not slots or not parse.text[:1].isupper():
        return
    first = parse.tokens[0]
    for slot in slots[1:]:
        if slot.src == 0 and first.pos != "PROPN" and slot.text != "I" and not slot.text.isupper():
            new = slot.text[0].lower() + slot.text[1:]
            if new != slot.text:
                fixes.append(Fix(0, slot.text, new, "capitalisation"))
                slot.text = new
    head = slots[0]
    new = match_case(head.text, parse.text)
    if new != head.text:
        fixes.append(Fix(head.src if head.src is not None else -1, head.text, new, "capitalisation"))
        head.text = new


def _word_count(texts) -> int:
    return sum(1 for t in texts if any(ch.isalnum() for ch in t))


def realize(parse: Parse, edits: tuple[Edit, ...] | list[Edit]) -> Realized:
    """Apply edits (at distinct sites) to the source tokens and return the fixed-up sentence."""
    changes = _ordered_changes(edits)
    slots = _build_slots(parse, changes)
    fixes: list[Fix] = []
    _fix_agreement(parse, slots, edits, fixes)
    _fix_articles(slots, fixes)
    _fix_case(parse, slots, fixes)
    text = "".join(s.text + s.ws for s in slots).strip()
    delta = _word_count(s.text for s in slots) - _word_count(t.text for t in parse.tokens)
    return Realized(text, tuple(fixes), delta)
