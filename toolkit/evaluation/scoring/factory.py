"""`create_scorer`: an open_clip model on the best device, with its resolved configuration recorded.

The configuration is read back from the built model, not from the request: which activation the
text and image towers really use (QuickGELU or GELU), the preprocessing the model carries, the
tokenizer, and the sha256 of the weights. A tag trained with QuickGELU (e.g. `openai`) gets QuickGELU
even on an architecture name without `-quickgelu`, because a silently different activation changes scores.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from importlib import metadata
from pathlib import Path
from typing import Any

import torch

from toolkit.evaluation.scoring.cache import EmbeddingCache, MemoryCache, file_hash
from toolkit.evaluation.scoring.encode import Encoder
from toolkit.evaluation.scoring.registry import ModelSpec, model_id, parse_spec
from toolkit.evaluation.scoring.scorer import Scorer

log = logging.getLogger(__name__)

DEVICES = ("auto", "cuda", "mps", "cpu")
PRECISIONS = ("auto", "fp32", "amp_bf16", "amp_fp16")
_PRECISION_ALIASES = {"bf16": "amp_bf16", "fp16": "amp_fp16", "float32": "fp32"}


def resolve_device(device: str = "auto") -> str:
    """`auto`: CUDA, then MPS, then CPU. An explicit device that is not available is an error."""
    device = (device or "auto").lower()
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if device == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    kind = device.split(":")[0]
    if kind not in DEVICES:
        raise ValueError(f"device: {device!r} is not one of {', '.join(DEVICES)} (or cuda:N)")
    if (kind == "cuda" and not cuda) or (kind == "mps" and not mps):
        raise ValueError(f"device: {device!r} is not available on this machine")
    return device


def resolve_precision(precision: str, device: str) -> str:
    """`auto`: bf16 autocast on CUDA (fp16 where bf16 is unsupported), fp32 elsewhere."""
    precision = _PRECISION_ALIASES.get((precision or "auto").lower(), (precision or "auto").lower())
    if precision not in PRECISIONS:
        raise ValueError(f"precision: {precision!r} is not one of {', '.join(PRECISIONS)}")
    if precision != "auto":
        return precision
    if device.startswith("cuda"):
        return "amp_bf16" if torch.cuda.is_bf16_supported() else "amp_fp16"
    return "fp32"


def state_dict_sha256(model: torch.nn.Module) -> str:
    """sha256 over every tensor of the state dict (names, dtypes, shapes and bytes), in name order."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        t = tensor.detach().cpu().contiguous()
        digest.update(f"{name}|{t.dtype}|{tuple(t.shape)}\n".encode())
        digest.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def _architecture_config(spec: ModelSpec, cache_dir: str | None) -> dict:
    import open_clip

    if spec.schema == "local-dir":
        return json.loads((Path(spec.identifier) / "open_clip_config.json").read_text())["model_cfg"]
    if spec.schema == "hf-hub":
        from open_clip.factory import _get_hf_config

        return _get_hf_config(spec.identifier, cache_dir=cache_dir)["model_cfg"]
    return open_clip.get_model_config(spec.identifier.replace("/", "-"))


def _weights_file(spec: ModelSpec) -> str | None:
    if spec.source == "file":
        return spec.pretrained
    if spec.source == "local-dir":
        from open_clip.factory import _find_checkpoint_in_dir

        return _find_checkpoint_in_dir(Path(spec.identifier))
    return None


def _wants_quick_gelu(spec: ModelSpec, arch_cfg: dict, quick_gelu: bool | None) -> tuple[bool, str]:
    """(force QuickGELU?, why) — an explicit choice wins, else what the pretrained tag was trained with."""
    import open_clip

    if quick_gelu is not None:
        return quick_gelu and not arch_cfg.get("quick_gelu", False), "requested"
    if spec.source == "tag":
        tag_cfg = open_clip.get_pretrained_cfg(spec.identifier.replace("/", "-"), spec.pretrained)
        if tag_cfg.get("quick_gelu", False) and not arch_cfg.get("quick_gelu", False):
            return True, f"pretrained tag {spec.pretrained!r} was trained with QuickGELU"
    return False, "architecture config"


def _uses_quick_gelu(model: torch.nn.Module) -> bool:
    from open_clip.transformer import QuickGELU

    return any(isinstance(m, QuickGELU) for m in model.modules())


