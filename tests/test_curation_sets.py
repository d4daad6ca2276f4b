"""Benchmark sets over real generated candidates: selection, stratified seeded sampling, verdicts and
score margins, merge / drop, and decisions stored by the session store (resume, undo, edit, agreement)."""

import json

import pytest
from sqlalchemy import func, select, text

from toolkit.curation.agreement import cohen_kappa, pairwise_kappa
from toolkit.curation.decisions import HUMAN_EDIT, SessionStore, conflicts, record_final, set_stats
from toolkit.curation.sets import Selection, allocate, create_set, drop_set, list_sets, merge_sets, set_items
from toolkit.store.curation import Decision
from toolkit.store.db import make_engine
from toolkit.store.models import CandidateRow

pytest_plugins = ["curation_helpers"]  # fixtures: template_db, cur_url


def items_of(engine, name):
    from toolkit.curation.sets import get_set

    with engine.connect() as conn:
        return set_items(conn, get_set(conn, name)["id"])


def test_selection_by_operator_subtype_depth(cur_url):
    engine = make_engine(cur_url)
    s = create_set(engine, "swaps", Selection(operators=("swap",), subtypes=("att", "obj"), depths=(1,)))
    rows = items_of(engine, "swaps")
    assert s.items == len(rows) > 0
    assert {(r["operator"], r["subtype"]) for r in rows} <= {("swap", "att"), ("swap", "obj")}
    with engine.connect() as conn:
        expected = conn.execute(select(func.count()).select_from(CandidateRow).where(
            CandidateRow.operator == "swap", CandidateRow.subtype.in_(["att", "obj"]))).scalar_one()
    assert s.items == expected
    with pytest.raises(ValueError, match="already exists"):
        create_set(engine, "swaps", Selection())
    with pytest.raises(ValueError, match="no candidates match"):
        create_set(engine, "none", Selection(depths=(3,)))


def test_sample_is_stratified_per_operator_and_seeded(cur_url):
    engine = make_engine(cur_url)
    a = create_set(engine, "a", Selection(sample=12, seed=5))
    assert a.items == 12 and a.by_stratum == {"add": 4, "replace": 4, "swap": 4}
    create_set(engine, "b", Selection(sample=12, seed=5))
    create_set(engine, "c", Selection(sample=12, seed=6))
    ids = {n: [r["candidate_id"] for r in items_of(engine, n)] for n in "abc"}
    assert ids["a"] == ids["b"] and ids["a"] != ids["c"]
    available = create_set(engine, "everything", Selection(stratify="category")).by_stratum
    cat = create_set(engine, "cat", Selection(sample=16, stratify="category", seed=1))
    assert len(cat.by_stratum) == 8 and sum(cat.by_stratum.values()) == 16
    assert cat.by_stratum == allocate(available, 16)  # even, a small stratum's share goes to the others


def test_allocation_gives_what_small_strata_cannot_take_to_the_others():
    assert allocate({"a": 10, "b": 10, "c": 10}, 10) == {"a": 4, "b": 3, "c": 3}
    assert allocate({"a": 1, "b": 10, "c": 10}, 12) == {"a": 1, "b": 6, "c": 5}
    assert allocate({"a": 2, "b": 3}, 50) == {"a": 2, "b": 3}
    assert allocate({"a": 0, "b": 4}, 2) == {"a": 0, "b": 2}


def _contract_tables(engine):
    """The verdict and candidate_score tables with the columns the filter and scoring features store
    (created here so this test does not depend on those features)."""
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS verdict"))
        conn.execute(text("DROP TABLE IF EXISTS candidate_score"))
        conn.execute(text("CREATE TABLE verdict (id INTEGER PRIMARY KEY, candidate_id INTEGER NOT NULL, "
                          "judge VARCHAR NOT NULL, passed BOOLEAN NOT NULL, reasons TEXT, created_at DATETIME NOT NULL)"))
        conn.execute(text("CREATE TABLE candidate_score (id INTEGER PRIMARY KEY, candidate_id INTEGER NOT NULL, "
                          "model_id VARCHAR NOT NULL, pos_sim FLOAT, neg_sim FLOAT, margin FLOAT, tie BOOLEAN)"))


