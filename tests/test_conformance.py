"""Every registered game keeps the environment contract: a new game is tested by being registered."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from pettingzoo.test import api_test, render_test, seed_test

import llm_arena_env
from llm_arena_env.core.text_env import TextEnv

GAME_IDS = [spec.id for spec in llm_arena_env.list_games()]


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_api_test_passes(game_id):
    env = llm_arena_env.make(game_id)
    assert isinstance(env, TextEnv)
    api_test(env, num_cycles=30)


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_same_seed_same_episode(game_id):
    seed_test(functools.partial(llm_arena_env.make, game_id), num_cycles=30)


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_renders_text_and_images(game_id):
    render_test(functools.partial(llm_arena_env.make, game_id))


@pytest.mark.parametrize("game_id", [s.id for s in llm_arena_env.list_games() if "image" in s.observation_modes])
def test_image_observations_pass_api_test(game_id):
    env = llm_arena_env.make(game_id, observation_mode="text+image", image_size=64)
    api_test(env, num_cycles=5)
    env.reset(seed=0)
    image = env.observe(env.agent_selection)["image"]
    assert image.shape == (64, 64, 3) and image.dtype == np.uint8 and image.std() > 0


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_hostile_text_is_rejected_with_a_reason(game_id):
    env = llm_arena_env.make(game_id, max_illegal_actions=10)
    env.reset(seed=0)
    agent = env.agent_selection
    before = env.observe(agent)["text"]
    for action in ["", "\x00\x01\x1b[2J", "🙂" * 50, "x" * 100_000, None, -1, 10**12, 2.5, b"e4"]:
        ok, reason = env.check_action(agent, action)
        assert not ok and reason, action
        env.step(action)
        assert env.agent_selection == agent and env.result is None
        assert env.infos[agent]["rejection"] == reason
    env.reset(seed=0)
    assert env.observe(agent)["text"] == before


def test_every_game_lists_its_metadata():
    for spec in llm_arena_env.list_games():
        assert spec.kind in ("board", "dialogue", "grid", "social") and spec.players and spec.description, spec.id
