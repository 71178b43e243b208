"""SingleAgentEnv: a game as a gymnasium env for one learning seat."""

from __future__ import annotations

import random
import warnings

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from llm_arena_env.agents import RandomAgent
from llm_arena_env.core.spaces import FreeText
from llm_arena_env.wrappers.single_agent import SingleAgentEnv

TTT = "openspiel/tic_tac_toe"


@pytest.mark.parametrize("game, kwargs, opponents", [
    (TTT, {}, ["random"]),
    ("chess", {"max_illegal_actions": 2}, [RandomAgent(0)]),
    ("openspiel/connect_four", {"observation_mode": "text+image", "image_size": 32}, ["random"]),
    ("dialogue/taboo", {}, ["random"]),
])
def test_passes_gymnasiums_env_checker(game, kwargs, opponents):
    env = SingleAgentEnv(game, opponents, game_kwargs=kwargs)
    finite = env.env.unwrapped.num_actions
    assert env.action_space == (gymnasium.spaces.Discrete(finite) if finite else FreeText(env.action_space.max_length))
    assert env.observation_space == env.env.observation_space(env.learner)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning from the checker is a failure too
        check_env(env, skip_render_check=True)


def _play(env, seed, learner_seed):
    """One episode with the learner playing random legal moves; returns (moves, rewards, final info)."""
    rng = random.Random(learner_seed)
    observation, info = env.reset(seed=seed)
    moves, rewards = [], []
    while True:
        move = rng.choice(observation["legal_actions"])
        observation, reward, terminated, truncated, info = env.step(move)
        moves.append(observation["text"])
        rewards.append(reward)
        if terminated or truncated:
            return moves, rewards, info


@pytest.mark.parametrize("learner", ["player_0", "player_1"])
def test_the_learner_gets_its_own_final_reward(learner):
    env = SingleAgentEnv(TTT, {"player_1" if learner == "player_0" else "player_0": "random"}, learner=learner)
    outcomes = set()
    for seed in range(8):
        _, rewards, info = _play(env, seed, seed)
        assert all(r == 0 for r in rewards[:-1])
        assert rewards[-1] == {"win": 1.0, "loss": -1.0, "draw": 0.0}[str(info["outcome"])]
        outcomes.add(str(info["outcome"]))
    assert {"win", "loss"} <= outcomes  # the opponent's winning move reaches the learner too


def test_the_second_seat_starts_after_the_opponents_move():
    observation, _ = SingleAgentEnv(TTT, ["random"], learner="player_1").reset(seed=0)
    assert "Moves so far: x(" in observation["text"] and observation["legal_actions"][0].startswith("o(")


def test_same_seed_same_episode_with_spec_opponents():
    env = SingleAgentEnv("openspiel/connect_four", ["random"])
    first = _play(env, seed=4, learner_seed=1)
    _play(env, seed=5, learner_seed=2)
    assert _play(env, seed=4, learner_seed=1) == first


def test_a_rejected_action_is_asked_again_and_the_episode_then_ends():
    env = SingleAgentEnv("chess", ["random"], game_kwargs={"max_illegal_actions": 1})
    env.reset(seed=0)
    observation, reward, terminated, truncated, info = env.step("Ke9")
    assert not (terminated or truncated) and reward == 0.0 and info["rejection"]
    assert "rejected" in observation["text"]
    observation, reward, terminated, truncated, info = env.step("Ke9")
    assert terminated and reward == -1.0 and str(info["outcome"]) == "loss"
    with pytest.raises(RuntimeError, match="reset"):
        env.step("e4")


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="not a player"):
        SingleAgentEnv(TTT, ["random"], learner="white")
    with pytest.raises(ValueError, match="2 opponents"):
        SingleAgentEnv(TTT, ["random", "random"])
    with pytest.raises(TypeError, match="opponent must be an agent"):
        SingleAgentEnv(TTT, [object()])
    with pytest.raises(ValueError, match="unknown agent spec"):
        SingleAgentEnv(TTT, ["grandmaster"])


@pytest.mark.parametrize("game, shape", [(TTT, (3, 3, 3)), ("openspiel/connect_four", (3, 6, 7)), ("chess", (18, 8, 8)),
                                         ("grid/sokoban", (4, 7, 7))])
def test_tensor_observations_and_action_masks_serve_classic_rl_code(game, shape):
    opponents = [] if game == "grid/sokoban" else ["random"]  # sokoban is played alone
    env = SingleAgentEnv(game, opponents, game_kwargs={"observation_mode": "tensor"})
    low, high = (0.0, 1.0) if game in ("grid/sokoban", "chess") else (-np.inf, np.inf)  # their planes are 0/1
    assert env.observation_space == gymnasium.spaces.Box(low, high, shape, np.float32)
    check_env(env, skip_render_check=True)
    observation, _ = env.reset(seed=3)
    assert observation.shape == shape and observation.dtype == np.float32
    rng = np.random.default_rng(0)
    for _ in range(400):  # legal moves from the mask, until the game ends; the mask follows the board
        mask = env.action_masks()
        assert mask.dtype == bool and mask.shape == (env.action_space.n,) and mask.any()
        observation, reward, terminated, truncated, info = env.step(int(rng.choice(np.flatnonzero(mask))))
        assert env.observation_space.contains(observation)
        assert "rejection" not in info
        if terminated or truncated:
            break
    else:
        pytest.fail("the game did not end")


def test_tensor_observations_show_the_board():
    env = SingleAgentEnv("openspiel/connect_four", ["random"], game_kwargs={"observation_mode": "tensor"})
    empty, _ = env.reset(seed=0)
    after, *_ = env.step(3)
    assert not np.array_equal(empty, after)
    assert after.sum() == empty.sum()  # one-hot cells: two stones placed, two empty cells fewer
    with pytest.raises(TypeError, match="no finite move set"):
        SingleAgentEnv("dialogue/taboo", ["random"]).action_masks()


def test_maskable_ppo_trains_on_the_env_with_no_glue():
    sb3_contrib = pytest.importorskip("sb3_contrib")
    env = SingleAgentEnv(TTT, ["random"], game_kwargs={"observation_mode": "tensor"})
    model = sb3_contrib.MaskablePPO("MlpPolicy", env, n_steps=64, batch_size=32, seed=0, device="cpu")
    model.learn(128)
    observation, _ = env.reset(seed=11)
    for _ in range(5):  # the masked policy only ever plays legal moves
        action, _ = model.predict(observation, action_masks=env.action_masks(), deterministic=True)
        observation, reward, terminated, truncated, info = env.step(int(action))
        assert "rejection" not in info
        if terminated or truncated:
            break
