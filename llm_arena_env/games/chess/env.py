"""Chess, on python-chess.

Make it::

    import llm_arena_env
    env = llm_arena_env.make("chess")                      # or ChessEnv(...)
    env.reset(seed=0)                                      # or reset(options={"fen": "<FEN>"})

Players are ``"white"`` and ``"black"``; White moves first (from a FEN, the side to move does).

Observation (see DESIGN.md): ``text`` is one self-contained prompt per turn: the player's colour, whose
turn it is, a line ``FEN: <fen>``, the board as ASCII with rank and file coordinates, a piece list, the
move history (``1. e4 e5 2. Nf3``) and, with ``show_legal_moves=True``, the legal moves.
``legal_actions`` is a tuple of the legal moves (SAN with ``+``/``#`` marks, or UCI), ``action_mask`` a
mask over the 4240 action ids of :mod:`llm_arena_env.games.chess.moves`, and ``image`` (in the image
observation modes) the board drawn from the player's side, the last move's squares tinted.

Action: a string in SAN (``Nf3``, ``exd5``, ``O-O``, ``e8=Q``, check marks allowed) or UCI (``g1f3``,
``e7e8q``), surrounding whitespace ignored, whatever ``notation`` is set; or an int action id. A move that
is not legal is rejected with the precise reason (see :mod:`llm_arena_env.games.chess.explain`) and handled
by the illegal-action policy of ``max_illegal_actions``.

Rewards: +1 to the winner and -1 to the loser on checkmate (or forfeit), 0 on every draw. Every draw rule
ends the game at once, without a claim: stalemate, insufficient material, threefold repetition and the
fifty-move rule (so fivefold repetition and the 75-move rule, which need no claim either, are never
reached). ``infos[player]["end_detail"]`` says which
(``"checkmate"``, ``"stalemate"``, ``"threefold repetition"``, ``"fifty-move rule"``,
``"insufficient material"``), and at the end ``infos[player]["pgn"]`` holds the game as PGN (headers White,
Black, Result, Termination, and FEN when it did not start from the standard position);
``infos[player]["scores"]["plies"]`` counts the half-moves played.

Options (keyword arguments of ``make``):

* ``notation="san"``: ``"san"`` or ``"uci"``, the notation of ``legal_actions`` and of the move history;
  both notations are always accepted as actions.
* ``board_notation="diagram"``: the board in the prompt as an ASCII diagram with a piece list, or
  ``"squares"``, a dictionary of the occupied squares (``{"e4": "white pawn", ...}``), as game_arena writes it.
  The move history is numbered as in PGN (``1. e4 e5 2. Nf3``) either way.
* ``show_legal_moves=False``: list the legal moves in the prompt.
* ``max_plies=None``: end the episode after this many half-moves (truncation, outcome draw).
* ``fen=None``: the start position (``reset(options={"fen": ...})`` sets it for one episode).
* and TextEnv's: ``render_mode``, ``observation_mode``, ``image_size``, ``max_illegal_actions``,
  ``prompt_template``, ``answer_format``.

Prompt fields for ``prompt_template``: ``state`` (the default prompt without its last line), ``color``,
``situation`` (whose turn, or how the game ended), ``turn``, ``move_number``, ``fen``, ``board``, ``squares``, ``pieces``, ``history``, ``legal_moves``, ``answer_format``.

Version history: v0, the first.
"""

from __future__ import annotations

import dataclasses
import textwrap
from typing import Any, Callable, Mapping

import chess
import chess.pgn
import numpy as np

from llm_arena_env.core import outcome as oc
from llm_arena_env.core.outcome import EndReason, Outcome, Result
from llm_arena_env.core.prompting import PromptParts
from llm_arena_env.core.text_env import IllegalAction, PromptFields, TextEnv
from llm_arena_env.games.chess import draw, explain, moves
from llm_arena_env.games.chess.notation import ChessNotation

PLAYERS = ("white", "black")
NOTATIONS = ("san", "uci")
BOARD_NOTATIONS = ("diagram", "squares")  # an ASCII diagram, or a dictionary of squares as game_arena writes it
HOW_TO_ANSWER = "Write your move in SAN (like Nf3, exd5, O-O, e8=Q) or UCI (like g1f3, e7e8q)."
_PIECE_ORDER = "KQRBNP"


