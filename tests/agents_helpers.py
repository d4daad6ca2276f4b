"""Set-up shared by the agent tool tests (loaded with `pytest_plugins`): a workspace holding a copy of the
curation test database (real generated candidates), images for its captions, and the tiny open_clip model
registered at test time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from toolkit.evaluation.scoring.registry import register_tiny
from toolkit.faces.agents.tools import ScorerSpec, ToolContext


def write_caption_images(workspace: Path) -> list[Path]:
    """The images the template database's captions name (img/001.jpg ...), as synthetic pictures."""
    from curation_helpers import CAPTIONS  # imported here: the test modules load this file as a plugin

    rng = np.random.default_rng(0)
    paths = []
    for _caption, rel in CAPTIONS:
        path = workspace / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 256, size=(48, 64, 3), dtype=np.uint8)).save(path)
        paths.append(path)
    return paths


@pytest.fixture(scope="session")
def tiny_ckpt(tmp_path_factory) -> Path:
    from scoring_helpers import tiny_checkpoint

    return tiny_checkpoint(tmp_path_factory.mktemp("agents-model") / "tiny.pt")


@pytest.fixture
def workspace(tmp_path, template_db) -> Path:
    from curation_helpers import copy_db

    ws = tmp_path / "ws"
    ws.mkdir()
    copy_db(template_db, ws / "hardneg.db")
    write_caption_images(ws)
    return ws


def open_context(workspace: Path, nlp, ckpt: Path, *, read_only: bool = False) -> ToolContext:
    scorers = {"tiny": ScorerSpec(register_tiny(), str(ckpt), "cpu", "fp32")}
    return ToolContext.open(f"sqlite:///{workspace / 'hardneg.db'}", workspace, read_only=read_only,
                            scorers=scorers, nlp_loader=lambda: nlp)


@pytest.fixture
def make_context(nlp, tiny_ckpt):
    """make_context(workspace, read_only=False) -> a ToolContext over the workspace's database, closed at the end."""
    opened = []

    def make(workspace: Path, *, read_only: bool = False) -> ToolContext:
        opened.append(open_context(workspace, nlp, tiny_ckpt, read_only=read_only))
        return opened[-1]

    yield make
    for ctx in opened:
        ctx.close()


@pytest.fixture
def context(workspace, make_context) -> ToolContext:
    return make_context(workspace)
