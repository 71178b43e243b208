"""Board pictures of OpenSpiel games: drawn from the state, deterministic, changed exactly where the board is."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from pettingzoo.test import api_test, seed_test

import llm_arena_env
from llm_arena_env.core.render import text_to_image
from llm_arena_env.games.grid.draw import cell_boxes
from llm_arena_env.games.openspiel.draw import MARGIN, draw_board, read_board

SIZE = 160
# (game, params, action ids to play): moves with no capture, then captures or flips where the game has them
GAMES = [
    ("tic_tac_toe", {}, [4, 0, 8]),
    ("connect_four", {}, [3, 3, 4, 2]),
    ("othello", {}, None),  # the first legal move each turn: every move flips discs
    ("go", {"board_size": 5}, [1, 0, 5]),  # white at A1 is captured by B1 and A2
    ("breakthrough", {}, None),
    ("checkers", {}, None),
]


def changed_cells(before, after):
    return {(r, c) for r, row in enumerate(after) for c, mark in enumerate(row) if before[r][c] != mark}


@pytest.mark.parametrize("game, params, actions", GAMES, ids=[g for g, _, _ in GAMES])
def test_pixels_change_exactly_in_the_cells_whose_content_changes(game, params, actions):
    env = llm_arena_env.make(f"openspiel/{game}", observation_mode="text+image", image_size=SIZE, **params)
    env.reset(seed=0)
    for i in range(len(actions) if actions else 4):
        board, image = read_board(game, env.state), env.observe(env.agent_selection)["image"]
        assert np.array_equal(image, draw_board(game, env.state, SIZE))
        env.step(actions[i] if actions else int(np.flatnonzero(env.observe(env.agent_selection)["action_mask"])[0]))
        after = read_board(game, env.state)
        cells = changed_cells(board, after)
        assert cells, "every move here changes the board"
        changed = np.any(draw_board(game, env.state, SIZE) != image, axis=2)
        boxes = cell_boxes(SIZE, len(after), len(after[0]), margin=MARGIN)
        allowed = np.zeros_like(changed)
        for r, c in cells:
            left, top, right, bottom = boxes[r][c]
            allowed[top:bottom, left:right] = True
            assert changed[top:bottom, left:right].any(), (r, c)
        assert not (changed & ~allowed).any()


def test_boards_are_read_as_the_game_shows_them():
    env = llm_arena_env.make("openspiel/go", board_size=5)
    env.reset(seed=0)
    env.step(0)  # black at A1: the bottom left corner
    assert read_board("go", env.state)[-1][0] == "x"
    env = llm_arena_env.make("openspiel/connect_four")
    env.reset(seed=0)
    env.step(6)
    assert read_board("connect_four", env.state)[-1] == list("......x")
    assert read_board("othello", llm_arena_env.make("openspiel/othello").state)[3][3:5] in (["o", "x"], ["x", "o"])


def test_games_without_a_drawing_render_their_text():
    env = llm_arena_env.make("openspiel/pig", render_mode="rgb_array", image_size=64)
    text = llm_arena_env.make("openspiel/pig", render_mode="ansi")
    env.reset(seed=0)
    text.reset(seed=0)
    assert draw_board("pig", env.state, 64) is None
    assert np.array_equal(env.render(), text_to_image(text.render(), 64))


@pytest.mark.parametrize("size", [16, 100, 333])
def test_pictures_have_the_asked_size_and_repeat_exactly(size):
    env = llm_arena_env.make("openspiel/go", board_size=19, render_mode="rgb_array", image_size=size)
    env.reset(seed=0)
    env.step(0)
    picture = env.render()
    assert picture.shape == (size, size, 3) and picture.dtype == np.uint8
    assert np.array_equal(picture, env.render())


@pytest.mark.parametrize("mode", ["image", "text+image"])
@pytest.mark.parametrize("game", [g for g, _, _ in GAMES])
def test_drawn_board_games_keep_the_env_contract_with_images(game, mode):
    make = functools.partial(llm_arena_env.make, f"openspiel/{game}", observation_mode=mode, image_size=48)
    api_test(make(), num_cycles=10)
    seed_test(make, num_cycles=10)
    env = make()
    env.reset(seed=0)
    assert np.array_equal(env.observe(env.agent_selection)["image"], draw_board(game, env.state, 48))
