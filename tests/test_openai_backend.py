"""OpenAIBackend against a local fake server, through the real openai client; and the retry helper."""

from __future__ import annotations

import asyncio
import base64
import io
import logging
import random
import time

import numpy as np
import pytest
from PIL import Image

from llm_arena_env.agents.backends import Completion, OpenAIBackend, Request, Retrier, RetryPolicy
from llm_arena_env.agents.errors import BackendError, ErrorKind, NonRetryableError, RetryableError, scrub_key
from llm_arena_env.agents.llm import LLMAgent
from tests.fake_openai_server import FakeOpenAIServer, Reply

SECRET = "sk-test-SECRET-123"
FAST = RetryPolicy(max_attempts=3, initial_delay=0.01, max_delay=0.05)


@pytest.fixture
def server():
    with FakeOpenAIServer() as fake:
        yield fake


@pytest.fixture(autouse=True)
def _no_openai_env(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


def backend_for(server: FakeOpenAIServer, **kwargs) -> OpenAIBackend:
    kwargs.setdefault("retry_policy", FAST)
    kwargs.setdefault("timeout", 5)
    return OpenAIBackend("fake-model", base_url=server.url, api_key=SECRET, **kwargs)


def ask(text: str, **options) -> Request:
    messages = ({"role": "system", "content": "You play chess."}, {"role": "user", "content": text})
    return Request(messages, options=options)


def last_user_text(body) -> str:
    content = body["messages"][-1]["content"]
    return content if isinstance(content, str) else content[0]["text"]


# ---------------------------------------------------------------------- answers


def test_scripted_answers_come_back_with_reasoning_and_token_counts(server):
    server.script(
        Reply.answer("Final Answer: e4", reasoning="center first", prompt_tokens=11, completion_tokens=4),
        Reply.answer("Final Answer: d4", reasoning="also good", reasoning_field="reasoning"),
    )
    with backend_for(server, temperature=0.5) as backend:
        first, second = backend.complete([ask("Your move?", max_tokens=9)]) + backend.complete([ask("Again?")])
    assert first == Completion("Final Answer: e4", "center first", 11, 4, first.latency_s)
    assert first.latency_s > 0
    assert (second.text, second.reasoning) == ("Final Answer: d4", "also good")
    sent = server.requests[0].body
    assert sent["model"] == "fake-model"
    assert sent["messages"] == [
        {"role": "system", "content": "You play chess."},
        {"role": "user", "content": "Your move?"},
    ]
    assert (sent["temperature"], sent["max_tokens"]) == (0.5, 9)  # backend default + per-call option
    assert server.requests[0].headers["authorization"] == f"Bearer {SECRET}"


def test_options_the_sdk_does_not_know_go_in_the_body(server):
    with backend_for(server, top_k=20) as backend:
        backend.complete([ask("hi", seed=3, stop=["\n"])])
    sent = server.requests[0].body
    assert (sent["top_k"], sent["seed"], sent["stop"]) == (20, 3, ["\n"])


def test_images_are_sent_as_png_data_urls_in_the_last_user_message(server):
    image = np.zeros((8, 6, 3), dtype=np.uint8)
    image[2, 3] = (255, 10, 20)
    with backend_for(server) as backend:
        backend.complete([Request(ask("What do you see?").messages, image=image)])
    content = server.requests[0].body["messages"][-1]["content"]
    assert content[0] == {"type": "text", "text": "What do you see?"}
    url = content[1]["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    decoded = np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB"))
    np.testing.assert_array_equal(decoded, image)


# ---------------------------------------------------------------------- failures and retries


def test_429_with_retry_after_is_retried_after_waiting_at_least_that_long(server):
    server.script(Reply.error(429, "slow down", retry_after=0.2), Reply.answer("ok"))
    with backend_for(server) as backend:
        start = time.monotonic()
        (result,) = backend.complete([ask("hi")])
        waited = time.monotonic() - start
    assert result.text == "ok"
    assert len(server.requests) == 2
    assert waited >= 0.2


def test_500s_until_the_budget_ends_fail_one_slot_and_spare_the_rest(server):
    server.responder = lambda body: Reply.error(500) if "fail" in last_user_text(body) else Reply.answer("fine")
    with backend_for(server) as backend:
        results = backend.complete([ask("one"), ask("please fail"), ask("three")])
    assert [r.text for r in (results[0], results[2])] == ["fine", "fine"]
    error = results[1]
    assert isinstance(error, RetryableError) and error.status == 500
    assert "500" in str(error) and "gave up after 3 attempts" in str(error)
    assert sum("fail" in last_user_text(r.body) for r in server.requests) == 3  # max_attempts of FAST


