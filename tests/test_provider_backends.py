"""The Anthropic and Gemini backends, through their official SDKs, against loopback fakes of each API.

The same fault kinds as the OpenAI backend's tests: answers with reasoning and token counts, pictures,
rate limits with Retry-After, server errors until the budget ends, hangs, malformed, truncated and reset
replies, client errors that are not retried (each with its kind from agents/errors.py), a refused
connection, keys (and fragments of keys) that never leak, and bounded concurrent batches.
"""

from __future__ import annotations

import base64
import io
import logging
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest
from PIL import Image

from llm_arena_env.agents.backends import Completion, Request, RetryPolicy
from llm_arena_env.agents.errors import BackendError, ErrorKind, NonRetryableError, RetryableError
from llm_arena_env.agents.llm import LLMAgent
from tests.fake_openai_server import Reply
from tests.fake_provider_servers import (
    FakeAnthropicServer,
    FakeGeminiServer,
    anthropic_answer,
    anthropic_error,
    gemini_answer,
    gemini_error,
)

pytest.importorskip("anthropic")
pytest.importorskip("google.genai")

SECRET = "test-SECRET-key-123"
FAST = RetryPolicy(max_attempts=3, initial_delay=0.01, max_delay=0.05)
KEY_ENVS = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "GEMINI_API_KEY", "GOOGLE_API_KEY",
            "GOOGLE_GEMINI_BASE_URL")


@dataclass
class Provider:
    """What differs between the providers' tests."""

    name: str
    server: type
    answer: Callable[..., Reply]  # answer(text, reasoning=...) in the provider's own format
    error: Callable[..., Reply]
    backend: Callable[..., Any]
    key_hint: str

    def sent_key(self, recorded) -> str:
        headers = recorded.headers
        return headers.get("x-api-key") or headers.get("x-goog-api-key") or headers.get("authorization", "")

    def last_user_text(self, body) -> str:
        if self.name == "anthropic":
            content = body["messages"][-1]["content"]
            return content if isinstance(content, str) else content[-1]["text"]
        return body["contents"][-1]["parts"][-1]["text"]


def _anthropic(**kwargs):
    from llm_arena_env.agents.backends.anthropic_backend import AnthropicBackend

    return AnthropicBackend(**kwargs)


def _google(**kwargs):
    from llm_arena_env.agents.backends.google_backend import GoogleBackend

    return GoogleBackend(**kwargs)


PROVIDERS = [
    Provider("anthropic", FakeAnthropicServer, lambda text, reasoning=None, **kw: anthropic_answer(text, thinking=reasoning, **kw),
             anthropic_error, _anthropic, "ANTHROPIC_API_KEY"),
    Provider("google", FakeGeminiServer, lambda text, reasoning=None, **kw: gemini_answer(text, thought=reasoning, **kw),
             gemini_error, _google, "GEMINI_API_KEY"),
]


@pytest.fixture(params=PROVIDERS, ids=lambda p: p.name)
def provider(request):
    return request.param


@pytest.fixture
def server(provider):
    with provider.server() as fake:
        yield fake


@pytest.fixture(autouse=True)
def _no_provider_env(monkeypatch):
    for name in KEY_ENVS:
        monkeypatch.delenv(name, raising=False)


def backend_for(provider: Provider, server, **kwargs):
    kwargs.setdefault("retry_policy", FAST)
    kwargs.setdefault("timeout", 5)
    kwargs.setdefault("api_key", SECRET)
    return provider.backend(model="fake-model", base_url=server.url, **kwargs)


def ask(text: str, **options) -> Request:
    return Request(({"role": "system", "content": "You play chess."}, {"role": "user", "content": text}), options=options)


# ---------------------------------------------------------------------- answers