class ChessEnv(TextEnv):
    """Chess for two players, ``"white"`` and ``"black"``; see the module docstring."""

    metadata = {**TextEnv.metadata, "name": "chess_v0"}
    num_actions = moves.NUM_ACTIONS
    default_prompt_template = "{state}\n\n{answer_format}"
    #: observation_mode="tensor": 12 piece planes (white P N B R Q K, then black), side to move (all 1 for
    #: white), the four castling rights (K Q k q), the en-passant square; squares a1 = [0, 0] .. h8 = [7, 7].
    observation_shape = (18, 8, 8)
    observation_bounds = (0.0, 1.0)  # every plane is 0/1

    def __init__(
        self,
        *,
        notation: str = "san",
        board_notation: str = "diagram",
        show_legal_moves: bool = False,
        max_plies: int | None = None,
        fen: str | None = None,
        **kwargs: Any,
    ):
        if notation not in NOTATIONS:
            raise ValueError(f"notation must be one of {NOTATIONS}, got {notation!r}")
        if max_plies is not None and (not isinstance(max_plies, int) or isinstance(max_plies, bool) or max_plies < 1):
            raise ValueError(f"max_plies must be None or an int >= 1, got {max_plies!r}")
        if board_notation not in BOARD_NOTATIONS:
            raise ValueError(f"board_notation must be one of {BOARD_NOTATIONS}, got {board_notation!r}")
        self.notation = notation
        self.board_notation = board_notation
        self.show_legal_moves = bool(show_legal_moves)
        self.max_plies = max_plies
        self.start_fen = fen
        if fen is not None:
            board_from_fen(fen)  # fail at construction, not at the first reset
        super().__init__(PLAYERS, **kwargs)

    @classmethod
    def prompt_parts(cls, kwargs: Mapping[str, Any]) -> PromptParts:
        """The FEN, a board diagram, a piece list (or a picture), the history and the legal moves."""
        notations = ("fen", "board", "pieces", "squares")
        return PromptParts("chess", notations, ("fen", "board"), True, True, template=prompt_template)

    # ------------------------------------------------------------------ game hooks

    def _observation_tensor(self, agent: str) -> np.ndarray:
        planes = np.zeros(self.observation_shape, dtype=np.float32)
        for square, piece in self.board.piece_map().items():
            plane = piece.piece_type - 1 + (0 if piece.color == chess.WHITE else 6)
            planes[plane, chess.square_rank(square), chess.square_file(square)] = 1.0
        planes[12] = float(self.board.turn == chess.WHITE)
        rights = (self.board.has_kingside_castling_rights(chess.WHITE), self.board.has_queenside_castling_rights(chess.WHITE),
                  self.board.has_kingside_castling_rights(chess.BLACK), self.board.has_queenside_castling_rights(chess.BLACK))
        for i, right in enumerate(rights):
            planes[13 + i] = float(right)
        if self.board.ep_square is not None:
            planes[17, chess.square_rank(self.board.ep_square), chess.square_file(self.board.ep_square)] = 1.0
        return planes

    def _new_game(self, options: dict) -> None:
        fen = options.get("fen", self.start_fen)
        self.board = chess.Board() if fen is None else board_from_fen(fen)
        self._history_text = ""  # the numbered moves played, in the chosen notation
        self._ply_cache: dict[Any, Any] = {}

    def _current_agent(self) -> str:
        return PLAYERS[0] if self.board.turn == chess.WHITE else PLAYERS[1]

    def _parse_action(self, agent: str, text: str) -> chess.Move:
        text = text.strip()
        return self._legal().lookup(text) or explain.parse_move(self.board, text)

    def _parse_action_id(self, agent: str, action_id: int) -> chess.Move:
        move = self._legal().by_id.get(action_id)
        if move is None:
            raise IllegalAction(explain.explain_id(self.board, action_id))
        return move

    def _apply(self, agent: str, move: chess.Move) -> None:
        token = self._legal().san_of(move) if self.notation == "san" else move.uci()
        self._history_text = _extend_history(self._history_text, self.board, token)
        self.board.push(move)
        self._ply_cache = {}

    def _result(self) -> Result | None:
        ending = game_end(self.board, has_moves=len(self._legal()) > 0)
        if ending is not None:
            detail, winner = ending
            rewards, outcomes = oc.zero_sum(list(self.possible_agents), None if winner is None else _player(winner))
            return Result(rewards, outcomes, EndReason.GAME_OVER, detail, self._scores())
        if self.max_plies is not None and len(self.board.move_stack) >= self.max_plies:
            rewards, outcomes = oc.zero_sum(list(self.possible_agents), None)
            return Result(
                rewards, outcomes, EndReason.MAX_TURNS, f"max_plies ({self.max_plies}) reached", self._scores()
            )
        return None

    def _finish(self, result: Result) -> None:
        super()._finish(result)
        pgn = game_pgn(self.board, result, self._history_text if self.notation == "san" else None)
        for agent in self.agents:
            self.infos[agent]["pgn"] = pgn

    def _forfeit(self, offender: str, message: str) -> Result:
        return dataclasses.replace(super()._forfeit(offender, message), scores=self._scores())

    def _scores(self) -> dict[str, float]:
        return {"plies": float(len(self.board.move_stack))}

    # ------------------------------------------------------------------ what players see

    def _legal_actions(self, agent: str) -> tuple[str, ...]:
        legal = self._legal()
        return legal.san if self.notation == "san" else legal.uci

    def _legal_action_ids(self, agent: str) -> list[int]:
        return self._legal().ids

    def _notation(self, agent: str) -> ChessNotation:
        return self._memo("notation", lambda: ChessNotation(self._fen()))

    def _prompt_fields(self, agent: str) -> dict[str, Callable[[], str]]:
        return {
            "state": lambda: self._memo(("state", agent, self.result is None), lambda: self._state_text(agent)),
            "color": lambda: _colour(agent),
            "situation": lambda: self._situation(agent),
            "turn": lambda: _side(self.board.turn),
            "move_number": lambda: str(self.board.fullmove_number),
            "fen": self._fen,
            "board": self._diagram,
            "squares": self._squares,
            "pieces": self._pieces,
            "history": lambda: self._history_text or "(none)",
            "legal_moves": lambda: ", ".join(self._legal_actions(agent)),
        }

    def _state_text(self, agent: str) -> str:
        """The default prompt: the FEN, the board as ``board_notation`` says, the history, the legal moves
        (``show_legal_moves``, to the player to move)."""
        yours = agent == self._current_agent() and self.result is None
        board = ("board", "pieces") if self.board_notation == "diagram" else ("squares",)
        body = prompt_body(("fen", *board), history=True, legal_moves=self.show_legal_moves and yours)
        return body.format_map(PromptFields(self._prompt_fields(agent)))

    def _situation(self, agent: str) -> str:
        if self.result is not None:
            return f"The game is over: {self.result.detail}."
        yours = agent == self._current_agent()
        turn = f"It is {_side(self.board.turn)}'s turn to move (move {self.board.fullmove_number})"
        return turn + (": your move." if yours else ", not yours.")

    def _render_text(self) -> str:
        if self.result is None:
            status = f"{_side(self.board.turn)} to move"
        else:
            status = f"Game over: {self.result.detail} ({game_pgn_result(self.result)})"
        return "\n".join([self._diagram(), f"FEN: {self._fen()}", f"Moves: {self._history_text or '(none)'}", status])

    def _render_image(self, agent: str | None) -> np.ndarray:
        flipped = agent == PLAYERS[1]
        last = self.board.move_stack[-1] if self.board.move_stack else None
        image = self._memo(
            ("image", flipped), lambda: draw.draw_board(self.board, self.image_size, flipped=flipped, last_move=last)
        )
        return image.copy()

    # ------------------------------------------------------------------ per-position caches

    def _memo(self, key: Any, make: Callable[[], Any]) -> Any:
        """``make()`` once per position: observe() is called more often than the position changes."""
        cache = self._ply_cache
        if key not in cache:
            cache[key] = make()
        return cache[key]

    def _legal(self) -> moves.LegalMoves:
        return self._memo("legal", lambda: moves.LegalMoves(self.board))

    def _cells(self) -> list[str]:
        return self._memo("cells", lambda: board_cells(self.board))

    def _fen(self) -> str:
        return self._memo("fen", lambda: board_fen(self.board, self._cells()))

    def _diagram(self) -> str:
        return self._memo("diagram", lambda: board_diagram(self._cells()))

    def _pieces(self) -> str:
        return self._memo("pieces", lambda: piece_list(self.board))

    def _squares(self) -> str:
        return self._memo("squares", lambda: square_dictionary(self.board))