def _tokenizer_info(tokenizer: Any, arch_cfg: dict) -> dict:
    text_cfg = arch_cfg.get("text_cfg", {})
    return {
        "class": type(tokenizer).__name__,
        "context_length": getattr(tokenizer, "context_length", None),
        "hf_tokenizer_name": text_cfg.get("hf_tokenizer_name") or None,
    }


def _versions() -> dict:
    out = {"torch": torch.__version__}
    for dist in ("open_clip_torch", "hardneg"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def load_model(spec: ModelSpec, *, precision: str, quick_gelu: bool | None = None,
               cache_dir: str | None = None) -> tuple[torch.nn.Module, Any, Any, dict]:
    """Build the model on the CPU; return (model, preprocess, tokenizer, resolved configuration)."""
    import open_clip

    arch_cfg = _architecture_config(spec, cache_dir)
    force_qg, qg_reason = _wants_quick_gelu(spec, arch_cfg, quick_gelu)
    model, _, preprocess = open_clip.create_model_and_transforms(
        spec.model,
        pretrained=spec.pretrained,
        precision="fp32",  # autocast handles reduced precision; weights stay fp32
        device="cpu",
        force_quick_gelu=force_qg,
        pretrained_text=False,  # never fetch separate text-tower weights: a full CLIP checkpoint or nothing
        cache_dir=cache_dir,
    )
    tokenizer = open_clip.get_tokenizer(spec.model, cache_dir=cache_dir)
    pp = open_clip.get_model_preprocess_cfg(model)
    weights_file = _weights_file(spec)
    if weights_file is not None:
        sha, hash_of = file_hash(weights_file), "file"
    else:
        sha, hash_of = state_dict_sha256(model), "state_dict"
    used_qg = _uses_quick_gelu(model)
    if quick_gelu is not None and used_qg != quick_gelu:
        raise ValueError(f"quick_gelu: requested {quick_gelu} but {spec.model} is built with QuickGELU={used_qg}")
    config = {
        "model": spec.model,
        "pretrained": spec.weights_label if spec.source == "file" else spec.pretrained,
        "weights_source": spec.source,
        "architecture": arch_cfg,
        "quick_gelu": used_qg,
        "quick_gelu_reason": qg_reason if force_qg else "architecture config",
        "preprocess": {k: list(v) if isinstance(v, tuple) else v for k, v in sorted(pp.items())},
        "image_size": pp.get("size"),
        "mean": list(pp.get("mean", ())),
        "std": list(pp.get("std", ())),
        "tokenizer": _tokenizer_info(tokenizer, arch_cfg),
        "weights_sha256": sha,
        "weights_hash_of": hash_of,
        "weights_path": str(weights_file) if weights_file else None,
        "precision": precision,
        "versions": _versions(),
    }
    config = json.loads(json.dumps(config, default=str))  # what is stored is what is hashed and returned
    if spec.source == "random":
        log.warning("scoring with randomly initialised weights (no pretrained given) for %s", spec.model)
    return model, preprocess, tokenizer, config


def create_scorer(model: str, pretrained: str | None = None, device: str = "auto", precision: str = "auto", *,
                  batch_size: int = 64, num_workers: int | None = None, cache: EmbeddingCache | None = None,
                  quick_gelu: bool | None = None, cache_dir: str | None = None, hash_threads: int = 4) -> Scorer:
    """A Scorer over an open_clip model.

    model/pretrained: `ViT-B-32` + tag or checkpoint file, or `local-dir:PATH` / `hf-hub:ORG/REPO` alone.
    device: auto|cuda|mps|cpu; precision: auto|fp32|amp_bf16|amp_fp16. batch_size applies to images and texts;
    num_workers decode images in DataLoader workers (0 decodes in this process; default min(4, CPUs)).
    cache defaults to memory.
    """
    if num_workers is None:
        num_workers = min(4, os.cpu_count() or 1)
    spec = parse_spec(model, pretrained)
    dev = resolve_device(device)
    prec = resolve_precision(precision, dev)
    net, preprocess, tokenizer, config = load_model(spec, precision=prec, quick_gelu=quick_gelu, cache_dir=cache_dir)
    net = net.to(dev)
    encoder = Encoder(net, preprocess, tokenizer, device=dev, precision=prec, batch_size=batch_size,
                      num_workers=num_workers)
    return Scorer(model_id(spec, config), config, encoder, cache if cache is not None else MemoryCache(),
                  hash_threads=hash_threads)