def test_a_hang_times_out_and_is_retried(server):
    server.script(Reply.hang(3), Reply.answer("second try"))
    with backend_for(server, timeout=0.3) as backend:
        (result,) = backend.complete([ask("hi")])
    assert result.text == "second try"
    assert len(server.requests) == 2


def test_a_hang_without_retries_left_fails_cleanly(server):
    server.script(Reply.hang(3))
    with backend_for(server, timeout=0.3, retry_policy=RetryPolicy(max_attempts=1)) as backend:
        start = time.monotonic()
        (result,) = backend.complete([ask("hi")])
    assert time.monotonic() - start < 2
    assert isinstance(result, RetryableError)
    assert "within 0.3s" in str(result)


@pytest.mark.parametrize("fault", [Reply.malformed, Reply.truncated, Reply.reset], ids=["malformed", "truncated", "reset"])
def test_a_bad_or_cut_reply_is_retried_like_a_5xx(server, fault):
    server.script(fault(), Reply.answer("Final Answer: e4"))
    with backend_for(server) as backend:
        (result,) = backend.complete([ask("hi")])
    assert isinstance(result, Completion) and result.text == "Final Answer: e4"
    assert len(server.requests) == 2


@pytest.mark.parametrize("fault, kind", [(Reply.malformed, ErrorKind.MALFORMED), (Reply.truncated, None),
                                         (Reply.reset, ErrorKind.CONNECTION)], ids=["malformed", "truncated", "reset"])
def test_a_reply_that_stays_bad_is_a_retryable_error_once_retries_are_spent(server, fault, kind):
    server.script(*(fault() for _ in range(3)))
    with backend_for(server) as backend:
        (result,) = backend.complete([ask("hi")])
    assert isinstance(result, RetryableError) and "gave up after 3 attempts" in str(result)
    # a truncated body shows up as a dropped connection or as cut-off JSON, depending on when it is noticed
    assert result.kind == kind if kind else result.kind in (ErrorKind.MALFORMED, ErrorKind.CONNECTION)
    assert len(server.requests) == 3


def test_a_lone_surrogate_or_invalid_utf8_in_the_text_is_kept_visible(server):
    server.script(Reply.answer("Final Answer: e4 \ud800"), Reply.raw_answer(b"Final Answer: d4 \xff\xfe"))
    with backend_for(server) as backend:
        first, second = backend.complete([ask("a")]) + backend.complete([ask("b")])
    assert first.text.startswith("Final Answer: e4 ") and second.text.startswith("Final Answer: d4 ")
    assert "\ufffd" in second.text
    agent = LLMAgent(backend_for(server))
    server.script(Reply.answer("Final Answer: e4 \ud800"))
    decision = agent.decide({"messages": ({"role": "user", "content": "move?"},)})
    decision.action.encode("utf-8")  # the record can be written: nothing unencodable is left
    assert "e4" in decision.action and decision.action != "Final Answer: e4 "


def test_a_json_body_that_is_no_chat_completion_is_a_clear_error(server):
    server.script(*[Reply(200, b'{"hello": "world"}', (("Content-Type", "application/json"),))] * 3)
    with backend_for(server) as backend:
        (result,) = backend.complete([ask("hi")])
    assert isinstance(result, BackendError) and result.kind == ErrorKind.MALFORMED
    assert "malformed response" in str(result)


@pytest.mark.parametrize(
    "status, hint", [(401, "OPENAI_API_KEY"), (403, "fake-model"), (404, "fake-model"), (400, "bad things")]
)
def test_client_errors_are_not_retried(server, status, hint):
    server.script(Reply.error(status, "bad things"))
    with backend_for(server) as backend:
        (result,) = backend.complete([ask("hi")])
    assert isinstance(result, NonRetryableError) and result.status == status
    assert str(result).startswith(f"{status} ") and hint in str(result)
    assert len(server.requests) == 1


def test_connection_refused_is_a_backend_error_in_the_slot():
    with FakeOpenAIServer() as fake:
        url = fake.url  # a port that was free a moment ago and is closed now
    backend = OpenAIBackend("m", base_url=url, retry_policy=RetryPolicy(max_attempts=2, initial_delay=0.01), timeout=2)
    (result,) = backend.complete([ask("hi")])
    assert isinstance(result, RetryableError)
    assert "could not connect to http://127.0.0.1" in str(result)


