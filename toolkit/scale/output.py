"""The output folder of a scale-out run: one sub-folder of Parquet files per input shard.

A shard is written into `.staging/<name>/`, moved to `<name>/` when complete, and its `_manifest.json`
(counts, the run's configuration and versions, the first bad records) is written last. A folder with a
manifest is finished: re-running skips it, and a failure elsewhere never touches it.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field

import fsspec

MANIFEST = "_manifest.json"
STAGING = ".staging"
BAD_SHOWN = 20


@dataclass
class ShardResult:
    """How one input shard went: done (now), skipped (finished before) or failed (with the error)."""

    shard: str
    name: str
    status: str
    captions: int = 0
    bad: int = 0
    candidates: int = 0
    seconds: float = 0.0
    error: str | None = None
    bad_examples: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


class OutputDir:
    """Staging, committing and listing shard folders under an output folder (local or fsspec URL)."""

    def __init__(self, output: str, *, create: bool = True) -> None:
        self.fs, self.root = fsspec.core.url_to_fs(output)
        if create:
            self.fs.makedirs(self.root, exist_ok=True)

    def url(self, *parts: str) -> str:
        return self.fs.unstrip_protocol("/".join([self.root.rstrip("/"), *parts]))

    def path(self, *parts: str) -> str:
        return "/".join([self.root.rstrip("/"), *parts])

    def finished(self, name: str) -> bool:
        return self.fs.exists(self.path(name, MANIFEST))

    def staging(self, name: str) -> str:
        """An empty staging folder for shard NAME (what a failed attempt left there is removed)."""
        path = self.path(STAGING, name)
        if self.fs.exists(path):
            self.fs.rm(path, recursive=True)
        self.fs.makedirs(path, exist_ok=True)
        return path

    def discard(self, name: str) -> None:
        path = self.path(STAGING, name)
        if self.fs.exists(path):
            self.fs.rm(path, recursive=True)

    def commit(self, result: ShardResult, run: dict, extra: dict | None = None) -> None:
        """Count what the staging folder holds into RESULT, move it into place, write its manifest last."""
        import pyarrow.parquet as pq

        staged = self.path(STAGING, result.name)
        files = sorted(p for p in self.fs.find(staged) if p.endswith(".parquet"))
        for path in files:
            with self.fs.open(path, "rb") as fh:
                table = pq.read_table(fh, columns=["error", "n_candidates"])
            errors = [e for e in table.column("error").to_pylist() if e is not None]
            result.bad += len(errors)
            result.captions += table.num_rows - len(errors)
            result.candidates += sum(table.column("n_candidates").to_pylist())
            result.bad_examples.extend(errors[: BAD_SHOWN - len(result.bad_examples)])
        final = self.path(result.name)
        if self.fs.exists(final):  # a folder without manifest: an interrupted commit
            self.fs.rm(final, recursive=True)
        self.fs.mv(staged, final, recursive=True)
        manifest = {**result.to_dict(), "run": run, "files": len(files), "written_at": time.time(), **(extra or {})}
        with self.fs.open(self.path(result.name, MANIFEST), "w") as fh:
            json.dump(manifest, fh, indent=2)

    def manifests(self) -> list[tuple[str, dict]]:
        """(folder path, manifest) of every finished shard, by name."""
        out = []
        for path in sorted(self.fs.glob(self.path("*", MANIFEST))):
            with self.fs.open(path, "r") as fh:
                out.append((path.rsplit("/", 1)[0], json.load(fh)))
        return out
