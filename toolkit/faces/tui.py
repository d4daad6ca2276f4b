"""Terminal front ends (rich) for a curation session and for reviewing conflicts. Keys are read one at a
time from the terminal; every decision is persisted before the next item is shown."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import termios
import tty
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from toolkit.curation.decisions import SessionStore, conflicts, record_final
from toolkit.curation.session import ACCEPT, EDIT, IGNORE, REJECT, QueueItem, Session
from toolkit.faces.display import highlight

CURATE_KEYS = "[a]ccept  [r]eject  [i]gnore  [e]dit  [u]ndo  [o]pen image  [q]uit"
REVIEW_KEYS = "[a]ccept  [r]eject  [i]gnore  [1-9] take that annotator's decision  [s]kip  [o]pen image  [q]uit"

Opener = Callable[[str], None]


class Keys:
    """Single keys from a terminal (cbreak mode while inside the `with`), and a line editor for edits."""

    def __init__(self, fd: int | None = None) -> None:
        try:
            self.fd = sys.stdin.fileno() if fd is None else fd
            tty_ok = os.isatty(self.fd)
        except (AttributeError, OSError, ValueError):  # e.g. a test runner's stdin without a file descriptor
            tty_ok = False
        if not tty_ok:
            raise RuntimeError("this command needs an interactive terminal (standard input is not a TTY)")
        self._saved: list | None = None

    def __enter__(self) -> Keys:
        self._saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd, termios.TCSANOW)  # TCSANOW: keep keys typed ahead
        return self

    def __exit__(self, *exc) -> None:
        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSANOW, self._saved)

    def read(self) -> str:
        """One key; escape sequences (arrows, ...) come back as "" and Ctrl-D as "q"."""
        data = os.read(self.fd, 1)
        if not data or data == b"\x04":
            return "q"
        if data == b"\x1b":
            os.read(self.fd, 2)
            return ""
        return data.decode("utf-8", "replace")

    def line(self, prompt: str, prefill: str) -> str | None:
        """A line typed in normal (cooked) mode with `prefill` already in the buffer; None on Ctrl-D / Ctrl-C."""
        assert self._saved is not None
        termios.tcsetattr(self.fd, termios.TCSANOW, self._saved)
        try:
            import readline

            readline.set_startup_hook(lambda: readline.insert_text(prefill))
        except ImportError:  # no readline (some builds): the user types the whole text
            readline = None
        try:
            return input(prompt)
        except (EOFError, KeyboardInterrupt):
            return None
        finally:
            if readline is not None:
                readline.set_startup_hook(None)
            tty.setcbreak(self.fd, termios.TCSANOW)


def default_opener(viewer: str | None = None) -> Opener:
    """Open an image with `viewer` (a command; the path is appended) or the system viewer."""

    def open_image(path: str) -> None:
        if viewer:
            subprocess.Popen([*shlex.split(viewer), path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            import click

            click.launch(path)

    return open_image


def _open(item_image: str | None, opener: Opener) -> str:
    if not item_image:
        return "this item has no image"
    if "://" not in item_image and not Path(item_image).exists():
        return f"image not found: {item_image}"
    try:
        opener(item_image)
    except OSError as exc:
        return f"could not open {item_image}: {exc}"
    return f"opened {item_image}"


def _item_panel(item: QueueItem, title: str) -> Panel:
    left, right = highlight(item.caption, item.negative)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold dim", no_wrap=True)
    grid.add_column()
    grid.add_row("caption", left)
    grid.add_row("negative", right)
    grid.add_row("edit", Text(item.info.get("detail", ""), style="cyan"))
    verdicts = item.info.get("verdicts", [])
    if verdicts:
        v = Text()
        for d in verdicts:
            v.append(f"{d['judge']} {'pass' if d['passed'] else 'FAIL'}", style="green" if d["passed"] else "bold red")
            if d["reasons"] and not d["passed"]:
                v.append(f" ({d['reasons']})", style="dim")
            v.append("  ")
        grid.add_row("filters", v)
    else:
        grid.add_row("filters", Text("no verdicts", style="dim"))
    scores = item.info.get("scores", [])
    if scores:
        grid.add_row("margin", Text("  ".join(f"{s['model_id']} {s['margin']:+.3f}" for s in scores)))
    else:
        grid.add_row("margin", Text("not scored", style="dim"))
    image = item.image or "(none)"
    missing = item.image and "://" not in item.image and not Path(item.image).exists()
    grid.add_row("image", Text(image + ("  (file not found)" if missing else ""), style="dim" if missing else ""))
    return Panel(grid, title=title, title_align="left")


# --------------------------------------------------------------------------- curate


def _render_curate(console: Console, store: SessionStore, session: Session, message: str) -> None:
    console.clear()
    console.print(f"[bold]hardneg curate[/] · set [bold]{store.set['name']}[/] · annotator [bold]{store.annotator}[/]",
                  highlight=False)
    console.print(f"[bold]progress[/] {session.progress()}", highlight=False)
    item = session.current
    if item is None:
        console.print(Panel(f"All {session.total} items decided.", style="green"))
        console.print("[u]ndo  [q]uit", markup=False)
    else:
        title = f"item {session.cursor + 1}/{session.total} · {item.operator}/{item.subtype} · depth {item.depth}"
        console.print(_item_panel(item, title))
        console.print(CURATE_KEYS, markup=False)
    if message:
        console.print(message, markup=False, highlight=False)


def run_curate(store: SessionStore, keys: Keys, console: Console, opener: Opener) -> Session:
    """The curate loop: show the current item, read a key, persist the effect at once. Returns on quit."""
    session = store.load()
    message = "resumed at the first undecided item" if session.done and not session.finished else ""
    actions = {"a": ACCEPT, "r": REJECT, "i": IGNORE}
    while True:
        _render_curate(console, store, session, message)
        message = ""
        try:
            key = keys.read().lower()
        except KeyboardInterrupt:
            key = "q"
        item = session.current
        if key == "q":
            console.print(f"saved: {session.progress()}", highlight=False)
            return session
        if key == "u":
            effect = session.undo()
            if effect is None:
                message = "nothing to undo"
            else:
                store.apply(effect)
                message = f"undone: {effect.mark.label} of item {session.cursor + 1}"
        elif item is None:
            message = "every item is decided: [u]ndo or [q]uit"
        elif key in actions:
            store.apply(session.decide(actions[key]))
        elif key == "e":
            text = keys.line("edited negative (Enter to save, empty to cancel): ", item.negative)
            if not text or not text.strip():
                message = "edit cancelled"
            else:
                try:
                    store.apply(session.edit(text))
                except ValueError as exc:
                    message = f"edit not saved: {exc}"
        elif key == "o":
            message = _open(item.image, opener)
        elif key:
            message = f"unknown key {key!r}: {CURATE_KEYS}"


# --------------------------------------------------------------------------- review


def _render_review(console: Console, set_name: str, reviewer: str, item: dict, n: int, total: int, message: str) -> None:
    console.clear()
    console.print(f"[bold]hardneg review[/] · set [bold]{set_name}[/] · reviewer [bold]{reviewer}[/]", highlight=False)
    console.print(f"[bold]progress[/] conflict {n}/{total}", highlight=False)
    q = QueueItem(item["item_hash"], item["candidate_id"], item["caption"], item["negative"], item["image"],
                  item["operator"], item["subtype"], item["depth"], item.get("info", {}))
    console.print(_item_panel(q, f"{item['operator']}/{item['subtype']} · depth {item['depth']}"))
    table = Table(title="decisions", show_header=True)
    for col in ("#", "annotator", "label", "edited negative / reason"):
        table.add_column(col)
    for i, d in enumerate(item["decisions"], start=1):
        table.add_row(str(i), d["annotator"], d["label"], d["edit_text"] or d["reason"] or "")
    console.print(table)
    console.print(REVIEW_KEYS, markup=False)
    if message:
        console.print(message, markup=False, highlight=False)


def run_review(engine, set_name: str, reviewer: str, keys: Keys, console: Console, opener: Opener) -> dict:
    """Walk the set's unresolved conflicts; each key press records the final decision at once."""
    items = conflicts(engine, set_name)
    counts = {"resolved": 0, "skipped": 0, "conflicts": len(items)}
    labels = {"a": ACCEPT, "r": REJECT, "i": IGNORE}
    for n, item in enumerate(items, start=1):
        message = ""
        while True:
            _render_review(console, set_name, reviewer, item, n, len(items), message)
            try:
                key = keys.read().lower()
            except KeyboardInterrupt:
                key = "q"
            if key == "q":
                console.print(f"resolved {counts['resolved']} of {len(items)} conflicts", highlight=False)
                return counts
            if key == "s":
                counts["skipped"] += 1
                break
            if key == "o":
                message = _open(item["image"], opener)
                continue
            if key in labels:
                record_final(engine, item["item_hash"], item["candidate_id"], labels[key], reviewer)
            elif key.isdigit() and 1 <= int(key) <= len(item["decisions"]):
                d = item["decisions"][int(key) - 1]
                edit_id = d["edit_candidate_id"] if d["label"] == EDIT else None
                record_final(engine, item["item_hash"], item["candidate_id"], d["label"], reviewer, edit_id,
                             reason=f"took {d['annotator']}'s decision")
            else:
                message = f"unknown key {key!r}" if key else ""
                continue
            counts["resolved"] += 1
            break
    console.print(f"resolved {counts['resolved']} of {len(items)} conflicts", highlight=False)
    return counts

