"""Realistic model replies and the move each must parse to, for tests/test_parsers.py.

Each position carries its legal moves exactly as the env lists them: python-chess's legal SAN (or UCI)
for chess, with the FEN in the state text as the chess env writes it and the notation its observations carry; OpenSpiel's action strings for
tic-tac-toe, connect four, go, othello and OpenSpiel's chess. An expected None means "no move in that reply"; an expected
move that is not legal means the reply stated it outright and the env must judge it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import chess
import pyspiel

from llm_arena_env.core.notation import PLAIN, Notation
from llm_arena_env.games.chess.notation import ChessNotation
from llm_arena_env.wrappers.parsers import Parsed


@dataclass(frozen=True)
class Position:
    legal_actions: tuple[str, ...]
    state_text: str = ""
    notation: Notation = PLAIN  # what the env's observation carries for the player to move


def chess_position(fen: str, uci: bool = False) -> Position:
    board = chess.Board(fen)
    moves = tuple(m.uci() if uci else board.san(m) for m in board.legal_moves)
    return Position(moves, f"You play {'White' if board.turn else 'Black'}.\nFEN: {fen}\n", ChessNotation(fen))


def spiel_position(game: str, moves: tuple[str, ...] = ()) -> Position:
    """The OpenSpiel state after ``moves`` (action strings), with the legal moves of the player to move."""
    state = pyspiel.load_game(game).new_initial_state()
    for move in moves:
        state.apply_action(state.string_to_action(move))
    legal = tuple(state.action_to_string(state.current_player(), a) for a in state.legal_actions())
    return Position(legal, str(state), ChessNotation(str(state)) if game == "chess" else PLAIN)


START = chess_position(chess.STARTING_FEN)
START_UCI = chess_position(chess.STARTING_FEN, uci=True)
ITALIAN_BLACK = chess_position("r1bqkbnr/pppp1ppp/2n5/4p3/2B1P3/5N2/PPPP1PPP/RNBQK2R b KQkq - 3 3")
ITALIAN_WHITE = chess_position("r1bqk1nr/pppp1ppp/2n5/2b1p3/2B1P3/5N2/PPPP1PPP/RNBQK2R w KQkq - 4 4")
SCHOLAR = chess_position("r1bqkb1r/pppp1ppp/2n2n2/4p2Q/2B1P3/8/PPPP1PPP/RNB1K1NR w KQkq - 4 4")
PROMOTION = chess_position("8/P6k/8/8/8/8/6K1/8 w - - 0 1")
EN_PASSANT = chess_position("rnbqkbnr/1pp1pppp/p7/3pP3/8/8/PPPP1PPP/RNBQKBNR w KQkq d6 0 3")
TWO_KNIGHTS = chess_position("4k3/8/8/8/8/8/8/1N1K1N2 w - - 0 1")
TIC_TAC_TOE = spiel_position("tic_tac_toe", ("x(1,1)",))  # o to move, the centre taken
CONNECT_FOUR = spiel_position("connect_four", ("x3", "o3", "x3", "o3", "x3", "o3"))  # x to move, column 3 full
GO = spiel_position("go(board_size=9)")
OTHELLO = spiel_position("othello")
SPIEL_CHESS = spiel_position("chess", ("e4",))  # OpenSpiel shows the position as a bare FEN; Black to move
MAP_ROOM = Position(("GO: north", "GO: east", "GO: west", "DONE"))  # a room of the map-walking grid games


def move_of(found: Parsed | None) -> str | None:
    """The move of a parser's answer; None where it found none."""
    return None if found is None else found.move


class Case(NamedTuple):
    position: Position
    reply: str
    expected: str | None


LONG_WITHOUT_MOVE = (
    "This is a rich position. White has a space advantage in the centre, while Black's pieces are well "
    "coordinated. The pawn structure is symmetrical, and both kings are still in the centre. I need to "
    "weigh development against central control, and consider the long-term plans for both sides. I am "
    "not yet sure which plan is best here, so I will keep thinking about it."
)

