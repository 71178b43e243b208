"""The game as a TRL tool environment (GRPOTrainer(environment_factory=...)): the contract TRL relies on."""

from __future__ import annotations

import inspect

import pytest

pytest.importorskip("transformers")

from llm_arena_env.training.tool_env import game_environment, tool_prompt_dataset  # noqa: E402

GAME = "openspiel/tic_tac_toe"


def tools_of(instance):
    """The methods TRL exposes as tools: public functions of the class other than reset and get_reward."""
    return [name for name, _ in inspect.getmembers(type(instance), predicate=inspect.isfunction)
            if name not in ("reset", "get_reward") and not name.startswith("_")]


def test_the_only_tool_is_make_move_with_a_schema_transformers_can_build():
    from transformers.utils import get_json_schema

    env = game_environment(GAME)()
    assert tools_of(env) == ["make_move"]
    schema = get_json_schema(env.make_move)
    assert schema["function"]["name"] == "make_move"
    assert list(schema["function"]["parameters"]["properties"]) == ["move"]


def test_a_game_through_tool_calls_ends_with_the_learners_return():
    env = game_environment(GAME, opponents="random")()
    shown = env.reset(seed=0, player="player_1", prompt="ignored")  # TRL passes the whole row
    assert "make_move" in shown and "You are player_1" in shown and "x" in shown  # random x has moved
    for _ in range(9):
        legal = [line for line in shown.splitlines() if line.startswith("Legal moves:")]
        if not legal:
            break
        shown = env.make_move(legal[0].split(": ")[1].split(", ")[0])
    assert shown.startswith("The game is over")
    assert env.get_reward() in (-1.0, 0.0, 1.0)
    assert env.make_move("o(0,0)").startswith("The game is over")  # nothing is played after the end


def test_an_illegal_move_forfeits_and_the_bonus_counts_accepted_moves():
    env = game_environment(GAME, legal_bonus=0.1)()
    env.reset(seed=3)
    env.make_move("x(1,1)")
    assert env.make_move("x(1,1)").startswith("The game is over: you lost")  # occupied (or o's cell)
    assert env.get_reward() == pytest.approx(-1.0 + 0.1)
    again = env.reset(seed=3)
    assert env.get_reward() == 0.0 and "Legal moves" in again


def test_group_members_meet_different_opponents_and_rows_name_seeds_and_seats():
    factory = game_environment(GAME)
    openings = [factory().reset(seed=7, player="player_1") for _ in range(8)]  # TRL: one instance per rollout
    assert len(set(openings)) > 1
    again = game_environment(GAME)
    assert [again().reset(seed=7, player="player_1") for _ in range(8)] == openings  # a rerun replays them
    rows = tool_prompt_dataset(GAME, seeds=[1, 2])
    assert [(r["seed"], r["player"]) for r in rows] == [(1, "player_0"), (1, "player_1"), (2, "player_0"), (2, "player_1")]
    assert rows[0]["prompt"][0]["role"] == "user"
    with pytest.raises(Exception):
        game_environment("no/such_game")
