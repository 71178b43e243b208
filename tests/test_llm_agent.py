"""LLMAgent with a scripted in-memory backend: what it sends, what it records, how it fails."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys

import numpy as np
import pytest

from llm_arena_env.agents.backends import Backend, Completion, Request
from llm_arena_env.agents.errors import BackendError, NonRetryableError, RetryableError
from llm_arena_env.agents.llm import LLMAgent


class ScriptedBackend:
    """Answers each request with the next scripted result; records every batch it was sent."""

    name = "scripted:test"

    def __init__(self, *results):
        self.results = list(results)
        self.batches: list[list[Request]] = []

    def complete(self, requests):
        self.batches.append(list(requests))
        return [self.results.pop(0) for _ in requests]


def observation(text: str, *, system: str | None = "Rules of the game.", image=None) -> dict:
    messages = ({"role": "system", "content": system},) if system else ()
    obs = {"text": text, "messages": (*messages, {"role": "user", "content": text}), "legal_actions": ("a", "b")}
    if image is not None:
        obs["image"] = image
    return obs


def test_a_batch_is_one_backend_call_with_each_observations_chat_and_image():
    image = np.zeros((4, 4, 3), np.uint8)
    backend = ScriptedBackend(Completion("Final Answer: a"), Completion("Final Answer: b"))
    agent = LLMAgent(backend, temperature=0.2, max_tokens=64, stop=["\n\n"], seed=5)
    decisions = agent.decide_batch([observation("first", image=image), observation("second")])
    assert [d.action for d in decisions] == ["Final Answer: a", "Final Answer: b"]
    (batch,) = backend.batches
    assert [r.messages[-1]["content"] for r in batch] == ["first", "second"]
    assert batch[0].image is image and batch[1].image is None
    assert batch[0].options == {"temperature": 0.2, "max_tokens": 64, "stop": ["\n\n"], "seed": 5}


def test_unset_options_are_left_to_the_backend():
    backend = ScriptedBackend(Completion("x"))
    LLMAgent(backend).decide(observation("hi"))
    assert backend.batches[0][0].options == {}


def test_the_decision_records_the_call():
    completion = Completion("Final Answer: a", reasoning="a wins", prompt_tokens=12, completion_tokens=4, latency_s=0.5)
    decision = LLMAgent(ScriptedBackend(completion)).decide(observation("go"))
    (attempt,) = decision.attempts
    assert attempt.raw_output == "Final Answer: a"
    assert attempt.prompt == ({"role": "system", "content": "Rules of the game."}, {"role": "user", "content": "go"})
    assert (attempt.reasoning, attempt.prompt_tokens, attempt.completion_tokens) == ("a wins", 12, 4)
    assert attempt.latency_s == 0.5
    assert attempt.error == ""
    json.dumps(decision.to_dict())  # transcripts and training data store it as JSON
    assert pickle.loads(pickle.dumps(decision)) == decision  # and worker processes send it back


@pytest.mark.parametrize("system", ["Rules of the game.", None])
def test_system_prompt_replaces_or_leads(system):
    backend = ScriptedBackend(Completion("x"))
    LLMAgent(backend, system_prompt="You are a grandmaster.").decide(observation("go", system=system))
    sent = backend.batches[0][0].messages
    assert sent == ({"role": "system", "content": "You are a grandmaster."}, {"role": "user", "content": "go"})


def test_the_observation_is_not_changed():
    obs = observation("go")
    before = json.dumps(obs["messages"])
    LLMAgent(ScriptedBackend(Completion("x")), system_prompt="Other.").decide(obs)
    assert json.dumps(obs["messages"]) == before


def test_an_observation_without_messages_sends_its_text():
    backend = ScriptedBackend(Completion("x"))
    LLMAgent(backend).decide({"text": "Your move."})
    assert backend.batches[0][0].messages == ({"role": "user", "content": "Your move."},)


def test_a_failed_slot_gives_an_empty_action_with_the_error_and_spares_the_others():
    failure = RetryableError("503 Service Unavailable from http://x: busy (gave up after 6 attempts)")
    backend = ScriptedBackend(Completion("Final Answer: a"), failure)
    ok, failed = LLMAgent(backend).decide_batch([observation("one"), observation("two")])
    assert ok.action == "Final Answer: a" and not ok.attempts[0].error
    assert failed.action == ""
    (attempt,) = failed.attempts
    assert attempt.raw_output == "" and "503" in attempt.error
    assert attempt.prompt[-1]["content"] == "two"  # what was asked is kept, for the transcript


def test_a_whole_batch_failure_fails_every_decision():
    class Down:
        name = "down"

        def complete(self, requests):
            raise NonRetryableError("401 Unauthorized from http://x: check OPENAI_API_KEY")

    decisions = LLMAgent(Down()).decide_batch([observation("one"), observation("two")])
    assert [d.action for d in decisions] == ["", ""]
    assert all("401" in d.attempts[0].error for d in decisions)


def test_a_backend_answering_the_wrong_number_of_requests_is_a_bug_reported_clearly():
    class Short(ScriptedBackend):
        def complete(self, requests):
            return []

    with pytest.raises(RuntimeError, match="answered 0 of 1"):
        LLMAgent(Short()).decide(observation("go"))


def test_act_and_decide_agree_and_an_empty_batch_costs_nothing():
    backend = ScriptedBackend(Completion("a"), Completion("b"), Completion("c"))
    agent = LLMAgent(backend)
    assert agent.act(observation("1")) == "a"
    assert agent.act_batch([observation("2"), observation("3")]) == ["b", "c"]
    assert agent.decide_batch([]) == []
    assert len(backend.batches) == 2


def test_repr_names_the_backend():
    agent = LLMAgent(ScriptedBackend(), temperature=0.0)
    assert repr(agent) == "LLMAgent(backend='scripted:test', options={'temperature': 0.0})"
    assert isinstance(ScriptedBackend(), Backend)


def test_a_backend_without_complete_is_refused():
    with pytest.raises(TypeError, match="complete"):
        LLMAgent(object())


def test_requests_check_what_they_carry():
    with pytest.raises(ValueError, match="HxWx3 uint8"):
        Request(({"role": "user", "content": "x"},), image=np.zeros((4, 4), np.uint8))
    with pytest.raises(ValueError, match="at least one message"):
        Request(())
    with pytest.raises(ValueError, match="'role' and 'content'"):
        Request(({"role": "user", "content": None},))


def test_backend_errors_keep_their_kind():
    assert issubclass(RetryableError, BackendError) and issubclass(NonRetryableError, BackendError)
    assert RetryableError("x", retry_after=1.5).retry_after == 1.5


def test_importing_agents_and_backends_loads_no_heavy_library():
    code = (
        "import sys, llm_arena_env.agents, llm_arena_env.agents.llm, llm_arena_env.agents.backends as b;"
        "b.OpenAIBackend; b.TransformersBackend;"
        "print(sorted(m for m in ('torch', 'transformers', 'openai') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
