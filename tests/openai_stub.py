"""A local OpenAI-compatible chat completions server for tests and benchmarks (no network).

`StubServer(decide)` serves POST /v1/chat/completions on 127.0.0.1 from a thread. `decide(body, n)` gets
the request JSON and its 1-based number and returns a `Reply`: a verdict (sent as JSON content, or as a
tool call when the request asked for function calling), an HTTP error, a delay, or a malformed body.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    verdict: dict | None = None  # {"fluent", "plausible", "contradicts_caption", "reason"}
    status: int = 200
    delay: float = 0.0
    raw: bytes | None = None  # sent as the body as is (malformed JSON, non-JSON)
    content: str | None = None  # message content as is (malformed structured output)
    headers: dict = field(default_factory=dict)
    plain: bool = False  # answer with message content even when the request offered tools
    refusal: str | None = None  # a structured-output refusal (message.refusal, no content)


def good(reason: str = "the swap changes who does what") -> Reply:
    return Reply({"fluent": True, "plausible": True, "contradicts_caption": True, "reason": reason})


def payload(body: dict) -> dict:
    """The caption/candidate JSON object the judge sent as the user message."""
    user = [m for m in body["messages"] if m["role"] == "user"][-1]
    content = user["content"] if isinstance(user["content"], str) else user["content"][0]["text"]
    return json.loads(content)


def completion(body: dict, reply: Reply) -> dict:
    """A chat.completion object for `reply`, shaped for json_schema or function calling as requested."""
    args = reply.content if reply.content is not None else json.dumps(reply.verdict)
    message: dict = {"role": "assistant", "content": args}
    if reply.refusal is not None:
        return {"id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()), "model": body.get("model"),
                "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                             "message": {"role": "assistant", "content": None, "refusal": reply.refusal}}],
                "usage": {"prompt_tokens": 100, "completion_tokens": 5, "total_tokens": 105}}
    if body.get("tools") and not reply.plain:
        name = body["tools"][0]["function"]["name"]
        message = {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": name, "arguments": args}}]}
    return {
        "id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()), "model": body.get("model"),
        "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }


class StubServer:
    """Run with `with StubServer(decide) as server:`; `server.base_url` goes to the judge config."""

    def __init__(self, decide: Callable[[dict, int], Reply], latency: float = 0.0) -> None:
        self.decide = decide
        self.latency = latency
        self.requests: list[dict] = []
        self.auth: list[str] = []
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else each reply waits ~40 ms for a delayed ACK (headers and body go out apart)

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:  # noqa: N802  /count: requests served so far (for a server in another process)
                data = json.dumps({"count": stub.count}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                with stub._lock:
                    stub.requests.append(body)
                    stub.auth.append(self.headers.get("authorization", ""))
                    n = len(stub.requests)
                reply = stub.decide(body, n)
                if stub.latency or reply.delay:
                    time.sleep(stub.latency + reply.delay)
                if reply.raw is not None:
                    data = reply.raw
                elif reply.status != 200:
                    data = json.dumps({"error": {"message": f"stub error {reply.status}", "type": "stub",
                                                 "code": str(reply.status)}}).encode()
                else:
                    data = json.dumps(completion(body, reply)).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128

        self._server = Server(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> StubServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def count(self) -> int:
        return len(self.requests)


def serve(latency: float) -> None:
    """Run a stub that approves every candidate after `latency` seconds; prints its base URL."""
    import sys

    with StubServer(lambda body, n: good(), latency=latency) as server:
        print(server.base_url, flush=True)
        sys.stdin.read()  # until the parent closes stdin