def test_selection_by_filter_verdicts_and_score_margin(cur_url):
    engine = make_engine(cur_url)
    with pytest.raises(ValueError, match="no scores stored"):
        create_set(engine, "x", Selection(order="hardest"))
    _contract_tables(engine)
    with engine.connect() as conn:
        ids = [i for (i,) in conn.execute(select(CandidateRow.id).order_by(CandidateRow.id))]
    with engine.begin() as conn:
        for k, cid in enumerate(ids):
            conn.execute(text("INSERT INTO verdict (candidate_id, judge, passed, reasons, created_at) "
                              "VALUES (:c, 'rules', :p, '', '2026-01-02')"), {"c": cid, "p": k % 3 != 0})
            # an older rules verdict that the newer one supersedes
            conn.execute(text("INSERT INTO verdict (candidate_id, judge, passed, reasons, created_at) "
                              "VALUES (:c, 'rules', :p, '', '2026-01-01')"), {"c": cid, "p": k % 3 == 0})
            if k % 4 == 0:
                conn.execute(text("INSERT INTO verdict (candidate_id, judge, passed, reasons, created_at) "
                                  "VALUES (:c, 'llm', 0, 'x', '2026-01-01')"), {"c": cid})
            margin = (k % 7) / 10 - 0.2
            for model in ("m1", "m2"):
                conn.execute(text("INSERT INTO candidate_score (candidate_id, model_id, pos_sim, neg_sim, margin, tie) "
                                  "VALUES (:c, :m, 0.3, :n, :g, :t)"),
                             {"c": cid, "m": model, "n": 0.3 - margin, "g": margin if model == "m1" else -margin, "t": margin == 0})
    passed = {cid for k, cid in enumerate(ids) if k % 3 != 0 and k % 4 != 0}
    create_set(engine, "ok", Selection(verdict="passed"))
    assert {r["candidate_id"] for r in items_of(engine, "ok")} == passed
    create_set(engine, "rules-ok", Selection(verdict="passed", judges=("rules",)))
    assert {r["candidate_id"] for r in items_of(engine, "rules-ok")} == {c for k, c in enumerate(ids) if k % 3 != 0}
    create_set(engine, "bad", Selection(verdict="failed"))
    assert {r["candidate_id"] for r in items_of(engine, "bad")} == set(ids) - passed

    with pytest.raises(ValueError, match="several models"):
        create_set(engine, "h", Selection(order="hardest"))
    create_set(engine, "hard", Selection(order="hardest", model="m1", max_margin=0.0))
    margins = {cid: (k % 7) / 10 - 0.2 for k, cid in enumerate(ids)}
    got = [margins[r["candidate_id"]] for r in items_of(engine, "hard")]
    assert got == sorted(got) and all(m <= 0.0 for m in got)
    assert len(got) == sum(m <= 0.0 for m in margins.values())
    s = create_set(engine, "hard6", Selection(order="hardest", model="m1", sample=6))
    rows = items_of(engine, "hard6")
    assert s.by_stratum == {"add": 2, "replace": 2, "swap": 2}
    for op in ("add", "replace", "swap"):  # the hardest two of each operator
        pool = sorted(margins[c] for c, o in _ops(engine).items() if o == op)
        assert sorted(margins[r["candidate_id"]] for r in rows if r["operator"] == op) == pool[:2]


def _ops(engine):
    with engine.connect() as conn:
        return dict(conn.execute(select(CandidateRow.id, CandidateRow.operator)).all())


def test_merge_deduplicates_and_drop_keeps_decisions(cur_url):
    engine = make_engine(cur_url)
    create_set(engine, "s1", Selection(operators=("swap",)))
    create_set(engine, "s2", Selection(operators=("swap", "add")))
    m = merge_sets(engine, "both", ["s1", "s2"])
    n1, n2 = len(items_of(engine, "s1")), len(items_of(engine, "s2"))
    assert m.items == n2 and m.duplicates == n1
    assert [r["name"] for r in list_sets(engine)] == ["both", "s1", "s2"]
    store = SessionStore(engine, "s1", "alice")
    sess = store.load()
    store.apply(sess.decide("accept"))
    assert drop_set(engine, "s1") == n1
    assert [r["name"] for r in list_sets(engine)] == ["both", "s2"]
    # alice's decision survives and counts in the merged set that holds the same item
    assert SessionStore(engine, "both", "alice").load().done == 1
    with pytest.raises(ValueError, match="no set named 's1'"):
        drop_set(engine, "s1")


def test_session_store_writes_each_decision_and_resumes(cur_url):
    engine = make_engine(cur_url)
    create_set(engine, "s", Selection(sample=6, seed=2))
    store = SessionStore(engine, "s", "alice")
    sess = store.load()
    first, second, third = sess.items[:3]
    store.apply(sess.decide("accept"))
    store.apply(sess.decide("reject", "meaning unchanged"))
    store.apply(sess.edit("a totally different negative"))
    # a fresh load (as after a killed process) resumes at the fourth item with all three stored
    again = SessionStore(engine, "s", "alice").load()
    assert again.done == 3 and again.current == sess.items[3]
    assert again.marks[second.item_hash].reason == "meaning unchanged"
    with engine.connect() as conn:
        edited = conn.execute(select(CandidateRow).where(CandidateRow.text == "a totally different negative")).mappings().one()
        dec = conn.execute(select(Decision).where(Decision.item_hash == third.item_hash)).mappings().one()
    prov = json.loads(edited["provenance"])
    assert prov["source"] == HUMAN_EDIT and prov["edited_by"] == "alice" and prov["parent_text"] == third.negative
    assert edited["run_id"] == "human-edit" and dec["label"] == "edit" and dec["edit_candidate_id"] == edited["id"]
    assert again.marks[third.item_hash].edit_text == "a totally different negative"
    # undo in the new session removes the stored edit decision (the edited candidate is kept)
    store.apply(again.undo())
    assert SessionStore(engine, "s", "alice").load().done == 2
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(CandidateRow).where(CandidateRow.run_id == "human-edit")).scalar_one() == 1
    assert first.item_hash in again.marks


