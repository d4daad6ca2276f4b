"""Faces: how people and agents reach hardneg. The `hardneg` CLI (cli, commands), the quickstart, terminal
display helpers, and the agent tools (LangChain, MCP). Thin wrappers over the packages below."""
