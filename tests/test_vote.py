"""MajorityVote: batched sampling, counting, seeded tie-breaks, and composing with Parse and Rethink."""

from __future__ import annotations

import pytest

import llm_arena_env
from llm_arena_env.agents.errors import BackendError
from llm_arena_env.wrappers import COULD_NOT_PARSE, MajorityVote, Parse, Rethink, env_checker
from tests.test_rethink import Scripted


@pytest.fixture
def observation():
    env = llm_arena_env.make("openspiel/tic_tac_toe")
    env.reset(seed=0)
    return env.observe(env.agent_selection)


def _answers(*moves):
    return [f"Thinking...\nFinal Answer: {m}" for m in moves]


def test_the_most_voted_move_wins_and_the_votes_are_recorded(observation):
    inner = Scripted(*_answers("(0,0)", "(1,1)", "x(0,0)", "(1,1)", "0,0"))
    decision = MajorityVote(Parse(inner), n=5).decide(observation)
    assert decision.action == "x(0,0)"
    *samples, vote = decision.attempts
    assert len(samples) == 5 and [s.raw_output for s in samples] == _answers("(0,0)", "(1,1)", "x(0,0)", "(1,1)", "0,0")
    assert dict(vote.votes) == {"x(0,0)": 3, "x(1,1)": 2}
    assert vote.parsed == "x(0,0)" and vote.completion_tokens == 0


def test_samples_of_a_batch_go_to_the_inner_agent_in_one_call(observation):
    inner = Scripted(*_answers("(0,0)", "(0,0)", "(0,0)", "(2,2)", "(2,2)", "(1,1)"))
    decisions = MajorityVote(Parse(inner), n=3).decide_batch([observation, observation])
    assert [len(call) for call in inner.calls] == [6]
    assert [d.action for d in decisions] == ["x(0,0)", "x(2,2)"]


def test_unparsable_samples_do_not_vote(observation):
    inner = Scripted("hmm", "no idea", "Final Answer: (2,1)")
    decision = MajorityVote(Parse(inner), n=3).decide(observation)
    assert decision.action == "x(2,1)"
    assert dict(decision.attempts[-1].votes) == {"x(2,1)": 1}


def test_when_no_sample_parses_the_first_raw_reply_goes_to_the_env(observation):
    decision = MajorityVote(Parse(Scripted("hmm", "no idea", "pass")), n=3).decide(observation)
    assert decision.action == "hmm"
    assert decision.attempts[-1].parsed is None and decision.attempts[-1].reason == COULD_NOT_PARSE


def test_transport_failures_do_not_vote_and_pass_on_when_every_call_failed(observation):
    decision = MajorityVote(Parse(Scripted(BackendError("down"), "Final Answer: (0,2)")), n=2).decide(observation)
    assert decision.action == "x(0,2)"
    failed = MajorityVote(Parse(Scripted(BackendError("down"), BackendError("down"))), n=2).decide(observation)
    assert failed.action == "" and failed.attempts[-1].error == "down"


def _tie_pick(observation, seed):
    inner = Scripted(*_answers("(0,0)", "(1,1)", "(1,1)", "(0,0)"))
    return MajorityVote(Parse(inner), n=4, seed=seed).decide(observation)


def test_a_tie_is_broken_at_random_from_the_seed(observation):
    picks = {seed: _tie_pick(observation, seed).action for seed in range(20)}
    assert set(picks.values()) == {"x(0,0)", "x(1,1)"}
    assert all(_tie_pick(observation, seed).action == pick for seed, pick in picks.items())
    assert "tie between x(0,0), x(1,1)" in _tie_pick(observation, 0).attempts[-1].reason


def test_n_must_be_positive():
    with pytest.raises(ValueError):
        MajorityVote(Scripted(), n=0)


def test_rethink_around_a_vote_asks_all_samples_again_with_the_feedback():
    env = llm_arena_env.make("openspiel/tic_tac_toe")
    env.reset(seed=0)
    observation = env.observe(env.agent_selection)
    inner = Scripted(*_answers("(5,5)", "(5,5)", "(0,1)"), *_answers("(2,0)", "(1,0)", "(2,0)"))
    decision = Rethink(MajorityVote(Parse(inner), n=3), checker=env_checker(env)).decide(observation)
    assert decision.action == "x(2,0)"
    assert [len(call) for call in inner.calls] == [3, 3]
    assert len(decision.attempts) == 8  # 3 samples and the vote, twice
    rejected_vote = decision.attempts[3]
    assert rejected_vote.parsed == "(5,5)" and rejected_vote.legal is False
    assert rejected_vote.feedback.startswith("Your move (5,5) was illegal")
    assert inner.calls[1][0]["messages"][-1]["content"] == rejected_vote.feedback
    env.step(decision.action)
    assert env.agent_selection == "player_1"


def test_the_whole_stack_runs_on_a_real_llm_agent_with_one_backend_call_per_round():
    from llm_arena_env.agents.llm import LLMAgent
    from tests.test_parsers import _Backend

    env = llm_arena_env.make("openspiel/connect_four")
    env.reset(seed=0)
    backend = _Backend("Final Answer: 9", "no idea", "Final Answer: 9", "column 2", "Final Answer: 2", "I'd say 5")
    agent = Rethink(MajorityVote(Parse(LLMAgent(backend, temperature=1.0)), n=3, seed=0), checker=env_checker(env))
    decision = agent.decide(env.observe(env.agent_selection))
    assert decision.action == "x2"
    assert backend.batch_sizes == [3, 3] and all(r.options["temperature"] == 1.0 for r in backend.requests)
    assert backend.requests[3].messages[-1]["content"].startswith("Your move 9 was illegal")
