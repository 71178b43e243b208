"""Reading a move from text, and saying precisely why a move is illegal.

Every rejection names the rule that was broken, so that a model asked again knows what to fix: no piece on
that square, a piece of the other side, capturing one's own piece, the piece cannot move that way, the path
is blocked, a missing or wrong promotion, castling rules, a king left in or moved into check, an ambiguous
SAN (with the candidates). Reasons carry no final full stop: the env wraps them in a sentence.
"""

from __future__ import annotations

import re

import chess

from llm_arena_env.core.text_env import IllegalAction
from llm_arena_env.games.chess.moves import BOARD_IDS, id_to_move, san_moves

_UCI = re.compile(r"[a-h][1-8][a-h][1-8][qrbnkp]?")
HOW_TO_WRITE = "write one move in SAN (like Nf3, exd5, O-O, e8=Q) or UCI (like g1f3, e7e8q)"

# How far a move got before it broke a rule: with several candidate pieces, the furthest one is explained.
NO_PIECE, GEOMETRY, BLOCKED, PROMOTION, CHECK = range(5)

_HOW_PIECES_MOVE = {
    chess.KNIGHT: "a knight moves in an L-shape, two squares one way and one square to the side",
    chess.BISHOP: "a bishop moves only diagonally",
    chess.ROOK: "a rook moves only along a rank or a file",
    chess.QUEEN: "a queen moves along a rank, a file or a diagonal",
    chess.KING: "a king moves one square in any direction (or castles, two squares towards a rook)",
    chess.PAWN: "a pawn moves straight forward one square (two from its starting rank) "
    "and captures one square diagonally forward",
}


def parse_move(board: chess.Board, text: str) -> chess.Move:
    """The legal move that ``text`` (SAN or UCI, surrounding whitespace ignored) names on ``board``.

    Raises IllegalAction with the reason when there is none."""
    text = text.strip()
    if not text:
        raise IllegalAction(f"the move is empty; {HOW_TO_WRITE}")
    lowered = text.lower()
    if _UCI.fullmatch(lowered):
        promotion = chess.PIECE_SYMBOLS.index(lowered[4]) if len(lowered) == 5 else None
        move = chess.Move(chess.parse_square(lowered[:2]), chess.parse_square(lowered[2:4]), promotion)
        if move.from_square != move.to_square:  # python-chess refuses to read "e4e4"
            try:
                return board.parse_uci(lowered)
            except ValueError:
                pass
        raise IllegalAction(explain_move(board, move))
    try:
        move = board.parse_san(text)
    except chess.AmbiguousMoveError:
        raise IllegalAction(_explain_ambiguous(board, text)) from None
    except chess.IllegalMoveError:
        raise IllegalAction(_explain_illegal_san(board, text)) from None
    except ValueError:
        raise IllegalAction(_explain_unreadable(text)) from None
    if not move:  # python-chess's spellings of a null move: "--", "0000", "Z0", "@@@@"
        raise IllegalAction("passing (a null move) is not allowed in chess")
    return move


def explain_id(board: chess.Board, action_id: int) -> str:
    """Why the move of ``action_id`` (in range) is not legal on ``board``."""
    move = id_to_move(action_id, board)
    if action_id >= BOARD_IDS and not move:
        return f"action id {action_id} is not a move (a pawn promoting off the edge of the board)"
    spelled = chess.SQUARE_NAMES[move.from_square] + chess.SQUARE_NAMES[move.to_square] + move.uci()[4:]
    return f"action id {action_id} ({spelled}) is not legal: {explain_move(board, move)}"


def explain_move(board: chess.Board, move: chess.Move) -> str:
    """Why the fully specified ``move`` is not legal on ``board``."""
    return _diagnose(board, move)[1]


# ---------------------------------------------------------------------- one fully specified move


