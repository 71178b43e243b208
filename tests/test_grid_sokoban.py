"""Sokoban: generated levels are solvable, the env judges moves, deadlocks end the game, images follow moves."""

from __future__ import annotations

import numpy as np
import pytest

import llm_arena_env
from llm_arena_env.core.outcome import EndReason, Outcome
from llm_arena_env.games.grid.draw import cell_boxes
from llm_arena_env.games.grid.sokoban.generate import generate
from llm_arena_env.games.grid.sokoban.rules import Level, deadlock, move, push_distances
from llm_arena_env.games.grid.sokoban.solve import solve

SIZES = [(5, 5, 1), (6, 7, 1), (7, 7, 2), (8, 8, 2), (9, 9, 3)]

WALL_LEVEL = """
#######
#-----#
#-@$#-#
#.----#
#######
"""
TWO_BOXES_LEVEL = """
########
#------#
#------#
#-@$$..#
#------#
#------#
########
"""
CORNER_LEVEL = """
######
#-$@.#
#----#
######
"""
FREEZE_LEVEL = """
########
#--$-..#
#-$----#
#-@----#
########
"""


def make_env(level: str | None = None, **kwargs):
    env = llm_arena_env.make("grid/sokoban", **kwargs)
    env.reset(seed=0, options={"instance": level} if level else None)
    return env


@pytest.mark.parametrize("rows, cols, boxes", SIZES)
def test_generated_levels_are_solvable_and_not_flagged_as_deadlocks(rows, cols, boxes):
    for seed in range(8):
        level = generate(np.random.default_rng(seed), rows, cols, boxes)
        assert (level.rows, level.cols, len(level.boxes), len(level.goals)) == (rows, cols, boxes, boxes)
        assert not level.solved and deadlock(level) is None
        solution = solve(level)
        assert solution, (seed, level.to_text())
        for name in solution:
            level, _ = move(level, name)
        assert level.solved


def test_generation_depends_only_on_the_seed():
    first = generate(np.random.default_rng(5), 8, 8, 2)
    assert first == generate(np.random.default_rng(5), 8, 8, 2)
    others = {generate(np.random.default_rng(seed), 8, 8, 2) for seed in range(6)}
    assert len(others) > 3


def test_solver_is_move_optimal_on_a_known_level():
    # One box, two cells from its goal along the corridor: two pushes; nothing shorter exists.
    level = Level.from_text("#######\n#@$--.#\n#######")
    assert solve(level) == ["right", "right", "right"]
    assert solve(Level.from_text("#####\n#@*-#\n#####")) == []


@pytest.mark.parametrize("seed", range(5))
def test_a_solver_driven_agent_solves_levels_through_the_env(seed):
    env = llm_arena_env.make("grid/sokoban", rows=8, cols=8, boxes=2)
    env.reset(seed=seed)
    solution = solve(env.level)
    for i, name in enumerate(solution):
        assert name in env.observe("player")["legal_actions"]
        env.step(name if i % 2 else ["up", "down", "left", "right"].index(name))  # strings and ids alike
    info = env.infos["player"]
    assert info["outcome"] is Outcome.SUCCESS and env.rewards["player"] == 1.0 and env.terminations["player"]
    assert info["scores"]["Main Score"] == 100.0 and info["scores"]["optimal_moves"] == len(solution)


def test_moves_beyond_the_optimum_lower_the_main_score():
    env = make_env(TWO_BOXES_LEVEL)
    optimal = solve(env.level)
    for name in ["left", "right", *optimal]:  # a detour of two moves
        env.step(name)
    scores = env.infos["player"]["scores"]
    assert scores["Success"] == 1.0 and scores["moves"] == len(optimal) + 2
    assert scores["Main Score"] == pytest.approx(100 * len(optimal) / (len(optimal) + 2))


