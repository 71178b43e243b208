"""Replies game_arena's parsers read right and ours once did not (issue 14), each with the move it means."""

from __future__ import annotations

import chess
import pytest

from llm_arena_env.games.chess.notation import ChessNotation, chess_moves
from llm_arena_env.wrappers.parsers import ParserInput, RuleBasedParser
from tests.parser_cases import move_of


def position(fen: str) -> tuple[tuple[str, ...], ChessNotation]:
    board = chess.Board(fen)
    return tuple(board.san(m) for m in board.legal_moves), ChessNotation(fen)


START = position(chess.STARTING_FEN)
# White's b-pawn and bishop on d2 both capture the knight on c3.
PAWN_OR_BISHOP = position("4k3/8/8/8/8/2n5/1P1B4/4K3 w - - 0 1")


@pytest.mark.parametrize("where, reply, move", [
    # prose that mentions "final answer" before the real tag
    (START, "Let me think about the final answer.\n\nd4 is solid but e4 is better.\n\nAnswer: e4", "e4"),
    (START, "Before my final answer: d4 looks passive.\nAnswer: e4", "e4"),  # a tag: the last one wins
    (START, "I must be careful with my final answer here. The center matters.\nMove: Nf3", "Nf3"),
    (START, "**Final Answer**\ne4", "e4"),  # a heading on its own line is still the tag
    # a lower-case b is the pawn's file, as SAN says; a capital B the bishop
    (PAWN_OR_BISHOP, "Final Answer: bxc3", "bxc3"),
    (PAWN_OR_BISHOP, "Final Answer: Bxc3", "Bxc3"),
    (PAWN_OR_BISHOP, "I take the knight with the pawn: bxc3", "bxc3"),
    # moves in words
    (START, "Final Answer: Knight to f3", "Nf3"),
    (START, "Final Answer: knight f3", "Nf3"),
    (START, "Final Answer: Knight from g1 to f3", "Nf3"),
    (START, "Final Answer: pawn to e4", "e4"),
    (PAWN_OR_BISHOP, "Final Answer: bishop takes c3", "Bxc3"),
    # a move named, then another mentioned as rejected
    (START, "Final Answer: e4 (I considered d4 but rejected it)", "e4"),
    (START, "Final Answer: Nf3, not e4, which I rejected", "Nf3"),
    (START, "Answer: e4 — d4 was rejected because it blocks the bishop", "e4"),
])
def test_reply_parses_to_the_move_it_means(where, reply, move):
    legal, state = where
    for seed in range(5):  # no tie is broken at random
        assert move_of(RuleBasedParser().parse(ParserInput(reply, legal, state, seed=seed))) == move


def test_bxc3_is_the_pawn_even_where_a_bishop_could_take():
    board = chess.Board("4k3/8/8/8/8/2n5/1P1B4/4K3 w - - 0 1")
    assert chess_moves("bxc3", board) == [chess.Move.from_uci("b2c3")]
    board = chess.Board("4k3/8/8/8/8/2n5/3B4/4K3 w - - 0 1")  # no b-pawn: the bishop is meant
    assert chess_moves("bxc3", board) == [chess.Move.from_uci("d2c3")]
