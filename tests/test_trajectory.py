"""Trajectories from episode records and from the RecordTrajectories env wrapper."""

from __future__ import annotations

import json
import random

import pytest

import llm_arena_env
from llm_arena_env.agents import RandomAgent
from llm_arena_env.agents.base import Attempt, BaseAgent, Decision
from llm_arena_env.arena.episode import play_episode
from llm_arena_env.training.trajectory import (
    Trajectory,
    Turn,
    conversation,
    trajectories_from_episode,
)
from llm_arena_env.wrappers import Parse, Rethink
from llm_arena_env.training.record import RecordTrajectories


class ScriptedModel(BaseAgent):
    """Stands in for an LLM: replies from a script, and records the prompt it was given, as LLMAgent does."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.calls = 0

    def decide(self, observation):
        reply = self.replies[self.calls % len(self.replies)]
        self.calls += 1
        return Decision(reply, (Attempt(raw_output=reply, prompt=tuple(observation["messages"])),))


class SometimesIllegal(BaseAgent):
    """A random legal move, but every third move something the env rejects."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.moves = 0

    def decide(self, observation):
        self.moves += 1
        move = "no such move" if self.moves % 3 == 0 else self.rng.choice(observation["legal_actions"])
        return Decision(move, (Attempt(raw_output=f"I play {move}", parsed=move),))


def test_one_trajectory_per_player_from_a_record():
    record = play_episode(llm_arena_env.make("openspiel/tic_tac_toe"), [RandomAgent(1), RandomAgent(2)], seed=1)
    episode = record.to_dict()
    trajectories = trajectories_from_episode(episode)
    assert [t.player for t in trajectories] == ["player_0", "player_1"]
    assert sum(len(t.turns) for t in trajectories) == record.num_steps
    for t in trajectories:
        assert t.episode_return == record.rewards[t.player]
        assert t.outcome == record.outcomes[t.player]
        assert [turn.reward for turn in t.turns][-1] == t.episode_return  # final-outcome rewards: on the last turn
        assert sum(turn.reward for turn in t.turns) == t.episode_return
        assert all(turn.legal and turn.completion == turn.action for turn in t.turns)
        assert t.turns[0].messages[-1] == {"role": "user", "content": t.turns[0].observation}
    assert {t.outcome for t in trajectories} == {"win", "loss"}
    indices = sorted(turn.index for t in trajectories for turn in t.turns)
    assert indices == list(range(record.num_steps))


def test_trajectories_survive_json():
    record = play_episode(llm_arena_env.make("openspiel/tic_tac_toe"), [RandomAgent(3), RandomAgent(4)], seed=3,
                          game="openspiel/tic_tac_toe", game_kwargs={"max_illegal_actions": 0}, episode_id="e7")
    for t in trajectories_from_episode(json.loads(json.dumps(record.to_dict()))):
        assert Trajectory.from_dict(json.loads(json.dumps(t.to_dict()))) == t
        assert (t.game, t.episode_id, t.seed, dict(t.game_kwargs)) == ("openspiel/tic_tac_toe", "e7", 3, {"max_illegal_actions": 0})


def test_a_record_that_is_not_an_episode_is_refused():
    with pytest.raises(ValueError, match="missing steps"):
        trajectories_from_episode({"game": "chess", "rewards": {}})


def test_llm_turn_keeps_prompt_completion_and_rethinks():
    env = llm_arena_env.make("openspiel/tic_tac_toe")
    learner = Rethink(Parse(ScriptedModel(["hmm, no idea", "Final Answer: x(1,1)"])), checker=env.check_action)
    record = play_episode(env, [learner, RandomAgent(0)], seed=0)
    first = trajectories_from_episode(record.to_dict())[0].turns[0]
    assert first.action == "x(1,1)" and first.completion == "Final Answer: x(1,1)" and first.legal
    assert len(first.attempts) == 2 and first.attempts[0]["parsed"] is None
    # The prompt that produced the action is the observation plus the rethink feedback.
    assert [m["role"] for m in first.messages] == ["user", "assistant", "user"]
    assert first.messages[1]["content"] == "hmm, no idea"
    assert first.observed_messages == first.messages[:1]


@pytest.mark.parametrize("game, kwargs", [
    ("openspiel/tic_tac_toe", {}),
    ("openspiel/connect_four", {"max_illegal_actions": 1}),
    ("chess", {"max_illegal_actions": 2}),
])
def test_wrapper_records_what_the_records_hold(game, kwargs):
    for seed in range(2):
        env = RecordTrajectories(llm_arena_env.make(game, **kwargs), game=game, game_kwargs=kwargs)
        record = play_episode(env, [SometimesIllegal(seed), SometimesIllegal(seed + 7)], seed=seed, game=game,
                              game_kwargs=kwargs, on_step=env.record_step)
        env.name_agents(record.agents)
        from_wrapper = env.trajectories()
        assert [t.to_dict() for t in from_wrapper] == [t.to_dict() for t in trajectories_from_episode(record.to_dict())]
        assert any(not turn.legal for t in from_wrapper for turn in t.turns)  # rejections were recorded


