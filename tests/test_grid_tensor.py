"""Grid games as arrays (``observation_mode="tensor"``): the tensor shows the game's state, lies in its Box
through whole episodes, and classic RL code (sb3-contrib's MaskablePPO) trains on it with no glue."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest

import llm_arena_env
from llm_arena_env.games.grid.mapworld.env import COMMANDS, TENSOR_PLANES
from llm_arena_env.games.grid.mapworld.graph import DIRECTIONS, generate, step
from llm_arena_env.games.grid.mapworld.pictures import ROOM_TYPES
from llm_arena_env.wrappers.single_agent import SingleAgentEnv


def cells(plane: np.ndarray) -> set[tuple[int, int]]:
    return {(int(r), int(c)) for r, c in np.argwhere(plane)}


def play_scripted(game_id: str, seed: int, **kwargs):
    """A whole episode of ``game_id`` in tensor mode through SingleAgentEnv, moved by the game's scripted
    player; yields (env, observation) before every move and once at the end."""
    scripted = llm_arena_env.spec(game_id).load_scripted_player()
    env = SingleAgentEnv(game_id, [], game_kwargs={"observation_mode": "tensor", **kwargs})
    observation, _ = env.reset(seed=seed)
    for _ in range(500):
        yield env, observation
        observation, reward, terminated, truncated, info = env.step(scripted(env.env, env.learner))
        assert "rejection" not in info
        if terminated or truncated:
            yield env, observation
            return
    pytest.fail("the episode did not end")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_map_world_planes_follow_the_walk(seed):
    before = None
    for env, planes in play_scripted("grid/textmapworld_specificroom", seed, rooms=9, max_turns=30):
        game = env.env.unwrapped
        room_map = game.map
        assert planes.shape == (len(TENSOR_PLANES), 4, 4) and env.observation_space.contains(planes)
        assert cells(planes[0]) == {game.here}
        if before is not None and game.moves > before[1]:  # the player's plane moved one cell the way it went
            assert game.here == step(before[0], game.last_direction)
        before = game.here, game.moves
        assert cells(planes[1]) == set(game.visited)
        for k, direction in enumerate(DIRECTIONS):  # the exits of visited rooms, from the corridors themselves
            walls_known = {cell for cell in game.visited if frozenset((cell, step(cell, direction))) in room_map.corridors}
            assert cells(planes[2 + k]) == walls_known, direction
        assert cells(planes[6]) == ({game.target} if game.target in game.visited else set())
        assert np.all(planes[7] == game.turns / game.max_turns)
        if game.result is None:  # the mask: a move through each exit of this room, and DONE
            legal = {COMMANDS[i] for i in np.flatnonzero(env.action_masks())}
            assert legal == {f"GO: {d}" for d in room_map.exits(game.here)} | {"DONE"}
    assert game.result is not None and game.here == game.target  # the scripted walker found the room


def test_map_world_forms_without_a_tensor_say_why():
    with pytest.raises(ValueError, match="ask_graph replies carry a free-text graph"):
        llm_arena_env.make("grid/textmapworld_graphreasoning", observation_mode="tensor")
    with pytest.raises(ValueError, match="describer's view is a picture"):
        llm_arena_env.make("grid/mapworld", roles=2, observation_mode="tensor")
    env = llm_arena_env.make("grid/textmapworld", observation_mode="tensor")  # 4x4 grid
    big = generate(np.random.default_rng(0), 5, 5, 6, ROOM_TYPES)
    with pytest.raises(ValueError, match="this map is 5x5; tensor observations need it to fit the env's 4x4"):
        env.reset(options={"instance": big})
    env.reset(options={"instance": generate(np.random.default_rng(0), 3, 3, 6, ROOM_TYPES)})  # a smaller one fits
    assert env.observe("player")["observation"][0].sum() == 1


def test_picture_map_world_names_rooms_in_tensor_mode():
    env = llm_arena_env.make("grid/mapworld", observation_mode="tensor")  # registered with images
    env.reset(seed=0)
    game = env.unwrapped
    assert game.map.names[game.here] in game.text_observation("player")["text"]
    assert cells(env.observe("player")["observation"][0]) == {game.here}


# ---------------------------------------------------------------------- BabyAI: minigrid's own view encoding

minigrid = pytest.importorskip("minigrid")
from minigrid.core.constants import OBJECT_TO_IDX  # noqa: E402


def visible_world_cells(grid_env, view: np.ndarray):
    """(world cell, its code in the view) for every world cell the agent's view shows (not 'unseen')."""
    size = view.shape[0]
    for x in range(grid_env.width):
        for y in range(grid_env.height):
            vx, vy = grid_env.get_view_coords(x, y)
            if 0 <= vx < size and 0 <= vy < size and view[vx, vy, 0] != OBJECT_TO_IDX["unseen"]:
                yield (x, y), view[vx, vy]


