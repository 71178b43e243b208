"""game_arena's prompt notations: chess as a dictionary of squares, PGN-numbered history, spaced grids."""

from __future__ import annotations

import json
import re

import chess
import pytest

import llm_arena_env
from llm_arena_env.games.openspiel.env import pgn_numbered


def prompt_after(game: str, moves, **kwargs) -> str:
    env = llm_arena_env.make(game, **kwargs)
    env.reset(seed=0)
    for move in moves:
        env.step(move)
    return env.observe(env.agent_selection)["text"]


def test_chess_as_a_dictionary_of_squares_holds_exactly_the_pieces():
    text = prompt_after("chess", ["e4", "e5", "Nf3"], board_notation="squares")
    squares = json.loads(re.search(r"^\{.*\}$", text, re.M)[0])
    board = chess.Board()
    for move in ("e4", "e5", "Nf3"):
        board.push_san(move)
    assert len(squares) == len(board.piece_map()) == 32
    assert (squares["e4"], squares["f3"], squares["e5"], squares["e8"]) == (
        "white pawn", "white knight", "black pawn", "black king")
    assert "g1" not in squares and "Pieces:" not in text  # the diagram and piece list are replaced
    assert "Moves so far: 1. e4 e5 2. Nf3" in text


def test_chess_squares_as_a_prompt_field():
    env = llm_arena_env.make("chess", prompt_template="{squares}\n{history}")
    env.reset(seed=0)
    env.step("d4")
    squares, history = env.observe("black")["text"].split("\n")
    assert json.loads(squares)["d4"] == "white pawn" and history == "1. d4"


def test_openspiel_chess_history_is_pgn_numbered():
    text = prompt_after("openspiel/chess", ["e4", "e5", "Nf3", "Nc6"])
    assert "Moves so far: 1. e4 e5 2. Nf3 Nc6" in text
    assert pgn_numbered(["e5", "Nf3"], white_first=False) == "1... e5 2. Nf3"
    assert pgn_numbered([]) == ""


def test_tic_tac_toe_as_a_spaced_grid_in_the_move_formats_coordinates():
    text = prompt_after("openspiel/tic_tac_toe", ["x(1,1)", "o(0,2)"], board_notation="grid")
    assert "   0 1 2\n0  . . o\n1  . x .\n2  . . ." in text


def test_connect_four_and_go_grids():
    four = prompt_after("openspiel/connect_four", ["x3", "o3"], board_notation="grid")
    grid = four[four.index("0 1 2 3 4 5 6"):].splitlines()
    assert grid[5].split() == [".", ".", ".", "o", ".", ".", "."]
    assert grid[6].split() == [".", ".", ".", "x", ".", ".", "."]  # the bottom row, under column 3
    go = prompt_after("openspiel/go", ["B d4"], board_size=9, board_notation="grid")
    assert "   A B C D E F G H J" in go
    row4 = next(line for line in go.splitlines() if line.startswith("4  "))
    assert row4.split()[1:] == [".", ".", ".", "X", ".", ".", ".", ".", "."]


def test_a_grid_for_a_game_without_one_and_an_unknown_notation_are_clear_errors():
    with pytest.raises(ValueError, match="board_notation='grid' is for connect_four, go, tic_tac_toe"):
        llm_arena_env.make("openspiel/othello", board_notation="grid")
    with pytest.raises(ValueError, match="board_notation must be"):
        llm_arena_env.make("chess", board_notation="fen-only")
