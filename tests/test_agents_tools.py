"""The agent tools called directly: same results as the functions the CLI calls, compact vs full outputs,
workspace confinement, read-only mode and input bounds."""

from __future__ import annotations

import json
import os

import pytest
from pydantic import ValidationError

from toolkit.faces.agents.safety import PathNotAllowed, ReadOnlyError, ToolInputError, confine
from toolkit.faces.agents.tools import TOOLS_BY_NAME
from toolkit.generation.negatives import negatives_for
from toolkit.generation.operators import GenerationConfig

pytest_plugins = ["curation_helpers", "agents_helpers"]  # fixtures: workspace, context, make_context
CAPTION = "A black dog chasing a white cat on the grass."


def call(ctx, tool: str, /, **args):
    return TOOLS_BY_NAME[tool].run(ctx, args)


# ------------------------------------------------------------------------------------------ safety


def test_confine_refuses_escapes(tmp_path):
    root = tmp_path / "ws"
    (root / "sub").mkdir(parents=True)
    outside = tmp_path / "secret.txt"
    outside.write_text("x")
    (root / "link-out").symlink_to(outside)
    (root / "dir-out").symlink_to(tmp_path)
    (root / "link-in").symlink_to(root / "sub")
    assert confine(root, "sub/a.json") == (root / "sub" / "a.json").resolve()
    assert confine(root, str(root / "sub")) == (root / "sub").resolve()
    assert confine(root, "link-in/x") == (root / "sub" / "x").resolve()
    for bad in ["../secret.txt", "sub/../../secret.txt", "sub/..", str(outside), "/etc/passwd", "link-out",
                "dir-out/secret.txt", "", "a\x00b", "~/x"]:
        with pytest.raises(PathNotAllowed):
            confine(root, bad)
    with pytest.raises(ToolInputError, match="does not exist"):
        confine(root, "sub/missing.png", must_exist=True)


# ------------------------------------------------------------------------------------------ generate


def test_generate_matches_cli_function_and_is_compact(context, nlp):
    out = call(context, "generate_negatives", caption=CAPTION, operators=["swap", "replace"], n=5, seed=3)
    expected = negatives_for(CAPTION, GenerationConfig(("swap", "replace"), ("obj", "att", "rel"), 1, 5, 4, 3), nlp=nlp)
    assert [c.text for c in out.candidates] == [c["text"] for c in expected["candidates"]]
    assert 0 < len(out.candidates) <= 5
    assert all(c.provenance is None and c.change for c in out.candidates)
    assert {c.operator for c in out.candidates} <= {"swap", "replace"}
    full = call(context, "generate_negatives", caption=CAPTION, operators=["swap", "replace"], n=5, seed=3,
                detail="full")
    assert [c.provenance for c in full.candidates] == [c["provenance"] for c in expected["candidates"]]
    assert len(json.dumps(out.model_dump(exclude_none=True))) < len(json.dumps(full.model_dump(exclude_none=True)))


def test_null_means_default(context):
    a = call(context, "generate_negatives", caption=CAPTION, operators=None, subtypes=None, depth=None, n=None,
             per_site=None, seed=None, detail=None)
    b = call(context, "generate_negatives", caption=CAPTION)
    assert a == b and len(a.candidates) == 10


@pytest.mark.parametrize("args, field", [
    ({"caption": "x" * 1001}, "caption"),
    ({"caption": CAPTION, "n": 101}, "n"),
    ({"caption": CAPTION, "depth": 4}, "depth"),
    ({"caption": CAPTION, "operators": ["delete"]}, "operators"),
    ({"caption": CAPTION, "shell": "rm -rf /"}, "shell"),
])
def test_generate_bounds(context, args, field):
    with pytest.raises(ValidationError, match=field):
        call(context, "generate_negatives", **args)


def test_generate_says_why_nothing_applied(context):
    out = call(context, "generate_negatives", caption="Hello.", detail="full")
    assert out.candidates == [] and out.not_applied_total == len(out.not_applied) > 0


# ------------------------------------------------------------------------------------------ filter


def test_filter_free_texts_uses_rules_and_provenance(context):
    gen = call(context, "generate_negatives", caption=CAPTION, operators=["swap"], subtypes=["att"], detail="full")
    swap = gen.candidates[0]
    out = call(context, "filter_candidates", caption=CAPTION, candidates=[
        {"text": swap.text, "provenance": json.dumps(swap.provenance)},
        {"text": "A black dog chasing a white cat on the grass."},
        {"text": "A black dogs chasing a white cat on the grass."},
        {"text": "A cat.", "provenance": "[1, 2]"},
    ])
    by_text = {r.text: r for r in out.results}
    assert by_text[swap.text].passed, by_text[swap.text].fired
    assert by_text[CAPTION].fired[0].startswith("identical")
    assert not by_text["A black dogs chasing a white cat on the grass."].passed
    assert out.failed == ["candidates[3].provenance: a JSON list, expected an object"]
    assert out.plausibility.startswith("on:") and out.passed + out.rejected == 3


def test_filter_stored_ids_stores_verdicts(context):
    from toolkit.evaluation.filters.store import latest_verdicts

    out = call(context, "filter_candidates", candidate_ids=[1, 2, 3])
    assert [r.candidate_id for r in out.results] == [1, 2, 3] and out.filter_run_id
    with context.engine.connect() as conn:
        stored = latest_verdicts(conn, "rules", [1, 2, 3])
    assert {k: v["passed"] for k, v in stored.items()} == {r.candidate_id: r.passed for r in out.results}
    with pytest.raises(ToolInputError, match="no stored candidate with id 99999"):
        call(context, "filter_candidates", candidate_ids=[1, 99999])
    with pytest.raises(ValidationError, match="either caption and candidates, or candidate_ids"):
        call(context, "filter_candidates", caption=CAPTION, candidates=[{"text": "a"}], candidate_ids=[1])