def prompt_body(shown: tuple[str, ...], history: bool, legal_moves: bool) -> str:
    """The prompt (without the answer format) showing the position as ``shown`` says ("fen", "board",
    "pieces", "squares", "image"), with the history and the legal moves where asked."""
    lines = ["You are playing chess as {color}. {situation}"]
    if "fen" in shown:
        lines.append("FEN: {fen}")
    if "board" in shown:
        lines.append('Board (White pieces in upper case, Black pieces in lower case, "." is an empty square):\n{board}')
    if "pieces" in shown:
        lines.append("Pieces:\n{pieces}")
    if "squares" in shown:
        lines.append("Board (the occupied squares):\n{squares}")
    if "image" in shown:
        lines.append("The image shows the board from your side.")
    if history:
        lines.append("Moves so far: {history}")
    if legal_moves:
        lines.append("Legal moves: {legal_moves}")
    lines.append(HOW_TO_ANSWER)
    return "\n".join(lines)


def prompt_template(shown: tuple[str, ...], history: bool, legal_moves: bool) -> str:
    """:func:`prompt_body` with the answer format: the template ``agents.prompts.prompt_options`` builds."""
    return prompt_body(shown, history, legal_moves) + "\n\n{answer_format}"


# ---------------------------------------------------------------------- rules and records


