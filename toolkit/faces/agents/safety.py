"""What an agent may touch: paths confined to a workspace root, a read-only switch, and input size bounds.

Paths are checked twice: lexically (no `..` component, no NUL, an absolute path must lie under the root) and
after resolving symlinks (the real target must still lie under the real root), so a link inside the
workspace that points out of it is refused as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath


class ToolInputError(ValueError):
    """A tool call an agent can correct: bad arguments, a path outside the workspace, a write when read-only."""


class PathNotAllowed(ToolInputError):
    """A path outside the workspace root (or one that escapes it through `..` or a symlink)."""


class ReadOnlyError(ToolInputError):
    """A write attempted while the tools run read-only."""


@dataclass(frozen=True)
class Limits:
    """Upper bounds on what one tool call may ask for (the pydantic input models enforce the same numbers)."""

    caption_chars: int = 1000
    texts: int = 64
    candidates: int = 100
    ids: int = 1000
    page: int = 200


LIMITS = Limits()


def confine(root: Path, user_path: str, *, must_exist: bool = False, field: str = "path") -> Path:
    """The real path of `user_path` (relative to `root`, or absolute inside it), or PathNotAllowed.

    Refused: empty paths, NUL bytes, any `..` component, absolute paths outside `root`, and paths whose
    resolved target (symlinks followed) is outside the resolved `root`.
    """
    if not isinstance(user_path, str) or not user_path.strip():
        raise PathNotAllowed(f"{field}: empty path")
    if "\x00" in user_path:
        raise PathNotAllowed(f"{field}: NUL byte in path")
    pure = PurePath(user_path)
    if ".." in pure.parts:
        raise PathNotAllowed(f"{field}: '..' is not allowed in paths ({user_path!r})")
    real_root = Path(root).resolve()
    candidate = Path(user_path).expanduser() if user_path.startswith("~") else Path(user_path)
    if candidate.is_absolute():
        if not _inside(candidate, Path(root).absolute()) and not _inside(candidate, real_root):
            raise PathNotAllowed(f"{field}: {user_path!r} is outside the workspace {real_root}")
    else:
        candidate = real_root / candidate
    real = candidate.resolve(strict=False)
    if not _inside(real, real_root):
        raise PathNotAllowed(f"{field}: {user_path!r} resolves to {real}, outside the workspace {real_root}")
    if must_exist and not real.exists():
        raise ToolInputError(f"{field}: {user_path!r} does not exist in the workspace")
    return real


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def check_export_target(root: Path, out: Path) -> None:
    """An export replaces its folder: refuse the workspace root itself, its ancestors, a file, and a folder
    that is not an earlier export (one without the dataset card README.md)."""
    real_root = Path(root).resolve()
    if out == real_root or out in real_root.parents:
        raise PathNotAllowed("path: an export needs its own folder inside the workspace, not the workspace itself")
    if out.exists() and not out.is_dir():
        raise ToolInputError(f"path: {out.relative_to(real_root)} is a file; an export writes a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "README.md").is_file():
        raise ToolInputError(f"path: {out.relative_to(real_root)} holds files that are not an earlier export; "
                             "choose a new folder (an export replaces its folder)")