# ---------------------------------------------------------------------- keys and secrets


def test_the_key_never_leaks(server, caplog):
    # The server even echoes the key in its error text, as some proxies do.
    server.script(
        Reply.error(500, f"upstream rejected {SECRET}"),
        Reply.error(400, f"Incorrect API key provided: {SECRET}"),
        Reply.error(401, f"Incorrect API key provided: {SECRET}"),
        Reply.answer("Final Answer: e4"),
    )
    caplog.set_level(logging.DEBUG)
    backend = backend_for(server, retry_policy=RetryPolicy(max_attempts=2, initial_delay=0.01))
    agent = LLMAgent(backend)
    observation = {"messages": ({"role": "user", "content": "move?"},)}
    decisions = [agent.decide(observation) for _ in range(3)]
    backend.close()
    assert [d.action for d in decisions] == ["", "", "Final Answer: e4"]
    assert all(r.headers["authorization"] == f"Bearer {SECRET}" for r in server.requests)  # it was sent...
    texts = [repr(backend), backend.name, repr(agent), caplog.text]
    texts += [str(d.to_dict()) for d in decisions]
    assert caplog.text  # logging did run at DEBUG
    assert all(SECRET not in t for t in texts)  # ...and shown nowhere
    assert "[key]" in decisions[0].attempts[0].error


def test_missing_key_for_openai_names_the_variable():
    with pytest.raises(ValueError, match="OPENAI_API_KEY"):
        OpenAIBackend("gpt-4o-mini")