def square_dictionary(board: chess.Board) -> str:
    """The occupied squares as a JSON object, a1 to h8: ``{"a1": "white rook", ..., "e4": "white pawn"}``."""
    import json

    pieces = {chess.square_name(square): f"{_side(piece.color).lower()} {chess.piece_name(piece.piece_type)}"
              for square, piece in sorted(board.piece_map().items())}
    return json.dumps(pieces)


def board_from_fen(fen: Any) -> chess.Board:
    """The board of ``fen``; a ValueError naming the FEN if it is malformed, impossible or already decided."""
    if not isinstance(fen, str):
        raise ValueError(f"a FEN must be a string, got {fen!r}")
    try:
        board = chess.Board(fen)
    except ValueError as error:
        raise ValueError(f"invalid FEN {fen!r}: {error}") from None
    status = board.status()
    if status != chess.STATUS_VALID:
        problems = ", ".join(flag.name.lower().replace("_", " ") for flag in chess.Status if flag and flag in status)
        raise ValueError(f"invalid FEN {fen!r}: {problems}")
    ending = game_end(board, has_moves=any(board.generate_legal_moves()))
    if ending is not None:
        raise ValueError(f"FEN {fen!r}: the game is already over ({ending[0]})")
    return board


def game_end(board: chess.Board, *, has_moves: bool) -> tuple[str, chess.Color | None] | None:
    """(what ended the game, the winning colour or None) if the rules end it now, else None.

    Draws are automatic, not claimed, so the fivefold-repetition and seventy-five-move rules never come
    into play: threefold repetition and the fifty-move rule end the game first. Cheap: repetitions are
    looked for only after 8 reversible plies, the least a third occurrence needs."""
    if not has_moves:
        return ("checkmate", not board.turn) if board.is_check() else ("stalemate", None)
    if board.is_insufficient_material():
        return "insufficient material", None
    if board.halfmove_clock >= 100:
        return "fifty-move rule", None
    if board.halfmove_clock >= 8 and board.is_repetition(3):
        return "threefold repetition", None
    return None


def game_pgn_result(result: Result) -> str:
    """The PGN result tag of an episode's result."""
    if result.outcomes.get(PLAYERS[0]) is Outcome.WIN:
        return "1-0"
    if result.outcomes.get(PLAYERS[1]) is Outcome.WIN:
        return "0-1"
    return "1/2-1/2"


def game_pgn(board: chess.Board, result: Result, san_history: str | None = None) -> str:
    """The game so far as PGN, with the episode's result (and a FEN header when it did not start at the start).

    ``san_history`` is the numbered SAN movetext when the caller has it ('1. e4 e5 2. Nf3'); without it
    python-chess writes the moves, which costs a SAN per move."""
    outcome = game_pgn_result(result)
    headers = {
        "Event": "llm-arena-env chess",
        "Site": "?",
        "Date": "????.??.??",
        "Round": "?",
        "White": PLAYERS[0],
        "Black": PLAYERS[1],
        "Result": outcome,
        "Termination": _TERMINATIONS[result.reason],
    }
    start_fen = board.root().fen()
    if start_fen != chess.STARTING_FEN:
        headers.update(SetUp="1", FEN=start_fen)
    if san_history is None:
        game = chess.pgn.Game.from_board(board)
        game.headers.update(headers)
        return str(game)
    tags = "\n".join(f'[{key} "{value}"]' for key, value in headers.items())
    movetext = textwrap.fill(f"{san_history} {outcome}".strip(), 79, break_long_words=False, break_on_hyphens=False)
    return f"{tags}\n\n{movetext}"


