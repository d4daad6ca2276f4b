"""The terminal UI end to end: `hardneg curate` / `hardneg review` in a pseudo-terminal, driven by scripted
keystrokes, including a SIGKILL in the middle of a session and the resume after it."""

import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from pty_driver import Terminal
from sqlalchemy import select

from toolkit.curation.decisions import SessionStore
from toolkit.curation.sets import Selection, create_set, get_set, set_items
from toolkit.faces.cli import main
from toolkit.store.curation import Decision, FinalDecision
from toolkit.store.db import make_engine
from toolkit.store.models import CandidateRow

pytest_plugins = ["curation_helpers"]  # fixtures: template_db, cur_url

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def workdir(tmp_path):
    """A working directory holding the images the fixture captions name (img/001.jpg ...)."""
    (tmp_path / "img").mkdir()
    for i in range(1, 11):
        (tmp_path / "img" / f"{i:03d}.jpg").write_bytes(b"\xff\xd8\xff")
    return tmp_path


def env_for(url: str) -> dict:
    return {"HARDNEG_DB": url, "PYTHONPATH": str(REPO)}


def wait_for(path: Path, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while not path.exists() and time.monotonic() < end:
        time.sleep(0.05)


def labels(engine, who):
    with engine.connect() as conn:
        return dict(conn.execute(select(Decision.item_hash, Decision.label).where(Decision.annotator == who)).all())


def test_curate_session_keys_kill_and_resume(cur_url, workdir):
    engine = make_engine(cur_url)
    create_set(engine, "s", Selection(sample=5, seed=4))
    with engine.connect() as conn:
        items = set_items(conn, get_set(conn, "s")["id"])
    marker = workdir / "opened.txt"
    viewer = f"{sys.executable} -c \"import sys, pathlib; pathlib.Path({str(marker)!r}).write_text(sys.argv[1])\""
    args = ["curate", "s", "--annotator", "alice", "--viewer", viewer]

    t = Terminal(args, str(workdir), env_for(cur_url))
    t.expect(r"progress 0/5 done")
    t.expect(r"\[a\]ccept")
    t.expect_text(items[0]["caption"])
    t.expect_text(items[0]["negative"])
    t.send("a")
    t.expect(r"1/5 done · 1 accepted")
    t.send("r")
    t.expect(r"2/5 done · 1 accepted · 1 rejected")
    t.expect_text(items[2]["negative"])
    t.send("o")
    t.expect(r"opened img/\d+\.jpg")
    wait_for(marker)
    t.send("e")
    t.expect(r"edited negative")
    t.send("\x15a purple giraffe eating soup\r")  # Ctrl-U clears the pre-filled negative
    t.expect(r"3/5 done .* 1 edited")
    t.send("u")
    t.expect(r"undone: edit of item 3")
    t.expect(r"2/5 done")
    t.send("e")
    t.expect(r"edited negative")
    t.send("\x15a purple giraffe eating soup with a spoon\r")
    t.expect(r"3/5 done .* 1 edited")
    t.kill()  # killed mid-session: everything decided so far is stored
    assert marker.read_text() == items[2]["image"]
    got = labels(engine, "alice")
    assert got == {items[0]["item_hash"]: "accept", items[1]["item_hash"]: "reject", items[2]["item_hash"]: "edit"}
    with engine.connect() as conn:
        edits = conn.execute(select(CandidateRow.text).where(CandidateRow.run_id == "human-edit")).scalars().all()
    assert sorted(edits) == ["a purple giraffe eating soup", "a purple giraffe eating soup with a spoon"]

    t = Terminal(args, str(workdir), env_for(cur_url))
    t.expect(r"progress 3/5 done")
    t.expect(r"resumed at the first undecided item")
    t.expect_text(items[3]["negative"])
    t.send("i")
    t.expect(r"4/5 done")
    t.send("x")
    t.expect(r"unknown key 'x'")
    t.send("a")
    t.expect(r"All 5 items decided")
    t.send("q")
    t.expect(r"saved: 5/5 done · 2 accepted · 1 rejected · 1 ignored · 1 edited")
    assert t.wait() == 0
    assert len(labels(engine, "alice")) == 5


def test_review_records_final_decisions(cur_url, workdir):
    engine = make_engine(cur_url)
    create_set(engine, "s", Selection(sample=4, seed=2))
    for who, ls in {"alice": ["accept", "accept", "reject", "accept"], "bob": ["reject", "accept", "accept", "accept"]}.items():
        store = SessionStore(engine, "s", who)
        sess = store.load()
        for label in ls:
            store.apply(sess.decide(label))
    t = Terminal(["review", "s", "--reviewer", "carol"], str(workdir), env_for(cur_url))
    t.expect(r"conflict 1/2")
    t.expect(r"\[s\]kip")
    t.expect(r"1\s+│?\s*alice")
    t.expect(r"2\s+│?\s*bob")
    t.send("2")  # take bob's decision (the second row: annotators are listed by name)
    t.expect(r"conflict 2/2")
    t.send("a")
    t.expect(r"resolved 2 of 2 conflicts")
    assert t.wait() == 0
    with engine.connect() as conn:
        final = conn.execute(select(FinalDecision.label, FinalDecision.decided_by, FinalDecision.reason)).all()
    assert sorted(final) == [("accept", "carol", ""), ("reject", "carol", "took bob's decision")]
    result = CliRunner().invoke(main, ["review", "s", "--json", "--db", cur_url])
    assert result.exit_code == 0 and result.output.strip() == "[]"


def test_curate_needs_a_terminal(cur_url):
    engine = make_engine(cur_url)
    create_set(engine, "s", Selection(sample=2))
    result = CliRunner().invoke(main, ["curate", "s", "--annotator", "a", "--db", cur_url])
    assert result.exit_code == 1 and "needs an interactive terminal" in result.output
    result = CliRunner().invoke(main, ["curate", "nope", "--annotator", "a", "--db", cur_url])
    assert result.exit_code == 1 and "no set named 'nope'" in result.output
