"""Every grid game (and both forms of the picture map world) keeps the env contract in every observation mode."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from pettingzoo.test import api_test, render_test, seed_test

import llm_arena_env

GAMES = [(spec.id, {}) for spec in llm_arena_env.list_games(kind="grid")] + [("grid/mapworld", {"roles": 2})]
MODES = ("text", "image", "text+image")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("game_id, kwargs", GAMES, ids=[f"{g}{k or ''}" for g, k in GAMES])
def test_api_seed_and_render_tests_pass_in_every_mode(game_id, kwargs, mode):
    make = functools.partial(llm_arena_env.make, game_id, observation_mode=mode, image_size=48, **kwargs)
    env = make()
    api_test(env, num_cycles=10)
    seed_test(make, num_cycles=10)
    render_test(make)
    env.reset(seed=1)
    obs = env.observe(env.agent_selection)
    assert ("image" in obs) == ("image" in mode)
    assert ("image" in env.observation_space(env.agent_selection).spaces) == ("image" in mode)
    if "image" in obs:
        assert obs["image"].shape == (48, 48, 3) and obs["image"].dtype == np.uint8
        env.reset(seed=1)
        assert np.array_equal(env.observe(env.agent_selection)["image"], obs["image"])


def test_grid_games_list_their_metadata():
    specs = {spec.id: spec for spec in llm_arena_env.list_games(kind="grid")}
    assert set(specs) == {"grid/textmapworld", "grid/textmapworld_graphreasoning", "grid/textmapworld_specificroom",
                          "grid/mapworld", "grid/sokoban", "grid/babyai"}
    assert all(spec.observation_modes[:3] == MODES for spec in specs.values())
    assert [id for id, spec in specs.items() if "tensor" not in spec.observation_modes] == [
        "grid/textmapworld_graphreasoning"]  # its graph reports are free text
    assert specs["grid/mapworld"].players == (1, 2)
