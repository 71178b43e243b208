"""Prompt builders: every registered game can be made with each option it supports, and shows what was asked."""

from __future__ import annotations

import itertools

import pytest

import llm_arena_env
from llm_arena_env.agents.prompts import prompt_options, prompt_parts

GAMES = [s.id for s in llm_arena_env.list_games()]
CHESS_MARKS = {"fen": "FEN: ", "board": "a b c d e f g h", "pieces": "Pieces:", "image": "The image shows"}


def _observe(game_id: str, **options) -> dict:
    env = llm_arena_env.make(game_id, **prompt_options(game_id, **options))
    env.reset(seed=0)
    return env.observe(env.agent_selection)


def _observe_plain(game_id: str) -> dict:
    env = llm_arena_env.make(game_id)
    env.reset(seed=0)
    return env.observe(env.agent_selection)


@pytest.mark.parametrize("game_id", GAMES)
def test_every_game_can_be_made_with_each_way_of_showing_its_state(game_id):
    parts = prompt_parts(game_id)
    assert set(parts.default_state) <= set(parts.notations)
    for notation in parts.notations:
        observation = _observe(game_id, state=(notation,), answer_format="Reply with MOVE: <move>")
        assert ("image" in observation) == (notation == "image")
        if parts.family != "generic":  # the others keep their own template, and their own answer rules
            assert observation["text"].rstrip().endswith("Reply with MOVE: <move>")


@pytest.mark.parametrize("game_id", [s.id for s in llm_arena_env.list_games() if s.kind != "board"])
def test_games_without_separate_parts_keep_their_own_prompt(game_id):
    assert "prompt_template" not in prompt_options(game_id)
    assert _observe(game_id)["text"] == _observe_plain(game_id)["text"]


@pytest.mark.parametrize("game_id", [s.id for s in llm_arena_env.list_games(kind="board")])
@pytest.mark.parametrize("history, legal_moves", list(itertools.product([True, False], repeat=2)))
def test_board_games_show_history_and_legal_moves_only_when_asked(game_id, history, legal_moves):
    observation = _observe(game_id, history=history, legal_moves=legal_moves)
    assert ("Moves so far:" in observation["text"]) == history
    assert ("Legal moves:" in observation["text"]) == legal_moves
    if legal_moves:  # hold'em's thousands of bet sizes are shown as a range
        listed = observation["legal_actions"]
        assert ", ".join(listed if len(listed) < 1000 else listed[:2]) in observation["text"]


@pytest.mark.parametrize("shown", [("fen",), ("board",), ("pieces",), ("fen", "pieces"), ("fen", "board", "pieces", "image")])
def test_chess_shows_exactly_the_notations_asked_for(shown):
    observation = _observe("chess", state=shown)
    for notation, mark in CHESS_MARKS.items():
        assert (mark in observation["text"]) == (notation in shown), notation


def test_chess_default_is_fen_and_board_without_legal_moves():
    text = _observe("chess")["text"]
    assert "FEN: " in text and "a b c d e f g h" in text
    assert "Pieces:" not in text and "Legal moves:" not in text and "Moves so far:" in text


def test_openspiel_default_lists_the_legal_moves_and_the_board():
    text = _observe("openspiel/connect_four")["text"]
    assert "Legal moves: x0, x1" in text and "Current position:" in text


def test_an_image_asks_for_text_and_image_observations():
    assert prompt_options("chess", state=("fen", "image"))["observation_mode"] == "text+image"
    assert prompt_options("chess")["observation_mode"] == "text"
    assert prompt_options("grid/mapworld")["observation_mode"] == "image"  # the game's own default


def test_a_user_template_overrides_the_built_one():
    observation = _observe("openspiel/tic_tac_toe", template="Play {player}!\n{board}\n{answer_format}", answer_format="Go.")
    assert observation["text"] == "Play player_0 (x, moving first)!\n...\n...\n...\nGo."


@pytest.mark.parametrize(
    "game_id, options",
    [
        ("chess", {"state": ("diagram",)}),
        ("chess", {"state": ()}),
        ("openspiel/tic_tac_toe", {"state": ("fen",)}),
        ("dialogue/taboo", {"legal_moves": True}),
        ("dialogue/taboo", {"history": False}),
        ("dialogue/taboo", {"state": ("image",)}),
    ],
)
def test_options_a_game_does_not_have_are_refused(game_id, options):
    with pytest.raises(ValueError):
        prompt_options(game_id, **options)
