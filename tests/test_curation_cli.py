"""The curation commands through click's runner: set create/list/stats/merge/drop, export-set, import-set,
review --list."""

import json

from click.testing import CliRunner

from toolkit.curation.decisions import SessionStore
from toolkit.faces.cli import main
from toolkit.store.db import make_engine

pytest_plugins = ["curation_helpers"]  # fixtures: template_db, cur_url


def run(*args, db):
    result = CliRunner().invoke(main, [*args, "--db", db])
    return result.exit_code, result.output


def test_set_commands(cur_url):
    code, out = run("set", "create", "swaps", "--operators", "swap", "--depth", "1", "--json", db=cur_url)
    assert code == 0, out
    created = json.loads(out)
    assert created["items"] > 0 and set(created["by_stratum"]) == {"swap"}
    code, out = run("set", "create", "mix", "--sample", "9", "--seed", "3", "--description", "nine", db=cur_url)
    assert code == 0 and "set mix: 9 items" in out and "add 3, replace 3, swap 3" in out
    code, out = run("set", "create", "bad", "--operators", "flip", db=cur_url)
    assert code == 2 and "flip: choose from swap, replace, add" in out
    code, out = run("set", "create", "hard", "--order", "hardest", db=cur_url)
    assert code == 1 and "no scores stored" in out
    code, out = run("set", "merge", "all", "swaps", "mix", "--json", db=cur_url)
    assert code == 0 and json.loads(out)["items"] == created["items"] + 9 - json.loads(out)["duplicates"]
    code, out = run("set", "list", "--json", db=cur_url)
    assert [s["name"] for s in json.loads(out)] == ["all", "mix", "swaps"]
    code, out = run("set", "drop", "all", "--yes", db=cur_url)
    assert code == 0 and "dropped set all" in out
    code, out = run("set", "drop", "all", "--yes", db=cur_url)
    assert code == 1 and "no set named 'all'; sets: mix, swaps" in out


def test_stats_export_import_review(cur_url, tmp_path):
    assert run("set", "create", "mix", "--sample", "6", "--seed", "1", db=cur_url)[0] == 0
    engine = make_engine(cur_url)
    for who, labels in {"ann": ["accept"] * 6, "ben": ["accept", "reject", "accept", "accept", "reject", "accept"]}.items():
        store = SessionStore(engine, "mix", who)
        sess = store.load()
        for label in labels:
            store.apply(sess.decide(label))
    code, out = run("set", "stats", "mix", "--json", db=cur_url)
    stats = json.loads(out)
    assert stats["outcomes"] == {"accept": 4, "conflict": 2}
    assert stats["agreement"][0]["kappa"] == 0.0  # ann always accepts: no agreement beyond chance
    code, out = run("set", "stats", "mix", db=cur_url)
    assert "Cohen's kappa ann / ben: 0.000 over 6 shared items (4 agreed)" in out
    code, out = run("review", "mix", "--list", "--json", db=cur_url)
    assert len(json.loads(out)) == 2
    out_dir = tmp_path / "exp"
    code, out = run("export-set", "mix", "--format", "sugarcrepe", "--out", str(out_dir), "--json", db=cur_url)
    assert code == 0 and json.loads(out)["items"] == 4 and (out_dir / "README.md").exists()
    code, out = run("import-set", str(out_dir), "--format", "sugarcrepe", "--name", "back", "--json", db=cur_url)
    assert code == 0 and json.loads(out)["items"] == 4 and json.loads(out)["new_candidates"] == 0
    code, out = run("export-set", "nope", "--format", "jsonl", "--out", str(tmp_path / "x"), db=cur_url)
    assert code == 1 and "no set named 'nope'" in out


def test_set_stats_table_keeps_rows_apart_in_narrow_terminals():
    """At 100 and 80 columns every category reads whole (no "replace/…" three times); composed ones wrap
    between steps instead of being cut."""
    from rich.console import Console

    from toolkit.faces.display import category_label, outcomes_table

    keys = ["add/att", "add/obj", "replace/att", "replace/obj", "replace/rel", "swap/att", "swap/obj", "swap/rel",
            "swap+replace/att+obj", "replace+replace+swap+add/att+obj+rel+att"]
    by_op = {k: {"items": 120, "accept": 30, "edit": 10, "reject": 20, "conflict": 5, "undecided": 55,
                 "acceptance_rate": 0.6667} for k in keys}
    by_op["add/att"]["acceptance_rate"] = None
    assert category_label("swap+replace/att+obj") == "swap_att + replace_obj"
    for width in (100, 80):
        console = Console(width=width, record=True)
        console.print(outcomes_table(by_op))
        text = console.export_text()
        assert "…" not in text and max(map(len, text.splitlines())) <= width
        cells = [line.split("│")[1:3] for line in text.splitlines() if line.startswith("│")]
        rows = [label.strip() for label, items in cells if items.strip()]  # a row starts where its numbers are
        assert rows[:8] == [category_label(k) for k in keys[:8]]  # each on its own row, whole
        assert " ".join(" ".join(label.strip() for label, _ in cells).split()).endswith(
            "swap_att + replace_obj replace_att + replace_obj + swap_rel + add_att")