_TERMINATIONS = {
    EndReason.GAME_OVER: "normal",
    EndReason.ILLEGAL_ACTION: "rules infraction",
    EndReason.MAX_TURNS: "adjudication",
}


# ---------------------------------------------------------------------- text


_SYMBOLS = [
    (symbol, piece_type, color) for color in chess.COLORS for piece_type, symbol in zip(chess.PIECE_TYPES, "pnbrqk")
]
_DOT_RUNS = [("." * n, str(n)) for n in range(8, 0, -1)]


def board_cells(board: chess.Board) -> list[str]:
    """The 64 squares (a1 first) as FEN letters, "." where empty: what FEN, diagram and piece list are made of.

    Built from the bitboards directly, several times faster than python-chess's ``board_fen``."""
    cells = ["."] * 64
    masks = (board.pawns, board.knights, board.bishops, board.rooks, board.queens, board.kings)
    for symbol, piece_type, color in _SYMBOLS:
        bits = masks[piece_type - 1] & board.occupied_co[color]
        letter = symbol.upper() if color == chess.WHITE else symbol
        while bits:
            low = bits & -bits
            cells[low.bit_length() - 1] = letter
            bits ^= low
    return cells


def board_fen(board: chess.Board, cells: list[str]) -> str:
    """``board.fen()`` (en passant square only when a capture there is legal), from ``board_cells(board)``."""
    placement = "/".join("".join(cells[rank * 8 : rank * 8 + 8]) for rank in range(7, -1, -1))
    for dots, count in _DOT_RUNS:
        placement = placement.replace(dots, count)
    ep = chess.SQUARE_NAMES[board.ep_square] if board.ep_square is not None and board.has_legal_en_passant() else "-"
    turn = "w" if board.turn == chess.WHITE else "b"
    return f"{placement} {turn} {board.castling_xfen()} {ep} {board.halfmove_clock} {board.fullmove_number}"


def board_diagram(cells: list[str]) -> str:
    """The board as text, White at the bottom, with rank numbers and file letters around it."""
    files = "  a b c d e f g h"
    rows = [files]
    for rank in range(7, -1, -1):
        rows.append(f"{rank + 1} {' '.join(cells[rank * 8 : rank * 8 + 8])} {rank + 1}")
    rows.append(files)
    return "\n".join(rows)


def piece_list(board: chess.Board) -> str:
    """'White: Ke1, Qd1, Ra1, ...' and 'Black: ...' lines: kings first, then queens, rooks, bishops, knights, pawns."""
    masks = (board.kings, board.queens, board.rooks, board.bishops, board.knights, board.pawns)
    lines = []
    for name, color in (("White", chess.WHITE), ("Black", chess.BLACK)):
        labels = []
        for letter, mask in zip(_PIECE_ORDER, masks):
            bits = mask & board.occupied_co[color]
            while bits:
                low = bits & -bits
                labels.append(letter + chess.SQUARE_NAMES[low.bit_length() - 1])
                bits ^= low
        lines.append(f"{name}: {', '.join(labels)}")
    return "\n".join(lines)


def _extend_history(text: str, board: chess.Board, token: str) -> str:
    """``text`` with ``token``, played on ``board``, appended in numbered form ('1. e4 e5 2. Nf3')."""
    number = board.fullmove_number
    if board.turn == chess.WHITE:
        return f"{text} {number}. {token}".lstrip()
    return f"{text} {token}" if text else f"{number}... {token}"


def _player(color: chess.Color) -> str:
    return PLAYERS[0] if color == chess.WHITE else PLAYERS[1]


def _side(color: chess.Color) -> str:
    return "White" if color == chess.WHITE else "Black"


def _colour(agent: str) -> str:
    return "White" if agent == PLAYERS[0] else "Black"
