"""The optional LLM judge: LangChain `ChatOpenAI` against any OpenAI-compatible endpoint (OpenAI, vLLM,
Ollama, llama.cpp server).

One request per candidate returns {fluent, plausible, contradicts_caption, reason} through
`with_structured_output` (JSON schema; on a server that rejects it, function calling). Requests run with
bounded async concurrency, are retried with exponential backoff on 429, 5xx, timeouts and connection
errors, and stop cleanly when the run's budget (requests, tokens, cost) is spent. The API key is read
from the environment only; it is never stored, logged or put in an error message.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
import openai
from langchain_core.runnables import Runnable, RunnableSequence
from pydantic import BaseModel, Field, SecretStr

from toolkit.evaluation.filters.prompts import Prompt

OPENAI_BASE_URL = "https://api.openai.com/v1"
RETRYABLE_STATUS = {408, 409, 429}
METHODS = ("auto", "json_schema", "function_calling")


class JudgeReply(BaseModel):
    """The judge's structured answer for one candidate."""

    fluent: bool = Field(description="The candidate is a grammatical, natural English caption.")
    plausible: bool = Field(description="The candidate could describe a real photograph.")
    contradicts_caption: bool = Field(description="The candidate is false for an image the caption describes.")
    reason: str = Field(description="One sentence naming the words that decided the answer.")


REPLY_SCHEMA = {
    "title": "JudgeReply",
    "description": "The judge's answer for one candidate.",
    "type": "object",
    "properties": {name: {"type": "string" if name == "reason" else "boolean", "description": f.description}
                   for name, f in JudgeReply.model_fields.items()},
    "required": list(JudgeReply.model_fields),
    "additionalProperties": False,
}


class JudgeConfigError(ValueError):
    """A judge setting is missing or wrong (no API key, bad method, ...)."""


@dataclass(frozen=True)
class JudgeConfig:
    """Everything that chooses and drives the judge. The API key is not here: it comes from `api_key_env`."""

    model: str
    base_url: str | None = None  # None: OpenAI
    temperature: float = 0.0
    concurrency: int = 8
    timeout: float = 60.0  # seconds per request
    max_retries: int = 4  # retries after the first attempt, on 429 / 5xx / timeouts
    backoff: float = 1.0  # first retry delay in seconds, doubled each time (with jitter)
    backoff_max: float = 30.0
    method: str = "auto"  # auto (json_schema, falling back to function_calling) | json_schema | function_calling
    max_output_tokens: int | None = 256
    api_key_env: str = "OPENAI_API_KEY"
    max_requests: int | None = None
    max_tokens: int | None = None  # input + output tokens over the run
    max_cost: float | None = None  # in the price table's currency
    price_in: float | None = None  # per million input tokens
    price_out: float | None = None  # per million output tokens
    prompt: str | None = None  # a prompt file (default prompts/judge.v1.md)

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise JudgeConfigError(f"method: {self.method!r} is not one of {', '.join(METHODS)}")
        if self.concurrency < 1:
            raise JudgeConfigError("concurrency: must be at least 1")
        if self.max_cost is not None and (self.price_in is None or self.price_out is None):
            raise JudgeConfigError("max_cost needs a price table (price_in and price_out per million tokens)")

    @property
    def url(self) -> str:
        return (self.base_url or OPENAI_BASE_URL).rstrip("/")

    @property
    def judge(self) -> str:
        return f"llm:{self.model}"

    def to_dict(self) -> dict:
        """The configuration as stored with a filter run (no key: only the variable's name)."""
        d = asdict(self)
        d["base_url"] = self.url
        return d


def load_prices(path: str | Path, model: str) -> tuple[float, float]:
    """(input, output) price per million tokens for `model` from a JSON or TOML table
    `{model: {"input": x, "output": y}}`."""
    import tomllib

    p = Path(path)
    raw = p.read_text(encoding="utf-8")
    try:
        table = json.loads(raw) if p.suffix == ".json" else tomllib.loads(raw)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise JudgeConfigError(f"{p}: not a valid price table: {exc}") from exc
    entry = table.get(model)
    if not isinstance(entry, dict) or not {"input", "output"} <= set(entry):
        raise JudgeConfigError(f"{p}: no entry {model!r} with 'input' and 'output' prices")
    try:
        return float(entry["input"]), float(entry["output"])
    except (TypeError, ValueError) as exc:
        raise JudgeConfigError(f"{p}: {model}: prices must be numbers") from exc


