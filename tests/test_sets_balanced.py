"""Balanced benchmark sets (issue 15, item 5): `set create --balance` / `--benchmark` balance the matched
candidates per category against the blind text-only baselines of `hardneg audit`, drop what cannot be
balanced (plain ADD) and store the figures; `export-set` writes the exported items' figures into the card."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import insert, select, text

from toolkit.curation.sets import Selection, create_set, get_set, list_sets, set_items
from toolkit.faces.cli import main
from toolkit.generation.operators.compose import candidate_id as candidate_uid
from toolkit.generation.pipeline import ingest
from toolkit.store.db import make_engine
from toolkit.store.models import CandidateRow, Caption, Run, utcnow
from toolkit.text.records import CaptionRecord

OBJECTS = "dog cat man woman horse bus car tree table pizza bird plate boat kite train".split()
COLOURS = "red blue green black white brown yellow pink orange purple grey".split()
MARKER = "lone"
N_CAPTIONS, N_ADD = 400, 100


def _captions(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    caps = (f"A {rng.choice(COLOURS)} {rng.choice(OBJECTS)} next to a {rng.choice(COLOURS)} {rng.choice(OBJECTS)} "
            f"near the {rng.choice(OBJECTS)}." for _ in range(n * 3))
    return list(dict.fromkeys(caps))[:n]


def _negatives(k: int, caption: str) -> list[tuple[str, str, str]]:
    """(operator, subtype, negative) of one caption: a REPLACE att that carries the planted marker for 2 in 5
    captions (else an honest recolouring); for the first N_ADD captions also a plain (longer) ADD att and a
    length-neutral ADD obj."""
    words = caption.rstrip(".").split()
    first = words[1]
    if k % 5 < 2:
        replaced = caption.replace(f"A {first} ", f"A {MARKER} ", 1)
    else:
        other = random.Random(k).choice([c for c in COLOURS if c != first])
        replaced = caption.replace(f"A {first} ", f"A {other} ", 1)
    longer = caption.replace(f"A {first} ", f"A big {first} ", 1)
    extra = random.Random(k + 1).choice([o for o in OBJECTS if o not in words])
    neutral = " ".join([*words[:3], "and", "a", extra, *words[3:8]]) + "."  # "near the X" out, "and a Y" in
    return [("replace", "att", replaced)] + ([("add", "att", longer), ("add", "obj", neutral)] if k < N_ADD else [])


def build_db(path: Path, nlp, n: int = N_CAPTIONS) -> Path:
    db = path / "balanced.db"
    engine = make_engine(f"sqlite:///{db}")
    caps = _captions(n)
    ingest(engine, [CaptionRecord(c, f"img/{k:03d}.jpg", "synthetic", str(k), {}) for k, c in enumerate(caps)], nlp=nlp)
    cand, cap = CandidateRow.__table__, Caption.__table__
    with engine.begin() as conn:
        conn.execute(insert(Run.__table__).values(id="synthetic", kind="generate", config="{}", versions="{}", seed=0,
                                                  status="done", summary="{}", created_at=utcnow()))
        ids = dict(conn.execute(select(cap.c.text, cap.c.id)).all())
        rows = []
        for k, c in enumerate(caps):
            for op, sub, neg in _negatives(k, c):
                delta = len(neg.split()) - len(c.split())
                rows.append({"uid": candidate_uid(c, neg), "caption_id": ids[c], "run_id": "synthetic", "text": neg,
                             "operator": op, "subtype": sub, "depth": 1, "length_delta": delta, "created_at": utcnow(),
                             "provenance": json.dumps({"edits": [], "fixes": [], "parent": None, "length_delta": delta})})
        conn.execute(insert(cand), rows)
    with engine.begin() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    return db


@pytest.fixture(scope="module")
def template(tmp_path_factory, nlp) -> Path:
    return build_db(tmp_path_factory.mktemp("balanced"), nlp)


@pytest.fixture
def url(template, tmp_path) -> str:
    dest = tmp_path / "b.db"
    shutil.copyfile(template, dest)
    return f"sqlite:///{dest}"


def _items(engine, name):
    with engine.connect() as conn:
        return set_items(conn, get_set(conn, name)["id"])


def _pass_rules(engine) -> None:
    with engine.begin() as conn:
        for (cid,) in conn.execute(select(CandidateRow.id)).all():
            conn.execute(text("INSERT INTO verdict (candidate_id, judge, passed, reasons, prompt_hash, prompt_version, "
                              "created_at) VALUES (:c, 'rules', 1, '{}', 'h', '', '2026-01-01')"), {"c": cid})


def test_balanced_set_drops_the_marked_negatives_and_plain_add(url, nlp):
    engine = make_engine(url)
    plain = create_set(engine, "plain", Selection())
    assert plain.balance is None and plain.items == N_CAPTIONS + 2 * N_ADD
    s = create_set(engine, "bal", Selection(balance=True), nlp=nlp)
    b = s.balance
    rows = _items(engine, "bal")
    assert s.items == len(rows) == b["kept"]

    # the planted marker: 40 % of the REPLACE negatives before, 1 in 10 of them kept (the rest balance
    # length against the clean ones); the clean ones stay; the adversary, re-fitted on the kept ones, at chance
    rep = b["by_category"]["replace/att"]
    assert rep["before"]["adversary"] >= 0.65 and rep["before"]["n"] == N_CAPTIONS
    assert abs(rep["after"]["adversary"] - 0.5) <= b["tolerance"]
    kept = [r for r in rows if r["operator"] == "replace"]
    marked = sum(MARKER in r["negative"].split() for r in kept)
    assert len(kept) == rep["kept"] and marked <= 0.12 * 0.4 * N_CAPTIONS
    assert len(kept) - marked >= 0.9 * 0.6 * N_CAPTIONS
    assert all(abs(rep["after"][x] - 0.5) <= b["tolerance"] for x in b["baselines"]) or "replace/att" in b["off_chance"]
    assert any(g == MARKER or MARKER in g.split() for g, _ in rep["telling"]["before"]["negative"])

    # plain ADD (every negative longer) cannot be balanced on length: dropped and named; length-neutral ADD is
    # its own category, judged on its own (here its negatives are all shorter in characters and all say
    # "and a": dropped too, and named)
    assert "length" in b["dropped"]["add/att"] and b["by_category"]["add/att"]["dropped"]
    assert b["by_category"]["add/att"]["kept"] == 0
    assert not any(r["operator"] == "add" and r["length_delta"] != 0 for r in rows)
    neutral = b["by_category"]["add/obj (length-neutral)"]
    assert neutral["before"]["n"] == N_ADD and neutral["dropped"] == ("add/obj (length-neutral)" in b["dropped"])
    assert {r["operator"] for r in rows} == ({"replace"} if neutral["dropped"] else {"replace", "add"})

    # the settings and figures are stored with the set, reproducibly
    stored = {x["name"]: x["query"] for x in list_sets(engine)}["bal"]
    assert stored["balance"] == json.loads(json.dumps(b))
    assert stored["selection"]["balance"] is True and stored["selection"]["tolerance"] == 0.05
    assert Selection.from_dict(stored["selection"]) == Selection(balance=True)
    assert b["candidates"] == N_CAPTIONS + 2 * N_ADD and b["baselines"] == ["length", "lm", "lm_per_token", "plausibility", "adversary"]
    again = create_set(engine, "bal2", Selection(balance=True), nlp=nlp)
    assert [r["candidate_id"] for r in _items(engine, "bal2")] == [r["candidate_id"] for r in rows]
    assert again.balance == b


def test_balance_then_sample_per_category(url, nlp):
    engine = make_engine(url)
    s = create_set(engine, "s", Selection(balance=True, stratify="category", sample=40, seed=3), nlp=nlp)
    assert s.items == 40 and "add_att" not in s.by_stratum
    assert set(s.by_stratum) <= {"replace_att", "add_obj"} and s.by_stratum["replace_att"] >= 20


def test_benchmark_needs_rule_verdicts(url):
    runner = CliRunner()
    r = runner.invoke(main, ["set", "create", "bench", "--benchmark", "--db", url])
    assert r.exit_code != 0
    assert "no verdicts of judge 'rules' stored" in r.output and "hardneg filter --rules" in r.output
    r = runner.invoke(main, ["set", "create", "bench", "--benchmark", "--verdict", "failed", "--db", url])
    assert r.exit_code == 2 and "--benchmark takes the candidates the filters passed" in r.output
    with pytest.raises(ValueError, match="run `hardneg filter --rules` first"):
        create_set(make_engine(url), "p", Selection(verdict="passed"))
    assert list_sets(make_engine(url)) == []


def test_cli_benchmark_reports_figures_and_card_carries_them(url, tmp_path):
    engine = make_engine(url)
    _pass_rules(engine)
    runner = CliRunner()
    r = runner.invoke(main, ["set", "create", "bench", "--benchmark", "--db", url, "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    b = d["balance"]
    assert d["items"] == b["kept"] and "add/att" in b["dropped"]
    assert set(b["by_category"]["replace/att"]["before"]) == {"n", *b["baselines"]}
    assert b["by_category"]["replace/att"]["after"]["adversary"] <= 0.57
    assert b["by_category"]["replace/att"]["telling"]["after"].keys() == {"negative", "positive"}
    stored = {x["name"]: x["query"] for x in list_sets(engine)}["bench"]
    assert stored["selection"]["verdict"] == "passed" and stored["selection"]["judges"] == ["rules"]
    assert stored["selection"]["stratify"] == "category" and stored["balance"] == b

    r = runner.invoke(main, ["set", "create", "bench-text", "--balance", "--db", url])
    assert r.exit_code == 0, r.output
    assert "dropped add/att: cannot be balanced by subsampling on length" in r.output
    assert "a balanced set holds length-neutral ADD only" in r.output
    assert "replace/att" in r.output and f"{N_CAPTIONS} →" in r.output

    out = tmp_path / "bench-sc"
    r = runner.invoke(main, ["export-set", "bench", "--format", "sugarcrepe", "--status", "all", "--out", str(out),
                             "--db", url, "--json"])
    assert r.exit_code == 0, r.output
    rep = json.loads(r.stdout)
    cats = {f.removesuffix(".json") for f in rep["files"] if f.endswith(".json")}
    assert cats <= {"replace_att", "add_obj"} and "replace_att" in cats  # SugarCrepe's file schema, unchanged
    for f in rep["files"]:
        if f.endswith(".json"):
            items = json.loads((out / f).read_text())
            assert all(set(v) == {"filename", "caption", "negative_caption"} for v in items.values())
    blind = rep["blind"]
    assert blind["n"] == d["items"] and blind["baselines"] == ["length", "lm", "lm_per_token", "adversary"]
    fig = blind["by_category"]["replace/att"]
    assert fig["n"] == b["kept"] - b["by_category"].get("add/obj (length-neutral)", {}).get("kept", 0)
    assert fig["longer"] == 0.0 and abs(fig["adversary"] - 0.5) <= 0.1
    card = (out / "README.md").read_text()
    assert "## Blind text-only baselines" in card
    assert "| category | n | lm | lm per token | adversary | length | longer |" in card
    assert f"| replace/att | {fig['n']} | {fig['lm']:.2f} |" in card and "| all |" in card
    assert "Most telling n-grams" in card and "## Balancing at set creation" in card
    assert "add/att was dropped: it cannot be balanced by subsampling on length" in card
    assert '"balance": true' in card and '"by_category"' not in card  # the selection line stays one short line


def test_card_figures_of_an_unbalanced_set_show_the_artefacts(url, tmp_path):
    engine = make_engine(url)
    create_set(engine, "raw", Selection(operators=("replace", "add")))
    from toolkit.curation.formats import export_set

    rep = export_set(engine, "raw", "jsonl", tmp_path / "raw", status="all")
    fig = rep.blind["by_category"]
    assert fig["add/att"]["longer"] == 1.0 and fig["add/att"]["length"] == 1.0 and fig["add/att"]["lm"] >= 0.9
    assert fig["add/obj (length-neutral)"]["longer"] == 0.0
    assert fig["replace/att"]["adversary"] >= 0.65
    assert any(MARKER in g for g, _ in rep.blind["telling"]["replace/att"]["negative"])
    card = (tmp_path / "raw" / "README.md").read_text()
    assert f"| add/att | {N_ADD} |" in card and "Balancing at set creation" not in card


def test_agent_create_set_balances(url, nlp, tmp_path):
    from toolkit.faces.agents.tools import TOOLS_BY_NAME, ToolContext

    ctx = ToolContext.open(url, tmp_path, nlp_loader=lambda: nlp)
    try:
        out = TOOLS_BY_NAME["create_set"].run(ctx, {"name": "agent-bal", "balance": True, "sample": 30, "seed": 2})
        assert out.items == 30 and out.by_stratum == {"replace": 30}
        assert "add/att" in out.balance["dropped"] and out.balance["by_category"]["replace/att"]["kept"] > 30
        plain = TOOLS_BY_NAME["create_set"].run(ctx, {"name": "agent-plain", "sample": 30})
        assert plain.balance is None and set(plain.by_stratum) == {"add", "replace"}
    finally:
        ctx.close()
