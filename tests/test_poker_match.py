"""A heads-up no-limit match: stacks carry from hand to hand, blinds alternate, scores are chips per hand."""

from __future__ import annotations

import pytest

import llm_arena_env


def match(**kwargs):
    env = llm_arena_env.make("poker/holdem_match", **kwargs)
    env.reset(seed=0)
    return env


def test_stacks_carry_over_and_the_blinds_alternate():
    env = match(hands=3)
    assert env.agent_selection == "player_1"  # hand 1: player_1 is the small blind and acts first
    env.step("Fold")  # it gives up its small blind of 50
    assert env.stacks == [20050, 19950] and env.hand_number == 2
    assert env.params["stack"] == "20050 19950" and env.params["blind"] == "50 100"
    text = env.observe(env.agent_selection)["text"]
    assert env.agent_selection == "player_0"  # hand 2: player_0 is the small blind
    assert "this is hand 2" in text and "you 20050, your opponent 19950" in text and "you won 50 chips" in text
    env.step("Raise 300")
    env.step("Fold")  # player_1 folds its big blind
    assert env.stacks == [20150, 19850]
    env.step("Call")
    env.step("Check")
    assert env.result is None and env.hand_number == 3


def test_the_score_is_chips_won_per_hand_and_zero_sum():
    env = match(hands=2)
    env.step("Fold")  # hand 1: player_1 loses 50
    env.step("Fold")  # hand 2: player_0 loses 50
    assert env.result is not None and env.rewards == {"player_0": 0.0, "player_1": 0.0}
    assert env.infos["player_0"]["outcome"] == "draw" and env.result.scores["Hands"] == 2
    env = match(hands=2)
    env.step("Fold")
    env.step("Raise 300")
    env.step("Fold")  # player_0 wins 50 and 100: 150 chips in 2 hands
    assert env.rewards == {"player_0": 75.0, "player_1": -75.0}
    assert env.infos["player_0"]["chips_won"] == 150 and env.infos["player_1"]["outcome"] == "loss"


def test_a_player_who_cannot_post_the_big_blind_ends_the_match():
    env = match(hands=50, stack=300, big_blind=100)
    while env.result is None:
        legal = env.observe(env.agent_selection)["legal_actions"]
        env.step("AllIn" if "AllIn" in legal else "Call")
    assert len(env.hand_results) < 50 and min(env.stacks) < 100 and sum(env.stacks) == 600
    assert "could not post the big blind" in env.result.detail


def test_only_the_players_own_cards_are_shown():
    env = match(hands=1)
    private = env.state.information_state_string(0).split("[Private: ")[1][:4]
    assert private in env.observe("player_0")["text"] and private not in env.observe("player_1")["text"]


@pytest.mark.parametrize("bad", [{"hands": 0}, {"stack": 10, "big_blind": 100}, {"big_blind": 1}])
def test_bad_settings_are_refused(bad):
    with pytest.raises(ValueError):
        llm_arena_env.make("poker/holdem_match", **bad)