def test_walking_into_walls_and_pushing_boxes_into_walls_or_boxes_is_rejected():
    env = make_env(WALL_LEVEL, max_illegal_actions=5)
    before = env.level
    assert env.check_action("player", "up") == (True, "")
    assert env.check_action("player", "right") == (
        False, "you cannot push the box at (2, 3) right: there is a wall behind it")
    assert env.check_action("player", 3)[0] is False
    env.step("right")
    assert env.level == before and env.infos["player"]["rejection"].endswith("wall behind it")
    assert "right" not in env.observe("player")["legal_actions"]
    assert env.observe("player")["action_mask"].tolist() == [1, 1, 1, 0]

    env = make_env(TWO_BOXES_LEVEL)
    assert env.check_action("player", "right") == (
        False, "you cannot push the box at (3, 3) right: there is another box behind it")
    assert env.check_action("player", "north")[1] == "say one move: up, down, left, right"
    assert make_env(CORNER_LEVEL).check_action("player", "up") == (
        False, "you cannot move up: there is a wall at (0, 3)")


def test_pushing_a_box_into_a_dead_corner_ends_the_game():
    env = make_env(CORNER_LEVEL)
    env.step("left")
    assert env.result is not None and env.terminations["player"]
    info = env.infos["player"]
    assert info["outcome"] is Outcome.FAILURE and info["end_reason"] is EndReason.GAME_OVER
    assert info["end_detail"] == "deadlock: the box at (1, 1) can never reach a goal from there"
    assert info["scores"]["Success"] == 0.0 and env.rewards["player"] == 0.0


def test_two_boxes_frozen_against_a_wall_are_a_deadlock():
    level = Level.from_text(FREEZE_LEVEL)
    assert deadlock(level) is None
    frozen, pushed = move(level, "up")
    assert pushed and (1, 2) in push_distances(frozen)  # each cell alone could still reach a goal
    assert "frozen" in deadlock(frozen)
    env = make_env(FREEZE_LEVEL)
    env.step("up")
    assert env.infos["player"]["outcome"] is Outcome.FAILURE and "frozen" in env.infos["player"]["end_detail"]
    env = make_env(frozen.to_text())  # a level that starts stuck ends at the first move, whatever it is
    env.step("down")
    assert env.infos["player"]["outcome"] is Outcome.FAILURE and "frozen" in env.infos["player"]["end_detail"]


def test_the_move_limit_truncates():
    env = make_env(TWO_BOXES_LEVEL, max_moves=1)
    env.step("left")
    assert env.truncations["player"] and not env.terminations["player"]
    info = env.infos["player"]
    assert info["outcome"] is Outcome.FAILURE and info["end_reason"] is EndReason.MAX_TURNS


def test_the_text_shows_a_board_with_coordinates_and_a_legend_unless_only_the_image_does():
    text = make_env(WALL_LEVEL).observe("player")["text"]
    assert "  0123456\n0 #######\n1 #-----#\n2 #-@$#-#" in text
    assert "Legend: # wall" in text and "You are at (2, 2)" in text
    image_only = make_env(WALL_LEVEL, observation_mode="image").observe("player")
    assert "#######" not in image_only["text"] and "shown in the image" in image_only["text"]
    assert image_only["image"].shape == (512, 512, 3)


def test_bad_levels_and_parameters_are_refused():
    with pytest.raises(ValueError, match="as many goals as boxes"):
        make_env("#####\n#@$-#\n#####")
    with pytest.raises(ValueError, match="boxes must be"):
        llm_arena_env.make("grid/sokoban", rows=5, cols=5, boxes=4)


def test_pixels_change_exactly_in_the_tiles_a_push_changes():
    env = make_env("######\n#@$-.#\n######", render_mode="rgb_array", image_size=140)
    before = env.render()
    assert np.array_equal(before, env.render())  # the same state, the same pixels
    env.step("right")  # player (1, 1) -> (1, 2), box (1, 2) -> (1, 3); the goal (1, 4) stays as it was
    changed = np.any(env.render() != before, axis=2)
    boxes = cell_boxes(140, env.level.rows, env.level.cols)
    expected = np.zeros_like(changed)
    for r, c in [(1, 1), (1, 2), (1, 3)]:
        left, top, right, bottom = boxes[r][c]
        expected[top:bottom, left:right] = True
        assert changed[top:bottom, left:right].any(), (r, c)
    assert not (changed & ~expected).any()
