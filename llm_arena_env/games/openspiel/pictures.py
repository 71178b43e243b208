"""Which picture each OpenSpiel game gets, and from whose view.

Three kinds of drawer: square grids read from the board text (``draw``), other perfect-information boards
(``boards``), and the card and dice games (``cards``), whose drawers see only one player's own
information-state string, so a picture never shows what that player may not know. Chess is drawn by the
chess package's drawer. A game with none of these has no picture: the env refuses image observations.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import chess
import numpy as np

from llm_arena_env.games.chess.draw import draw_board as draw_chess
from llm_arena_env.games.openspiel import boards, cards
from llm_arena_env.games.openspiel.draw import DRAWN_GAMES, draw_board

BoardDrawer = Callable[[Any, Mapping[str, Any], int], np.ndarray]
ViewDrawer = Callable[[str, int, Mapping[str, Any], int], np.ndarray]

BOARDS: dict[str, BoardDrawer] = {
    "hex": boards.draw_hex,
    "dots_and_boxes": boards.draw_dots_and_boxes,
    "nine_mens_morris": boards.draw_nine_mens_morris,
    "backgammon": boards.draw_backgammon,
    "chinese_checkers": boards.draw_chinese_checkers,
}
VIEWS: dict[str, ViewDrawer] = {
    "kuhn_poker": cards.draw_kuhn,
    "leduc_poker": cards.draw_leduc,
    "universal_poker": cards.draw_universal_poker,
    "oh_hell": cards.draw_oh_hell,
    "liars_dice": cards.draw_liars_dice,
}
PICTURED_GAMES = frozenset((*DRAWN_GAMES, *BOARDS, *VIEWS, "chess"))


def _last_chess_move(state: Any) -> chess.Move | None:
    """The last move of an OpenSpiel chess state, read by taking it back on a copy."""
    history = state.full_history()
    if not history:
        return None
    last = history[-1]
    before = state.clone()
    before.undo_action(last.player, last.action)
    return chess.Board(str(before)).parse_san(before.action_to_string(last.player, last.action))


def has_picture(game_name: str) -> bool:
    return game_name in PICTURED_GAMES


def picture(game_name: str, state: Any, player: int, params: Mapping[str, Any], size: int) -> np.ndarray:
    """``state`` drawn as ``player`` sees it (every player sees all of a perfect-information board)."""
    if game_name in VIEWS:
        return VIEWS[game_name](state.information_state_string(player), player, params, size)
    if game_name in BOARDS:
        return BOARDS[game_name](state, params, size)
    if game_name == "chess":  # OpenSpiel's player 0 is Black: it sees the board from its side
        return draw_chess(chess.Board(str(state)), size, flipped=player == 0, last_move=_last_chess_move(state))
    picture = draw_board(game_name, state, size)
    if picture is None:
        raise ValueError(f"OpenSpiel's {game_name!r} has no picture")
    return picture
