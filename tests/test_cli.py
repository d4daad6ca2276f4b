import json

import pytest
from click.testing import CliRunner

from toolkit.faces.cli import main


@pytest.fixture
def runner():
    return CliRunner()


@pytest.mark.parametrize("command", ["ingest", "generate", "negatives", "export", "stats", "quickstart"])
def test_every_command_has_help_with_an_example(runner, command):
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output


def test_negatives_json_without_a_database(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["negatives", "A black dog chasing a white cat.", "--operators", "swap", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    texts = {c["text"] for c in data["candidates"]}
    assert "A white dog chasing a black cat." in texts
    assert "A white cat chasing a black dog." in texts
    assert all(c["operator"] == "swap" for c in data["candidates"])
    assert not (tmp_path / "hardneg.db").exists()


def test_negatives_rejects_bad_arguments(runner):
    assert runner.invoke(main, ["negatives", "   "]).exit_code != 0
    bad = runner.invoke(main, ["negatives", "a dog", "--operators", "swap,blend"])
    assert bad.exit_code == 2 and "blend" in bad.output


def test_negatives_says_why_nothing_applies(runner):
    result = runner.invoke(main, ["negatives", "Hello.", "--json"])
    data = json.loads(result.output)
    assert data["candidates"] == []
    assert {s["operator"] for s in data["skipped"]} == {"swap", "replace", "add"}
    assert all(s["reason"] for s in data["skipped"])


def test_ingest_generate_stats_export(runner, tmp_path, captions_file):
    db = str(tmp_path / "cli.db")
    ing = runner.invoke(main, ["ingest", str(captions_file), "--db", db, "--json"])
    assert ing.exit_code == 0, ing.output
    report = json.loads(ing.stdout)
    assert report["inserted"] == 6 and report["skipped"] == 4
    assert "line 3" in ing.stderr
    gen = runner.invoke(main, ["generate", "--db", db, "--json", "--max-candidates", "10"])
    assert gen.exit_code == 0, gen.output
    run = json.loads(gen.stdout)
    assert run["captions"] == 6 and run["candidates"] > 0
    stats = json.loads(runner.invoke(main, ["stats", "--db", db, "--json"]).stdout)
    assert stats["candidates"] == run["candidates"]
    assert {r["operator"] for r in stats["by_operator"]} == {"swap", "replace", "add"}
    out = tmp_path / "neg.jsonl"
    exp = runner.invoke(main, ["export", str(out), "--db", db])
    assert exp.exit_code == 0, exp.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == run["candidates"]
    assert all(line["provenance"]["edits"] and line["negative"] != line["caption"] for line in lines)


def test_generate_workers_option(runner, tmp_path, captions_file):
    db = str(tmp_path / "w.db")
    runner.invoke(main, ["ingest", str(captions_file), "--db", db, "--json"])
    assert runner.invoke(main, ["generate", "--db", db, "--workers", "-1"]).exit_code == 2
    gen = runner.invoke(main, ["generate", "--db", db, "--json", "--workers", "0"])
    assert gen.exit_code == 0, gen.output
    assert json.loads(gen.stdout)["captions"] == 6


def test_quickstart_on_a_small_sample(runner, tmp_path):
    sample = tmp_path / "s.jsonl"
    sample.write_text("\n".join(json.dumps({"caption": c}) for c in [
        "A black dog chasing a white cat.", "Two men riding horses on a beach.", "A red bus parked next to a tree."]))
    db = str(tmp_path / "q.db")
    result = runner.invoke(main, ["quickstart", "--db", db, "--sample", str(sample)])
    assert result.exit_code == 0, result.output
    assert "Example negatives" in result.output and "swap" in result.output
    again = runner.invoke(main, ["quickstart", "--db", db, "--sample", str(sample)])
    assert "0 new candidates" in again.output


def test_start_up_names_match_the_implementations():
    """The CLI takes these from toolkit.generation.names so that `hardneg --help` does not load spaCy or torch."""
    from toolkit.curation.formats.setio import FORMATS
    from toolkit.generation.names import FORMAT_NAMES, OPERATOR_NAMES, SUBTYPES
    from toolkit.generation.operators import OPERATORS
    from toolkit.generation.operators.base import SUBTYPES as OPERATOR_SUBTYPES

    assert tuple(FORMATS) == FORMAT_NAMES
    assert tuple(OPERATORS) == OPERATOR_NAMES and OPERATOR_SUBTYPES == SUBTYPES
