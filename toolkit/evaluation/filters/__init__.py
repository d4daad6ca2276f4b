"""Filters over candidates: offline rules (default), an optional LLM judge, and a text-only bias audit."""