def cache_key(prompt_hash: str, config: JudgeConfig, caption: str, candidate: str) -> str:
    """The LLM cache key: prompt hash, model, base URL, temperature, source caption and candidate text."""
    blob = json.dumps([prompt_hash, config.model, config.url, float(config.temperature), caption, candidate],
                      ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass
class Budget:
    """Requests, tokens and cost of a run, against optional limits. `reserve` is called before each request."""

    max_requests: int | None = None
    max_tokens: int | None = None
    max_cost: float | None = None
    price_in: float = 0.0
    price_out: float = 0.0
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    exhausted: str | None = None  # why the budget stopped the run

    @classmethod
    def from_config(cls, c: JudgeConfig) -> Budget:
        return cls(c.max_requests, c.max_tokens, c.max_cost, c.price_in or 0.0, c.price_out or 0.0)

    @property
    def cost(self) -> float:
        return (self.input_tokens * self.price_in + self.output_tokens * self.price_out) / 1e6

    def reserve(self) -> bool:
        if self.exhausted is None:
            if self.max_requests is not None and self.requests >= self.max_requests:
                self.exhausted = f"request budget of {self.max_requests} spent"
            elif self.max_tokens is not None and self.input_tokens + self.output_tokens >= self.max_tokens:
                self.exhausted = f"token budget of {self.max_tokens} spent"
            elif self.max_cost is not None and self.cost >= self.max_cost:
                self.exhausted = f"cost budget of {self.max_cost} spent"
        if self.exhausted is not None:
            return False
        self.requests += 1
        return True

    def record(self, usage: dict) -> None:
        self.input_tokens += usage.get("input_tokens", 0)
        self.output_tokens += usage.get("output_tokens", 0)

    def to_dict(self) -> dict:
        return {"requests": self.requests, "input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
                "cost": round(self.cost, 6) if (self.price_in or self.price_out) else None,
                "stopped": self.exhausted}


@dataclass
class Outcome:
    """The result of judging one candidate: a reply, an error, or not attempted (budget spent)."""

    reply: JudgeReply | None = None
    error: str | None = None
    stopped: bool = False
    attempts: int = 0
    usage: dict = field(default_factory=dict)
    method: str = ""


class LLMJudge:
    """Judges (caption, candidate) pairs; safe to share between coroutines of one event loop."""

    def __init__(self, config: JudgeConfig, prompt: Prompt) -> None:
        from langchain_openai import ChatOpenAI

        key = os.environ.get(config.api_key_env, "")
        if not key:
            raise JudgeConfigError(
                f"the API key is read from ${config.api_key_env} only; set it (any non-empty value for a local "
                "server that needs none)")
        self.config = config
        self.prompt = prompt
        self._key = key
        self.method = "json_schema" if config.method == "auto" else config.method
        # our own HTTP client: LangChain's shared default is bound to the first event loop that used it
        self._http = httpx.AsyncClient(timeout=config.timeout, limits=httpx.Limits(
            max_connections=config.concurrency + 4, max_keepalive_connections=config.concurrency + 4))
        self.llm = ChatOpenAI(
            model=config.model, base_url=config.url, api_key=SecretStr(key), temperature=config.temperature,
            timeout=config.timeout, max_retries=0, use_responses_api=False, max_tokens=config.max_output_tokens,
            http_async_client=self._http,
        )
        # `with_structured_output` gives `model bound to the schema | refusal check | JSON parser`. We call
        # the bound model, keep its message (for token usage), then run the rest of the sequence on it:
        # the same requests and parsing as `include_raw=True`, without the RunnableMap/fallback wrapper
        # that costs about a third of the client's CPU per request. A plain JSON schema rather than the
        # pydantic class skips LangChain's per-call pydantic machinery; `JudgeReply` validates the result.
        self._model: dict[str, Runnable] = {}
        self._parse: dict[str, Runnable] = {}
        for m in ("json_schema", "function_calling"):
            chain = self.llm.with_structured_output(REPLY_SCHEMA, method=m)
            self._model[m], self._parse[m] = chain.first, RunnableSequence(*chain.steps[1:])

    async def aclose(self) -> None:
        await self._http.aclose()

    def scrub(self, text: str) -> str:
        """An error message with the API key (should a server echo it) masked."""
        return text.replace(self._key, "***") if self._key else text

    def messages(self, caption: str, candidate: str) -> list:
        """The system prompt, then the data as one JSON object (never spliced into the instructions)."""
        from langchain_core.messages import HumanMessage, SystemMessage

        data = json.dumps({"caption": caption, "candidate": candidate}, ensure_ascii=False)
        return [SystemMessage(self.prompt.text), HumanMessage(data)]

    def _delay(self, attempt: int, exc: Exception) -> float:
        retry_after = None
        response = getattr(exc, "response", None)
        if response is not None:
            try:
                retry_after = float(response.headers.get("retry-after", ""))
            except (TypeError, ValueError):
                retry_after = None
        base = retry_after if retry_after is not None else self.config.backoff * 2 ** (attempt - 1)
        return min(self.config.backoff_max, base) * (0.5 + random.random() / 2)

    async def judge(self, caption: str, candidate: str, budget: Budget) -> Outcome:
        """Judge one pair, retrying transient errors; a bad reply becomes `Outcome.error`."""
        out = Outcome()
        messages = self.messages(caption, candidate)
        while True:
            if not budget.reserve():
                out.stopped = out.attempts == 0
                out.error = None if out.stopped else f"stopped after {out.attempts} attempts: {budget.exhausted}"
                return out
            out.attempts += 1
            method = self.method
            out.method = method
            try:
                message = await self._model[method].ainvoke(messages)
            except (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError,
                    openai.InternalServerError) as exc:
                if out.attempts > self.config.max_retries:
                    out.error = self.scrub(f"gave up after {out.attempts} attempts: {_describe(exc)}")
                    return out
                await asyncio.sleep(self._delay(out.attempts, exc))
                continue
            except openai.APIStatusError as exc:
                if exc.status_code in RETRYABLE_STATUS and out.attempts <= self.config.max_retries:
                    await asyncio.sleep(self._delay(out.attempts, exc))
                    continue
                if (self.config.method == "auto" and method == "json_schema" and exc.status_code in {400, 422}):
                    self.method = "function_calling"  # the server has no JSON-schema output; every call switches
                    continue
                out.error = self.scrub(f"{_describe(exc)}")
                return out
            except Exception as exc:  # noqa: BLE001  a body that is not a chat completion: this candidate only
                out.error = self.scrub(f"malformed reply: {_describe(exc)}")
                return out
            out.usage = dict(getattr(message, "usage_metadata", None) or {})
            budget.record(out.usage)
            try:
                out.reply = JudgeReply.model_validate(self._parse[method].invoke(message), strict=True)
            except Exception as exc:  # noqa: BLE001  refusal, not JSON, wrong fields: this candidate only
                out.error = self.scrub(f"malformed reply: {_describe(exc)}")
            return out


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}"
