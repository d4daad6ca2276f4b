"""toolkit's own imports form no circle: the source of every module is parsed (nothing is imported) and the
graph of its `toolkit.*` imports is searched for cycles. Imports only a type checker reads
(`if TYPE_CHECKING:`) are left out. Two graphs: what runs when a module is imported (module level), and
every import, also those inside functions (run on first use); the circles known today are listed below
with why, so a new one fails here."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# `toolkit.store.models` imports each feature's table module at its bottom so that SQLModel.metadata holds every
# table (docs/CONVENTIONS.md), and those modules import models for the tables they refer to. These edges
# are the store's registry, not a layering mistake; no other edge may close a circle.
REGISTRY_EDGES = {("toolkit.store.models", m) for m in ("toolkit.store.scores", "toolkit.store.verdicts",
                                                           "toolkit.store.curation")}

# Circles closed only by an import inside a function, each with why it stays (none today: a new one fails here).
KNOWN_LAZY: set[tuple[str, str]] = set()

# The flow, bottom up: a package imports only from its own layer or below (faces -> workflow -> core -> store/text).
LAYERS = {"store": 0, "text": 0, "data": 0, "generation": 1, "evaluation": 2, "curation": 3, "scale": 3, "faces": 4}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / "toolkit").rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(node: ast.AST, *, lazy: bool):
    """Import statements under `node`; with lazy=False only those that run when the module is imported."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        elif isinstance(child, ast.If) and _type_checking(child.test):
            for stmt in child.orelse:
                yield from _imports(ast.Module(body=[stmt], type_ignores=[]), lazy=lazy)
        elif lazy or not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _imports(child, lazy=lazy)


def graph(*, lazy: bool) -> dict[str, set[str]]:
    mods = modules()
    edges: dict[str, set[str]] = {}
    for name, path in mods.items():
        deps: set[str] = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _imports(ast.parse(path.read_text(encoding="utf-8")), lazy=lazy):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            for target in targets:
                while target and target not in mods:  # `import toolkit.x.y` of a name inside a module
                    target = target.rpartition(".")[0]
                if target.startswith("toolkit") and target != name:
                    deps.add(target)
        edges[name] = deps
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _describe(edges: dict[str, set[str]], component: list[str]) -> str:
    members = set(component)
    return "; ".join(f"{m} -> {', '.join(sorted(edges[m] & members))}" for m in component)


def _without(edges: dict[str, set[str]], removed: set[tuple[str, str]]) -> dict[str, set[str]]:
    return {m: {d for d in deps if (m, d) not in removed} for m, deps in edges.items()}


def test_the_walker_sees_known_imports():
    top, every = graph(lazy=False), graph(lazy=True)
    assert "toolkit.text.records" in top["toolkit.curation.formats.jsonl"]  # from toolkit.text.records import BadRecord
    assert "toolkit.store.verdicts" in top["toolkit.store.models"]  # bottom import list
    assert "toolkit.text.scene" not in top["toolkit.text.parse"]  # inside a property, and under TYPE_CHECKING
    assert "toolkit.text.scene" in every["toolkit.text.parse"]
    assert "toolkit.text.parse" not in every["toolkit.text.scene"]  # only under TYPE_CHECKING
    assert "toolkit.faces.commands.curation" in every["toolkit.faces.cli"]  # _register_features
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_at_import_time():
    edges = _without(graph(lazy=False), REGISTRY_EDGES)
    found = cycles(edges)
    assert not found, "import circles (module level): " + " | ".join(_describe(edges, c) for c in found)


def test_no_new_import_cycle_through_lazy_imports():
    edges = _without(graph(lazy=True), REGISTRY_EDGES | KNOWN_LAZY)
    found = cycles(edges)
    assert not found, "import circles (imports inside functions included): " + " | ".join(
        _describe(edges, c) for c in found)


def test_commands_do_not_import_cli():
    """Shared options live in toolkit/faces/commands/options.py: no command module imports the CLI group."""
    edges = graph(lazy=True)
    importers = sorted(m for m, deps in edges.items()
                       if m.startswith("toolkit.faces.commands.") and "toolkit.faces.cli" in deps)
    assert not importers, importers


def test_imports_point_down_the_flow():
    """Every package of toolkit/ is in LAYERS, and no module imports from a package of a higher layer."""
    edges = graph(lazy=True)
    packages = {p.name for p in (ROOT / "toolkit").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages == set(LAYERS) - {"data"}, sorted(packages ^ (set(LAYERS) - {"data"}))
    layer = lambda m: LAYERS.get(m.split(".")[1], -1) if m.count(".") else 5  # noqa: E731  (toolkit itself: top)
    upward = sorted((m, d) for m, deps in edges.items() for d in deps if d.count(".") and layer(d) > layer(m))
    assert not upward, upward


def test_only_packages_at_the_top():
    """toolkit/ holds packages only (and its own __init__): the flow is visible from the tree."""
    loose = sorted(p.name for p in (ROOT / "toolkit").glob("*.py") if p.name != "__init__.py")
    assert not loose, loose


def test_formats_do_not_import_ingest():
    edges = graph(lazy=True)
    assert not [m for m, deps in edges.items() if m.startswith("toolkit.curation.formats") and "toolkit.text.ingest" in deps]


def test_python_m_toolkit_cli_registers_every_command():
    """`python -m toolkit.faces.cli` (the MCP and terminal tests start it so) runs toolkit.faces.cli's own group: a command
    module that imports toolkit.faces.cli must not meet a half-initialised second copy of it."""
    import subprocess
    import sys

    from toolkit.faces.cli import main

    done = subprocess.run([sys.executable, "-m", "toolkit.faces.cli", "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    listed = {line.split()[0] for line in done.stdout.split("Commands:", 1)[1].splitlines() if line.strip()}
    assert listed == set(main.commands)