def _diagnose(board: chess.Board, move: chess.Move) -> tuple[int, str]:
    """(how far the move got, why it is illegal)."""
    us = board.turn
    start, target = move.from_square, move.to_square
    piece = board.piece_at(start)
    if start == target:
        return NO_PIECE, f"a move must go to another square, but {_name(start)} is both start and target"
    if piece is None:
        return NO_PIECE, f"there is no piece on {_name(start)}"
    if piece.color != us:
        return NO_PIECE, f"the {_piece(piece.piece_type)} on {_name(start)} is {_side(not us)}'s; you play {_side(us)}"
    if piece.piece_type == chess.KING and _is_castling_shaped(board, move):
        return CHECK, explain_castling(board, kingside=chess.square_file(target) > chess.square_file(start))
    captured = board.piece_at(target)
    if captured is not None and captured.color == us:
        return (
            NO_PIECE,
            f"{_name(target)} holds your own {_piece(captured.piece_type)}; you cannot capture your own piece",
        )
    problem = _path_problem(board, piece.piece_type, start, target)
    if problem:
        return problem
    problem = _promotion_problem(piece.piece_type, move)
    if problem:
        return PROMOTION, problem
    return CHECK, _king_safety_problem(board, move)


def _is_castling_shaped(board: chess.Board, move: chess.Move) -> bool:
    """A king on its home square going two files along the back rank, or onto its own rook there."""
    home = chess.E1 if board.turn == chess.WHITE else chess.E8
    if move.from_square != home or chess.square_rank(move.to_square) != chess.square_rank(home):
        return False
    onto_own_rook = bool(board.rooks & board.occupied_co[board.turn] & chess.BB_SQUARES[move.to_square])
    return abs(chess.square_file(move.to_square) - chess.square_file(home)) == 2 or onto_own_rook


def _path_problem(board: chess.Board, piece_type: int, start: int, target: int) -> tuple[int, str] | None:
    """The piece cannot go there (geometry), or something stands in its way; None if the way is free."""
    if piece_type == chess.PAWN:
        return _pawn_problem(board, start, target)
    reachable = {
        chess.KNIGHT: chess.BB_KNIGHT_ATTACKS[start],
        chess.KING: chess.BB_KING_ATTACKS[start],
        chess.BISHOP: chess.BB_DIAG_ATTACKS[start][0],
        chess.ROOK: chess.BB_RANK_ATTACKS[start][0] | chess.BB_FILE_ATTACKS[start][0],
        chess.QUEEN: chess.BB_DIAG_ATTACKS[start][0]
        | chess.BB_RANK_ATTACKS[start][0]
        | chess.BB_FILE_ATTACKS[start][0],
    }[piece_type]
    if not reachable & chess.BB_SQUARES[target]:
        how = _HOW_PIECES_MOVE[piece_type]
        return GEOMETRY, f"your {_piece(piece_type)} on {_name(start)} cannot move to {_name(target)}: {how}"
    blockers = chess.between(start, target) & board.occupied
    if blockers:
        nearest = min(chess.SquareSet(blockers), key=lambda sq: chess.square_distance(sq, start))
        return BLOCKED, f"the way from {_name(start)} to {_name(target)} is blocked by {_describe(board, nearest)}"
    return None


def _pawn_problem(board: chess.Board, start: int, target: int) -> tuple[int, str] | None:
    us = board.turn
    step = 8 if us == chess.WHITE else -8
    if target in (start + step, start + 2 * step):
        if target == start + 2 * step and chess.square_rank(start) != (1 if us == chess.WHITE else 6):
            return GEOMETRY, "a pawn may advance two squares only from its starting rank"
        for square in range(start + step, target + step, step):
            if board.piece_at(square):
                occupant = _describe(board, square, where=False)
                blocked = f"the pawn on {_name(start)} cannot advance: {_name(square)} is occupied by {occupant}"
                return BLOCKED, blocked + (" (pawns capture diagonally)" if square == target else "")
        return None
    if chess.BB_PAWN_ATTACKS[us][start] & chess.BB_SQUARES[target]:
        if board.occupied_co[not us] & chess.BB_SQUARES[target] or target == board.ep_square:
            return None
        empty = f"{_name(target)} is empty (and no en passant capture is possible there)"
        return GEOMETRY, f"a pawn moves diagonally only to capture, and {empty}"
    return GEOMETRY, f"your pawn on {_name(start)} cannot move to {_name(target)}: {_HOW_PIECES_MOVE[chess.PAWN]}"


