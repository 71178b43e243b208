"""LiteLLMBackend through the real litellm package, against the loopback OpenAI and Anthropic fakes."""

from __future__ import annotations

import logging

import pytest

from llm_arena_env.agents.backends import Completion, Request, RetryPolicy
from llm_arena_env.agents.errors import BackendError, NonRetryableError, RetryableError
from llm_arena_env.agents.llm import LLMAgent
from tests.fake_openai_server import FakeOpenAIServer, Reply
from tests.fake_provider_servers import FakeAnthropicServer, anthropic_answer, anthropic_error

pytest.importorskip("litellm")

SECRET = "test-SECRET-litellm-9"
FAST = RetryPolicy(max_attempts=3, initial_delay=0.01, max_delay=0.05)


@pytest.fixture
def server():
    with FakeOpenAIServer() as fake:
        yield fake


def backend_for(url: str, model: str = "openai/fake-model", **kwargs):
    from llm_arena_env.agents.backends.litellm_backend import LiteLLMBackend

    kwargs.setdefault("retry_policy", FAST)
    kwargs.setdefault("timeout", 5)
    return LiteLLMBackend(model, base_url=url, api_key=SECRET, **kwargs)


def ask(text: str, **options) -> Request:
    return Request(({"role": "system", "content": "You play chess."}, {"role": "user", "content": text}), options=options)


def test_an_openai_compatible_answer_with_think_tags_keeps_reasoning_apart(server):
    server.script(Reply.answer("<think>e4 or d4</think>Final Answer: e4", prompt_tokens=11, completion_tokens=6))
    with backend_for(server.url, temperature=0.2) as backend:
        (result,) = backend.complete([ask("move?", max_tokens=30)])
    assert (result.text, result.reasoning, result.prompt_tokens, result.completion_tokens) == (
        "Final Answer: e4", "e4 or d4", 11, 6)
    sent = server.requests[0]
    assert (sent.body["model"], sent.body["temperature"], sent.body["max_tokens"]) == ("fake-model", 0.2, 30)
    assert sent.headers["authorization"] == f"Bearer {SECRET}"
    assert backend.name == f"litellm:openai/fake-model@{server.url}"


def test_the_anthropic_route_turns_thinking_into_reasoning():
    with FakeAnthropicServer() as fake:
        fake.script(anthropic_answer("Final Answer: e4", thinking="the center"), anthropic_error(529))
        with backend_for(fake.url, "anthropic/claude-x", retry_policy=RetryPolicy(max_attempts=1)) as backend:
            first, second = backend.complete([ask("move?")]) + backend.complete([ask("again?")])
        assert fake.requests[0].body["system"][0]["text"] == "You play chess."
    assert (first.text, first.reasoning) == ("Final Answer: e4", "the center")
    assert isinstance(second, RetryableError)  # overloaded: worth another try


def test_rate_limits_and_hangs_are_retried(server):
    server.script(Reply.error(429, retry_after=0.05), Reply.hang(3), Reply.answer("ok"))
    with backend_for(server.url, timeout=0.3) as backend:
        (result,) = backend.complete([ask("hi")])
    assert isinstance(result, Completion) and result.text == "ok"
    assert len(server.requests) == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_not_retried(server, status):
    server.script(Reply.error(status, f"bad things {SECRET}"))
    with backend_for(server.url) as backend:
        (result,) = backend.complete([ask("hi")])
    assert isinstance(result, NonRetryableError) and result.status == status
    assert len(server.requests) == 1 and SECRET not in str(result)


def test_a_malformed_body_ends_in_an_error_in_its_slot(server):
    server.responder = lambda body: Reply.malformed()
    with backend_for(server.url) as backend:
        (result,) = backend.complete([ask("hi")])
    assert isinstance(result, BackendError)


def test_the_key_never_leaks(server, caplog):
    server.script(Reply.error(500, f"upstream rejected {SECRET}"), Reply.error(401, f"bad key {SECRET}"),
                  Reply.answer("Final Answer: e4"))
    caplog.set_level(logging.DEBUG)
    backend = backend_for(server.url, retry_policy=RetryPolicy(max_attempts=1))
    agent = LLMAgent(backend)
    decisions = [agent.decide({"messages": ({"role": "user", "content": "move?"},)}) for _ in range(3)]
    assert [d.action for d in decisions] == ["", "", "Final Answer: e4"]
    shown = " ".join([repr(backend), backend.name, repr(agent), *(str(d.to_dict()) for d in decisions)])
    assert SECRET not in shown
