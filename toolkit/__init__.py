"""hardneg: compositional hard negatives (SWAP / REPLACE / ADD) for vision-language models."""

__version__ = "0.1.0"
