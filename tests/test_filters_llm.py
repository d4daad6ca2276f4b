"""The LLM judge through the real `langchain_openai.ChatOpenAI` against a local OpenAI-compatible stub
server: retries, budget, cache, per-candidate failures, fallback to function calling, the key's secrecy."""

import json
import logging

import pytest
from click.testing import CliRunner
from conftest import stored_candidates
from openai_stub import Reply, StubServer, good, payload
from sqlalchemy import select, text

from toolkit.evaluation.filters.llm import JudgeConfig, JudgeConfigError
from toolkit.evaluation.filters.llm_run import run_llm
from toolkit.evaluation.filters.prompts import load_prompt
from toolkit.evaluation.filters.select import Selection
from toolkit.faces.cli import main
from toolkit.store.verdicts import FilterRun, LLMCache, Verdict, VerdictFailure

KEY = "sk-test-DO-NOT-LEAK-8f3a"


@pytest.fixture(autouse=True)
def api_key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)


@pytest.fixture
def engine(db_url, captions_file, nlp):
    return stored_candidates(db_url, captions_file, nlp, max_candidates=6)


def _ids(engine, n):
    with engine.connect() as conn:
        return tuple(r for (r,) in conn.execute(text("select id from candidate order by id limit :n"), {"n": n}))


def _config(server, **kw):
    return JudgeConfig(**{"model": "stub-judge", "base_url": server.base_url, "concurrency": 4, "backoff": 0.01,
                          "backoff_max": 0.05, **kw})


def _rows(engine, table):
    with engine.connect() as conn:
        return conn.execute(select(table.__table__)).all()


def test_judges_every_candidate_and_stores_prompt_hash_and_usage(engine):
    ids = _ids(engine, 8)

    def decide(body, n):
        p = payload(body)
        return good() if "dog" not in p["candidate"].lower() else Reply(
            {"fluent": True, "plausible": False, "contradicts_caption": True, "reason": "odd scene"})

    with StubServer(decide) as server:
        report = run_llm(engine, _config(server), Selection(ids=ids))
    assert report.judged == 8 and report.failed == 0 and server.count == 8
    prompt = load_prompt()
    verdicts = _rows(engine, Verdict)
    assert {v.candidate_id for v in verdicts} == set(ids)
    for v in verdicts:
        reasons = json.loads(v.reasons)
        assert v.judge == "llm:stub-judge" and v.prompt_hash == prompt.hash and v.prompt_version == "judge.v1"
        assert reasons["usage"]["input_tokens"] == 100 and reasons["usage"]["output_tokens"] == 20
        assert v.passed == (reasons["plausible"] and reasons["fluent"] and reasons["contradicts_caption"])
        assert v.passed or v.rule == "llm_plausibility"
    # the data travels as one JSON object in the user message, apart from the instructions
    body = server.requests[0]
    system, user = body["messages"][0], body["messages"][1]
    assert system["role"] == "system" and system["content"].startswith("You are a careful annotator")
    assert set(json.loads(user["content"])) == {"caption", "candidate"}
    assert body["response_format"]["type"] == "json_schema" and body["temperature"] == 0.0
    assert report.to_dict()["input_tokens"] == 800


def test_retries_429_5xx_and_timeouts(engine):
    ids = _ids(engine, 3)
    seen: dict[str, int] = {}

    def decide(body, n):
        cand = payload(body)["candidate"]
        seen[cand] = seen.get(cand, 0) + 1
        attempt = seen[cand]
        if attempt == 1:
            return Reply(status=429, headers={"retry-after": "0"})
        if attempt == 2:
            return Reply(status=503)
        if attempt == 3:
            return Reply(verdict=good().verdict, delay=1.5)  # the client times out first
        return good()

    with StubServer(decide) as server:
        report = run_llm(engine, _config(server, timeout=0.5, max_retries=4), Selection(ids=ids))
    assert report.judged == 3 and report.failed == 0
    assert server.count == 12 and report.to_dict()["requests"] == 12


def test_retries_give_up_and_only_failures_are_retried(engine):
    ids = _ids(engine, 6)
    broken = set()

    def flaky(body, n):
        cand = payload(body)["candidate"]
        if not broken:
            broken.add(cand)
        return Reply(status=500) if cand in broken else good()

    with StubServer(flaky) as server:
        report = run_llm(engine, _config(server, max_retries=2), Selection(ids=ids))
        assert report.judged == 5 and report.failed == 1 and server.count == 5 + 3
    failure = _rows(engine, VerdictFailure)
    assert len(failure) == 1 and failure[0].attempts == 3 and "500" in failure[0].error

    with StubServer(lambda body, n: good()) as server:
        report = run_llm(engine, _config(server), Selection(ids=ids))
        assert server.count == 1  # only the failed candidate is sent again
    assert report.judged == 1 and report.already_judged == 5
    assert _rows(engine, VerdictFailure) == [] and len(_rows(engine, Verdict)) == 6


