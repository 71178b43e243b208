"""The LLM agent specs of the CLI (`openai:<model>[@<base_url>]`, `hf:<path>`) build players that play."""

from __future__ import annotations

import pytest

import llm_arena_env
from llm_arena_env.agents.base import Verdict
from llm_arena_env.agents.specs import make_agent
from llm_arena_env.arena.episode import play_episode
from tests.fake_openai_server import FakeOpenAIServer, Reply


@pytest.fixture(autouse=True)
def _no_openai_env(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


def test_openai_spec_plays_through_a_local_server_with_parsing_and_rethinks():
    env = llm_arena_env.make("openspiel/tic_tac_toe")
    with FakeOpenAIServer() as server:
        # An illegal move first (rethink), then legal moves stated in the default answer format.
        server.script(Reply.answer("Final Answer: x(9,9)"), *[Reply.answer(f"I pick the center.\nFinal Answer: {m}")
                      for m in ("x(1,1)", "x(0,0)", "x(2,2)", "x(0,1)", "x(0,2)")])
        llm = make_agent(f"openai:tiny-model@{server.url}")
        record = play_episode(env, [llm, make_agent("random", seed=0)], seed=0)
    first = record.steps[0]
    assert first.accepted and first.action == "x(1,1)"
    attempts = first.attempts
    assert attempts[0].verdict is Verdict.REJECTED and attempts[-1].parsed == "x(1,1)"
    assert record.end_reason in ("game_over", "illegal_action")


def test_openai_spec_without_a_model_or_key_is_a_clear_error():
    with pytest.raises(ValueError, match="needs a model"):
        make_agent("openai:")
    with pytest.raises(ValueError, match="OPENAI_API_KEY"):
        make_agent("openai:gpt-4o-mini")


def test_hf_spec_loads_a_local_model_by_path(tmp_path):
    pytest.importorskip("transformers")
    from tests.tiny_models import build_chat_model

    path = build_chat_model(tmp_path / "tiny")
    agent = make_agent(f"hf:{path}")
    record = play_episode(llm_arena_env.make("openspiel/tic_tac_toe"), [agent, make_agent("random", seed=1)], seed=0)
    assert record.steps[0].attempts, "every attempt of the model is kept"
    assert record.end_reason in ("game_over", "illegal_action")
    with pytest.raises(ValueError, match="needs a model"):
        make_agent("hf:")
