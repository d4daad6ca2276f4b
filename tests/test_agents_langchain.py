"""The LangChain face: a LangChain agent loop (create_agent) driven by a scripted tool-calling chat model
calls every tool and gets real results; the real ChatOpenAI with bind_tools completes a tool-calling round
trip against the OpenAI-compatible stub server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Callable

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from openai_stub import Reply, StubServer

from toolkit.curation.decisions import set_stats
from toolkit.faces.agents import langchain_tools
from toolkit.faces.agents.openai_schema import openai_tools

pytest_plugins = ["curation_helpers", "agents_helpers"]  # fixtures: workspace, context
CAPTION = "A black dog chasing a white cat on the grass."

Step = Callable[[dict | None], tuple[str, dict] | str]


class ScriptedToolModel(BaseChatModel):
    """A chat model that answers from a script: step k sees the last tool result (parsed JSON, or the error
    text) and returns (tool name, arguments) for a tool call, or a final text."""

    steps: list[Step]
    bound: list[str] = []

    @property
    def _llm_type(self) -> str:
        return "scripted-tool-model"

    def bind_tools(self, tools, **kwargs):  # the tools arrive; the script decides which to call
        self.bound = [t.name for t in tools]
        return self

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs) -> ChatResult:
        k = sum(isinstance(m, AIMessage) for m in messages)
        last = messages[-1]
        seen = None
        if isinstance(last, ToolMessage):
            seen = {"error": last.content} if last.status == "error" else json.loads(last.content)
        step = self.steps[k](seen)
        if isinstance(step, str):
            message = AIMessage(content=step)
        else:
            name, args = step
            message = AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"call_{k}"}])
        return ChatResult(generations=[ChatGeneration(message=message)])


def test_agent_loop_calls_every_tool(context, workspace):
    from langchain.agents import create_agent

    got: dict[str, dict] = {}

    def keep(name: str, seen: dict | None) -> None:
        got[name] = seen

    steps: list[Step] = [
        lambda _: ("generate_negatives", {"caption": CAPTION, "operators": ["swap"], "n": 3, "detail": "full"}),
        lambda s: (keep("generate_negatives", s), ("filter_candidates", {"caption": CAPTION, "candidates": [
            {"text": c["text"], "provenance": json.dumps(c["provenance"])} for c in s["candidates"]]}))[1],
        lambda s: (keep("filter_candidates", s), ("score_candidates", {
            "image": "img/001.jpg", "caption": CAPTION, "texts": [r["text"] for r in s["results"]]}))[1],
        lambda s: (keep("score_candidates", s), ("create_set", {"name": "agent-set", "sample": 4, "seed": 2}))[1],
        lambda s: (keep("create_set", s), ("list_sets", {}))[1],
        lambda s: (keep("list_sets", s), ("set_items", {"name": "agent-set", "limit": 2}))[1],
        lambda s: (keep("set_items", s), ("curate_candidate", {
            "set_name": "agent-set", "candidate_id": s["items"][0]["candidate_id"], "decision": "accept",
            "reason": "the swap changes who has which colour"}))[1],
        lambda s: (keep("curate_candidate", s), ("export_set", {"name": "agent-set", "format": "sugarcrepe",
                                                                "path": "/etc/hardneg"}))[1],
        lambda s: (keep("export_refused", s), ("export_set", {"name": "agent-set", "format": "sugarcrepe",
                                                              "path": "bench/agent-set"}))[1],
        lambda s: (keep("export_set", s), ("set_stats", {"name": "agent-set"}))[1],
        lambda s: (keep("set_stats", s), "done")[1],
    ]
    model = ScriptedToolModel(steps=steps)
    agent = create_agent(model, langchain_tools(context))
    result = agent.invoke({"messages": [HumanMessage("Make and curate a small benchmark.")]})
    assert result["messages"][-1].content == "done"
    assert set(model.bound) == {"generate_negatives", "filter_candidates", "score_candidates", "list_sets",
                                "set_items", "create_set", "curate_candidate", "export_set", "set_stats"}
    assert len(got["generate_negatives"]["candidates"]) == 3
    assert all(c["operator"] == "swap" for c in got["generate_negatives"]["candidates"])
    assert len(got["filter_candidates"]["results"]) == 3
    assert got["score_candidates"]["pairs"] == 3 and got["score_candidates"]["model"] == "tiny"
    assert got["create_set"]["items"] == 4 and got["list_sets"]["sets"][0]["name"] == "agent-set"
    assert "outside the workspace" in got["export_refused"]["error"]
    assert got["export_set"]["items"] == 1 and (workspace / "bench/agent-set/README.md").is_file()
    assert got["set_stats"]["outcomes"] == {"accept": 1, "undecided": 3}
    assert got["set_stats"]["outcomes"] == set_stats(context.engine, "agent-set")["outcomes"]
    tool_messages = [m for m in result["messages"] if isinstance(m, ToolMessage)]
    assert len(tool_messages) == 10 and [m.status for m in tool_messages].count("error") == 1


def test_langchain_tool_errors_are_messages(context):
    tools = {t.name: t for t in langchain_tools(context, ["generate_negatives", "score_candidates"])}
    assert set(tools) == {"generate_negatives", "score_candidates"}
    call = {"name": "generate_negatives", "args": {"caption": CAPTION, "n": 1000}, "id": "c1", "type": "tool_call"}
    msg = tools["generate_negatives"].invoke(call)
    assert msg.status == "error" and "n" in msg.content and "100" in msg.content
    call = {"name": "score_candidates", "id": "c2", "type": "tool_call",
            "args": {"image": "../../etc/passwd", "caption": CAPTION, "texts": ["a cat"]}}
    msg = tools["score_candidates"].invoke(call)
    assert msg.status == "error" and msg.content.startswith("Error: image: '..' is not allowed")
    ok = tools["generate_negatives"].invoke({"name": "generate_negatives", "id": "c3", "type": "tool_call",
                                             "args": {"caption": CAPTION, "n": 2}})
    assert ok.status == "success" and len(json.loads(ok.content)["candidates"]) == 2
    assert ok.artifact.candidates[0].text == json.loads(ok.content)["candidates"][0]["text"]


def test_chat_openai_bind_tools_round_trip(context):
    from langchain_openai import ChatOpenAI

    def decide(body: dict, n: int) -> Reply:
        if n == 1:
            return Reply(content=json.dumps({"caption": CAPTION, "operators": ["swap"], "subtypes": None, "depth": None,
                                             "n": 2, "per_site": None, "seed": None, "detail": None}))
        return Reply(content="Two swaps: see the tool result.", plain=True)

    tools = {t.name: t for t in langchain_tools(context)}
    with StubServer(decide) as server:
        llm = ChatOpenAI(model="stub-model", base_url=server.base_url, api_key="test-key", max_retries=0)
        bound = llm.bind_tools(openai_tools(), strict=True)
        messages: list[BaseMessage] = [HumanMessage("Give me two SWAP negatives of: " + CAPTION)]
        ai = bound.invoke(messages)
        assert [c["name"] for c in ai.tool_calls] == ["generate_negatives"]
        messages.append(ai)
        for tool_call in ai.tool_calls:
            messages.append(tools[tool_call["name"]].invoke(tool_call))
        final = bound.invoke(messages)
    assert final.content == "Two swaps: see the tool result." and not final.tool_calls
    first, second = server.requests
    assert [t["function"]["name"] for t in first["tools"]] == [t["function"]["name"] for t in openai_tools()]
    assert all(t["function"]["strict"] and t["function"]["parameters"]["additionalProperties"] is False
               for t in first["tools"])
    sent_result = [m for m in second["messages"] if m["role"] == "tool"]
    assert len(sent_result) == 1 and sent_result[0]["tool_call_id"] == ai.tool_calls[0]["id"]
    result = json.loads(sent_result[0]["content"])
    assert len(result["candidates"]) == 2 and all(c["operator"] == "swap" for c in result["candidates"])
