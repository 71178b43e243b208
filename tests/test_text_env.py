"""The base class's contract, on a tiny game defined here: Nim (take 1-3 stones; who takes the last wins)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pettingzoo.test import api_test, render_test, seed_test

from llm_arena_env.core import outcome as oc
from llm_arena_env.core.outcome import EndReason, Outcome, Result
from llm_arena_env.core.text_env import IllegalAction, TextEnv


class Nim(TextEnv):
    num_actions = 3  # id i takes i + 1 stones
    default_prompt_template = "{state}\n{answer_format}"

    def __init__(self, stones: int = 7, **kwargs):
        self.start_stones = stones
        super().__init__(["first", "second"], **kwargs)

    def _new_game(self, options):
        self.stones = options.get("stones", self.start_stones)
        self.turn = 0

    def _current_agent(self):
        return self.possible_agents[self.turn % 2]

    def _parse_action(self, agent, text):
        text = text.strip()
        if not text.isdecimal():  # isdigit() takes "²", which int() refuses
            raise IllegalAction("say how many stones you take, as a number")
        return self._take(int(text))

    def _parse_action_id(self, agent, action_id):
        return self._take(action_id + 1)

    def _take(self, count):
        if not 1 <= count <= min(3, self.stones):
            raise IllegalAction(f"you may take 1 to {min(3, self.stones)} stones")
        return count

    def _apply(self, agent, move):
        self.stones -= move
        self.turn += 1

    def _result(self):
        if self.stones:
            return None
        rewards, outcomes = oc.zero_sum(self.possible_agents, self.possible_agents[(self.turn - 1) % 2])
        return Result(rewards, outcomes, detail="took the last stone", scores={"turns": self.turn})

    def _prompt_fields(self, agent):
        return {"state": lambda: f"{self.stones} stones left. You are {agent}.", "stones": lambda: str(self.stones)}

    def _legal_actions(self, agent):
        return [str(n) for n in range(1, min(3, self.stones) + 1)]

    def _legal_action_ids(self, agent):
        return list(range(min(3, self.stones)))


def play(env, *actions):
    for action in actions:
        env.step(action)


def test_pettingzoo_api_seed_and_render_tests_pass():
    api_test(Nim(), num_cycles=50)
    seed_test(lambda: Nim(max_illegal_actions=1), num_cycles=50)
    render_test(lambda render_mode=None: Nim(render_mode=render_mode))
    api_test(Nim(observation_mode="text+image", image_size=64), num_cycles=10)


def test_observation_dict_holds_text_messages_legal_moves_and_mask():
    env = Nim()
    env.reset(seed=0)
    obs = env.observe("first")
    assert obs["text"].startswith("7 stones left. You are first.")
    assert obs["messages"][-1] == {"role": "user", "content": obs["text"]}
    assert obs["legal_actions"] == ("1", "2", "3")
    assert obs["action_mask"].tolist() == [1, 1, 1]
    waiting = env.observe("second")  # not its turn: nothing to play
    assert waiting["legal_actions"] == () and waiting["action_mask"].tolist() == [0, 0, 0]


def test_a_win_gives_rewards_outcomes_and_scores():
    env = Nim()
    env.reset(seed=0)
    play(env, "3", 2, "1")  # 7 -> 4 -> 1 (int id 2 takes 3 stones) -> 0: first takes the last stone
    assert env.stones == 0
    assert env.rewards == {"first": 1.0, "second": -1.0}
    assert env.infos["first"]["outcome"] is Outcome.WIN
    assert env.infos["second"]["outcome"] is Outcome.LOSS
    assert env.infos["first"]["scores"] == {"Aborted": 0.0, "turns": 3}
    assert all(env.terminations.values()) and not any(env.truncations.values())


def test_default_policy_illegal_action_loses_the_game():
    env = Nim()
    env.reset(seed=0)
    env.step("9")
    assert env.result.reason is EndReason.ILLEGAL_ACTION
    assert env.rewards == {"first": -1.0, "second": 1.0}
    assert env.infos["first"]["outcome"] is Outcome.LOSS
    assert env.infos["first"]["rejection"] == "you may take 1 to 3 stones"
    assert env.infos["first"]["scores"]["Aborted"] == 1.0
    assert env.infos["first"]["illegal_actions"] == 1


def test_max_illegal_actions_asks_again_with_the_reason_then_forfeits():
    env = Nim(max_illegal_actions=2)
    env.reset(seed=0)
    env.step("lots")
    assert env.agent_selection == "first" and env.stones == 7 and env.result is None
    assert "rejected: say how many stones you take" in env.observe("first")["text"]
    env.step("2")  # accepted: the streak and the feedback are cleared
    assert env.agent_selection == "second" and "rejection" not in env.infos["first"]
    assert "rejected" not in env.observe("first")["text"]
    for _ in range(2):
        env.step("0")
        assert env.result is None
    env.step("0")
    assert env.infos["second"]["outcome"] is Outcome.LOSS
    assert env.illegal_action_counts == {"first": 1, "second": 3}


def test_check_action_is_pure():
    env = Nim()
    env.reset(seed=0)
    assert env.check_action("first", "2") == (True, "")
    assert env.check_action("first", "5") == (False, "you may take 1 to 3 stones")
    assert env.check_action("second", "1") == (False, "it is not second's turn but first's")
    assert env.stones == 7 and env.result is None and env.agent_selection == "first"


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.binary(), st.none(), st.floats(), st.integers(), st.booleans(),
                 st.lists(st.integers()), st.just("x" * 1_000_000)))
def test_hostile_actions_are_rejected_without_losing_state(action):
    env = Nim(max_illegal_actions=1)
    env.reset(seed=0)
    ok, reason = env.check_action("first", action)
    env.step(action)
    if ok:
        assert env.stones < 7
    else:
        assert reason and env.stones == 7 and env.infos["first"]["rejection"] == reason
        assert len(env.observe("first")["text"]) < 2_000  # a huge action is not echoed back whole


def test_reset_clears_every_episode_buffer():
    env = Nim(max_illegal_actions=3)
    env.reset(seed=0)
    play(env, "x", "1")
    env.reset(seed=0)
    assert env.illegal_action_counts == {"first": 0, "second": 0}
    assert env.stones == 7 and env.result is None and env.infos == {"first": {}, "second": {}}
    env.reset(options={"stones": 2})
    assert env.stones == 2


def test_prompt_template_and_answer_format_are_options():
    env = Nim(prompt_template="Stones: {stones}. {answer_format}", answer_format="Say a number.")
    assert env.observe("first")["text"] == "Stones: 7. Say a number."
    with pytest.raises(ValueError, match=r"unknown prompt field \{board\}; this game has: answer_format, state, stones"):
        Nim(prompt_template="{board}")


def test_bad_constructor_arguments_get_clear_errors():
    with pytest.raises(ValueError, match="observation_mode"):
        Nim(observation_mode="video")
    with pytest.raises(ValueError, match="render_mode"):
        Nim(render_mode="3d")
    with pytest.raises(ValueError, match="max_illegal_actions"):
        Nim(max_illegal_actions=-1)


def test_images_are_deterministic_and_follow_the_state():
    env = Nim(observation_mode="text+image", image_size=96, render_mode="rgb_array")
    env.reset(seed=0)
    first = env.observe("first")["image"]
    assert first.shape == (96, 96, 3) and first.dtype == np.uint8
    assert np.array_equal(first, env.observe("first")["image"])
    env.step("1")
    assert not np.array_equal(env.render(), first)


def test_max_illegal_actions_counts_per_turn_not_per_episode():
    env = Nim(max_illegal_actions=2, stones=30)
    env.reset(seed=0, options={"stones": 30})
    for _ in range(3):  # three turns of "first", each with the two retries it is allowed
        env.step("0")
        env.step("9")
        assert env.result is None and env.agent_selection == "first"
        env.step("1")
        env.step("1")  # second
    assert env.result is None and env.illegal_action_counts == {"first": 6, "second": 0}
    env.step("0")
    env.step("0")
    env.step("0")  # the third rejection in one turn forfeits
    assert env.infos["first"]["outcome"] is Outcome.LOSS and env.infos["first"]["illegal_actions"] == 9
