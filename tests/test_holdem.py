"""Heads-up no-limit hold'em: the short move names a model writes are read by the env and the parser."""

from __future__ import annotations

import pytest

import llm_arena_env
from llm_arena_env.wrappers.parsers import ParserInput, default_parser


def started():
    env = llm_arena_env.make("openspiel/universal_poker")
    env.reset(seed=3)
    return env


def test_moves_are_named_as_players_say_them_and_bets_listed_as_a_range():
    env = started()
    observation = env.observe(env.agent_selection)
    assert list(observation["legal_actions"][:3]) == ["Fold", "Call", "Raise 200"]
    assert observation["legal_actions"][-1] == "AllIn"
    assert "Legal moves: Fold, Call, Raise N for any N from 200 to 19999, AllIn" in observation["text"]
    assert len(observation["text"]) < 3000  # not nineteen thousand bet sizes
    ok, reason = env.check_action(env.agent_selection, "I am all in with a royal flush")  # SmolLM2's kind of reply
    assert not ok and reason.endswith("Legal moves include: Fold, Call, Raise N for any N from 200 to 19999, AllIn")


@pytest.mark.parametrize(
    "said, move",
    [("Final Answer: AllIn", "AllIn"), ("Final Answer: all-in", "AllIn"), ("Final Answer: Raise to 600", "Raise 600"),
     ("Final Answer: bet 600", "Raise 600"), ("Final Answer: call", "Call"), ("I give up.\nFinal Answer: Fold", "Fold")],
)
def test_the_parser_reads_short_names_and_the_env_accepts_them(said, move):
    env = started()
    observation = env.observe(env.agent_selection)
    parsed = default_parser().parse(ParserInput.from_observation(observation, said)).move
    assert parsed == move
    assert env.check_action(env.agent_selection, said.rsplit(": ", 1)[1]) == (True, "")


def test_a_hand_played_in_short_names_moves_the_chips_as_poker_does():
    env = started()
    for move in ["Raise 300", "Call", "Check", "Bet 500", "Raise 1500", "Fold"]:
        ok, reason = env.check_action(env.agent_selection, move)
        assert ok, (move, reason)
        env.step(move)
    # player_1 raised to 300, bet on the flop to 500 in all (N is the hand's total) and folded to a raise
    assert env.rewards == {"player_0": 500.0, "player_1": -500.0}


def test_a_player_sees_the_same_whatever_the_opponent_holds():
    views = []
    for deal in ([0, 1, 2, 3], [0, 1, 40, 41]):  # player_0's cards first, then player_1's
        env = llm_arena_env.make("openspiel/universal_poker")
        env.reset(seed=0, options={"history": deal})
        env.step("Raise 300")  # player_0 to act, before the flop (the flop is drawn from what is left of the deck)
        views.append({agent: env.observe(agent) for agent in env.possible_agents})
    assert (views[0]["player_0"]["text"], views[0]["player_0"]["messages"]) == (
        views[1]["player_0"]["text"], views[1]["player_0"]["messages"])
    assert views[0]["player_1"]["text"] != views[1]["player_1"]["text"]
