"""hardneg: compositional hard negatives (SWAP / REPLACE / ADD) for vision-language models."""

__version__ = "0.1.0"

from toolkit.generation.native import prefer_sources_if_stale  # noqa: E402

prefer_sources_if_stale()  # a compiled build (make compile) is used only while it matches the sources
