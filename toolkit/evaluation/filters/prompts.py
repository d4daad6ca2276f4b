"""Judge prompts: versioned text files in `prompts/`, hashed so that every verdict names its prompt."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

PROMPTS_PACKAGE = "toolkit._prompts"  # the checkout's prompts/ folder, mapped into the package (pyproject.toml)
DEFAULT_PROMPT = "judge.v1.md"


def prompts_dir() -> Path:
    """The prompt files: the package data `toolkit._prompts`, which is a wheel's copy or, through an editable
    install, the checkout's `prompts/`. An editable install made before pyproject.toml mapped `prompts/` into
    the package does not know `toolkit._prompts`; the checkout's `prompts/` beside `toolkit/` serves then."""
    try:
        found = resources.files(PROMPTS_PACKAGE)
    except ModuleNotFoundError:
        found = Path(__file__).resolve().parents[3] / "prompts"
    if not isinstance(found, Path):
        raise RuntimeError(f"prompts must be installed as files, not in an archive ({found})")
    return found


PROMPTS_DIR = prompts_dir()


@dataclass(frozen=True)
class Prompt:
    """A prompt file's text, its version (the file name without `.md`, e.g. "judge.v1") and hash."""

    text: str
    version: str
    hash: str
    path: str


def load_prompt(path: str | Path | None = None) -> Prompt:
    """Load a prompt: a path, or a file name inside `prompts/` (default: the current judge prompt)."""
    p = Path(path) if path else PROMPTS_DIR / DEFAULT_PROMPT
    if not p.is_absolute() and not p.exists():
        p = PROMPTS_DIR / p
    if not p.is_file():
        raise FileNotFoundError(f"{p}: prompt file not found (prompts live in {PROMPTS_DIR})")
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise ValueError(f"{p}: prompt is not valid UTF-8 (byte {exc.start})") from exc
    if not text:
        raise ValueError(f"{p}: prompt file is empty")
    name = p.name[:-3] if p.name.endswith(".md") else p.stem
    return Prompt(text=text, version=name, hash=hashlib.sha256(raw).hexdigest()[:16], path=str(p))
