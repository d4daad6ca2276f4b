"""Candidates are named by what `hardneg export` prints (the 16-hex-digit uid as "id") or by their row id,
everywhere ids are taken: `hardneg filter --ids FILE`, the agent tools filter_candidates and curate_candidate."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from toolkit.faces.agents.safety import ToolInputError
from toolkit.faces.agents.tools import TOOLS_BY_NAME
from toolkit.faces.cli import main
from toolkit.store.db import make_engine
from toolkit.store.models import CandidateRow
from toolkit.store.queries import candidate_ref, resolve_candidate_refs

pytest_plugins = ["curation_helpers", "agents_helpers"]  # fixtures: cur_url, workspace, context


def run(*args):
    """Exit code and standard output (--json) or, on failure, everything printed."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout if result.exit_code == 0 else result.output


def stored(url: str) -> list[tuple[int, str]]:
    with make_engine(url).connect() as conn:
        cand = CandidateRow.__table__
        return [tuple(r) for r in conn.execute(select(cand.c.id, cand.c.uid).order_by(cand.c.id))]


def test_candidate_ref_reads_row_ids_and_uids():
    assert candidate_ref(7) == 7 and candidate_ref(" 42 ") == 42
    assert candidate_ref("00FF00ff00ff00FF") == "00ff00ff00ff00ff"
    assert candidate_ref("1234567890123456") == "1234567890123456"  # sixteen digits: a uid, never a row id
    for bad, why in [(0, "start at 1"), ("-3", "16-hex-digit"), ("abc", "16-hex-digit"), ("00ff00ff00ff00f", "16-hex"),
                     (True, "row id"), (1.5, "row id"), ("１２", "16-hex-digit")]:
        with pytest.raises(ValueError, match=why):
            candidate_ref(bad)


def test_resolve_maps_each_reference_to_its_rows(cur_url):
    rows = stored(cur_url)
    (id1, uid1), (id2, _uid2) = rows[0], rows[1]
    with make_engine(cur_url).connect() as conn:
        found = resolve_candidate_refs(conn, [uid1.upper(), id2, str(id2), "ffffffffffffffff", 10**9])
    assert found == {uid1: (id1,), id2: (id2,), "ffffffffffffffff": (), 10**9: ()}


def test_filter_ids_accepts_what_export_prints(cur_url, tmp_path):
    exported = tmp_path / "all.jsonl"
    code, out = run("export", exported, "--db", cur_url)
    assert code == 0, out
    lines = exported.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    rows = dict((uid, cid) for cid, uid in stored(cur_url))
    assert all(rows.get(r["id"]) for r in records[:5])
    ids = tmp_path / "picked.txt"
    ids.write_text("\n".join([lines[0], lines[1], "# a comment", "", records[2]["id"], records[3]["id"].upper(),
                              str(rows[records[4]["id"]])]) + "\n", encoding="utf-8")
    code, out = run("filter", "--rules", "--ids", ids, "--json", "--db", cur_url)
    assert code == 0, out
    assert json.loads(out)["selected"] == 5
    code, out = run("filter", "--rules", "--ids", exported, "--json", "--db", cur_url)  # export's file as it is
    assert code == 0 and json.loads(out)["selected"] == len(records), out


def test_filter_ids_names_the_bad_line(cur_url, tmp_path):
    uid = stored(cur_url)[0][1]
    bad = tmp_path / "bad.txt"
    for content, message in [
        (f"{uid}\n\nnot-an-id\n", f"{bad}:line 3: not a candidate id: 'not-an-id'"),
        (f'{uid}\n{{"caption": "x"}}\n', f'{bad}:line 2: a JSON object without "id"'),
        (f"{uid}\n{{oops\n", f"{bad}:line 2: Expecting property name"),
        (f"{uid}\nffffffffffffffff\n", f"{bad}: no stored candidate with id line 2: ffffffffffffffff"),
    ]:
        bad.write_text(content, encoding="utf-8")
        code, out = run("filter", "--rules", "--ids", bad, "--db", cur_url)
        assert code == 2, out
        assert message in " ".join(out.split()), out


def test_agent_tools_take_uids_and_row_ids(context):
    (id1, uid1), (id2, _), (id3, uid3) = stored(str(context.engine.url))[:3]
    out = TOOLS_BY_NAME["filter_candidates"].run(context, {"candidate_ids": [uid1, id2, uid3.upper()]})
    assert [r.candidate_id for r in out.results] == [id1, id2, id3]
    with pytest.raises(ToolInputError, match="no stored candidate with id ffffffffffffffff"):
        TOOLS_BY_NAME["filter_candidates"].run(context, {"candidate_ids": [id1, "ffffffffffffffff"]})

    TOOLS_BY_NAME["create_set"].run(context, {"name": "dev", "sample": 4, "seed": 1})
    item = TOOLS_BY_NAME["set_items"].run(context, {"name": "dev", "limit": 1}).items[0]
    uid = dict(stored(str(context.engine.url)))[item.candidate_id]
    done = TOOLS_BY_NAME["curate_candidate"].run(context, {"set_name": "dev", "candidate_id": uid,
                                                           "decision": "accept"})
    assert done.candidate_id == item.candidate_id and done.progress.startswith("1/4 done")
    with pytest.raises(ToolInputError, match="not an item of set"):
        TOOLS_BY_NAME["curate_candidate"].run(context, {"set_name": "dev", "candidate_id": "ffffffffffffffff",
                                                        "decision": "accept"})
