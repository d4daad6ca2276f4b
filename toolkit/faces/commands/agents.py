"""`hardneg tools schema` (OpenAI function schemas) and `hardneg mcp` (the MCP server): thin wrappers over
toolkit.faces.agents."""

from __future__ import annotations

import json
from pathlib import Path

import click


def register(main: click.Group) -> None:
    """Add `tools` and `mcp` to the `hardneg` group."""
    main.add_command(tools_group)
    main.add_command(mcp_cmd)


@click.group("tools")
def tools_group() -> None:
    """The agent tools (generate, filter, score, sets, curate, export) for LLM agents.

    \b
    Example:
      hardneg tools schema > hardneg-tools.json
    """


@tools_group.command("schema")
@click.option("--name", "names", multiple=True, metavar="TOOL", help="Only this tool (repeatable).")
def tools_schema(names) -> None:
    """Print the OpenAI function-calling schemas (strict mode) of the agent tools as JSON.

    \b
    Example:
      hardneg tools schema --name generate_negatives
    """
    from toolkit.faces.agents.openai_schema import openai_tools
    from toolkit.faces.agents.tools import TOOLS

    unknown = set(names) - {t.name for t in TOOLS}
    if unknown:
        raise click.BadParameter(f"{', '.join(sorted(unknown))}: choose from {', '.join(t.name for t in TOOLS)}",
                                 param_hint="--name")
    click.echo(json.dumps(openai_tools(tuple(t for t in TOOLS if not names or t.name in names)), indent=2,
                          ensure_ascii=False))


@click.command("mcp")
@click.option("--http", is_flag=True, help="Serve streamable HTTP at http://HOST:PORT/mcp instead of stdio.")
@click.option("--host", default="127.0.0.1", show_default=True, help="HTTP: interface to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="HTTP: port.")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True,
              help="Root that every file path a tool receives must stay inside.")
@click.option("--read-only", is_flag=True, help="Refuse writes: no sets, decisions, verdicts or exports.")
@click.option("--model", default=None, metavar="NAME",
              help="open_clip model for score_candidates (ViT-B-32, local-dir:PATH, hf-hub:ORG/REPO); none: no scoring.")
@click.option("--pretrained", default=None, metavar="TAG|FILE", help="Pretrained tag or checkpoint file for --model.")
@click.option("--device", default="auto", show_default=True, metavar="auto|cuda|mps|cpu")
@click.option("--precision", default="auto", show_default=True, metavar="auto|fp32|amp_bf16|amp_fp16")
@click.option("--annotator", envvar="HARDNEG_ANNOTATOR", default="agent", show_default=True,
              help="Name decisions are recorded under when a call names no annotator.")
@click.option("--db", envvar="HARDNEG_DB", default=None, metavar="PATH|URL",
              help="SQLite file or SQLAlchemy URL (default: $HARDNEG_DB, else ./hardneg.db).")
def mcp_cmd(http, host, port, workspace, read_only, model, pretrained, device, precision, annotator, db) -> None:
    """Serve the agent tools over MCP (stdio by default; --http for streamable HTTP).

    \b
    Example:
      hardneg mcp --workspace ~/hardneg-work --db ~/hardneg-work/hardneg.db
      hardneg mcp --http --port 8765 --read-only --model ViT-B-32 --pretrained openai
    """
    from toolkit.faces.agents.mcp_server import serve
    from toolkit.faces.agents.tools import ScorerSpec, ToolContext

    workspace = workspace.expanduser()
    if not workspace.is_dir():
        raise click.BadParameter(f"{workspace} is not a directory", param_hint="--workspace")
    scorers = {model: ScorerSpec(model, pretrained, device, precision)} if model else {}

    def open_context() -> ToolContext:
        return ToolContext.open(db, workspace, read_only=read_only, scorers=scorers, annotator=annotator)

    try:
        open_context().close()  # fail here, with a clear message, rather than inside the server's lifespan
    except (ValueError, RuntimeError) as exc:
        raise click.ClickException(str(exc)) from exc
    serve(open_context, http=http, host=host, port=port)
