"""OpenAI function-calling schemas of the agent tools, in strict mode.

Strict mode accepts a subset of JSON Schema: every object has `additionalProperties: false` and lists every
property as required, so an optional argument becomes nullable (null means its default, see
`toolkit.faces.agents.models.ToolInput`). References are inlined, and keywords outside the subset (titles,
defaults, length and range bounds) are dropped; the bounds are written into the description instead and
still enforced when the tool validates its input.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

from toolkit.faces.agents.tools import TOOLS, ToolSpec

_BOUNDS = {"minLength": "at least {} characters", "maxLength": "at most {} characters", "minimum": ">= {}",
           "maximum": "<= {}", "exclusiveMinimum": "> {}", "exclusiveMaximum": "< {}", "minItems": "at least {} items",
           "maxItems": "at most {} items"}
_DROP = {"title", "default", "examples", *_BOUNDS}


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The strict-mode parameters schema of a pydantic input model."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})
    return _strict(_inline(schema, defs))


def _inline(node: Any, defs: dict) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            target = copy.deepcopy(defs[node["$ref"].rsplit("/", 1)[-1]])
            extra = {k: v for k, v in node.items() if k != "$ref"}
            return _inline({**target, **extra}, defs)
        return {k: _inline(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def _bounds_note(node: dict, description: str) -> str:
    """Bounds of `node` the description does not state already (a number it names counts as stated)."""
    notes = []
    for k, fmt in _BOUNDS.items():
        if k not in node or str(node[k]) in description:
            continue
        notes.append("non-empty" if (k, node[k]) in {("minLength", 1), ("minItems", 1)} else fmt.format(node[k]))
    return ", ".join(notes)


def _strict(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    desc = node.get("description", "")
    parts = [node, *(a for a in node.get("anyOf", []) if isinstance(a, dict))]
    notes = [n for n in (_bounds_note(p, desc) for p in parts) if n]
    out = {k: v for k, v in node.items() if k not in _DROP}
    if notes and "description" in out:
        out["description"] = f"{out['description'].rstrip('.')} ({'; '.join(notes)})."
    if "anyOf" in out:
        out["anyOf"] = [_strict(a) for a in out["anyOf"]]
    if "items" in out:
        out["items"] = _strict(out["items"])
    if out.get("type") == "object" or "properties" in out:
        props = out.get("properties", {})
        required = set(out.get("required", []))
        rest = {k: v for k, v in out.items() if k not in {"type", "properties", "required", "additionalProperties"}}
        out = {"type": "object", **rest,
               "properties": {n: _strict(p if n in required else _nullable(p)) for n, p in props.items()},
               "required": list(props), "additionalProperties": False}
    return out


def _nullable(prop: dict) -> dict:
    """`prop` admitting null (already so when pydantic wrote `anyOf [..., {type: null}]`)."""
    if "anyOf" in prop:
        if not any(a.get("type") == "null" for a in prop["anyOf"]):
            return {**prop, "anyOf": [*prop["anyOf"], {"type": "null"}]}
        return prop
    t = prop.get("type")
    if isinstance(t, str) and t != "null":
        if "enum" in prop:
            return {**prop, "type": [t, "null"], "enum": [*prop["enum"], None]}
        return {**prop, "type": [t, "null"]}
    keep = {k: v for k, v in prop.items() if k == "description"}
    return {**keep, "anyOf": [{k: v for k, v in prop.items() if k != "description"}, {"type": "null"}]}


def function_schema(spec: ToolSpec) -> dict[str, Any]:
    """One tool as a Chat Completions `tools` entry."""
    return {"type": "function", "function": {"name": spec.name, "description": spec.description, "strict": True,
                                             "parameters": strict_schema(spec.input)}}


def openai_tools(tools: tuple[ToolSpec, ...] = TOOLS) -> list[dict[str, Any]]:
    """Every tool as a Chat Completions `tools` entry (what `hardneg tools schema` prints)."""
    return [function_schema(t) for t in tools]
