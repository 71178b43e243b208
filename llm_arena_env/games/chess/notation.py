"""Chess's notation for the generic parsers and Rethink: moves written the many ways models write them,
and the rule an illegal move breaks.

Models answer "12... Nf3+", "nf3", "Ng1-f3", "g1f3", "0-0", "e8(Q)", "e:d5", "♘f3" or "Knight to f3" where the env asks
for SAN (or UCI). :func:`chess_moves` reads such a string against a board and returns every legal move
it could mean; :class:`ChessNotation` (what the chess envs put in their observations) writes them in the
env's notation and explains illegal moves (:mod:`.explain`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

import chess

from llm_arena_env.core.notation import Notation
from llm_arena_env.core.text_env import IllegalAction
from llm_arena_env.games.chess.explain import parse_move

_MOVE_NUMBER = re.compile(r"^\d+\s*(?:\.{1,3}|…)\s*")  # "12." "12..." "12…"
_EN_PASSANT = re.compile(r"\s*e\.?\s*p\.?$", re.IGNORECASE)
_PROMOTION = re.compile(r"([a-h][18])\s*(?:=|/|\()?\s*([qrbnQRBN])\)?$")  # e8=Q e8Q e8(Q) e8/Q e8=q
_CASTLING = {"o-o": "O-O", "o-o-o": "O-O-O", "0-0": "O-O", "0-0-0": "O-O-O"}
_FIGURINES = str.maketrans({"♔": "K", "♕": "Q", "♖": "R", "♗": "B", "♘": "N", "♚": "K", "♛": "Q", "♜": "R",
                            "♝": "B", "♞": "N", "♙": "", "♟": "", "×": "x", "–": "-", "—": "-"})
# A move by its squares, optionally with the piece: e2e4, e2-e4, Ng1-f3, Ng1xf3, e7e8q, e7-e8=Q.
_FROM_TO = re.compile(r"^([KQRBNP])?([a-h][1-8])[-x]?([a-h][1-8])(?:=?([QRBNqrbn]))?$")
# A move in words: "Knight to f3", "knight f3", "bishop takes c3", "rook from a1 to a7", "queen on d1 to h5".
_IN_WORDS = re.compile(
    r"^(king|queen|rook|bishop|knight|pawn)(?:\s+(?:from|on|at)\s+([a-h][1-8]))?\s*"
    r"(to|-|takes|captures|x)?\s*(?:on\s+)?([a-h][1-8])$", re.IGNORECASE)
_PIECE_LETTERS = {"king": "K", "queen": "Q", "rook": "R", "bishop": "B", "knight": "N", "pawn": ""}
_PIECES = {"K": chess.KING, "Q": chess.QUEEN, "R": chess.ROOK, "B": chess.BISHOP, "N": chess.KNIGHT, "P": chess.PAWN}


def clean_chess_move(text: str) -> str:
    """``text`` without move numbers, annotations, check marks and odd capture/promotion spellings."""
    move = text.strip().translate(_FIGURINES)
    move = _MOVE_NUMBER.sub("", move).lstrip(".… ").rstrip(" .,;!?")  # "...Bc5": Black's move, no number
    move = _EN_PASSANT.sub("", move).rstrip("+#†‡!? ")
    move = move.replace(":", "x")  # "e:d5", "N:e5": the old colon capture
    move = _CASTLING.get(move.lower(), move)
    move = _IN_WORDS.sub(_from_words, move)
    return _PROMOTION.sub(lambda m: f"{m[1]}={m[2].upper()}", move)


def _from_words(found: re.Match) -> str:
    piece, start, verb, end = found.groups()
    capture = "x" if verb and verb.lower() in ("takes", "captures", "x") else ""
    return f"{_PIECE_LETTERS[piece.lower()]}{start or ''}{capture}{end}"


def chess_moves(text: str, board: chess.Board) -> list[chess.Move]:
    """Every legal move on ``board`` that ``text`` may stand for, by the first reading that finds any;
    [] if none. The move as written comes first, so "bxc3" is the b-pawn's capture, as SAN says, even
    where a bishop could take on c3 too; only where it is no legal move is it read as "Bxc3"."""
    move = clean_chess_move(text)
    if not move:
        return []
    for spelling in _spellings(move):
        found = list(dict.fromkeys(_san_moves(spelling, board) + _square_moves(spelling, board)))
        if found:
            return _prefer_queen(found)
    return []


def _spellings(move: str) -> list[str]:
    """The move as written, then other readings: a lower-case piece letter as a piece ("nf3" -> "Nf3"),
    a bare promotion square as a queen promotion ("e8" -> "e8=Q").

    A lower-case "b" is read as the b-pawn first ("bxc3"), as a bishop only where the pawn cannot."""
    spellings = [move]
    if re.fullmatch(r"(?:[a-h]x)?[a-h][18]", move):  # a promotion written without the piece means a queen
        spellings.append(move + "=Q")
    if len(move) >= 3 and move[0] in "kqrnb" and move[1] in "abcdefghx12345678":
        spellings.append(move[0].upper() + move[1:])
    return spellings


def _san_moves(move: str, board: chess.Board) -> list[chess.Move]:
    try:
        return [board.parse_san(move)]
    except chess.AmbiguousMoveError:  # "Nd2" with two knights: every knight that can go there
        return _ambiguous(move, board)
    except ValueError:
        return []


def _ambiguous(move: str, board: chess.Board) -> list[chess.Move]:
    piece = _PIECES.get(move[0], chess.PAWN)
    squares = re.findall(r"[a-h][1-8]", move)
    if not squares:
        return []
    target = chess.parse_square(squares[-1])
    return [m for m in board.legal_moves if m.to_square == target and board.piece_type_at(m.from_square) == piece]


def _square_moves(move: str, board: chess.Board) -> list[chess.Move]:
    """Moves given by their squares (UCI or long algebraic), checked against the piece where it is named."""
    found = _FROM_TO.match(move)
    if not found:
        return []
    piece, start, end, promotion = found.groups()
    start_square, end_square = chess.parse_square(start), chess.parse_square(end)
    moves = []
    for legal in board.legal_moves:
        if (legal.from_square, legal.to_square) != (start_square, end_square):
            continue
        if piece and board.piece_type_at(start_square) != _PIECES[piece]:
            continue
        if promotion and legal.promotion != _PIECES[promotion.upper()]:
            continue
        moves.append(legal)
    return moves


def _prefer_queen(moves: list[chess.Move]) -> list[chess.Move]:
    """A promotion written without the piece ("e8", "e7e8") means a queen, as it does almost always."""
    if len(moves) > 1 and all(m.promotion for m in moves) and len({(m.from_square, m.to_square) for m in moves}) == 1:
        return [m for m in moves if m.promotion == chess.QUEEN]
    return moves


def in_notation(move: chess.Move, board: chess.Board, legal_actions: tuple[str, ...]) -> str | None:
    """``move`` written the way the env lists its legal moves (SAN or UCI); None if it is not listed."""
    for written in (board.san(move), move.uci()):
        if written in legal_actions:
            return written
    return None


@dataclass(frozen=True)
class ChessNotation(Notation):
    """Chess in the position ``fen``: any way of writing a move is read against the board, and an illegal
    move gets the rule it breaks. A FEN python-chess cannot read gives the plain notation's answers."""

    fen: str

    @cached_property
    def board(self) -> chess.Board | None:
        try:
            return chess.Board(self.fen)
        except ValueError:
            return None

    def match(self, text: str, legal_actions: Sequence[str]) -> list[str]:
        if self.board is None:
            return []
        written = (in_notation(move, self.board, tuple(legal_actions)) for move in chess_moves(text, self.board))
        return [w for w in written if w is not None]

    def explain(self, action: str) -> str:
        if self.board is None:
            return ""
        try:
            parse_move(self.board, action)
        except IllegalAction as rejection:
            return str(rejection)
        return ""