def test_a_bad_reply_marks_one_candidate_not_the_batch(engine):
    ids = _ids(engine, 6)

    def decide(body, n):
        if n == 2:
            return Reply(raw=b"{this is not json")
        if n == 4:
            return Reply(content='{"fluent": "maybe"')
        if n == 5:
            return Reply(refusal="I can't help with that.")
        return good()

    with StubServer(decide) as server:
        report = run_llm(engine, JudgeConfig(model="stub-judge", base_url=server.base_url, concurrency=1), Selection(ids=ids))
    assert report.judged == 3 and report.failed == 3
    errors = [f.error for f in _rows(engine, VerdictFailure)]
    assert len(errors) == 3 and all(e.startswith("malformed reply") for e in errors)
    assert any("Refusal" in e and "can't help" in e for e in errors), errors


def test_budget_stops_the_run_cleanly(engine):
    ids = _ids(engine, 10)
    with StubServer(lambda body, n: good()) as server:
        report = run_llm(engine, _config(server, max_requests=4), Selection(ids=ids))
        assert server.count == 4
    d = report.to_dict()
    assert report.status == "budget_exhausted" and report.judged == 4 and d["not_attempted"] == 6
    assert "request budget of 4" in d["stopped"]
    run = _rows(engine, FilterRun)[-1]
    assert run.status == "budget_exhausted"
    # tokens and cost: each reply costs 120 tokens; a price table turns them into money
    with StubServer(lambda body, n: good()) as server:
        report = run_llm(engine, _config(server, max_cost=0.0003, price_in=1.0, price_out=2.0, concurrency=1),
                         Selection(ids=ids))
        assert server.count == 3  # 3 x (100 x 1 + 20 x 2) / 1e6 = 0.00042 >= 0.0003 after the third
    assert report.status == "budget_exhausted" and report.to_dict()["cost"] == pytest.approx(0.00042)


def test_cache_answers_a_second_run_without_requests(engine):
    ids = _ids(engine, 5)
    with StubServer(lambda body, n: good()) as server:
        run_llm(engine, _config(server), Selection(ids=ids))
        assert server.count == 5
        again = run_llm(engine, _config(server), Selection(ids=ids))
        forced = run_llm(engine, _config(server), Selection(ids=ids), force=True)
        assert server.count == 5  # already judged, then answered from the cache
    assert again.already_judged == 5 and forced.to_dict()["cache_hits"] == 5
    assert len(_rows(engine, Verdict)) == 5 and len(_rows(engine, LLMCache)) == 5
    # another temperature is another cache key
    with StubServer(lambda body, n: good()) as server:
        run_llm(engine, _config(server, temperature=0.7), Selection(ids=ids), force=True)
        assert server.count == 5


def test_falls_back_to_function_calling(engine):
    ids = _ids(engine, 3)

    def no_schema(body, n):
        return Reply(status=400) if "response_format" in body else good()

    with StubServer(no_schema) as server:
        report = run_llm(engine, _config(server, concurrency=1), Selection(ids=ids))
        assert report.judged == 3 and report.to_dict()["method"] == "function_calling"
        assert server.requests[-1]["tools"][0]["function"]["name"] == "JudgeReply"


def test_api_key_only_from_environment_and_never_stored_or_logged(engine, monkeypatch, caplog, db_url):
    caplog.set_level(logging.DEBUG)
    ids = _ids(engine, 3)
    with StubServer(lambda body, n: Reply(status=500) if n == 1 else good()) as server:
        run_llm(engine, _config(server, max_retries=0), Selection(ids=ids))
        assert all(a == f"Bearer {KEY}" for a in server.auth)
    dump = "\n".join(engine.raw_connection().driver_connection.iterdump())
    assert KEY not in dump and KEY not in caplog.text
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(JudgeConfigError, match="OPENAI_API_KEY"):
        run_llm(engine, JudgeConfig(model="m", base_url="http://127.0.0.1:9/v1"), Selection(ids=ids))


def test_cli_filter_rules_then_llm(engine, db_url):
    with StubServer(lambda body, n: good()) as server:
        result = CliRunner().invoke(main, ["filter", "--rules", "--llm", "--model", "stub-judge", "--base-url",
                                           server.base_url, "--db", db_url, "--json"])
        assert result.exit_code == 0, result.output
        rules, llm = json.loads(result.stdout)
        assert rules["judge"] == "rules" and llm["judge"] == "llm:stub-judge"
        assert llm["selected"] == rules["passed"] == server.count
    assert KEY not in result.output
    result = CliRunner().invoke(main, ["filter", "--llm", "--db", db_url])
    assert result.exit_code != 0 and "--model" in result.output
