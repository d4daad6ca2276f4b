"""The agent tools as LangChain StructuredTools over one ToolContext.

A tool's message content is its output as compact JSON; the pydantic output model rides along as the
message artifact. Errors the model can correct (bad arguments, paths outside the workspace, writes in
read-only mode) come back as the tool message `Error: ...` instead of stopping the agent.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from langchain_core.tools import StructuredTool, ToolException
from pydantic import BaseModel

from toolkit.faces.agents.tools import TOOLS, ToolContext, ToolSpec

log = logging.getLogger(__name__)


def to_json(out: BaseModel) -> str:
    """An output model as compact JSON, without the fields that compact mode leaves empty."""
    return json.dumps(out.model_dump(mode="json", exclude_none=True), ensure_ascii=False, separators=(",", ":"))


def _runner(spec: ToolSpec, context: ToolContext):
    def run(**kwargs: Any) -> tuple[str, BaseModel]:
        try:
            out = spec.run(context, kwargs)
        except (ValueError, FileNotFoundError) as exc:  # ToolInputError and pydantic's ValidationError included
            raise ToolException(str(exc)) from exc
        except Exception as exc:  # an unexpected failure still reaches the agent as an error, not a crash
            log.exception("tool %s failed", spec.name)
            raise ToolException(f"{spec.name} failed: {type(exc).__name__}: {exc}") from exc
        return to_json(out), out

    return run


def _error(exc: ToolException) -> str:
    return f"Error: {exc}"


def langchain_tools(context: ToolContext, names: list[str] | None = None) -> list[StructuredTool]:
    """StructuredTools for every agent tool (or those in `names`), bound to `context`."""
    unknown = set(names or ()) - {t.name for t in TOOLS}
    if unknown:
        raise ValueError(f"unknown tool(s) {sorted(unknown)}; choose from {[t.name for t in TOOLS]}")
    return [
        StructuredTool.from_function(
            func=_runner(spec, context), name=spec.name, description=spec.description, args_schema=spec.input,
            infer_schema=False, response_format="content_and_artifact",
            handle_tool_error=_error, handle_validation_error=lambda e: f"Error: invalid arguments: {e}",
        )
        for spec in TOOLS if names is None or spec.name in names
    ]