@pytest.mark.parametrize("env_id, seed", [("BabyAI-GoToRedBall-v0", 0), ("BabyAI-PickupLoc-v0", 1),
                                          ("BabyAI-OpenDoor-v0", 2)])
def test_babyai_tensor_is_the_agents_view_of_the_level(env_id, seed):
    steps = 0
    for env, view in play_scripted("grid/babyai", seed, env_id=env_id):
        grid_env = env.env.unwrapped.grid_env
        assert view.shape == (7, 7, 3) and view.dtype == np.float32 and env.observation_space.contains(view)
        if env.env.unwrapped.result is not None:
            break
        front = grid_env.grid.get(*grid_env.front_pos)
        ahead = (OBJECT_TO_IDX["empty"], 0, 0) if front is None else front.encode()
        assert tuple(view[3, 5]) == ahead  # the cell in front of the agent (who stands at (3, 6), facing up)
        shown = dict(visible_world_cells(grid_env, view))
        assert shown, "the agent sees something"
        for (x, y), code in shown.items():  # walls where the level has walls, and nowhere else
            is_wall = grid_env.grid.get(x, y) is not None and grid_env.grid.get(x, y).type == "wall"
            if (x, y) != tuple(grid_env.agent_pos):
                assert (code[0] == OBJECT_TO_IDX["wall"]) == is_wall, (x, y)
        steps += 1
    assert env.env.unwrapped.result.outcomes["player"].value == "success" and steps > 0


def test_babyai_tensor_mode_serves_classic_rl_code():
    env = SingleAgentEnv("grid/babyai", [], game_kwargs={"observation_mode": "tensor"})
    assert env.action_space == gymnasium.spaces.Discrete(6)
    assert env.observation_space == gymnasium.spaces.Box(0, np.broadcast_to([10, 5, 2], (7, 7, 3)), (7, 7, 3), np.float32)
    from gymnasium.utils.env_checker import check_env

    check_env(env, skip_render_check=True)
    env.reset(seed=0)
    assert env.action_masks().all()  # every minigrid action is always allowed


# ---------------------------------------------------------------------- MaskablePPO, no glue

def test_maskable_ppo_trains_on_a_grid_game_with_no_glue():
    sb3_contrib = pytest.importorskip("sb3_contrib")
    env = SingleAgentEnv("grid/textmapworld", [], game_kwargs={"observation_mode": "tensor"})
    model = sb3_contrib.MaskablePPO("MlpPolicy", env, n_steps=64, batch_size=32, n_epochs=2, seed=0, device="cpu")
    model.learn(256)
    observation, _ = env.reset(seed=5)
    for _ in range(20):  # the masked policy walks only through exits
        action, _ = model.predict(observation, action_masks=env.action_masks(), deterministic=False)
        observation, reward, terminated, truncated, info = env.step(int(action))
        assert "rejection" not in info
        if terminated or truncated:
            break
