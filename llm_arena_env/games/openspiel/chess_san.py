"""OpenSpiel's SAN names of all legal chess moves, most of them named here in Python, much faster.

OpenSpiel's ``action_to_string`` generates every legal move, copies the board and plays the move to name
one move (it must know about disambiguation and check), so naming the ~30 legal moves of a position costs
more than the rest of a turn. Most moves are quiet: no check, no castling, en passant or promotion. This
module names those from the FEN and asks OpenSpiel for the rest, so every name is OpenSpiel's own (the
tests compare all of them in many random games). Standard chess only; chess960 uses OpenSpiel throughout.

Squares are numbered 0-63: rank * 8 + file, a1 = 0, h8 = 63.
"""

from __future__ import annotations

from typing import Any, NamedTuple

_EMPTY = "."
_NAMES = [f"{'abcdefgh'[s % 8]}{s // 8 + 1}" for s in range(64)]
_FILE = [s % 8 for s in range(64)]
_RANK = [s // 8 for s in range(64)]
# FEN placement -> 64 cells from a8 to h1; reversing the ranks gives cells[square].
_EXPAND = str.maketrans({str(n): _EMPTY * n for n in range(1, 9)})
_ORTHOGONAL = ((1, 0), (-1, 0), (0, 1), (0, -1))
_DIAGONAL = ((1, 1), (1, -1), (-1, 1), (-1, -1))


def _ray(square: int, step: tuple[int, int]) -> tuple[int, ...]:
    rank, file = divmod(square, 8)
    out = []
    while 0 <= (rank := rank + step[0]) < 8 and 0 <= (file := file + step[1]) < 8:
        out.append(rank * 8 + file)
    return tuple(out)


# From each square, the squares along each direction, nearest first, orthogonal then diagonal.
_RAYS = [[(_ray(s, d), d in _ORTHOGONAL) for d in _ORTHOGONAL + _DIAGONAL] for s in range(64)]
_KNIGHT = [
    frozenset(
        (_RANK[s] + dr) * 8 + _FILE[s] + df
        for dr, df in ((1, 2), (2, 1), (-1, 2), (-2, 1), (1, -2), (2, -1), (-1, -2), (-2, -1))
        if 0 <= _RANK[s] + dr < 8 and 0 <= _FILE[s] + df < 8
    )
    for s in range(64)
]


class _Squares(NamedTuple):
    """What naming a move needs to know about its squares, worked out once per action id and side."""

    frm: int
    to: int
    square: str  # the to-square's name, e.g. "e4"
    take: str  # a pawn's capture there, e.g. "dxe4"
    sideways: bool  # changes file (a pawn capture)
    far: bool  # two files or more (a king's castling)
    last_rank: bool  # to rank 1 or 8 (a pawn's promotion)


# Side to move ("w"/"b") -> action id -> squares. An action's squares depend only on the side to move
# (OpenSpiel flips the board for Black), so they are learnt from OpenSpiel once and kept.
_squares: dict[str, dict[int, _Squares]] = {"w": {}, "b": {}}
_KIND = {piece: piece.upper() for piece in "pnbrqkPNBRQK"}


def _learn(state: Any, side: str, action: int) -> _Squares:
    from pyspiel import chess

    move = chess.action_to_move(action, state.board())
    frm = move.from_square.y * 8 + move.from_square.x
    to = move.to_square.y * 8 + move.to_square.x
    files = abs(_FILE[to] - _FILE[frm])
    squares = _Squares(
        frm, to, _NAMES[to], f"{_NAMES[frm][0]}x{_NAMES[to]}", files > 0, files > 1, _RANK[to] in (0, 7)
    )
    _squares[side][action] = squares
    return squares


def _cells(placement: str) -> str:
    """The 64 cells indexed by square ("." for empty)."""
    return "".join(reversed(placement.translate(_EXPAND).split("/")))


def _checking_squares(cells: str, king: int, white: bool) -> tuple[dict[str, set[int]], dict[int, frozenset[int]]]:
    """Where a quiet move of the side to move checks the enemy ``king``: the squares from which each kind of
    piece attacks it directly, and the pieces of ours whose leaving a line uncovers one of our sliders
    (each with the squares where it would still block)."""
    forward = -8 if white else 8  # our pawns attack the king from one rank behind it
    pawn = {king + forward + df for df in (-1, 1) if 0 <= _FILE[king] + df < 8 and 0 <= king + forward < 64}
    orthogonal: set[int] = set()
    diagonal: set[int] = set()
    uncovering: dict[int, frozenset[int]] = {}
    ours = str.isupper if white else str.islower
    for ray, is_orthogonal in _RAYS[king]:
        seen = orthogonal if is_orthogonal else diagonal
        sliders = "RQ" if is_orthogonal else "BQ"
        blocker = None
        for index, square in enumerate(ray):
            piece = cells[square]
            if blocker is None:
                seen.add(square)  # a slider landing here (capturing, if occupied) attacks the king
                if piece != _EMPTY:
                    if not ours(piece):
                        break
                    blocker = index
            elif piece != _EMPTY:
                if ours(piece) and piece.upper() in sliders:  # moving the blocker off the line checks
                    uncovering[ray[blocker]] = frozenset(ray[:index])
                break
    direct = {"N": _KNIGHT[king], "P": pawn, "R": orthogonal, "B": diagonal, "Q": orthogonal | diagonal, "K": set()}
    return direct, uncovering


def legal_move_names(state: Any, player: int, actions: list[int]) -> list[str]:
    """OpenSpiel's SAN string of each of ``actions`` (the legal moves of ``player`` in ``state``)."""
    placement, side = state.observation_string(player).split(" ", 2)[:2]
    cells = _cells(placement)
    white = side == "w"
    king = cells.find("k" if white else "K")
    if king < 0:  # not a normal position: let OpenSpiel name everything
        return [state.action_to_string(player, a) for a in actions]
    direct, uncovering = _checking_squares(cells, king, white)
    known = _squares[side]
    moves = [known.get(a) or _learn(state, side, a) for a in actions]
    targets: dict[tuple[str, int], list[int]] = {}
    for move in moves:  # pieces that could share a target square (pawns and kings never need to say which)
        piece = cells[move.frm]
        if piece in "NBRQnbrq":
            targets.setdefault((piece, move.to), []).append(move.frm)
    names = []
    for action, (frm, to, square, take, sideways, far, last_rank) in zip(actions, moves):
        piece = cells[frm]
        kind = _KIND[piece]
        capture = cells[to] != _EMPTY
        if to in direct[kind] or (frm in uncovering and to not in uncovering[frm]):
            names.append(state.action_to_string(player, action))  # OpenSpiel names checks (+) and mates (#)
        elif kind == "P":
            if last_rank or (sideways and not capture):  # promotion, en passant
                names.append(state.action_to_string(player, action))
            else:
                names.append(take if capture else square)
        elif kind == "K":  # two files or more is castling
            names.append(state.action_to_string(player, action) if far else f"K{'x' if capture else ''}{square}")
        else:
            rivals = targets[(piece, to)]
            prefix = _disambiguation(frm, rivals) if len(rivals) > 1 else ""
            names.append(f"{kind}{prefix}x{square}" if capture else f"{kind}{prefix}{square}")
    return names


def _disambiguation(frm: int, rivals: list[int]) -> str:
    """What OpenSpiel adds when several pieces of a kind can reach a square: file first, then rank, then both."""
    others = [r for r in rivals if r != frm]
    if not others:
        return ""
    if all(_FILE[r] != _FILE[frm] for r in others):
        return _NAMES[frm][0]
    if all(_RANK[r] != _RANK[frm] or _FILE[r] == _FILE[frm] for r in others):
        return _NAMES[frm][1]
    return _NAMES[frm]
