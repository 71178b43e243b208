"""A failed model call of an opponent is no move: SingleAgentEnv, GameRollout, the evaluator and the TRL tool
env end that episode as an error (as the arena does) and never score or train on it."""

from __future__ import annotations

import json

import pytest

from llm_arena_env.agents.base import Attempt, Decision
from llm_arena_env.agents.random_agent import RandomAgent
from llm_arena_env.arena.runner import FatalModelError
from llm_arena_env.wrappers.single_agent import SingleAgentEnv

GAME = "openspiel/tic_tac_toe"
SHORT_PROMPT = "You are {player}.\n{board}\nLegal moves: {legal_moves}"


class FailsAfter:
    """Plays random legal moves, then its model call fails (``kind``) from its ``moves``-th move on."""

    def __init__(self, moves: int, kind: str = "server"):
        self.moves, self.kind, self.random = moves, kind, RandomAgent(seed=0)

    def decide(self, observation):
        if self.moves <= 0:
            return Decision("", (Attempt(raw_output="", error="503 from the server: busy", error_kind=self.kind),))
        self.moves -= 1
        return Decision(self.random.act(observation))


def _first_legal(observation) -> int:
    return int(observation["action_mask"].argmax())


def test_single_agent_env_ends_the_episode_as_an_error_without_playing_the_failed_call():
    env = SingleAgentEnv(GAME, [FailsAfter(1)])
    observation, info = env.reset(seed=0)
    observation, reward, terminated, truncated, info = env.step(_first_legal(observation))
    assert not (terminated or truncated) and info.get("outcome") is None  # the opponent's first move was played
    observation, reward, terminated, truncated, info = env.step(_first_legal(observation))
    assert truncated and not terminated and reward == 0.0
    assert info["outcome"] == "error" and info["end_reason"] == "error"
    assert info["error"]["kind"] == "server" and info["error"]["player"] == "player_1"
    assert len(env.env.unwrapped.state.history()) == 3  # x, o, x: the failed call put nothing on the board
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)
    observation, info = env.reset(seed=1)  # the next episode starts clean
    assert "outcome" not in info


def test_single_agent_env_stops_on_a_failure_every_call_would_repeat():
    env = SingleAgentEnv(GAME, [FailsAfter(0, kind="auth")])
    observation, _ = env.reset(seed=0)
    with pytest.raises(FatalModelError, match="auth"):
        env.step(_first_legal(observation))


def test_an_opponent_failure_at_reset_is_reported_at_the_first_step():
    env = SingleAgentEnv(GAME, [FailsAfter(0)], learner="player_1")
    _, info = env.reset(seed=0)
    assert info["outcome"] == "error"
    _, reward, terminated, truncated, info = env.step(0)
    assert truncated and not terminated and reward == 0.0 and info["outcome"] == "error"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from tests.tiny_models import build_chat_model

    path = build_chat_model(tmp_path_factory.mktemp("transport") / "model", seed=0)
    return AutoModelForCausalLM.from_pretrained(path), AutoTokenizer.from_pretrained(path)


def test_rollout_episodes_cut_by_a_failed_call_are_unscored_and_untrained(tiny):
    from llm_arena_env.training.generation import eos_token_ids
    from llm_arena_env.training.grpo import GameRollout, game_return_reward, legal_move_reward
    from tests.test_grpo_rollout import FirstLegalMove

    model, tokenizer = tiny
    learner = FirstLegalMove(tokenizer, eos_token_ids(model, tokenizer))
    kwargs = {"prompt_template": SHORT_PROMPT}
    starts = [(0, "player_0"), (1, "player_0")]
    healthy = GameRollout(GAME, opponents="random", game_kwargs=kwargs).play(starts, learner)
    broken = GameRollout(GAME, opponents={"player_1": FailsAfter(1)}, game_kwargs=kwargs).play(starts, learner)

    assert healthy["outcome"] != ["error", "error"]
    assert broken["outcome"] == ["error", "error"] and broken["end_reason"] == ["error", "error"]
    assert json.loads(broken["error"][0])["kind"] == "server" and healthy["error"] == ["", ""]
    assert all(set(mask) == {0} for mask in broken["env_mask"])  # nothing of it is trained on
    assert all(1 in mask for mask in healthy["env_mask"])
    assert broken["learner_turns"] == [2, 1]  # the shared opponent moved once, in game 0; its failures were no moves
    completions = broken["completion_ids"]
    assert game_return_reward(completions, broken["game_return"], outcome=broken["outcome"]) == [None, None]
    assert legal_move_reward(completions, broken["accepted_moves"], outcome=broken["outcome"]) == [None, None]
    assert None not in game_return_reward(completions, healthy["game_return"], outcome=healthy["outcome"])

    turns = GameRollout(GAME, opponents={"player_1": FailsAfter(1)}, game_kwargs=kwargs, samples="turn")
    assert turns.play_turns(starts, learner) == []  # no turn sample from a game without a result


def test_the_evaluator_counts_failed_games_apart_from_the_models_games(tiny):
    from llm_arena_env.training.evaluate import evaluate
    from llm_arena_env.training.generation import eos_token_ids
    from tests.test_grpo_rollout import FirstLegalMove

    model, tokenizer = tiny
    learner = FirstLegalMove(tokenizer, eos_token_ids(model, tokenizer))
    # One game at a time: o has at most 4 moves in game 0, so it ends; o's calls fail from its 5th on.
    result = evaluate(None, tokenizer, GAME, seeds=[0, 1, 2], players=["player_0"], opponents=FailsAfter(4),
                      game_kwargs={"prompt_template": SHORT_PROMPT}, generator=learner, batch_size=1)
    assert result.games >= 1 and result.errors >= 1 and result.games + result.errors == 3
    assert result.wins + result.draws + result.losses == result.games and result.forfeits == 0
    assert result.legal_moves == result.moves  # the learner's moves, none of them in doubt
    assert "not scored" in result.table()


def test_tool_env_stops_the_game_and_gives_no_reward():
    from llm_arena_env.training.tool_env import STOPPED, game_environment

    env = game_environment(GAME, opponents={"player_1": FailsAfter(0)})()
    shown = env.reset(seed=0)
    assert "Legal moves" in shown
    assert env.make_move("x(1,1)") == STOPPED
    assert env.get_reward() is None  # TRL leaves the rollout unscored
    assert env.make_move("x(0,0)") == STOPPED


def test_reinforce_learns_nothing_from_episodes_cut_by_a_failed_call(tiny):
    import math

    import torch

    from llm_arena_env.training.policy_gradient import EpisodeReturns, Policy, reinforce

    model, tokenizer = tiny
    policy = Policy(model, tokenizer, max_new_tokens=2)
    rollout = EpisodeReturns(GAME, players=["player_1"], opponents={"player_0": FailsAfter(0)}, parser=None,
                             game_kwargs={"prompt_template": SHORT_PROMPT})
    samples = rollout(policy, [0, 1], sample_seed=0)
    assert all(math.isnan(s.reward) for s in samples) and all(set(s.mask) <= {0} for s in samples)
    before = [p.detach().clone() for p in model.parameters()]
    assert reinforce(policy, rollout, train_seeds=[0, 1], steps=2, batch_size=2, seed=0) == []
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
    with pytest.raises(ValueError, match="group_size"):
        reinforce(policy, rollout, train_seeds=[0], steps=1, batch_size=4, group_size=3)
