"""What a model string means, and the ids under which scores and embeddings are stored.

A model is named the way open_clip names it:

* a built-in or registered architecture (`ViT-B-32`) with `pretrained` = a tag (`openai`) or a checkpoint file;
* `local-dir:/path` (a folder with `open_clip_config.json` and weights; `pretrained` must be omitted);
* `hf-hub:org/repo` (needs the Hugging Face cache or a network; `pretrained` must be omitted).

The stored id is `ARCH/WEIGHTS@HASH` (or `local-dir:NAME@HASH`, `hf-hub:ORG/REPO@HASH`), where HASH covers
the whole resolved configuration (architecture, QuickGELU, preprocessing, tokenizer, the weights' sha256,
precision): two runs share cached embeddings and comparable scores exactly when they compute the same thing.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SOURCES = ("tag", "file", "local-dir", "hf-hub", "random")

# A random-weights architecture small enough for tests and CPU benchmarks (64-px images, two-layer towers).
TINY_NAME = "hardneg-tiny"
TINY_CONFIG: dict[str, Any] = {
    "embed_dim": 32,
    "vision_cfg": {"image_size": 64, "layers": 2, "width": 64, "head_width": 32, "patch_size": 16},
    "text_cfg": {"context_length": 32, "vocab_size": 49408, "width": 64, "heads": 2, "layers": 2},
}

_registry_dir: Path | None = None


@dataclass(frozen=True)
class ModelSpec:
    """A parsed (model, pretrained) pair: `source` says where the weights come from."""

    model: str
    pretrained: str | None
    schema: str | None  # None | "local-dir" | "hf-hub"
    identifier: str  # the model string without its schema
    source: str  # one of SOURCES

    @property
    def arch(self) -> str:
        """The architecture part of the stored id."""
        if self.schema == "local-dir":
            return f"local-dir:{Path(self.identifier).resolve().name}"
        if self.schema == "hf-hub":
            return f"hf-hub:{self.identifier}"
        return self.identifier.replace("/", "-")

    @property
    def weights_label(self) -> str:
        """A readable name for the weights (the hash in the model id is what identifies them)."""
        if self.source == "tag":
            return str(self.pretrained)
        if self.source == "file":
            return Path(str(self.pretrained)).name
        return self.source


def parse_spec(model: str, pretrained: str | None) -> ModelSpec:
    """Validate a model string and its `pretrained` value; raise ValueError saying what is wrong."""
    import open_clip
    from open_clip.factory import parse_model_name

    if not model or not model.strip():
        raise ValueError("model: empty model name")
    model = model.strip()
    pretrained = pretrained.strip() if isinstance(pretrained, str) and pretrained.strip() else None
    schema, identifier = parse_model_name(model)
    if schema is not None:
        if pretrained is not None:
            raise ValueError(f"pretrained: {model!r} names its own weights; omit pretrained ({pretrained!r})")
        if schema == "local-dir":
            folder = Path(identifier)
            if not (folder / "open_clip_config.json").is_file():
                raise ValueError(f"model: {folder} has no open_clip_config.json (needed by local-dir:)")
        return ModelSpec(model, None, schema, identifier, schema)
    name = identifier.replace("/", "-")
    if open_clip.get_model_config(name) is None:
        raise ValueError(f"model: unknown architecture {model!r}; known: {', '.join(open_clip.list_models()[:12])}, ...")
    if pretrained is None:
        return ModelSpec(model, None, None, identifier, "random")
    if open_clip.is_pretrained_cfg(name, pretrained):
        return ModelSpec(model, pretrained, None, identifier, "tag")
    path = Path(pretrained).expanduser()
    if path.is_file():
        return ModelSpec(model, str(path.resolve()), None, identifier, "file")
    if path.suffix or "/" in pretrained or path.parent != Path("."):
        raise ValueError(f"pretrained: checkpoint file {pretrained!r} not found")
    tags = open_clip.list_pretrained_tags_by_model(name)
    raise ValueError(f"pretrained: {pretrained!r} is neither a tag of {name} ({', '.join(tags) or 'none'}) nor a file")


def config_hash(config: dict) -> str:
    """sha256 of the canonical JSON of the parts of a resolved configuration that change embeddings."""
    keys = ("architecture", "quick_gelu", "preprocess", "tokenizer", "weights_sha256", "precision")
    canonical = json.dumps({k: config.get(k) for k in keys}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def model_id(spec: ModelSpec, config: dict) -> str:
    """The id scores and cached embeddings are stored under: `ARCH/WEIGHTS@HASH12` (`SCHEMA:NAME@HASH12`)."""
    if spec.schema is not None:
        return f"{spec.arch}@{config_hash(config)[:12]}"
    return f"{spec.arch}/{spec.weights_label}@{config_hash(config)[:12]}"


def register_config(name: str, config: dict) -> None:
    """Make an architecture known to open_clip under `name` (written as a JSON file it then scans)."""
    import open_clip

    if not all(k in config for k in ("embed_dim", "vision_cfg", "text_cfg")):
        raise ValueError("config needs embed_dim, vision_cfg and text_cfg")
    global _registry_dir
    if _registry_dir is None:
        _registry_dir = Path(tempfile.mkdtemp(prefix="hardneg-open-clip-configs-"))
    path = _registry_dir / f"{name}.json"
    path.write_text(json.dumps(config))
    open_clip.add_model_config(path)


def register_tiny() -> str:
    """Register the random-weights TINY_CONFIG architecture (for tests and benchmarks); returns its name."""
    import open_clip

    if open_clip.get_model_config(TINY_NAME) is None:
        register_config(TINY_NAME, TINY_CONFIG)
    return TINY_NAME
