"""Every registered image observation is a picture of the game, never its text drawn as an image."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import llm_arena_env
from llm_arena_env.core import render

PICTURED = [s.id for s in llm_arena_env.list_games() if "image" in s.observation_modes]
TEXT_ONLY = [s.id for s in llm_arena_env.list_games() if "image" not in s.observation_modes]


def refuse_text_pictures(monkeypatch):
    """Make drawing text as a picture fail in every module that imported it (call after the game's imports)."""

    def refuse(text, size):
        raise AssertionError(f"an image observation drew its text: {text[:80]!r}")

    original = render.text_to_image
    for name, module in list(sys.modules.items()):
        if name.startswith("llm_arena_env.") and module is not render and getattr(module, "text_to_image", None) is original:
            monkeypatch.setattr(module, "text_to_image", refuse)


@pytest.mark.parametrize("game_id", PICTURED)
def test_no_registered_image_observation_is_the_text_fallback(game_id, monkeypatch):
    env = llm_arena_env.make(game_id, observation_mode="image", image_size=96)
    refuse_text_pictures(monkeypatch)
    env.reset(seed=0)
    rng = np.random.default_rng(0)
    for _ in range(6):  # the start and a few positions into the game
        for agent in env.agents:
            image = env.observe(agent)["image"]
            assert image.shape == (96, 96, 3) and image.dtype == np.uint8 and image.std() > 0
        mask = env.observe(env.agent_selection).get("action_mask")
        if not env.agents or mask is None or env.terminations[env.agent_selection]:
            break
        env.step(int(rng.choice(np.flatnonzero(mask))))


@pytest.mark.parametrize("game_id", TEXT_ONLY + ["openspiel/pig"])
def test_games_without_a_picture_refuse_image_observations(game_id):
    assert "image" not in llm_arena_env.spec(game_id).observation_modes
    for mode in ("image", "text+image"):
        with pytest.raises(ValueError, match="no picture"):
            llm_arena_env.make(game_id, observation_mode=mode)
    env = llm_arena_env.make(game_id, render_mode="rgb_array", image_size=64)  # people watching still see it
    env.reset(seed=0)
    assert env.render().shape == (64, 64, 3)


# (game, two deals that differ only in player_1's secret); player_0's picture must not change
DEALS = [
    ("openspiel/kuhn_poker", {}, [0, 1], [0, 2]),
    ("openspiel/leduc_poker", {}, [0, 2], [0, 4]),
    ("openspiel/liars_dice", {}, [2, 0], [2, 4]),
    ("openspiel/universal_poker", {}, [0, 1, 2, 3], [0, 1, 40, 41]),
]


@pytest.mark.parametrize("game_id, params, deal, other_deal", DEALS, ids=[d[0] for d in DEALS])
def test_card_pictures_show_no_other_players_secret(game_id, params, deal, other_deal):
    pictures = []
    for history in (deal, other_deal):
        env = llm_arena_env.make(game_id, observation_mode="image", image_size=128, **params)
        env.reset(seed=0, options={"history": history})
        pictures.append({agent: env.observe(agent)["image"] for agent in env.agents})
    assert np.array_equal(pictures[0]["player_0"], pictures[1]["player_0"])
    assert not np.array_equal(pictures[0]["player_1"], pictures[1]["player_1"])


def test_openspiel_chess_rings_a_king_in_check_as_the_chess_env_does():
    import chess
    import pyspiel

    from llm_arena_env.games.chess.draw import CHECK, square_box
    from llm_arena_env.games.openspiel.pictures import picture

    game, size = pyspiel.load_game("chess"), 256
    checked = picture("chess", game.new_initial_state("4k3/8/8/8/8/8/8/4R1K1 b - - 0 1"), 1, {}, size)
    quiet = picture("chess", game.new_initial_state("4k3/8/8/8/8/8/8/4R1K1 w - - 0 1"), 1, {}, size)
    changed = np.any(checked != quiet, axis=2)  # the same pieces; only whose turn, so whether in check, differs
    left, top, right, bottom = square_box(chess.E8, size)
    assert changed[top:bottom, left:right].any() and changed.sum() == changed[top:bottom, left:right].sum()

    env = llm_arena_env.make("openspiel/chess", observation_mode="image", image_size=size)
    state = game.new_initial_state()
    history = []
    for san in ("e4", "f5", "Qh5+"):  # Black, OpenSpiel's player 0, sees its checked king from its side
        history.append(state.string_to_action(san))
        state.apply_action(history[-1])
    env.reset(seed=0, options={"history": history})
    image = env.observe(env.agent_selection)["image"]
    left, top, right, bottom = square_box(chess.E8, size, flipped=True)
    assert (image[top:bottom, left:right] == np.array(CHECK, dtype=np.uint8)).all(axis=2).any()
