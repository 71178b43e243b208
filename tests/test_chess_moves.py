"""Chess move ids, the fast SAN and FEN listings, rejection reasons, and fen_from_text: pure functions."""

from __future__ import annotations

import random

import chess
import pytest

from llm_arena_env.core.text_env import IllegalAction
from llm_arena_env.games.chess import fen_from_text
from llm_arena_env.games.chess.env import board_cells, board_fen
from llm_arena_env.games.chess.explain import explain_id, parse_move
from llm_arena_env.games.chess.moves import NUM_ACTIONS, LegalMoves, id_to_move, move_to_id, san_moves

# Positions with the rare cases of SAN: discovered and double checks, en passant with check, castling
# with check, promotions with check and mate, three queens that need file and rank to tell apart.
SPECIAL_FENS = [
    "4k3/8/8/2pP4/8/8/8/B3K3 w - c6 0 1",  # dxc6 e.p. uncovers the bishop's check
    "8/8/8/K2pP2q/8/8/8/7k w - d6 0 1",  # exd6 e.p. would expose the king on the rank: not legal
    "5k2/8/8/8/8/8/8/4K2R w K - 0 1",  # O-O+
    "r3k3/8/8/8/8/8/8/4K3 b q - 0 1",
    "3k4/1P6/8/8/8/8/8/4K3 w - - 0 1",  # b8=Q+ and friends
    "k7/2P5/1K6/8/8/8/8/8 w - - 0 1",  # c8=Q#, c8=R#
    "7k/8/8/8/Q1Q5/8/Q7/K7 w - - 0 1",  # three queens: Qa4b3, Qc4b3, ...
    "3k4/8/8/8/8/R7/8/R3K3 w - - 0 1",  # R1a2 and R3a2
    "4k3/8/8/8/8/8/4B3/4R2K w - - 0 1",  # bishop moves off the e-file: discovered checks
    "4k3/8/8/8/1b6/8/8/R3K2R w KQ - 0 1",  # castling out of check is not legal
]


def random_positions(count: int, seed: int) -> list[chess.Board]:
    """``count`` positions from seeded random games (random games reach odd positions: many checks, promotions)."""
    rng = random.Random(seed)
    boards: list[chess.Board] = []
    board = chess.Board()
    while len(boards) < count:
        legal = list(board.legal_moves)
        if not legal or board.is_insufficient_material() or board.halfmove_clock >= 100:
            board = chess.Board()
            continue
        boards.append(board.copy(stack=False))
        board.push(rng.choice(legal))
    return boards


POSITIONS = random_positions(2000, seed=7) + [chess.Board(fen) for fen in SPECIAL_FENS]


def test_special_positions_are_real_positions() -> None:
    assert all(chess.Board(fen).is_valid() for fen in SPECIAL_FENS)


def test_san_listing_equals_python_chess_san() -> None:
    checks = mates = 0
    for board in POSITIONS:
        legal = list(board.legal_moves)
        expected = [board.san(m) for m in legal]
        assert san_moves(board, legal) == expected, board.fen()
        checks += sum(san.endswith("+") for san in expected)
        mates += sum(san.endswith("#") for san in expected)
    assert checks > 100 and mates > 0  # the sample does exercise the check and mate marks


def test_legal_moves_lists_san_uci_and_ids_in_the_same_order() -> None:
    board = chess.Board("r3k2r/1P6/8/8/8/8/8/R3K2R w KQkq - 0 1")
    legal = LegalMoves(board)
    assert legal.san == tuple(board.san(m) for m in legal.moves)
    assert legal.uci == tuple(m.uci() for m in legal.moves)
    assert [legal.by_id[i] for i in legal.ids] == legal.moves
    assert {"O-O", "O-O-O", "bxa8=N", "b8=Q+"} <= set(legal.san)
    assert legal.lookup("e1g1") == chess.Move.from_uci("e1g1")
    legal.san  # noqa: B018  (SAN is looked up once it has been built)
    assert legal.lookup("bxa8=N") == chess.Move.from_uci("b7a8n")
    assert legal.lookup("Qd4") is None


def test_ids_round_trip_for_every_legal_move() -> None:
    for board in POSITIONS:
        ids = [move_to_id(m) for m in board.legal_moves]
        assert len(set(ids)) == len(ids)  # one id per move
        for move, action_id in zip(board.legal_moves, ids):
            assert 0 <= action_id < NUM_ACTIONS
            assert id_to_move(action_id, board) == move