CASES: list[Case] = [
    # --- chess: the plain forms
    Case(START, "Final Answer: e4", "e4"),
    Case(START, "Let me analyse the position. It is the starting position, so I should fight for the centre. "
                "The most popular moves are 1. e4 and 1. d4. I'll go with the king's pawn.\n\nFinal Answer: e4", "e4"),
    Case(START, "**Final Answer:** Nf3", "Nf3"),
    Case(START, "Final Answer: $\\boxed{Nf3}$", "Nf3"),
    Case(START, "The answer is therefore $\\boxed{\\text{d4}}$.", "d4"),
    Case(START, "<think>English opening?</think>\n<answer>c4</answer>", "c4"),
    Case(START, "Final Answer: 1. e4", "e4"),
    Case(START, "final answer: nf3", "Nf3"),
    Case(START, "FINAL ANSWER: E4", "e4"),
    Case(START, "Final Answer: `d4`", "d4"),
    Case(START, "Final Answer:\n\nd4", "d4"),
    Case(START, "Final Answer: <b>c4</b>", "c4"),
    Case(START, "Final Answer: \"Nc3\".", "Nc3"),
    # --- chess: several candidates, the last stated one counts
    Case(START, "I considered 1. d4, 1. c4 and 1. Nf3. In the end the flexible knight move suits me.\n"
                "Final Answer: Nf3", "Nf3"),
    Case(START, "Final Answer: e4\n\nHmm, on second thought d4 gives a more solid game.\n\nFinal Answer: d4", "d4"),
    Case(START, "Candidate moves: Nf3, d4, c4.\n\nAfter weighing them, the most flexible is Nf3.", "Nf3"),
    Case(START, "e4 or d4? Both are good. I prefer d4.", "d4"),
    Case(START, "Move: e4\nOn reflection I change my mind.\nMove: c4", "c4"),
    # --- chess: without a "Final Answer"
    Case(START, "My move is `d4`.", "d4"),
    Case(START, "I'll play **e4**.", "e4"),
    Case(START, "e4", "e4"),
    Case(START, "e4.", "e4"),
    Case(START, "Move: 1.e4", "e4"),
    Case(START, "I choose Nc3, developing a piece.", "Nc3"),
    # --- chess: wrong notation
    Case(START, "Final Answer: e2e4", "e4"),
    Case(START, "Final Answer: g1-f3", "Nf3"),
    Case(START, "Final Answer: Ng1-f3", "Nf3"),
    Case(START, "Final Answer: Ng1xf3", "Nf3"),
    Case(START, "Final Answer: ♘f3", "Nf3"),
    Case(START_UCI, "Final Answer: e4", "e2e4"),
    Case(START_UCI, "Final Answer: Nf3", "g1f3"),
    Case(START_UCI, "Final Answer: g1f3", "g1f3"),
    Case(START_UCI, "Final Answer: G1F3", "g1f3"),
    Case(START_UCI, "Final Answer: g1-f3", "g1f3"),
    # --- chess: nothing, or a stated move the env must judge
    Case(START, "I don't know how to play chess.", None),
    Case(START, "", None),
    Case(START, "Final Answer:", None),
    Case(START, LONG_WITHOUT_MOVE, None),
    Case(START, "Final Answer: Ke2", "Ke2"),
    Case(START, "Final Answer: Qxf7, winning material", "Qxf7"),
    Case(START, "Final Answer: the king's pawn", "the king's pawn"),
    # --- chess: Black's moves, move numbers, lower-case pieces
    Case(ITALIAN_BLACK, "Final Answer: Nf6", "Nf6"),
    Case(ITALIAN_BLACK, "Final Answer: 3... Bc5", "Bc5"),
    Case(ITALIAN_BLACK, "3...Bc5", "Bc5"),
    Case(ITALIAN_BLACK, "The Giuoco Piano: I answer with the bishop.\nFinal Answer: ...Bc5", "Bc5"),
    Case(ITALIAN_BLACK, "Final Answer: f8c5", "Bc5"),
    Case(ITALIAN_BLACK, "Final Answer: Bf8-c5", "Bc5"),
    Case(ITALIAN_BLACK, "Final Answer: bc5", "Bc5"),
    Case(ITALIAN_BLACK, "Final Answer: qe7", "Qe7"),
    Case(ITALIAN_BLACK, "The knight on c6 can jump to d4, hitting f3.\nFinal Answer: Nd4", "Nd4"),
    Case(ITALIAN_BLACK, "Final Answer: Ng8-f6", "Nf6"),
    Case(ITALIAN_BLACK, "Final Answer: O-O", "O-O"),
    # --- chess: castling
    Case(ITALIAN_WHITE, "Final Answer: O-O", "O-O"),
    Case(ITALIAN_WHITE, "Final Answer: 0-0", "O-O"),
    Case(ITALIAN_WHITE, "Safety first, I castle kingside: o-o", "O-O"),
    Case(ITALIAN_WHITE, "Final Answer: e1g1", "O-O"),
    Case(ITALIAN_WHITE, "Final Answer: Ke1-g1", "O-O"),
    Case(ITALIAN_WHITE, "Final Answer: 4. O-O", "O-O"),
    Case(ITALIAN_WHITE, "Final Answer: c2c3", "c3"),
    # --- chess: check and mate marks, captures
    Case(SCHOLAR, "Final Answer: Qxf7#", "Qxf7#"),
    Case(SCHOLAR, "Final Answer: Qxf7", "Qxf7#"),
    Case(SCHOLAR, "Final Answer: Qxf7+", "Qxf7#"),
    Case(SCHOLAR, "Final Answer: Qh5xf7", "Qxf7#"),
    Case(SCHOLAR, "Final Answer: Q:f7", "Qxf7#"),
    Case(SCHOLAR, "Final Answer: Qf7", "Qxf7#"),
    Case(SCHOLAR, "Black blundered.\n**Qxf7#** mates.", "Qxf7#"),
    Case(SCHOLAR, "Checkmate with the queen: Qh5-f7#!!", "Qxf7#"),
    Case(SCHOLAR, "h5f7", "Qxf7#"),
    Case(SCHOLAR, "Final Answer: 4. Bxf7+!?", "Bxf7+"),
    # --- chess: promotion
    Case(PROMOTION, "Final Answer: a8=Q", "a8=Q"),
    Case(PROMOTION, "Final Answer: a8Q", "a8=Q"),
    Case(PROMOTION, "Final Answer: a8(Q)", "a8=Q"),
    Case(PROMOTION, "Final Answer: a8/Q", "a8=Q"),
    Case(PROMOTION, "Final Answer: a8=q", "a8=Q"),
    Case(PROMOTION, "Final Answer: a8", "a8=Q"),
    Case(PROMOTION, "Final Answer: a7a8q", "a8=Q"),
    Case(PROMOTION, "Final Answer: a7a8", "a8=Q"),
    Case(PROMOTION, "Underpromotion is not needed here... but let's be fancy.\nFinal Answer: a8=N", "a8=N"),
    Case(PROMOTION, "Final Answer: a7-a8=R", "a8=R"),
    # --- chess: en passant
    Case(EN_PASSANT, "Final Answer: exd6 e.p.", "exd6"),
    Case(EN_PASSANT, "Final Answer: exd6ep", "exd6"),
    Case(EN_PASSANT, "Final Answer: e5xd6", "exd6"),
    Case(EN_PASSANT, "Final Answer: e:d6", "exd6"),
    Case(EN_PASSANT, "Final Answer: ed6", "exd6"),
    # --- chess: which knight
    Case(TWO_KNIGHTS, "Final Answer: Nbd2", "Nbd2"),
    Case(TWO_KNIGHTS, "Final Answer: Nb1-d2", "Nbd2"),
    Case(TWO_KNIGHTS, "Final Answer: nfd2", "Nfd2"),
    # --- chess through OpenSpiel: the FEN is a line of its own
    Case(SPIEL_CHESS, "Final Answer: e7e5", "e5"),
    Case(SPIEL_CHESS, "Final Answer: 1... Ng8-f6", "Nf6"),
    Case(SPIEL_CHESS, "Final Answer: c5!", "c5"),
    # --- tic-tac-toe (o to move; x holds the centre)
    Case(TIC_TAC_TOE, "Final Answer: o(0,0)", "o(0,0)"),
    Case(TIC_TAC_TOE, "Final Answer: (0,0)", "o(0,0)"),
    Case(TIC_TAC_TOE, "Final Answer: 0,0", "o(0,0)"),
    Case(TIC_TAC_TOE, "Final Answer: (0, 2)", "o(0,2)"),
    Case(TIC_TAC_TOE, "Final Answer: row 0, column 2", "o(0,2)"),
    Case(TIC_TAC_TOE, "X took the centre, so I take a corner.\n\nFinal Answer: $(2,2)$", "o(2,2)"),
    Case(TIC_TAC_TOE, "Final Answer: \\boxed{(2, 0)}", "o(2,0)"),
    Case(TIC_TAC_TOE, "I'll play the top-left corner (0,0).", "o(0,0)"),
    Case(TIC_TAC_TOE, "Final Answer: (1,1)", "(1,1)"),
    Case(TIC_TAC_TOE, "The opponent is in the centre. Corners are strongest.", None),
    Case(TIC_TAC_TOE, "Final Answer: O(0,1)", "o(0,1)"),
    Case(TIC_TAC_TOE, "`o(2,1)`", "o(2,1)"),
    # --- connect four (x to move; column 3 is full)
    Case(CONNECT_FOUR, "Final Answer: x4", "x4"),
    Case(CONNECT_FOUR, "Final Answer: 4", "x4"),
    Case(CONNECT_FOUR, "Final Answer: column 5", "x5"),
    Case(CONNECT_FOUR, "Final Answer: Column 2.", "x2"),
    Case(CONNECT_FOUR, "I'll drop my piece in column 0 to start building on the left.", "x0"),
    Case(CONNECT_FOUR, "Final Answer: 3", "3"),
    Case(CONNECT_FOUR, "There are 2 good options here; I need to think more.", None),
    Case(CONNECT_FOUR, "\\boxed{6}", "x6"),
    Case(CONNECT_FOUR, "My move: column 1", "x1"),
    Case(CONNECT_FOUR, "After analysing the threats, the best column is 4.\nFinal Answer: 4", "x4"),
    # --- go 9x9 (Black to move)
    Case(GO, "Final Answer: E5", "B e5"),
    Case(GO, "Final Answer: B e5", "B e5"),
    Case(GO, "Final Answer: pass", "B PASS"),
    Case(GO, "Final Answer: tengen (e5)", "B e5"),
    Case(GO, "Final Answer: i5", "i5"),
    Case(GO, "I play d4.", "B d4"),
    # --- othello (Black to move)
    Case(OTHELLO, "Final Answer: d3", "d3"),
    Case(OTHELLO, "Final Answer: D3", "d3"),
    Case(OTHELLO, "Final Answer: f5.", "f5"),
    Case(OTHELLO, "I'd flip a disc with c4.", "c4"),
    Case(OTHELLO, "Final Answer: e3", "e3"),
    # --- a map room: actions with a shared "GO:" prefix beside one without
    Case(MAP_ROOM, "Final Answer: north", "GO: north"),
    Case(MAP_ROOM, "The kitchen must be behind the eastern door. I go East.", "GO: east"),
    Case(MAP_ROOM, "I found it!\nFinal Answer: done", "DONE"),
]
