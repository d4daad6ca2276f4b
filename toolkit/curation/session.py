"""A curation session as a pure state machine: a queue of items, one annotator's decisions, undo, and
edits. It does no I/O: every step returns an *effect* (`Record` or `Retract`) that the caller persists at
once (`toolkit.curation.decisions.SessionStore`), so a killed session loses nothing and resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

ACCEPT, REJECT, IGNORE, EDIT = "accept", "reject", "ignore", "edit"
SESSION_LABELS = (ACCEPT, REJECT, IGNORE)


@dataclass(frozen=True)
class QueueItem:
    """What the annotator sees for one set item."""

    item_hash: str
    candidate_id: int
    caption: str
    negative: str
    image: str | None = None
    operator: str = ""
    subtype: str = ""
    depth: int = 1
    info: dict = field(default_factory=dict, compare=False, hash=False)  # edit detail, verdicts, margins


@dataclass(frozen=True)
class Mark:
    """A decision as the session sees it; `edit_text` is the annotator's corrected negative."""

    label: str
    reason: str = ""
    edit_text: str | None = None


@dataclass(frozen=True)
class Record:
    """Persist `mark` for `item` (insert, or replace a decision retracted earlier)."""

    item: QueueItem
    mark: Mark


@dataclass(frozen=True)
class Retract:
    """Delete the annotator's decision for `item` (an undo)."""

    item: QueueItem
    mark: Mark


Effect = Record | Retract


def dedupe(items: Iterable[QueueItem]) -> list[QueueItem]:
    """Items in order, the first of each content hash kept."""
    seen: set[str] = set()
    out = []
    for it in items:
        if it.item_hash not in seen:
            seen.add(it.item_hash)
            out.append(it)
    return out


class Session:
    """One annotator's pass over a queue.

    `decided` holds the annotator's earlier decisions, oldest first (hash -> Mark); those are part of the
    undo history, so undo reaches back into a previous session. The cursor starts at the first undecided
    item; after a decision it moves to the next undecided item (wrapping round), after an undo to the item
    whose decision was undone.
    """

    def __init__(self, items: Iterable[QueueItem], decided: Iterable[tuple[str, Mark]] = ()) -> None:
        self.items = dedupe(items)
        self._index = {it.item_hash: i for i, it in enumerate(self.items)}
        self.marks: dict[str, Mark] = {}
        self.history: list[str] = []
        for h, mark in decided:
            if h in self._index:
                self.marks[h] = mark
                if h in self.history:
                    self.history.remove(h)
                self.history.append(h)
        self.cursor: int | None = self._next_undecided(0)

    # ------------------------------------------------------------------ queries

    @property
    def current(self) -> QueueItem | None:
        """The item to decide now; None when every item is decided."""
        return None if self.cursor is None else self.items[self.cursor]

    @property
    def done(self) -> int:
        return len(self.marks)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def finished(self) -> bool:
        return self.cursor is None

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys((ACCEPT, REJECT, IGNORE, EDIT), 0)
        for m in self.marks.values():
            out[m.label] += 1
        return out

    def progress(self) -> str:
        """"done/total" plus counts per label, for a progress line."""
        c = self.counts()
        return (f"{self.done}/{self.total} done · {c[ACCEPT]} accepted · {c[REJECT]} rejected · "
                f"{c[IGNORE]} ignored · {c[EDIT]} edited")

    # ------------------------------------------------------------------ transitions

    def decide(self, label: str, reason: str = "") -> Record:
        """Label the current item accept, reject or ignore and move on."""
        if label not in SESSION_LABELS:
            raise ValueError(f"label must be one of {', '.join(SESSION_LABELS)} (edits go through edit()), got {label!r}")
        return self._mark(Mark(label, reason))

    def edit(self, text: str, reason: str = "") -> Record:
        """Replace the current negative by the annotator's text (stored as a new candidate) and move on."""
        item = self._require_current()
        text = " ".join(text.split())
        if not text:
            raise ValueError("the edited negative is empty")
        if text == item.negative:
            raise ValueError("the edited negative is unchanged (accept it instead)")
        if text == item.caption:
            raise ValueError("the edited negative equals the caption, so it is not a negative")
        return self._mark(Mark(EDIT, reason, text))

    def undo(self) -> Retract | None:
        """Take back the most recent decision; its item becomes current. None when nothing is left to undo."""
        if not self.history:
            return None
        h = self.history.pop()
        mark = self.marks.pop(h)
        self.cursor = self._index[h]
        return Retract(self.items[self.cursor], mark)

    # ------------------------------------------------------------------ internals

    def _require_current(self) -> QueueItem:
        if self.cursor is None:
            raise ValueError(f"every item is decided ({self.total}/{self.total}); nothing to decide")
        return self.items[self.cursor]

    def _mark(self, mark: Mark) -> Record:
        item = self._require_current()
        self.marks[item.item_hash] = mark
        self.history.append(item.item_hash)
        self.cursor = self._next_undecided(self.cursor + 1)
        return Record(item, mark)

    def _next_undecided(self, start: int) -> int | None:
        n = len(self.items)
        for k in range(n):
            i = (start + k) % n
            if self.items[i].item_hash not in self.marks:
                return i
        return None