@pytest.mark.parametrize("fen", [chess.STARTING_FEN, "8/1P6/8/8/8/8/6p1/k6K w - - 0 1"])
def test_every_id_decodes_to_a_move_that_encodes_back(fen: str) -> None:
    board = chess.Board(fen)
    for action_id in range(NUM_ACTIONS):
        move = id_to_move(action_id, board)
        if move:  # the 12 under-promotions off the board's edge decode to the null move
            assert move_to_id(move) == action_id
    # id 0 (a1a1) is python-chess's null move too
    assert [i for i in range(NUM_ACTIONS) if not id_to_move(i, board)][1:] == [
        i for i in range(4096, NUM_ACTIONS) if not id_to_move(i, board)
    ]
    assert sum(not id_to_move(i, board) for i in range(4096, NUM_ACTIONS)) == 12


def test_id_formula_of_the_docstring() -> None:
    assert NUM_ACTIONS == 4240
    assert move_to_id(chess.Move.from_uci("e2e4")) == 64 * chess.E2 + chess.E4
    assert move_to_id(chess.Move.from_uci("b7a8q")) == 64 * chess.B7 + chess.A8
    # knight (0), White (0), b-file (1), towards the a-file (0)
    assert move_to_id(chess.Move.from_uci("b7a8n")) == 4096 + ((0 * 2 + 0) * 8 + 1) * 3 + 0
    # rook (2), Black (1), h-file (7), straight (1)
    assert move_to_id(chess.Move.from_uci("h2h1r")) == 4096 + ((2 * 2 + 1) * 8 + 7) * 3 + 1
    with pytest.raises(ValueError):
        id_to_move(NUM_ACTIONS, chess.Board())


def test_fast_fen_equals_python_chess_fen() -> None:
    for board in POSITIONS:
        assert board_fen(board, board_cells(board)) == board.fen()


def test_fen_from_text_reads_the_fen_line() -> None:
    fen = "r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1"
    assert fen_from_text(f"You are White.\nFEN: {fen}\nBoard:") == fen
    assert fen_from_text(f"Board\n  FEN: {fen}") is None  # the line must start with "FEN: "
    assert fen_from_text("FEN: not a position\nFEN: 8/8/8/8/8/8/8/8 w - - 0 1") == "8/8/8/8/8/8/8/8 w - - 0 1"
    assert fen_from_text("no fen here") is None
    assert fen_from_text(None) is None  # type: ignore[arg-type]


# ---------------------------------------------------------------------- rejection reasons