def _promotion_problem(piece_type: int, move: chess.Move) -> str | None:
    last_rank = chess.square_rank(move.to_square) in (0, 7)
    if piece_type != chess.PAWN:
        return "only a pawn can promote" if move.promotion else None
    if not last_rank:
        return "a pawn promotes only when it reaches the last rank" if move.promotion else None
    if move.promotion is None:
        target = _name(move.to_square)
        return (
            f"a pawn reaching the last rank must promote: add the piece, like {target}=Q in SAN or {move.uci()}q in UCI"
        )
    if move.promotion in (chess.KING, chess.PAWN):
        return f"a pawn cannot promote to a {_piece(move.promotion)}; choose a queen, rook, bishop or knight"
    return None


def _king_safety_problem(board: chess.Board, move: chess.Move) -> str:
    """Why a move that the piece can make is still illegal: it leaves or puts the own king in check."""
    us = board.turn
    after = board.copy(stack=False)
    after.push(move)
    king = after.king(us)
    attackers = chess.SquareSet(after.attackers_mask(not us, king)) if king is not None else []
    if not attackers:
        return "that move is not legal in this position"
    by = _describe(after, min(attackers), viewer=us)
    if board.piece_type_at(move.from_square) == chess.KING:
        return f"your king would move into check: {_name(move.to_square)} is attacked by {by}"
    if board.is_check():
        checker = _describe(board, min(board.checkers()))
        return f"your king is in check from {checker}, and this move does not get it out of check"
    if board.is_pinned(us, move.from_square):
        pinned = f"your {_piece(board.piece_type_at(move.from_square))} on {_name(move.from_square)} is pinned"
        return f"{pinned}: moving it would leave your king in check from {by}"
    return f"this move would leave your king in check from {by}"


def explain_castling(board: chess.Board, *, kingside: bool) -> str:
    """Why castling to that side is not legal on ``board`` (castling rights, pieces between, check)."""
    us = board.turn
    side = "kingside" if kingside else "queenside"
    has_rights = board.has_kingside_castling_rights(us) if kingside else board.has_queenside_castling_rights(us)
    if not has_rights:
        return f"{_side(us)} can no longer castle {side}: the king or that rook has moved, or the rook is gone"
    rank = 0 if us == chess.WHITE else 7
    king, rook = chess.square(4, rank), chess.square(7 if kingside else 0, rank)
    in_between = chess.SquareSet(chess.between(king, rook) & board.occupied)
    if in_between:
        square = min(in_between, key=lambda sq: chess.square_distance(sq, king))
        occupant = _describe(board, square, where=False)
        must = "the squares between king and rook must be empty"
        return f"cannot castle {side}: {must}, but {_name(square)} holds {occupant}"
    if board.is_check():
        return f"cannot castle out of check (your king is attacked by {_describe(board, min(board.checkers()))})"
    passed, landing = (
        (chess.square(5, rank), chess.square(6, rank)) if kingside else (chess.square(3, rank), chess.square(2, rank))
    )
    occupied = board.occupied ^ chess.BB_SQUARES[king]
    for square, wording in ((passed, "through"), (landing, "into")):
        attackers = board.attackers_mask(not us, square, occupied)
        if attackers:
            by = _describe(board, chess.lsb(attackers))
            return f"cannot castle {wording} check: {_name(square)} is attacked by {by}"
    return f"castling {side} is not legal in this position"


# ---------------------------------------------------------------------- SAN that names no legal move


