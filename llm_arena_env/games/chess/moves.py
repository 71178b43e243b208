"""Moves as integer ids, and the legal moves of a position in SAN and UCI, computed fast.

Action ids (``NUM_ACTIONS`` = 4096 + 144 = 4240):

* ``id = 64 * from_square + to_square`` for every move except under-promotions. Squares are python-chess
  indices (a1 = 0, b1 = 1, ..., h8 = 63). A pawn reaching the last rank with such an id promotes to a queen.
* ``id = 4096 + ((piece * 2 + side) * 8 + from_file) * 3 + (to_file - from_file + 1)`` for a promotion
  to a knight, bishop or rook (``piece`` 0, 1, 2), where ``side`` is 0 for White (rank 7 to 8) and 1 for
  Black (rank 2 to 1), and files count from a = 0.

SAN for all legal moves at once (:func:`san_moves`) gives exactly python-chess's ``Board.san`` for each
move, but at a fraction of the cost: disambiguation groups the moves by piece type and target square, and
a check is looked for only where geometry allows one (a direct attack on the enemy king from the target
square, or a piece leaving the line between the enemy king and one of our sliders). Only checking moves
are played out, to see whether they mate.
"""

from __future__ import annotations

import functools

import chess

BOARD_IDS = 64 * 64
UNDERPROMOTIONS = (chess.KNIGHT, chess.BISHOP, chess.ROOK)
NUM_ACTIONS = BOARD_IDS + len(UNDERPROMOTIONS) * 2 * 8 * 3

PAWN, KNIGHT, BISHOP, ROOK, QUEEN, KING = chess.PIECE_TYPES
_SQUARE_NAMES = chess.SQUARE_NAMES
_FILE_NAMES = chess.FILE_NAMES
_RANK_NAMES = chess.RANK_NAMES
_PIECE_LETTERS = {chess.KNIGHT: "N", chess.BISHOP: "B", chess.ROOK: "R", chess.QUEEN: "Q", chess.KING: "K"}
_PROMOTION_SUFFIX = {pt: "=" + letter for pt, letter in _PIECE_LETTERS.items()}


def move_to_id(move: chess.Move) -> int:
    """The action id of ``move`` (see the module docstring for the formula)."""
    if move.promotion is None or move.promotion == chess.QUEEN:
        return 64 * move.from_square + move.to_square
    if move.promotion not in UNDERPROMOTIONS:
        raise ValueError(f"no action id for a promotion to {chess.piece_name(move.promotion)}: {move.uci()}")
    side = 0 if chess.square_rank(move.to_square) == 7 else 1
    from_file = chess.square_file(move.from_square)
    direction = chess.square_file(move.to_square) - from_file + 1
    return BOARD_IDS + ((UNDERPROMOTIONS.index(move.promotion) * 2 + side) * 8 + from_file) * 3 + direction


def id_to_move(action_id: int, board: chess.Board) -> chess.Move:
    """The move of ``action_id`` (0 <= id < NUM_ACTIONS); ``board`` tells whether a plain id promotes to a queen.

    The move may be illegal on ``board``; the caller checks that. The 12 under-promotion ids that would
    leave the board (an a-file pawn capturing leftwards, an h-file pawn rightwards) give the null move."""
    if not 0 <= action_id < NUM_ACTIONS:
        raise ValueError(f"action id {action_id} is out of range 0..{NUM_ACTIONS - 1}")
    if action_id < BOARD_IDS:
        from_square, to_square = divmod(action_id, 64)
        promotes = board.pawns >> from_square & 1 and chess.square_rank(to_square) in (0, 7)
        return chess.Move(from_square, to_square, chess.QUEEN if promotes else None)
    rest, direction = divmod(action_id - BOARD_IDS, 3)
    rest, from_file = divmod(rest, 8)
    piece, side = divmod(rest, 2)
    from_rank, to_rank = (6, 7) if side == 0 else (1, 0)
    to_file = from_file + direction - 1
    if not 0 <= to_file <= 7:
        return chess.Move.null()
    return chess.Move(chess.square(from_file, from_rank), chess.square(to_file, to_rank), UNDERPROMOTIONS[piece])


def _piece_types(board: chess.Board, color: chess.Color) -> dict[int, int]:
    """Square -> piece type of every piece of ``color``."""
    own = board.occupied_co[color]
    types: dict[int, int] = {}
    for piece_type, mask in (
        (chess.PAWN, board.pawns),
        (chess.KNIGHT, board.knights),
        (chess.BISHOP, board.bishops),
        (chess.ROOK, board.rooks),
        (chess.QUEEN, board.queens),
        (chess.KING, board.kings),
    ):
        bits = mask & own
        while bits:
            low = bits & -bits
            types[low.bit_length() - 1] = piece_type
            bits ^= low
    return types


def _discovery_lines(board: chess.Board, king: int, us: chess.Color) -> dict[int, int]:
    """Our pieces that alone stand between the enemy king and one of our sliders -> the squares in between.

    Moving such a piece off those squares uncovers a check."""
    own = board.occupied_co[us]
    straight = (board.rooks | board.queens) & own
    diagonal = (board.bishops | board.queens) & own
    snipers = ((chess.BB_RANK_ATTACKS[king][0] | chess.BB_FILE_ATTACKS[king][0]) & straight) | (
        chess.BB_DIAG_ATTACKS[king][0] & diagonal
    )
    lines: dict[int, int] = {}
    while snipers:
        low = snipers & -snipers
        snipers ^= low
        path = chess.between(king, low.bit_length() - 1)
        blockers = path & board.occupied
        if blockers and not blockers & (blockers - 1) and blockers & own:
            lines[blockers.bit_length() - 1] = path
    return lines