def test_answer_reasoning_and_usage_come_back_apart(provider, server):
    server.script(provider.answer("Final Answer: e4", reasoning="the center matters"))
    with backend_for(provider, server, temperature=0.5) as backend:
        (result,) = backend.complete([ask("Your move?", max_tokens=64, stop="\n")])
    assert isinstance(result, Completion)
    assert (result.text, result.reasoning) == ("Final Answer: e4", "the center matters")
    assert result.prompt_tokens > 0 and result.completion_tokens > 0 and result.latency_s > 0
    sent = server.requests[0].body
    assert provider.sent_key(server.requests[0]).endswith(SECRET)
    if provider.name == "anthropic":
        assert sent["system"] == "You play chess."
        assert sent["messages"] == [{"role": "user", "content": "Your move?"}]
        assert (sent["max_tokens"], sent["temperature"], sent["stop_sequences"]) == (64, 0.5, ["\n"])
    else:
        assert sent["systemInstruction"]["parts"] == [{"text": "You play chess."}]
        assert sent["contents"] == [{"role": "user", "parts": [{"text": "Your move?"}]}]
        config = sent["generationConfig"]
        assert (config["maxOutputTokens"], config["temperature"], config["stopSequences"]) == (64, 0.5, ["\n"])


def test_the_parser_sees_only_the_answer_and_the_trace_keeps_the_reasoning(provider, server):
    from llm_arena_env.wrappers import Parse

    server.script(provider.answer("I play Final Answer: e4", reasoning="Maybe d4? No: Final Answer: d4 is worse"))
    with backend_for(provider, server) as backend:
        decision = Parse(LLMAgent(backend)).decide(
            {"messages": ({"role": "user", "content": "move?"},), "legal_actions": ["e4", "d4"]}
        )
    assert decision.action == "e4"
    assert "d4 is worse" in decision.attempts[-1].reasoning


def test_thinking_budget_is_sent_in_the_providers_form(provider, server):
    with backend_for(provider, server, thinking_budget=2048) as backend:
        backend.complete([ask("hi", max_tokens=100, temperature=0.0)])
    sent = server.requests[0].body
    if provider.name == "anthropic":  # max_tokens stays the answer's budget; the API counts thinking in it
        assert sent["thinking"] == {"type": "enabled", "budget_tokens": 2048}
        assert sent["max_tokens"] == 2148
        assert "temperature" not in sent  # refused beside thinking
    else:
        thinking = sent["generationConfig"]["thinkingConfig"]
        assert (thinking["thinking_budget"], thinking["include_thoughts"]) == (2048, True)


def test_images_are_sent_as_png_before_the_last_user_text(provider, server):
    image = np.zeros((8, 6, 3), dtype=np.uint8)
    image[2, 3] = (255, 10, 20)
    with backend_for(provider, server) as backend:
        backend.complete([Request(ask("What do you see?").messages, image=image)])
    body = server.requests[0].body
    if provider.name == "anthropic":
        picture, text = body["messages"][-1]["content"]
        assert text == {"type": "text", "text": "What do you see?"}
        assert picture["source"]["media_type"] == "image/png"
        data = picture["source"]["data"]
    else:
        picture, text = body["contents"][-1]["parts"]
        assert text == {"text": "What do you see?"}
        inline = picture.get("inlineData") or picture["inline_data"]
        assert inline.get("mimeType", inline.get("mime_type")) == "image/png"
        data = inline["data"]
    decoded = np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB"))
    np.testing.assert_array_equal(decoded, image)


# ---------------------------------------------------------------------- failures and retries


def test_429_with_retry_after_is_retried_after_waiting_at_least_that_long(provider, server):
    server.script(provider.error(429, "slow down", retry_after=0.2), provider.answer("ok"))
    with backend_for(provider, server) as backend:
        start = time.monotonic()
        (result,) = backend.complete([ask("hi")])
        waited = time.monotonic() - start
    assert result.text == "ok"
    assert len(server.requests) == 2 and waited >= 0.2


@pytest.mark.parametrize("status", [500, 503, 529])
def test_server_errors_until_the_budget_ends_fail_one_slot_and_spare_the_rest(provider, server, status):
    server.responder = lambda body: provider.error(status) if "fail" in provider.last_user_text(body) else provider.answer("fine")
    with backend_for(provider, server) as backend:
        results = backend.complete([ask("one"), ask("please fail"), ask("three")])
    assert [r.text for r in (results[0], results[2])] == ["fine", "fine"]
    assert isinstance(results[1], RetryableError) and results[1].status == status
    assert results[1].kind == ErrorKind.SERVER
    assert "gave up after 3 attempts" in str(results[1])
    assert sum("fail" in provider.last_user_text(r.body) for r in server.requests) == 3


def test_a_hang_times_out_and_is_retried(provider, server):
    server.script(Reply(delay=3), provider.answer("second try"))
    with backend_for(provider, server, timeout=0.3) as backend:
        (result,) = backend.complete([ask("hi")])
    assert result.text == "second try"
    assert len(server.requests) == 2