REASONS = [
    # (FEN, move text, words the reason must contain)
    (chess.STARTING_FEN, "   ", ["empty"]),
    (chess.STARTING_FEN, "hello", ["cannot read"]),
    (chess.STARTING_FEN, "e4 e5", ["only the move"]),
    (chess.STARTING_FEN, "nf3", ["upper case", "Nf3"]),
    (chess.STARTING_FEN, "--", ["null move"]),
    (chess.STARTING_FEN, "0000", ["null move"]),
    (chess.STARTING_FEN, "Z0", ["null move"]),
    (chess.STARTING_FEN, "a1a1", ["a1 is both start and target"]),
    (chess.STARTING_FEN, "E2e2", ["e2 is both start and target"]),
    ("4k3/8/8/8/8/5N2/8/1N2K3 w - - 0 1", "Nd2", ["ambiguous", "Nbd2", "Nfd2"]),
    (chess.STARTING_FEN, "e3e4", ["no piece on e3"]),
    (chess.STARTING_FEN, "e7e5", ["pawn on e7 is Black's", "you play White"]),
    (chess.STARTING_FEN, "d1d2", ["d2 holds your own pawn", "own piece"]),
    (chess.STARTING_FEN, "Qxd2", ["d2 holds your own pawn"]),
    (chess.STARTING_FEN, "b1b3", ["knight on b1 cannot move to b3", "L-shape"]),
    (chess.STARTING_FEN, "Nb3", ["none of your knights", "b1, g1"]),
    (chess.STARTING_FEN, "a1a5", ["blocked by your pawn on a2"]),
    (chess.STARTING_FEN, "Bh6", ["from c1 to h6 is blocked by your pawn on d2"]),
    (chess.STARTING_FEN, "e2e5", ["pawn on e2 cannot move to e5", "straight forward"]),
    ("4k3/8/8/8/8/4P3/8/4K3 w - - 0 1", "e5", ["two squares only from its starting rank"]),
    (chess.STARTING_FEN, "exd3", ["diagonally only to capture"]),
    ("4k3/8/8/8/8/4p3/4P3/4K3 w - - 0 1", "e4", ["pawn on e2 cannot advance", "e3 is occupied by Black's pawn"]),
    ("4k3/8/8/8/8/4p3/4P3/4K3 w - - 0 1", "e3", ["e3 is occupied by Black's pawn (pawns capture diagonally)"]),
    ("4k3/P7/8/8/8/8/8/4K3 w - - 0 1", "a8", ["must promote", "a8=Q"]),
    ("4k3/P7/8/8/8/8/8/4K3 w - - 0 1", "a7a8", ["must promote", "a7a8q"]),
    ("4k3/P7/8/8/8/8/8/4K3 w - - 0 1", "a8=K", ["cannot promote to a king"]),
    (chess.STARTING_FEN, "e2e4q", ["only when it reaches the last rank"]),
    (chess.STARTING_FEN, "g1f3q", ["only a pawn can promote"]),
    ("k3r3/8/8/8/8/8/4N3/4K3 w - - 0 1", "Nc3", ["knight on e2 is pinned", "rook on e8"]),
    ("k3r3/8/8/8/8/8/8/1N2K3 w - - 0 1", "Nc3", ["in check from Black's rook on e8", "does not get it out"]),
    ("k3r3/8/8/8/8/8/8/3K4 w - - 0 1", "Ke2", ["move into check", "e2 is attacked by Black's rook on e8"]),
    ("4k3/4r3/8/8/8/8/8/R3K2R w KQ - 0 1", "O-O", ["out of check"]),
    ("4k3/5r2/8/8/8/8/8/R3K2R w KQ - 0 1", "O-O", ["through check", "f1 is attacked by Black's rook on f7"]),
    ("4k3/6r1/8/8/8/8/8/R3K2R w KQ - 0 1", "e1g1", ["into check", "g1 is attacked"]),
    ("4k3/8/8/8/8/8/8/R3K2R w Q - 0 1", "O-O", ["can no longer castle kingside"]),
    ("4k3/8/8/8/8/8/8/RN2K2R w KQ - 0 1", "O-O-O", ["must be empty", "b1 holds your knight"]),
    ("4k3/8/8/8/8/8/8/R3KB1R w KQ - 0 1", "e1h1", ["must be empty", "f1 holds your bishop"]),
    ("r3k3/8/8/8/8/8/8/4K3 b - - 0 1", "O-O-O", ["Black can no longer castle queenside"]),
]


@pytest.mark.parametrize("fen, text, words", REASONS, ids=[text for _, text, _ in REASONS])
def test_each_rejection_names_its_reason(fen: str, text: str, words: list[str]) -> None:
    board = chess.Board(fen)
    with pytest.raises(IllegalAction) as rejection:
        parse_move(board, text)
    for word in words:
        assert word in str(rejection.value)
    assert board.fen() == fen  # explaining changes nothing


def test_legal_moves_are_read_in_san_uci_and_with_marks() -> None:
    board = chess.Board("4k3/P7/8/8/8/8/8/R3K3 w Q - 0 1")
    assert parse_move(board, " a8=Q+ ") == chess.Move.from_uci("a7a8q")
    assert parse_move(board, "A7A8N") == chess.Move.from_uci("a7a8n")
    assert parse_move(board, "0-0-0") == chess.Move.from_uci("e1c1")
    assert parse_move(board, "e1a1") == chess.Move.from_uci("e1c1")  # king takes own rook: castling
    assert parse_move(board, "Ra1-a6") == chess.Move.from_uci("a1a6")


def test_explain_id_names_the_move() -> None:
    reason = explain_id(chess.Board(), 64 * chess.E2 + chess.E5)
    assert "e2e5" in reason and "starting rank" in reason
    off_board = 4096 + ((0 * 2 + 0) * 8 + 0) * 3 + 0  # an a-file pawn promoting leftwards
    assert "not a move" in explain_id(chess.Board(), off_board)
    assert "(a1a1)" in explain_id(chess.Board(), 0) and "both start and target" in explain_id(chess.Board(), 0)
    assert "(b2a1n)" in explain_id(chess.Board(), move_to_id(chess.Move.from_uci("b2a1n")))