def _mates(board: chess.Board, move: chess.Move) -> bool:
    """Is the checking ``move`` mate?"""
    board.push(move)
    try:
        return not any(board.generate_legal_moves())
    finally:
        board.pop()


def _check_zones(king: int, us: chess.Color) -> dict[int, tuple[int, bool]]:
    """Piece type -> (squares from which it would attack the enemy ``king`` on an empty board, is it a slider)."""
    diagonal = chess.BB_DIAG_ATTACKS[king][0]
    straight = chess.BB_RANK_ATTACKS[king][0] | chess.BB_FILE_ATTACKS[king][0]
    return {
        PAWN: (chess.BB_PAWN_ATTACKS[not us][king], False),
        KNIGHT: (chess.BB_KNIGHT_ATTACKS[king], False),
        BISHOP: (diagonal, True),
        ROOK: (straight, True),
        QUEEN: (diagonal | straight, True),
        KING: (0, False),
    }


def san_moves(board: chess.Board, moves: list[chess.Move]) -> list[str]:
    """SAN of each of ``moves`` (all the legal moves of ``board``, or more of them), identical to ``board.san``.

    ``moves`` must contain every legal move that could make another one ambiguous, which is why it is meant
    for the full legal move list."""
    us = board.turn
    types = _piece_types(board, us)
    enemy_king = board.king(not us)
    if enemy_king is None:  # not a real chess position; python-chess copes, so do the same slowly
        return [board.san(m) for m in moves]
    lines = _discovery_lines(board, enemy_king, us)
    zones = _check_zones(enemy_king, us)
    between = chess.between
    occupied = board.occupied
    theirs = board.occupied_co[not us]
    ep_square = board.ep_square
    square_names, file_names = _SQUARE_NAMES, _FILE_NAMES

    # Which other pieces of the same type can go to the same square (python-chess disambiguates on these).
    rivals: dict[int, int] = {}
    for m in moves:
        piece_type = types[m.from_square]
        if piece_type != PAWN and piece_type != KING:
            key = m.to_square * 8 + piece_type
            rivals[key] = rivals.get(key, 0) | (1 << m.from_square)

    sans = []
    for m in moves:
        from_square, to_square, promotion = m.from_square, m.to_square, m.promotion
        piece_type = types[from_square]
        special = False
        if piece_type == PAWN:
            if from_square & 7 != to_square & 7:
                san = file_names[from_square & 7] + "x" + square_names[to_square]
                special = to_square == ep_square and not (occupied >> to_square) & 1
            else:
                san = square_names[to_square]
            if promotion:
                san += _PROMOTION_SUFFIX[promotion]
                piece_type = promotion
        elif piece_type == KING and abs((from_square & 7) - (to_square & 7)) > 1:
            san = "O-O" if to_square > from_square else "O-O-O"
            special = True
        else:
            san = _PIECE_LETTERS[piece_type]
            if piece_type != KING:
                others = rivals[to_square * 8 + piece_type] & ~(1 << from_square)
                if others:
                    san += _disambiguation(from_square, others)
            if (theirs >> to_square) & 1:
                san += "x"
            san += square_names[to_square]

        if special:  # en passant and castling: rare, so let python-chess play them out
            check = board.gives_check(m)
        else:
            path = lines.get(from_square)
            if path is not None and not (path >> to_square) & 1:
                check = True  # a discovered check
            else:
                zone, slides = zones[piece_type]
                check = bool((zone >> to_square) & 1) and not (
                    slides and between(to_square, enemy_king) & occupied & ~(1 << from_square)
                )
        if check:
            san += "#" if _mates(board, m) else "+"
        sans.append(san)
    return sans


def _disambiguation(from_square: int, others: int) -> str:
    """The file and/or rank python-chess adds to a piece move that other pieces of its type could also make."""
    file, rank = from_square & 7, from_square >> 3
    column = bool(others & chess.BB_RANKS[rank])
    row = bool(others & chess.BB_FILES[file])
    if not row:
        column = True
    return (_FILE_NAMES[file] if column else "") + (_RANK_NAMES[rank] if row else "")


class LegalMoves:
    """The legal moves of one position, with their ids, UCI and SAN, each computed once on first use.

    It reads ``board`` lazily, so it is valid only until the board changes: make a new one after a move."""

    def __init__(self, board: chess.Board):
        self._board = board
        self.moves: list[chess.Move] = list(board.generate_legal_moves())
        self.ids: list[int] = [
            64 * m.from_square + m.to_square if not m.promotion or m.promotion == QUEEN else move_to_id(m)
            for m in self.moves
        ]
        self.by_id: dict[int, chess.Move] = dict(zip(self.ids, self.moves))

    def __len__(self) -> int:
        return len(self.moves)

    @functools.cached_property
    def san(self) -> tuple[str, ...]:
        return tuple(san_moves(self._board, self.moves))

    @functools.cached_property
    def uci(self) -> tuple[str, ...]:
        return tuple(m.uci() for m in self.moves)

    @functools.cached_property
    def _san_index(self) -> dict[str, chess.Move]:
        return dict(zip(self.san, self.moves))

    @functools.cached_property
    def _uci_index(self) -> dict[str, chess.Move]:
        return dict(zip(self.uci, self.moves))

    def lookup(self, text: str) -> chess.Move | None:
        """The move spelled exactly ``text`` in SAN or UCI, or None: a fast path before full parsing.

        SAN is looked up only once the SAN list exists (it is costly to build just for this)."""
        if "san" in self.__dict__ and text in self._san_index:
            return self._san_index[text]
        return self._uci_index.get(text)

    def san_of(self, move: chess.Move) -> str:
        """SAN of one legal move: from the list when it is already built, else from python-chess."""
        if "san" in self.__dict__:
            return self.san[self.moves.index(move)]
        return self._board.san(move)
