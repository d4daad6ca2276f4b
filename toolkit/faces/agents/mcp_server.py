"""The agent tools as an MCP server (mcp 2.x `MCPServer`), over stdio or streamable HTTP.

The server's lifespan opens the database and owns the ToolContext (and so every model a tool loads); it
closes them when the server stops. Each tool's arguments are its input model's fields, so the MCP input
schema matches the LangChain and OpenAI faces; a tool's error comes back as an error result.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from toolkit.faces.agents.tools import TOOLS, ToolContext, ToolSpec

INSTRUCTIONS = (
    "hardneg makes and curates compositional hard negatives for vision-language models. generate_negatives "
    "edits one caption; filter_candidates judges negatives with offline rules; score_candidates asks a CLIP model "
    "which negatives fool it; list_sets, set_items, create_set, curate_candidate, set_stats and export_set work "
    "on stored benchmark sets. Outputs are compact unless you pass detail='full'. File paths are relative to "
    "the server's workspace."
)


def _tool_function(spec: ToolSpec) -> Callable[..., Any]:
    """An async function whose signature is the input model's fields (plus the MCP context)."""

    async def call(ctx: Context, **kwargs: Any) -> Any:
        context: ToolContext = ctx.request_context.lifespan_context
        raw = (ctx.request_context.params or {}).get("arguments") or {}
        if unknown := sorted(set(raw) - set(spec.input.model_fields)):  # the SDK would drop them silently
            raise ToolError(f"unknown argument(s) {', '.join(unknown)}; {spec.name} takes "
                            f"{', '.join(spec.input.model_fields)}")
        try:
            return await anyio.to_thread.run_sync(spec.run, context, kwargs)
        except (ValueError, FileNotFoundError) as exc:  # ToolInputError, pydantic's ValidationError
            raise ToolError(str(exc)) from exc

    params = [inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)]
    for name, field in spec.input.model_fields.items():
        default = inspect.Parameter.empty if field.is_required() else field.default
        params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                        annotation=Annotated[(field.annotation, *field.metadata,
                                                              Field(description=field.description))]))
    call.__signature__ = inspect.Signature(params, return_annotation=spec.output)  # type: ignore[attr-defined]
    call.__annotations__ = {"ctx": Context, "return": spec.output}
    call.__name__ = spec.name
    call.__doc__ = spec.description
    return call


def build_server(open_context: Callable[[], ToolContext], *, name: str = "hardneg") -> MCPServer:
    """An MCPServer whose lifespan calls `open_context()` at start and closes the context at stop."""

    @asynccontextmanager
    async def lifespan(_server: MCPServer) -> AsyncIterator[ToolContext]:
        context = await anyio.to_thread.run_sync(open_context)
        try:
            yield context
        finally:
            context.close()

    server = MCPServer(name, instructions=INSTRUCTIONS, lifespan=lifespan, log_level="WARNING")
    for spec in TOOLS:
        server.add_tool(_tool_function(spec), name=spec.name, description=spec.description,
                        annotations=ToolAnnotations(read_only_hint=not spec.writes,
                                                    destructive_hint=spec.name == "export_set",
                                                    open_world_hint=False),
                        structured_output=True)
    return server


def serve(open_context: Callable[[], ToolContext], *, http: bool = False, host: str = "127.0.0.1",
          port: int = 8000) -> None:
    """Run the server: stdio by default, streamable HTTP at http://HOST:PORT/mcp with `http`."""
    server = build_server(open_context)
    if http:
        server.run("streamable-http", host=host, port=port)
    else:
        server.run("stdio")
