"""Agent tools: typed functions (`toolkit.faces.agents.tools`) with three faces — LangChain StructuredTools
(`langchain_tools`), OpenAI strict function schemas (`toolkit.faces.agents.openai_schema`) and an MCP server
(`toolkit.faces.agents.mcp_server`)."""

from __future__ import annotations

from typing import Any

__all__ = ["ToolContext", "langchain_tools"]


def __getattr__(name: str) -> Any:  # lazy: importing the tools must not import LangChain or MCP
    if name == "langchain_tools":
        from toolkit.faces.agents.langchain import langchain_tools

        return langchain_tools
    if name == "ToolContext":
        from toolkit.faces.agents.tools import ToolContext

        return ToolContext
    raise AttributeError(name)