def _explain_illegal_san(board: chess.Board, text: str) -> str:
    core = text.rstrip("+#")
    if core in ("O-O", "0-0", "O-O-O", "0-0-0"):
        return explain_castling(board, kingside=len(core) == 3)
    match = chess.SAN_REGEX.match(text)
    if match is None:  # parse_san said illegal, so this does not happen; be safe anyway
        return _explain_unreadable(text)
    letter, file_hint, rank_hint, target_name, promotion_text = match.groups()
    target = chess.parse_square(target_name)
    promotion = chess.PIECE_SYMBOLS.index(promotion_text[-1].lower()) if promotion_text else None
    if letter is None and file_hint and rank_hint:  # a fully specified move, like e2-e4
        return explain_move(board, chess.Move(chess.parse_square(file_hint + rank_hint), target, promotion))
    piece_type = chess.PIECE_SYMBOLS.index(letter.lower()) if letter else chess.PAWN
    starts = board.pieces_mask(piece_type, board.turn)
    where = ""
    if file_hint:
        starts &= chess.BB_FILES[chess.FILE_NAMES.index(file_hint)]
        where = f" on the {file_hint}-file"
    elif piece_type == chess.PAWN:  # python-chess reads "d5" as a pawn already on the d-file
        starts &= chess.BB_FILES[chess.square_file(target)]
        where = f" on the {chess.FILE_NAMES[chess.square_file(target)]}-file"
    if rank_hint:
        starts &= chess.BB_RANKS[int(rank_hint) - 1]
        where += f" on rank {rank_hint}"
    own = board.piece_at(target)
    if own is not None and own.color == board.turn:
        return f"{_name(target)} holds your own {_piece(own.piece_type)}; you cannot capture your own piece"
    if not starts:
        return f"you have no {_piece(piece_type)}{where} that could move to {_name(target)}"
    diagnoses = [_diagnose(board, chess.Move(start, target, promotion)) for start in chess.SquareSet(starts)]
    furthest = max(stage for stage, _ in diagnoses)
    if furthest == GEOMETRY and len(diagnoses) > 1:
        squares = ", ".join(_name(start) for start in chess.SquareSet(starts))
        how = _HOW_PIECES_MOVE[piece_type]
        return f"none of your {_piece(piece_type)}s (on {squares}) can move to {_name(target)}: {how}"
    return next(reason for stage, reason in diagnoses if stage == furthest)


def _explain_ambiguous(board: chess.Board, text: str) -> str:
    match = chess.SAN_REGEX.match(text)
    legal = list(board.generate_legal_moves())
    if match is None:
        return f"{text!r} is ambiguous"
    letter, file_hint, rank_hint, target_name, _ = match.groups()
    piece_type = chess.PIECE_SYMBOLS.index(letter.lower()) if letter else chess.PAWN
    target = chess.parse_square(target_name)
    candidates = [
        san
        for move, san in zip(legal, san_moves(board, legal))
        if move.to_square == target
        and board.piece_type_at(move.from_square) == piece_type
        and (not file_hint or chess.square_file(move.from_square) == chess.FILE_NAMES.index(file_hint))
        and (not rank_hint or chess.square_rank(move.from_square) == int(rank_hint) - 1)
    ]
    return f"{text} is ambiguous: it could be {' or '.join(candidates)}; add the file or rank of the piece that moves"


def _explain_unreadable(text: str) -> str:
    shown = text if len(text) <= 40 else text[:40] + "..."
    if any(char.isspace() for char in text):
        return f"cannot read {shown!r} as one chess move: send only the move itself; {HOW_TO_WRITE}"
    capitalized = text[0].upper() + text[1:]
    if text[0] in "nbrqk" and chess.SAN_REGEX.match(capitalized):
        return f"cannot read {shown!r} as a chess move: piece letters are upper case in SAN, like {capitalized}"
    return f"cannot read {shown!r} as a chess move; {HOW_TO_WRITE}"


# ---------------------------------------------------------------------- words


def _name(square: int) -> str:
    return chess.SQUARE_NAMES[square]


def _piece(piece_type: int) -> str:
    return chess.piece_name(piece_type)


def _side(color: chess.Color) -> str:
    return "White" if color == chess.WHITE else "Black"


def _describe(board: chess.Board, square: int, viewer: chess.Color | None = None, *, where: bool = True) -> str:
    """'your pawn on d2' or "Black's knight on e3" (without ' on ...' if not ``where``), seen by ``viewer``
    (default: the side to move)."""
    piece = board.piece_at(square)
    if piece is None:
        return f"nothing on {_name(square)}"
    viewer = board.turn if viewer is None else viewer
    owner = "your" if piece.color == viewer else f"{_side(piece.color)}'s"
    return f"{owner} {_piece(piece.piece_type)}" + (f" on {_name(square)}" if where else "")