# ------------------------------------------------------------------------------------------ score


def test_score_by_path_and_by_image_id_agree(context, workspace):
    texts = ["A white dog chasing a black cat on the grass.", "A black dog chasing a white horse on the grass."]
    by_path = call(context, "score_candidates", image="img/001.jpg", caption=CAPTION, texts=texts, detail="full")
    by_id = call(context, "score_candidates", image_id=1, caption=CAPTION, texts=texts, detail="full")
    assert by_path.pairs == 2 and by_path.model == "tiny" and by_path.model_id.startswith("hardneg-tiny/")
    assert [r.margin for r in by_path.results] == [r.margin for r in by_id.results]
    for r in by_path.results:
        assert r.margin == pytest.approx(r.pos_sim - r.neg_sim, abs=1e-5) and r.fooled == (r.margin <= 0)
    compact = call(context, "score_candidates", image=str(workspace / "img/001.jpg"), caption=CAPTION, texts=texts)
    assert compact.results[0].pos_sim is None and compact.results[0].margin == by_path.results[0].margin
    with pytest.raises(PathNotAllowed):
        call(context, "score_candidates", image="../outside.jpg", caption=CAPTION, texts=texts)
    with pytest.raises(ToolInputError, match="not configured; choose from tiny"):
        call(context, "score_candidates", image="img/001.jpg", caption=CAPTION, texts=texts, model="ViT-B-32")
    with pytest.raises(ValidationError, match="at most 64"):
        call(context, "score_candidates", image="img/001.jpg", caption=CAPTION, texts=["a cat"] * 65)


# ------------------------------------------------------------------------------------------ sets


def test_set_workflow_matches_stored_results(context, workspace):
    from toolkit.curation.decisions import set_stats

    made = call(context, "create_set", name="dev", operators=["swap"], sample=6, seed=1)
    assert made.items == 6
    assert [s.name for s in call(context, "list_sets").sets] == ["dev"]
    items = call(context, "set_items", name="dev", limit=3)
    assert items.matching == 6 and len(items.items) == 3 and all(i.status == "undecided" for i in items.items)
    first, second, third = items.items
    call(context, "curate_candidate", set_name="dev", candidate_id=first.candidate_id, decision="accept", reason="ok")
    edited = call(context, "curate_candidate", set_name="dev", candidate_id=second.candidate_id, decision="edit",
                  edited_text="A purple dog chasing a white cat.", reason="fix")
    assert edited.edit_candidate_id and edited.progress.startswith("2/6 done")
    call(context, "curate_candidate", set_name="dev", candidate_id=third.candidate_id, decision="reject")
    with pytest.raises(ToolInputError, match="unchanged"):
        call(context, "curate_candidate", set_name="dev", candidate_id=third.candidate_id, decision="edit",
             edited_text=third.negative)
    with pytest.raises(ToolInputError, match="not an item of set"):
        call(context, "curate_candidate", set_name="dev", candidate_id=999999, decision="accept")
    stats = call(context, "set_stats", name="dev", detail="full")
    assert stats.stats == set_stats(context.engine, "dev")
    assert stats.outcomes == {"accept": 1, "edit": 1, "reject": 1, "undecided": 3}
    assert stats.acceptance_rate == pytest.approx(2 / 3, abs=1e-4) and stats.annotators == {"agent": 3}
    assert call(context, "set_items", name="dev", status="undecided").matching == 3
    out = call(context, "export_set", name="dev", format="jsonl", path="exports/dev")
    assert out.items == 2 and out.path == "exports/dev" and (workspace / "exports/dev/README.md").is_file()
    again = call(context, "export_set", name="dev", format="jsonl", path="exports/dev")  # replaces its own export
    assert again.files == out.files
    with pytest.raises(ToolInputError, match="not an earlier export"):
        call(context, "export_set", name="dev", format="csv", path="img")
    for bad in [".", str(workspace), "/tmp/hardneg-export", "../x"]:
        with pytest.raises(PathNotAllowed):
            call(context, "export_set", name="dev", format="csv", path=bad)
    with pytest.raises(ToolInputError, match="no set named 'nope'"):
        call(context, "set_stats", name="nope")


def test_read_only_refuses_writes(workspace, make_context):
    ctx = make_context(workspace, read_only=True)
    before = os.stat(workspace / "hardneg.db").st_mtime_ns
    assert call(ctx, "generate_negatives", caption=CAPTION, n=2).candidates
    assert call(ctx, "filter_candidates", caption=CAPTION, candidates=[{"text": "A cat."}]).plausibility.startswith(
        "on: counts in-memory")
    assert call(ctx, "list_sets").sets == []
    for tool, args in [("create_set", {"name": "x"}), ("filter_candidates", {"candidate_ids": [1]}),
                       ("curate_candidate", {"set_name": "x", "candidate_id": 1, "decision": "accept"}),
                       ("export_set", {"name": "x", "format": "jsonl", "path": "out"})]:
        with pytest.raises(ReadOnlyError, match="read-only mode"):
            call(ctx, tool, **args)
    assert not (workspace / "out").exists()
    assert os.stat(workspace / "hardneg.db").st_mtime_ns == before
    with pytest.raises(ValueError, match="read-only: no database"):
        make_context(workspace / "img", read_only=True)
