"""Optional compiled build of the generation hot path, and the switch back to pure Python.

`make compile` compiles the modules in `NATIVE_MODULES` with mypyc
into extension modules next to their sources and records each source's hash in `_native.json`. The
compiled modules produce exactly the same candidates, in about 0.6x the CPU time (docs/BENCHMARKS.md).

Python imports an extension module in preference to a source file of the same name, so a compiled
module whose source has been edited since would silently run the old code. `toolkit/__init__.py`
therefore calls `prefer_sources_if_stale()`: when any source differs from its recorded hash, or when
`HARDNEG_PURE=1` is set, every listed module is imported from its source instead, with a warning for
the stale case. It is all or none, because compiled modules call each other directly rather than
through the module attributes. `make pure` removes the build; `make native-status` says which one runs.

Two habits keep the compiled modules fast. Their module-level constants are declared `Final`: mypyc
keeps a `Final` name in a C variable, while any other module-level name is looked up in the module's
dict at every use (the realiser's article fix alone looked its slot indices up ~650 times a caption).
And their value classes take a hand-written `__init__` (toolkit/text/frozen.py).
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # toolkit/: the build and its manifest live there
MANIFEST = PACKAGE_DIR / "_native.json"
GROUP = "toolkit._native"  # mypyc's shared library: toolkit/_native__mypyc.<abi>.so
# The modules generation spends its time in (parse view, scene, operators, realisation, the caption model).
NATIVE_MODULES = (
    "toolkit.generation.caption_lm",
    "toolkit.text.parse",
    "toolkit.text.scene",
    "toolkit.text.morph",
    "toolkit.generation.realize",
    "toolkit.generation.operators.base",
    "toolkit.generation.operators.sites",
    "toolkit.generation.operators.swap",
    "toolkit.generation.operators.counting",
    "toolkit.generation.operators.replace",
    "toolkit.generation.operators.add",
    "toolkit.generation.operators.neutral",
    "toolkit.generation.operators.moved",
    "toolkit.generation.operators.compose",
    # the lexicon's lookups: operators ask them about 500 times per caption
    "toolkit.text.lexicon._schema",
    "toolkit.text.lexicon._objects",
    "toolkit.text.lexicon._attributes",
    "toolkit.text.lexicon._relations",
    "toolkit.text.lexicon.loader",
)


def source_path(module: str) -> Path:
    return PACKAGE_DIR.parent / (module.replace(".", "/") + ".py")


def extension_paths(module: str) -> list[Path]:
    """Compiled files for a module (any ABI suffix), e.g. toolkit/scene.cpython-311-x86_64-linux-gnu.so."""
    src = source_path(module)
    candidates = (src.with_name(src.stem + suffix) for suffix in importlib.machinery.EXTENSION_SUFFIXES)
    return [p for p in candidates if p.exists()]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def source_digests() -> dict[str, str]:
    return {m: _digest(source_path(m)) for m in NATIVE_MODULES}


def stale_sources(recorded: dict[str, str], current: dict[str, str]) -> list[str]:
    """Modules whose source changed since it was compiled (or that were not compiled at all)."""
    return [m for m in NATIVE_MODULES if recorded.get(m) != current.get(m)]


def compiled() -> bool:
    """True when every listed module has a compiled file next to its source."""
    return all(extension_paths(m) for m in NATIVE_MODULES)


class _SourcesFirst:
    """Meta-path finder that loads the listed modules from their .py files."""

    def find_spec(self, name: str, path=None, target=None):  # noqa: ANN001  (importlib protocol)
        if name not in NATIVE_MODULES:
            return None
        return importlib.util.spec_from_file_location(name, source_path(name))


_FINDER = _SourcesFirst()
_why_sources = ""  # set when the finder is installed: why the compiled build is not in use


def status() -> dict:
    """Whether the compiled build exists and is the one in use, and why not."""
    if not any(extension_paths(m) for m in NATIVE_MODULES):
        return {"compiled": False, "in_use": False, "reason": "not built (make compile)"}
    if _FINDER in sys.meta_path:
        return {"compiled": True, "in_use": False, "reason": _why_sources}
    return {"compiled": True, "in_use": True, "reason": ""}


def prefer_sources_if_stale() -> None:
    """Import the listed modules from source when the compiled build is out of date or not wanted."""
    if not any(extension_paths(m) for m in NATIVE_MODULES):
        return
    global _why_sources
    if os.environ.get("HARDNEG_PURE") == "1":
        reason = "HARDNEG_PURE=1"
    else:
        stale = _out_of_date()
        reason = f"out of date: {stale}" if stale else ""
        if stale:
            warnings.warn(f"hardneg: the compiled build is out of date ({stale}); running the pure-Python "
                          "sources. `make compile` rebuilds it, `make pure` removes it.", RuntimeWarning, stacklevel=2)
    if reason and _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
        _why_sources = reason


def _out_of_date() -> str:
    """Why the compiled build does not match the sources ("" when it does)."""
    try:
        recorded = json.loads(MANIFEST.read_text())
    except (OSError, ValueError):
        recorded = {}
    stale = stale_sources(recorded, source_digests())
    return ", ".join(stale) or ("" if compiled() else "an incomplete build")


def build() -> None:
    """Compile NATIVE_MODULES in place with mypyc (needs the `native` extra: mypy, setuptools, a C compiler)."""
    clean()
    files = [str(source_path(m).relative_to(PACKAGE_DIR.parent)) for m in NATIVE_MODULES]
    before = source_digests()
    script = (
        "import sys; from setuptools import setup; from mypyc.build import mypycify;"
        f"setup(name='hardneg-native', py_modules=[], ext_modules=mypycify("
        f"['--ignore-missing-imports', '--follow-imports=silent', *{files!r}], group_name={GROUP!r}),"
        "script_args=['-q', 'build_ext', '--inplace', '--build-temp', sys.argv[1], '--build-lib', sys.argv[2]])"
    )
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "HARDNEG_PURE": "1"}
        try:
            subprocess.run([sys.executable, "-c", script, f"{tmp}/temp", f"{tmp}/lib"], cwd=PACKAGE_DIR.parent,
                           env=env, check=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            clean()  # no half-built package left behind
            raise SystemExit(f"the compiled build failed ({exc.__class__.__name__}; mypyc's messages are above); "
                             "hardneg runs its pure-Python sources") from exc
    if source_digests() != before:
        clean()
        raise SystemExit("sources changed during the build; run it again")
    MANIFEST.write_text(json.dumps(before, indent=1, sort_keys=True) + "\n")


def clean() -> list[Path]:
    """Remove the compiled modules, mypyc's shared library and the manifest. Returns what was removed."""
    removed = [p for m in NATIVE_MODULES for p in extension_paths(m)]
    removed += [p for p in PACKAGE_DIR.glob("_native__mypyc*") if p.suffix in {".so", ".pyd"}]
    removed += [MANIFEST] if MANIFEST.exists() else []
    for p in removed:
        p.unlink()
    return removed


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args == ["build"]:
        build()
        print(f"compiled {len(NATIVE_MODULES)} modules with mypyc")
    elif args == ["clean"]:
        print(f"removed {len(clean())} files")
    elif args in ([], ["status"]):
        print(json.dumps(status()))
    else:
        raise SystemExit("usage: main([\"build\"]), main([\"clean\"]) or main([\"status\"]) (make compile, make pure, make native-status)")
