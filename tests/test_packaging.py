"""hardneg installed as a package: the Alembic migrations (db/) and judge prompts (prompts/) are package data
(`toolkit._db`, `toolkit._prompts`, mapped from the top-level folders by pyproject.toml), found through
importlib.resources in an editable install and shipped in the wheel. `.ci/wheel_check.sh` installs the built
wheel into a fresh environment and runs the commands from an empty directory; this checks the pieces here."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from toolkit.evaluation.filters import prompts
from toolkit.store import db

REPO = Path(__file__).resolve().parents[1]
MAPPED = {"toolkit._db": "db", "toolkit._prompts": "prompts"}


def setuptools_config() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_pyproject_lists_every_package():
    """The package list is explicit (package-dir maps db/ and prompts/ in); a new package must be added to it."""
    cfg = setuptools_config()
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "toolkit").rglob("__init__.py")}
    listed = set(cfg["packages"])
    assert found - listed == set(), f"add to [tool.setuptools] packages in pyproject.toml: {sorted(found - listed)}"
    assert listed - found == {"toolkit.data", *MAPPED, "toolkit._db.versions"}
    assert cfg["package-dir"] == MAPPED
    for folder in MAPPED.values():
        assert (REPO / folder / "__init__.py").is_file()


def test_editable_install_reads_the_top_level_folders():
    for name in MAPPED:
        assert importlib.util.find_spec(name) is not None, (
            f"{name} is unknown to this install: it predates pyproject's package-dir (re-run `make install`)")
    assert db.migrations_dir() == REPO / "db"
    assert prompts.prompts_dir() == REPO / "prompts" == prompts.PROMPTS_DIR
    assert prompts.load_prompt().path == str(REPO / "prompts" / "judge.v1.md")


def test_an_older_editable_install_falls_back_to_the_checkout(monkeypatch):
    def unknown(name):
        raise ModuleNotFoundError(name)

    monkeypatch.setattr(db.resources, "files", unknown)
    assert db.migrations_dir() == REPO / "db"
    assert prompts.prompts_dir() == REPO / "prompts"


def test_missing_migrations_are_named(monkeypatch, tmp_path):
    monkeypatch.setattr(db.resources, "files", lambda name: tmp_path)
    with pytest.raises(RuntimeError, match="migrations not found .*toolkit._db.*reinstall hardneg"):
        db.migrations_dir()


def test_wheel_ships_migrations_and_prompts(tmp_path):
    """Build the wheel from a copy of the sources (no network: the venv's setuptools) and read its file list."""
    pytest.importorskip("build", reason="the dev extra installs `build`")
    src = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.so", "*.pyc", "_native.json")
    for name in ("toolkit", "db", "prompts"):
        shutil.copytree(REPO / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    done = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path / "dist"),
                           str(src)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = (tmp_path / "dist").glob("hardneg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    migrations = {f"toolkit/_db/versions/{p.name}" for p in (REPO / "db" / "versions").glob("*.py")}
    expected = {"toolkit/_db/env.py", "toolkit/_db/script.py.mako", "toolkit/_db/alembic.ini",
                "toolkit/_prompts/judge.v1.md", "toolkit/data/coco_sample.jsonl", "toolkit/text/lexicon/objects.toml",
                "toolkit/text/lexicon/VERSION", "toolkit/faces/cli.py", *migrations}
    assert expected <= names, sorted(expected - names)
    assert not [n for n in names if n.startswith(("db/", "prompts/"))]  # only inside the package
