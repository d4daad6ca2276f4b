"""The OpenAI function schemas: a snapshot (regenerate deliberately with UPDATE_SNAPSHOTS=1), the strict-mode
rules on every object, and `hardneg tools schema` printing the same JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.faces.agents.openai_schema import openai_tools
from toolkit.faces.agents.tools import TOOLS, TOOLS_BY_NAME
from toolkit.faces.cli import main

SNAPSHOT = Path(__file__).parent / "data" / "agents_openai_tools.json"


def test_schemas_match_snapshot():
    current = json.dumps(openai_tools(), indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert SNAPSHOT.exists(), f"{SNAPSHOT} missing: run UPDATE_SNAPSHOTS=1 pytest {__file__}"
    assert json.loads(current) == json.loads(SNAPSHOT.read_text(encoding="utf-8")), (
        "the OpenAI tool schemas changed; if that is intended, regenerate with UPDATE_SNAPSHOTS=1")


def _objects(node, path="$"):
    if isinstance(node, dict):
        if node.get("type") == "object" or "properties" in node:
            yield path, node
        for k, v in node.items():
            yield from _objects(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _objects(v, f"{path}[{i}]")


def _nullable(prop: dict) -> bool:
    t = prop.get("type")
    return (isinstance(t, list) and "null" in t) or any(a.get("type") == "null" for a in prop.get("anyOf", []))


@pytest.mark.parametrize("tool", openai_tools(), ids=lambda t: t["function"]["name"])
def test_strict_mode_rules(tool):
    fn = tool["function"]
    assert tool["type"] == "function" and fn["strict"] is True and fn["description"]
    for path, obj in _objects(fn["parameters"]):
        assert obj["type"] == "object", path
        assert obj["additionalProperties"] is False, path
        assert obj["required"] == list(obj["properties"]), path
    text = json.dumps(fn["parameters"])
    for keyword in ("$ref", "$defs", '"default"', '"title"', "maxLength", "minimum", "maxItems"):
        assert keyword not in text, keyword
    model = TOOLS_BY_NAME[fn["name"]].input
    for name, prop in fn["parameters"]["properties"].items():
        assert prop.get("description"), name
        assert _nullable(prop) == (not model.model_fields[name].is_required()), name


def test_all_null_optionals_validate():
    examples = {"generate_negatives": {"caption": "A dog."}, "filter_candidates": {"candidate_ids": [1]},
                "score_candidates": {"image": "a.jpg", "caption": "A dog.", "texts": ["A cat."]},
                "list_sets": {}, "set_items": {"name": "s"}, "create_set": {"name": "s"},
                "curate_candidate": {"set_name": "s", "candidate_id": 1, "decision": "accept"},
                "export_set": {"name": "s", "format": "jsonl", "path": "out"}, "set_stats": {"name": "s"}}
    assert set(examples) == {t.name for t in TOOLS}
    for spec in TOOLS:
        args = {n: None for n in spec.input.model_fields} | examples[spec.name]
        parsed = spec.input.model_validate(args)
        assert parsed == spec.input.model_validate(examples[spec.name]), spec.name


def test_cli_prints_the_schemas():
    result = CliRunner().invoke(main, ["tools", "schema"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == openai_tools()
    one = CliRunner().invoke(main, ["tools", "schema", "--name", "set_stats"])
    assert [t["function"]["name"] for t in json.loads(one.output)] == ["set_stats"]
    bad = CliRunner().invoke(main, ["tools", "schema", "--name", "rm"])
    assert bad.exit_code == 2 and "choose from" in bad.output
