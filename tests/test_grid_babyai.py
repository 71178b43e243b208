"""BabyAI through minigrid: the view in words matches minigrid's state, actions by name, missions complete."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest

pytest.importorskip("minigrid")

import llm_arena_env  # noqa: E402
from llm_arena_env.core.outcome import Outcome  # noqa: E402
from llm_arena_env.games.grid.babyai import ACTIONS, describe_view  # noqa: E402

DIRECTIONS = [(1, 0), (0, 1), (-1, 0), (0, -1)]  # minigrid's agent_dir 0..3: east, south, west, north


def make_env(env_id="BabyAI-GoToRedBall-v0", seed=0, **kwargs):
    env = llm_arena_env.make("grid/babyai", env_id=env_id, **kwargs)
    env.reset(seed=seed)
    return env


def plan_to_face(grid_env, target) -> list[str]:
    """Breadth-first over (position, direction): the fewest actions until ``target`` is the cell in front."""
    start = (tuple(int(v) for v in grid_env.agent_pos), int(grid_env.agent_dir))
    paths = {start: []}
    queue = deque([start])
    while queue:
        (x, y), d = state = queue.popleft()
        front = (x + DIRECTIONS[d][0], y + DIRECTIONS[d][1])
        if front == target:
            return paths[state]
        cell = grid_env.grid.get(*front)
        moves = [("turn left", ((x, y), (d - 1) % 4)), ("turn right", ((x, y), (d + 1) % 4))]
        if cell is None or cell.can_overlap():
            moves.append(("go forward", (front, d)))
        for action, nxt in moves:
            if nxt not in paths:
                paths[nxt] = paths[state] + [action]
                queue.append(nxt)
    raise AssertionError("target unreachable")


@pytest.mark.parametrize("seed", range(3))
def test_a_planning_agent_completes_go_to_missions(seed):
    env = make_env(seed=seed)
    grid = env.grid_env
    ball = next((x, y) for x in range(grid.width) for y in range(grid.height)
                if (obj := grid.grid.get(x, y)) is not None and obj.type == "ball" and obj.color == "red")
    assert "red ball" in env.observe("player")["text"]
    for action in plan_to_face(grid, ball):
        assert env.result is None
        env.step(action)
    assert env.infos["player"]["outcome"] is Outcome.SUCCESS and env.terminations["player"]
    scores = env.infos["player"]["scores"]
    assert scores["Main Score"] == 100.0 and 0 < env.rewards["player"] == scores["reward"] <= 1


def test_the_words_match_what_is_in_front_and_turn_with_the_agent():
    env = make_env(seed=0)
    grid = env.grid_env
    for _ in range(4):
        thing = grid.grid.get(*grid.front_pos)
        said = env.observe("player")["text"].split("Right in front of you: ")[1].split(".")[0]
        assert said == ("nothing" if thing is None else f"a {thing.color} {thing.type}")
        env.step("turn left")
    view = np.zeros((7, 7, 3), dtype=np.uint8)
    view[..., 0] = 1  # empty
    view[1, 4] = (6, 0, 0)  # a red ball two left of the agent, two forward
    view[3, 2] = (4, 2, 2)  # a locked blue door ahead
    view[3, 0] = view[0, 6] = (2, 5, 0)  # walls ahead and to the left
    assert describe_view(view) == ["a locked blue door 4 steps forward", "a red ball 2 steps left and 2 steps forward",
                                   "a wall 6 steps forward", "a wall 3 steps left"]


def test_actions_by_name_or_id_and_rejections():
    env = make_env(max_illegal_actions=3)
    obs = env.observe("player")
    assert obs["legal_actions"] == ACTIONS and obs["action_mask"].tolist() == [1] * 6
    assert env.check_action("player", "fly") == (False, f"say one action: {', '.join(ACTIONS)}")
    assert env.check_action("player", "  Turn   LEFT ") == (True, "")
    direction = env.grid_env.agent_dir
    env.step(1)  # turn right
    assert env.grid_env.agent_dir == (direction + 1) % 4 and "Steps taken: 1 of" in env.observe("player")["text"]


def test_other_missions_and_the_step_limit():
    for env_id, words in [("BabyAI-PickupLoc-v0", "pick up"), ("BabyAI-OpenDoor-v0", "open"),
                          ("BabyAI-PutNextLocal-v0", "put")]:
        assert words in make_env(env_id).observe("player")["text"]
    env = make_env(max_steps=2)
    env.step("turn left")
    env.step("turn left")
    assert env.truncations["player"] and env.infos["player"]["outcome"] is Outcome.FAILURE
    with pytest.raises(ValueError, match="env_id"):
        llm_arena_env.make("grid/babyai", env_id="BabyAI-NoSuchThing-v0")


def test_the_image_is_minigrids_and_the_same_seed_gives_the_same_level():
    env = make_env(seed=7, observation_mode="image", image_size=96)
    obs = env.observe("player")
    assert obs["image"].shape == (96, 96, 3) and "You see" not in obs["text"]
    again = make_env(seed=7, observation_mode="image", image_size=96)
    assert np.array_equal(obs["image"], again.observe("player")["image"])
    env.step("turn left")
    assert not np.array_equal(env.observe("player")["image"], obs["image"])
    assert make_env(seed=7).observe("player")["text"] != make_env(seed=8).observe("player")["text"]