def test_conflicts_review_and_kappa(cur_url):
    engine = make_engine(cur_url)
    create_set(engine, "s", Selection(sample=6, seed=3))
    labels = {"alice": ["accept", "accept", "reject", "reject", "accept", "ignore"],
              "bob": ["accept", "reject", "reject", "reject", "accept", "accept"]}
    for name, ls in labels.items():
        store = SessionStore(engine, "s", name)
        sess = store.load()
        for label in ls:
            store.apply(sess.decide(label))
    stats = set_stats(engine, "s")
    # alice vs bob over items neither ignored: a a r r a vs a r r r a -> po 4/5, pe (3*2+2*3)/25
    assert stats["agreement"] == [{"annotators": ["alice", "bob"], "items": 5, "agreed": 4,
                                   "kappa": round((0.8 - 12 / 25) / (1 - 12 / 25), 4)}]
    assert stats["outcomes"] == {"accept": 3, "conflict": 1, "reject": 2}
    assert stats["annotators"]["alice"]["decided"] == 6
    found = conflicts(engine, "s")
    assert len(found) == 1 and {d["label"] for d in found[0]["decisions"]} == {"accept", "reject"}
    item = found[0]
    record_final(engine, item["item_hash"], item["candidate_id"], "reject", "carol")
    assert conflicts(engine, "s") == []
    assert len(conflicts(engine, "s", include_reviewed=True)) == 1
    after = set_stats(engine, "s")
    assert after["outcomes"] == {"accept": 3, "reject": 3} and after["acceptance_rate"] == 0.5
    with pytest.raises(ValueError, match="needs the edited candidate"):
        record_final(engine, item["item_hash"], item["candidate_id"], "edit", "carol")


def test_cohen_kappa_matches_hand_computed_values():
    assert cohen_kappa(["a", "a", "b", "b"], ["a", "a", "b", "b"]) == 1.0
    assert cohen_kappa(["a", "b", "a", "b"], ["b", "a", "b", "a"]) == -1.0
    # 20 items, 16 agree (po 0.8); A says y 10 times, B 12 times -> pe = (10*12 + 10*8)/400 = 0.5, kappa 0.6
    a = ["y"] * 10 + ["n"] * 10
    b = ["y"] * 9 + ["n"] + ["y"] * 3 + ["n"] * 7
    assert cohen_kappa(a, b) == pytest.approx((0.8 - 0.5) / 0.5)
    assert cohen_kappa(["a", "a"], ["a", "a"]) is None and cohen_kappa([], []) is None
    with pytest.raises(ValueError, match="differ in length"):
        cohen_kappa(["a"], [])
    three = pairwise_kappa({"x": {"1": "a"}, "y": {"1": "a", "2": "b"}, "z": {}})
    assert [p["annotators"] for p in three] == [["x", "y"], ["x", "z"], ["y", "z"]]


def test_selection_reads_the_filter_and_scoring_features_own_tables(cur_url):
    """The same selection against the real `verdict` and `candidate_score` tables, where those features exist."""
    verdicts = pytest.importorskip("toolkit.store.verdicts")
    scores = pytest.importorskip("toolkit.store.scores")
    from sqlalchemy import insert, inspect

    from toolkit.store.models import utcnow

    engine = make_engine(cur_url)
    if not (inspect(engine).has_table("verdict") and inspect(engine).has_table("candidate_score")):
        pytest.skip("the filter / scoring migrations are not in this checkout")
    with engine.connect() as conn:
        ids = [i for (i,) in conn.execute(select(CandidateRow.id).order_by(CandidateRow.id).limit(3))]
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(insert(verdicts.Verdict.__table__), [
            {"candidate_id": ids[0], "judge": "rules", "passed": True, "reasons": '{"fired": []}', "prompt_hash": "p",
             "created_at": now},
            {"candidate_id": ids[1], "judge": "rules", "passed": False, "reasons": '{"fired": []}', "prompt_hash": "p",
             "created_at": now},
        ])
        conn.execute(insert(scores.ScoreRun.__table__).values(id="r1", model_id="m", config="{}", summary="{}", created_at=now))
        conn.execute(insert(scores.CandidateScore.__table__), [
            {"candidate_id": c, "model_id": "m", "run_id": "r1", "pos_sim": 0.3, "neg_sim": 0.3 - g, "margin": g,
             "tie": False, "created_at": now} for c, g in zip(ids, (0.2, -0.1, 0.05), strict=True)])
    create_set(engine, "ok", Selection(verdict="passed"))
    assert [r["candidate_id"] for r in items_of(engine, "ok")] == [ids[0]]
    create_set(engine, "hard", Selection(order="hardest", max_margin=0.1))
    assert [r["candidate_id"] for r in items_of(engine, "hard")] == [ids[1], ids[2]]