def test_key_from_the_environment(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with OpenAIBackend("m", base_url=server.url) as backend:
        backend.complete([ask("hi")])
    assert server.requests[0].headers["authorization"] == f"Bearer {SECRET}"


def test_a_local_server_needs_no_key(server):
    with OpenAIBackend("m", base_url=server.url) as backend:
        (result,) = backend.complete([ask("hi")])
    assert isinstance(result, Completion)
    assert backend.name == f"openai:m@{server.url}"


def test_name_drops_credentials_in_the_url():
    backend = OpenAIBackend("m", base_url="http://user:hunter2@localhost:8000/v1?token=abc")
    assert backend.name == "openai:m@http://localhost:8000/v1"
    assert "hunter2" not in repr(backend) and "abc" not in repr(backend)


# ---------------------------------------------------------------------- batches


def test_a_batch_runs_concurrently_bounded_by_max_concurrency(server):
    server.responder = lambda body: Reply.answer(last_user_text(body).upper(), delay=0.1)
    agent = LLMAgent(backend_for(server, max_concurrency=3))
    observations = [{"messages": ({"role": "user", "content": f"m{i}"},)} for i in range(10)]
    actions = agent.act_batch(observations)
    agent.backend.close()
    assert actions == [f"M{i}" for i in range(10)]  # in order
    assert server.max_in_flight == 3  # concurrent, and never more than the bound


# ---------------------------------------------------------------------- the retry helper


class Clock:
    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def failing(errors: list[Exception], result="done"):
    def call():
        if errors:
            raise errors.pop(0)
        return result

    return call


def test_retry_backs_off_exponentially_with_bounded_jitter():
    clock = Clock()
    policy = RetryPolicy(max_attempts=5, initial_delay=1.0, multiplier=2.0, max_delay=4.0)
    retry = Retrier(policy, rng=random.Random(0), sleep=clock.sleep, clock=lambda: clock.now)
    assert retry(failing([RetryableError("x")] * 4)) == "done"
    steps = [1.0, 2.0, 4.0, 4.0]  # capped at max_delay
    assert all(step / 2 <= wait <= step for wait, step in zip(clock.sleeps, steps))
    assert len(set(clock.sleeps)) == 4  # jittered


def test_retry_is_reproducible_with_a_seeded_generator():
    def waits(seed):
        clock = Clock()
        retry = Retrier(RetryPolicy(max_attempts=4), rng=random.Random(seed), sleep=clock.sleep)
        retry(failing([RetryableError("x")] * 3))
        return clock.sleeps

    assert waits(1) == waits(1) != waits(2)


def test_retry_after_is_a_floor():
    clock = Clock()
    retry = Retrier(RetryPolicy(initial_delay=0.01), rng=random.Random(0), sleep=clock.sleep)
    retry(failing([RetryableError("busy", retry_after=7.5)]))
    assert clock.sleeps == [7.5]


def test_retry_gives_up_after_max_attempts_and_never_retries_non_retryable():
    clock = Clock()
    retry = Retrier(RetryPolicy(max_attempts=3), sleep=clock.sleep)
    with pytest.raises(RetryableError, match="gave up after 3 attempts"):
        retry(failing([RetryableError("down")] * 5))
    assert len(clock.sleeps) == 2
    with pytest.raises(NonRetryableError):
        retry(failing([NonRetryableError("401"), RetryableError("never reached")]))
    assert len(clock.sleeps) == 2


def test_async_retry_waits_without_blocking_and_honours_retry_after():
    waits: list[float] = []

    async def asleep(seconds: float) -> None:
        waits.append(seconds)

    retry = Retrier(RetryPolicy(max_attempts=3, initial_delay=0.01), rng=random.Random(0), asleep=asleep,
                    sleep=lambda seconds: pytest.fail("the async path must not sleep the thread"))
    errors = [RetryableError("busy", retry_after=2.0), RetryableError("busy")]

    async def call():
        if errors:
            raise errors.pop(0)
        return "done"

    assert asyncio.run(retry.acall(call)) == "done"
    assert waits[0] == 2.0 and 0.005 <= waits[1] <= 0.02
    with pytest.raises(RetryableError, match="gave up after 3 attempts"):
        asyncio.run(retry.acall(lambda: call_failing()))


async def call_failing():
    raise RetryableError("down")


def test_retry_stops_at_max_elapsed():
    clock = Clock()
    policy = RetryPolicy(max_attempts=100, initial_delay=1.0, max_delay=1.0, max_elapsed=3.0)
    retry = Retrier(policy, rng=random.Random(0), sleep=clock.sleep, clock=lambda: clock.now)
    with pytest.raises(RetryableError):
        retry(failing([RetryableError("down")] * 100))
    assert clock.now <= 3.0 and len(clock.sleeps) >= 3


# ---------------------------------------------------------------------- reasoning in the text


@pytest.mark.parametrize(
    "content, reasoning, answer",
    [
        ("<think>d4 or e4? e4.</think>\n\nFinal Answer: e4", "d4 or e4? e4.", "Final Answer: e4"),
        ("d4 or e4? e4.</think>Final Answer: e4", "d4 or e4? e4.", "Final Answer: e4"),  # template opened <think>
        ("<think>still weighing Final Answer: d4", "still weighing Final Answer: d4", ""),  # cut off mid-thought
        ("Final Answer: e4 (no <think> here)", "", "Final Answer: e4 (no <think> here)"),
    ],
)
def test_think_tags_in_the_text_are_reasoning_not_answer(server, content, reasoning, answer):
    server.script(Reply.answer(content))
    with backend_for(server) as backend:
        (result,) = backend.complete([ask("move?")])
    assert (result.reasoning, result.text) == (reasoning, answer)


def test_reasoning_content_and_think_tags_are_both_kept(server):
    server.script(Reply.answer("<think>second thought</think>e4", reasoning="first thought"))
    with backend_for(server) as backend:
        (result,) = backend.complete([ask("move?")])
    assert (result.reasoning, result.text) == ("first thought\n\nsecond thought", "e4")


def test_scrub_key_masks_fragments_of_six_or_more_characters_only():
    key = "sk-proj-ABCDEFGHIJKLMNOP"
    assert scrub_key("Incorrect API key provided: sk-proj-****MNOP", key) == "Incorrect API key provided: [key]****MNOP"
    assert scrub_key("key GHIJKL leaked", key) == "key [key] leaked"
    assert scrub_key("key GHIJK and sk-pr stay", key) == "key GHIJK and sk-pr stay"  # five characters: chance
    assert scrub_key("bad things", key) == "bad things"


def test_a_server_quoting_part_of_the_key_leaks_no_fragment(server):
    server.script(Reply.error(400, f"Incorrect API key provided: {SECRET[:4]}***{SECRET[-7:]}"))
    with backend_for(server) as backend:
        (result,) = backend.complete([ask("hi")])
    assert SECRET[-7:] not in str(result) and "[key]" in str(result)


@pytest.mark.parametrize("shown", ["{key}", "Bearer {key}", "key={key}.", "OPENAI_{key}", "'{key}'\n"])
def test_scrub_key_masks_the_whole_bare_key_wherever_a_server_quotes_it(shown):
    key = "sk-proj-ABCDEFGHIJKLMNOP"
    masked = scrub_key(shown.format(key=key), key)
    assert masked == shown.format(key="[key]") and "sk-" not in masked