def test_wrapper_in_a_hand_written_loop_gives_per_turn_rewards_and_resets():
    env = RecordTrajectories(llm_arena_env.make("openspiel/tic_tac_toe"))
    agents = {"player_0": RandomAgent(5), "player_1": RandomAgent(6)}
    for seed in (5, 6):
        env.reset(seed=seed)
        for player in env.agent_iter():
            observation, reward, terminated, truncated, info = env.last()
            env.step(None if terminated or truncated else agents[player].act(observation))
        trajectories = env.trajectories()
        assert all(t.seed == seed for t in trajectories)  # the reset started a new recording
        assert sum(len(t.turns) for t in trajectories) == max(turn.index for t in trajectories for turn in t.turns) + 1
        for t in trajectories:
            assert t.outcome in ("win", "loss", "draw")
            assert sum(turn.reward for turn in t.turns) == t.episode_return
            assert t.turns[-1].completion == t.turns[-1].action  # no decision was recorded: the action stands


def test_record_needs_a_turn_to_attach_to():
    env = RecordTrajectories(llm_arena_env.make("openspiel/tic_tac_toe"))
    env.reset(seed=0)
    with pytest.raises(ValueError, match="no action"):
        env.record("player_0", Decision("x(1,1)"))


def test_wrapper_keeps_the_dialogue_chat_and_the_model_output():
    model = ScriptedModel(["explanation: vowels\nguess: adieu", "explanation: more\nguess: stone",
                           "explanation: again\nguess: crane"])
    env = RecordTrajectories(llm_arena_env.make("dialogue/wordle"))
    play_episode(env, [model], seed=0, on_step=env.record_step)
    (trajectory,) = env.trajectories()
    turns = trajectory.turns
    assert len(turns) >= 2 and all(t.legal for t in turns)
    assert [m["role"] for m in turns[1].messages] == ["user", "assistant", "user"]
    chat = conversation(turns)
    assert [m["role"] for m in chat] == ["user", "assistant"] * len(turns)
    assert chat[1]["content"] == "explanation: vowels\nguess: adieu"
    assert chat[2] == turns[1].messages[2]  # only the new message of a carried-on chat is added


def _turn(index, messages, completion, *, first_prompt=None, action=None):
    attempts = ({"prompt": list(first_prompt)},) if first_prompt else ()
    return Turn(index=index, player="p", messages=tuple(messages), completion=completion,
                action=action or completion, legal=True, attempts=attempts)


def test_conversation_of_self_contained_prompts_keeps_the_system_message_once():
    system = {"role": "system", "content": "rules"}
    turns = [_turn(0, [system, {"role": "user", "content": "board 1"}], "a"),
             _turn(2, [system, {"role": "user", "content": "board 2"}], "b")]
    assert conversation(turns) == [system, {"role": "user", "content": "board 1"}, {"role": "assistant", "content": "a"},
                                   {"role": "user", "content": "board 2"}, {"role": "assistant", "content": "b"}]


def test_conversation_of_a_carried_chat_with_a_rethink_detour():
    system, u1, u2 = ({"role": r, "content": c} for r, c in (("system", "s"), ("user", "u1"), ("user", "u2")))
    detour = [{"role": "assistant", "content": "bad"}, {"role": "user", "content": "try again"}]
    first = _turn(0, [system, u1, *detour], "Final: hi", first_prompt=[system, u1], action="hi")
    # The env repeats the player's reply as the action it took, not the raw text.
    second = _turn(2, [system, u1, {"role": "assistant", "content": "hi"}, u2], "Final: bye", action="bye")
    assert conversation([first, second]) == [system, u1, *detour, {"role": "assistant", "content": "Final: hi"}, u2,
                                             {"role": "assistant", "content": "Final: bye"}]
    assert conversation([first, second], completions=False)[-1] == {"role": "assistant", "content": "bye"}


def test_training_package_exports_lazily_without_heavy_imports():
    import subprocess
    import sys

    code = ("import sys, llm_arena_env.training as t; t.Turn; t.sft_rows; t.SingleAgentEnv; "
            "heavy = [m for m in ('datasets', 'torch', 'transformers', 'trl') if m in sys.modules]; "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)
    import llm_arena_env.training as training

    with pytest.raises(AttributeError, match="no attribute"):
        training.nothing_here  # noqa: B018