def test_a_hang_without_retries_left_fails_cleanly(provider, server):
    server.script(Reply(delay=3))
    with backend_for(provider, server, timeout=0.3, retry_policy=RetryPolicy(max_attempts=1)) as backend:
        (result,) = backend.complete([ask("hi")])
    assert isinstance(result, RetryableError) and result.kind == ErrorKind.TIMEOUT
    assert "within 0.3s" in str(result)


@pytest.mark.parametrize("fault", [Reply.malformed, Reply.truncated, Reply.reset], ids=["malformed", "truncated", "reset"])
def test_a_bad_or_cut_reply_is_retried_like_a_5xx(provider, server, fault):
    server.script(fault(), provider.answer("Final Answer: e4"))
    with backend_for(provider, server) as backend:
        (result,) = backend.complete([ask("hi")])
    assert isinstance(result, Completion) and result.text == "Final Answer: e4"
    assert len(server.requests) == 2


@pytest.mark.parametrize("fault, kind", [(Reply.malformed, ErrorKind.MALFORMED), (Reply.truncated, None),
                                         (Reply.reset, ErrorKind.CONNECTION)], ids=["malformed", "truncated", "reset"])
def test_a_reply_that_stays_bad_is_a_retryable_error_once_retries_are_spent(provider, server, fault, kind):
    server.script(*(fault() for _ in range(3)))
    with backend_for(provider, server) as backend:
        (result,) = backend.complete([ask("hi")])
    assert isinstance(result, RetryableError) and "gave up after 3 attempts" in str(result)
    assert result.kind == kind if kind else result.kind in (ErrorKind.MALFORMED, ErrorKind.CONNECTION)
    assert "http://127.0.0.1" in str(result) and len(server.requests) == 3


def test_a_json_body_that_is_no_answer_is_a_malformed_reply(provider, server):
    server.script(*[Reply(200, b'{"hello": "world"}', (("Content-Type", "application/json"),))] * 3)
    with backend_for(provider, server) as backend:
        (result,) = backend.complete([ask("hi")])
    assert isinstance(result, BackendError) and result.kind == ErrorKind.MALFORMED
    assert "malformed response from http://127.0.0.1" in str(result)


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_not_retried(provider, server, status):
    server.script(provider.error(status, "bad things"))
    with backend_for(provider, server) as backend:
        (result,) = backend.complete([ask("hi")])
    assert isinstance(result, NonRetryableError) and result.status == status
    kinds = {400: ErrorKind.BAD_REQUEST, 401: ErrorKind.AUTH, 403: ErrorKind.PERMISSION, 404: ErrorKind.NOT_FOUND}
    assert result.kind == kinds[status] and result.fatal == (status != 400)  # a bad key stops the run
    assert str(result).startswith(f"{status} ")
    assert {400: "bad things", 401: provider.key_hint, 403: "fake-model", 404: "fake-model"}[status] in str(result)
    assert len(server.requests) == 1


def test_connection_refused_is_a_retryable_error_in_the_slot(provider):
    with provider.server() as fake:
        url = fake.url  # a port that was free a moment ago and is closed now
    backend = provider.backend(model="m", base_url=url, api_key=SECRET, timeout=2,
                               retry_policy=RetryPolicy(max_attempts=2, initial_delay=0.01))
    (result,) = backend.complete([ask("hi")])
    assert isinstance(result, RetryableError) and result.kind == ErrorKind.CONNECTION
    assert "could not connect to http://127.0.0.1" in str(result)


# ---------------------------------------------------------------------- keys and secrets


def test_the_key_never_leaks(provider, server, caplog):
    server.script(
        provider.error(500, f"upstream rejected {SECRET}"),
        provider.error(400, f"Incorrect API key provided: {SECRET}"),
        provider.error(401, f"Incorrect API key provided: {SECRET}"),
        provider.answer("Final Answer: e4"),
    )
    caplog.set_level(logging.DEBUG)
    backend = backend_for(provider, server, retry_policy=RetryPolicy(max_attempts=2, initial_delay=0.01))
    agent = LLMAgent(backend)
    decisions = [agent.decide({"messages": ({"role": "user", "content": "move?"},)}) for _ in range(3)]
    backend.close()
    assert [d.action for d in decisions] == ["", "", "Final Answer: e4"]
    assert all(provider.sent_key(r).endswith(SECRET) for r in server.requests)
    texts = [repr(backend), backend.name, repr(agent), caplog.text, *(str(d.to_dict()) for d in decisions)]
    assert all(SECRET not in t for t in texts)
    assert "[key]" in decisions[0].attempts[0].error


