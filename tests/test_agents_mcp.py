"""The MCP face: an in-process `mcp.Client(server)` lists the tools, calls each one and gets error results for
bad arguments, paths outside the workspace and writes in read-only mode; `hardneg mcp` runs as a subprocess
over stdio and over streamable HTTP."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import anyio
import mcp
from mcp import StdioServerParameters

from toolkit.curation.decisions import set_stats
from toolkit.faces.agents.mcp_server import build_server
from toolkit.faces.agents.tools import TOOLS

pytest_plugins = ["curation_helpers", "agents_helpers"]  # fixtures: workspace, make_context
CAPTION = "A black dog chasing a white cat on the grass."
REPO = Path(__file__).resolve().parents[1]


def run_session(server, script):
    """Run `script(client)` against `server` in-process; returns what it returns."""

    async def main():
        async with mcp.Client(server) as client:
            return await script(client)

    return anyio.run(main)


def text_of(result) -> str:
    return "".join(getattr(c, "text", "") for c in result.content)


def test_mcp_lists_and_calls_every_tool(workspace, make_context):
    opened = []

    def open_context():
        opened.append(make_context(workspace))
        return opened[-1]

    async def script(client):
        listed = (await client.list_tools()).tools
        out = {"tools": {t.name: t for t in listed}}

        async def call(name, args):
            res = await client.call_tool(name, args)
            out.setdefault("calls", []).append(name)
            return res

        gen = await call("generate_negatives", {"caption": CAPTION, "operators": ["replace"], "n": 2, "detail": "full"})
        out["generate"] = gen
        cands = gen.structured_content["candidates"]
        out["filter"] = await call("filter_candidates", {"caption": CAPTION, "candidates": [
            {"text": c["text"], "provenance": json.dumps(c["provenance"])} for c in cands]})
        out["score"] = await call("score_candidates", {"image_id": 1, "caption": CAPTION,
                                                       "texts": [c["text"] for c in cands]})
        out["create"] = await call("create_set", {"name": "mcp-set", "operators": ["add"], "sample": 3})
        out["list"] = await call("list_sets", {"detail": "full"})
        items = await call("set_items", {"name": "mcp-set"})
        first = items.structured_content["items"][0]
        out["curate"] = await call("curate_candidate", {"set_name": "mcp-set", "candidate_id": first["candidate_id"],
                                                        "decision": "reject", "reason": "implausible"})
        out["export"] = await call("export_set", {"name": "mcp-set", "format": "csv", "path": "exports/mcp",
                                                  "status": "all"})
        out["stats"] = await call("set_stats", {"name": "mcp-set"})
        out["errors"] = [
            await client.call_tool("generate_negatives", {"caption": CAPTION, "n": 0}),
            await client.call_tool("generate_negatives", {"caption": CAPTION, "run": "ls"}),
            await client.call_tool("score_candidates", {"image": "/etc/hostname", "caption": CAPTION, "texts": ["x"]}),
            await client.call_tool("export_set", {"name": "mcp-set", "format": "csv", "path": "../../escape"}),
            await client.call_tool("set_stats", {"name": "no-such-set"}),
            await client.call_tool("no_such_tool", {}),
        ]
        out["after_errors"] = await client.call_tool("list_sets", {})
        return out

    out = run_session(build_server(open_context), script)
    tools = out["tools"]
    assert set(tools) == {t.name for t in TOOLS}
    assert tools["generate_negatives"].input_schema["properties"]["caption"]["maxLength"] == 1000
    assert tools["list_sets"].annotations.read_only_hint and not tools["export_set"].annotations.read_only_hint
    assert tools["generate_negatives"].output_schema is not None
    assert not any(r.is_error for k, r in out.items() if k not in {"tools", "calls", "errors", "after_errors"})
    assert len(out["generate"].structured_content["candidates"]) == 2
    assert len(out["filter"].structured_content["results"]) == 2
    assert out["score"].structured_content["pairs"] == 2
    assert out["create"].structured_content["items"] == 3
    assert out["list"].structured_content["sets"][0]["query"]["selection"]["operators"] == ["add"]
    assert out["curate"].structured_content["decision"] == "reject"
    assert (workspace / "exports/mcp/README.md").is_file() and out["export"].structured_content["items"] == 3
    assert out["stats"].structured_content["outcomes"] == set_stats(opened[0].engine, "mcp-set")["outcomes"]
    assert json.loads(text_of(out["stats"]))["name"] == "mcp-set"  # unstructured content mirrors the structure
    errors = out["errors"]
    assert all(r.is_error for r in errors)
    assert "n" in text_of(errors[0]) and "greater than or equal to 1" in text_of(errors[0])
    assert "unknown argument(s) run" in text_of(errors[1])
    assert "outside the workspace" in text_of(errors[2])
    assert "'..' is not allowed" in text_of(errors[3]) and not (workspace.parent.parent / "escape").exists()
    assert "no set named 'no-such-set'" in text_of(errors[4])
    assert not out["after_errors"].is_error  # the server went on after every error


def test_mcp_read_only_errors(workspace, make_context):
    async def script(client):
        return [await client.call_tool("create_set", {"name": "x"}),
                await client.call_tool("export_set", {"name": "x", "format": "jsonl", "path": "out"}),
                await client.call_tool("generate_negatives", {"caption": CAPTION, "n": 1})]

    refused_set, refused_export, allowed = run_session(build_server(lambda: make_context(workspace, read_only=True)),
                                                       script)
    assert refused_set.is_error and "read-only mode: creating a set is not allowed" in text_of(refused_set)
    assert refused_export.is_error and not (workspace / "out").exists()
    assert not allowed.is_error


def test_hardneg_mcp_over_stdio(workspace):
    params = StdioServerParameters(command=sys.executable, args=[
        "-m", "toolkit.faces.cli", "mcp", "--workspace", str(workspace), "--db", str(workspace / "hardneg.db"),
        "--read-only"], cwd=str(REPO))

    async def script(client):
        names = [t.name for t in (await client.list_tools()).tools]
        gen = await client.call_tool("generate_negatives", {"caption": CAPTION, "operators": ["swap"], "n": 2})
        bad = await client.call_tool("curate_candidate", {"set_name": "x", "candidate_id": 1, "decision": "accept"})
        return names, gen, bad

    names, gen, bad = run_session(params, script)
    assert set(names) == {t.name for t in TOOLS}
    assert not gen.is_error and len(gen.structured_content["candidates"]) == 2
    assert bad.is_error and "read-only" in text_of(bad)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_hardneg_mcp_over_streamable_http(workspace):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "toolkit.faces.cli", "mcp", "--http", "--port", str(port),
                             "--workspace", str(workspace), "--db", str(workspace / "hardneg.db")],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)

        async def script(client):
            return await client.call_tool("list_sets", {})

        result = run_session(f"http://127.0.0.1:{port}/mcp", script)
        assert not result.is_error and result.structured_content == {"sets": []}
    finally:
        proc.terminate()
        proc.wait(timeout=20)