def test_a_server_quoting_part_of_the_key_leaks_no_fragment(provider, server):
    server.script(provider.error(400, f"Incorrect API key provided: {SECRET[:4]}***{SECRET[-7:]}"))
    with backend_for(provider, server) as backend:
        (result,) = backend.complete([ask("hi")])
    assert SECRET[-7:] not in str(result) and "[key]" in str(result)


def test_the_providers_own_server_needs_a_key_and_names_the_variable(provider):
    with pytest.raises(ValueError, match=provider.key_hint):
        provider.backend(model="m")


def test_key_from_the_environment(provider, server, monkeypatch):
    monkeypatch.setenv(provider.key_hint, SECRET)
    with provider.backend(model="m", base_url=server.url) as backend:
        backend.complete([ask("hi")])
    assert provider.sent_key(server.requests[0]).endswith(SECRET)
    assert backend.name == f"{provider.name}:m@{server.url}"


# ---------------------------------------------------------------------- batches


def test_a_batch_runs_concurrently_bounded_by_max_concurrency(provider, server):
    server.responder = lambda body: provider.answer(provider.last_user_text(body).upper(), delay=0.1)
    agent = LLMAgent(backend_for(provider, server, max_concurrency=3))
    actions = agent.act_batch([{"messages": ({"role": "user", "content": f"m{i}"},)} for i in range(10)])
    agent.backend.close()
    assert actions == [f"M{i}" for i in range(10)]
    assert server.max_in_flight == 3


def test_the_async_path_keeps_the_runs_concurrency_in_flight_one_reply_at_a_time(provider, server):
    """In the arena each request is awaited on its own: a slow reply holds up no other, and the run's
    concurrency (no max_concurrency of the backend's own) bounds what is in flight."""
    import asyncio

    from llm_arena_env.agents.concurrency import run_scope

    slow = {"m0"}
    server.responder = lambda body: provider.answer(provider.last_user_text(body).upper(),
                                                    delay=1.0 if provider.last_user_text(body) in slow else 0.1)
    backend = backend_for(provider, server)
    done: list[str] = []

    async def one(i: int) -> None:
        [result] = await backend.acomplete([Request(({"role": "user", "content": f"m{i}"},))])
        done.append(result.text)

    async def run() -> None:
        async with run_scope(concurrency=4):
            await asyncio.gather(*(one(i) for i in range(9)))

    asyncio.run(run())
    backend.close()
    assert sorted(done) == sorted(f"M{i}" for i in range(9))
    assert server.max_in_flight == 4
    assert done[-1] == "M0"  # the slow one came last: the other eight went by while it was out


def test_gemini_429_waits_at_least_as_long_as_its_retry_info_says():
    with FakeGeminiServer() as server:
        server.script(gemini_error(429, "quota", retry_delay="0.3s"), gemini_answer("ok"))
        with backend_for(PROVIDERS[1], server) as backend:
            start = time.monotonic()
            (result,) = backend.complete([ask("hi")])
            waited = time.monotonic() - start
    assert result.text == "ok" and waited >= 0.3  # FAST alone would wait at most 0.01 s


# ---------------------------------------------------------------------- the chat's shape


def test_anthropic_gets_alternating_turns_and_gemini_gets_model_turns(provider, server):
    chat = ({"role": "system", "content": "rules"}, {"role": "user", "content": "a"}, {"role": "user", "content": "b"},
            {"role": "assistant", "content": "c"}, {"role": "user", "content": "d"})
    with backend_for(provider, server) as backend:
        backend.complete([Request(chat)])
    body = server.requests[0].body
    if provider.name == "anthropic":
        assert body["messages"] == [{"role": "user", "content": "a\n\nb"}, {"role": "assistant", "content": "c"},
                                    {"role": "user", "content": "d"}]
    else:
        assert [c["role"] for c in body["contents"]] == ["user", "user", "model", "user"]
