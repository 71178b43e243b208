"""The OpenSpiel games registered by id, and the ``openspiel/<name>`` namespace for every other one.

Ids are OpenSpiel's names; variants are keyword arguments (``make("openspiel/go", board_size=19)``).
Nothing here imports pyspiel: the namespace looks a name up only when ``make`` is called with it.
"""

from __future__ import annotations

import importlib.metadata
from typing import Any, Callable, Mapping, NamedTuple

from llm_arena_env.games.openspiel.holdem import HUNL

ENTRY_POINT = "llm_arena_env.games.openspiel.env:OpenSpielEnv"
OBSERVATION_MODES = ("text", "image", "text+image", "tensor")  # every registered game has a picture and a tensor
SCRIPTED_PLAYER = "llm_arena_env.core.scripted:legal_move"  # every OpenSpiel game lists its legal moves


class Entry(NamedTuple):
    params: Mapping[str, Any]  # defaults of this id, on top of OpenSpiel's own
    players: tuple[int, ...]  # the default first, then the other counts the game allows
    description: str


GAMES: dict[str, Entry] = {
    "tic_tac_toe": Entry({}, (2,), "Tic-tac-toe: three in a row on a 3x3 grid."),
    "connect_four": Entry({}, (2,), "Connect Four: drop discs into 7 columns, four in a row wins."),
    "go": Entry({"board_size": 9, "komi": 7.5}, (2,), "Go on a 9x9 board by default (board_size up to 19), komi 7.5."),
    "othello": Entry({}, (2,), "Othello (Reversi): enclose and flip discs; most discs wins."),
    "breakthrough": Entry({}, (2,), "Breakthrough: race a pawn to the far row of an 8x8 board."),
    "hex": Entry({}, (2,), "Hex on an 11x11 board: join your two edges with a chain of stones."),
    "checkers": Entry({}, (2,), "Checkers (draughts) on 8x8 with compulsory captures."),
    "backgammon": Entry({}, (2,), "Backgammon with dice drawn by the env's seed; win/loss scoring."),
    "dots_and_boxes": Entry({}, (2,), "Dots and boxes on a 2x2 grid of boxes; completing a box moves again."),
    "nine_mens_morris": Entry({}, (2,), "Nine men's morris: place, move and form mills to remove men."),
    "kuhn_poker": Entry({}, tuple(range(2, 11)), "Kuhn poker: one private card from a 3-card deck, one bet."),
    "leduc_poker": Entry({}, tuple(range(2, 11)), "Leduc hold'em: a private and a public card, two rounds."),
    "liars_dice": Entry({}, (2,), "Liar's dice: bid on hidden dice or call liar; one round."),
    "chinese_checkers": Entry(
        {"players": 3}, (3, 2, 4, 6), "Chinese checkers for 3 players by default (2, 3, 4 or 6): race 10 pegs across."
    ),
    "oh_hell": Entry({}, (3, 4, 5, 6, 7), "Oh Hell for 3 players by default: bid, then take exactly that many tricks."),
    "chess": Entry({}, (2,), "Chess on OpenSpiel, SAN moves; OpenSpiel's player 0 is Black."),
    "universal_poker": Entry(
        HUNL, (2,), "Heads-up no-limit hold'em, 200 big blinds: Fold, Check, Call, Bet N, Raise N, AllIn."
    ),
}
# Games that OpenSpiel's older wheels (the newest for Python 3.10 is 1.6) do not have.
SINCE_OPENSPIEL_2 = {"chinese_checkers"}


def _namespace_spec(name: str) -> Any:
    """The spec of ``openspiel/<name>`` for a game not registered by id (an unknown name: UnknownGameError)."""
    from llm_arena_env.games.openspiel.loading import game_type  # imports pyspiel, so only when asked
    from llm_arena_env.games.openspiel.pictures import has_picture
    from llm_arena_env.registry import GameSpec

    kind = game_type(name)
    modes = ("text", "image", "text+image") if has_picture(kind.short_name) else ("text",)
    if kind.provides_observation_tensor or kind.provides_information_state_tensor:  # as OpenSpielEnv's tensor mode
        modes += ("tensor",)
    return GameSpec(
        f"openspiel/{name}",
        ENTRY_POINT,
        {"game_name": name},
        kind="board",
        players=tuple(range(kind.min_num_players, kind.max_num_players + 1)),
        observation_modes=modes,
        description=f"{kind.long_name}, loaded from OpenSpiel by name.",
        scripted_player=SCRIPTED_PLAYER,
    )


def _openspiel_major() -> int:
    """OpenSpiel's major version, read from the package metadata (cheap: pyspiel is not imported)."""
    try:
        return int(importlib.metadata.version("open_spiel").split(".")[0])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return 0


def register_openspiel_games(register: Callable[..., Any], register_namespace: Callable[..., Any]) -> None:
    """Register every id in GAMES and the ``openspiel`` namespace for all other OpenSpiel games."""
    has_2 = _openspiel_major() >= 2
    for name, entry in GAMES.items():
        if name in SINCE_OPENSPIEL_2 and not has_2:
            continue
        register(
            f"openspiel/{name}",
            ENTRY_POINT,
            kwargs={"game_name": name, **entry.params},
            kind="board",
            players=entry.players,
            observation_modes=OBSERVATION_MODES,
            description=entry.description,
            scripted_player=SCRIPTED_PLAYER,
        )
    register(
        "poker/holdem_match",
        "llm_arena_env.games.openspiel.poker_match:HoldemMatchEnv",
        kind="board",
        observation_modes=OBSERVATION_MODES,
        description="Heads-up no-limit hold'em over many hands (100 by default), stacks carried over; "
        "scored in chips won per hand.",
        scripted_player=SCRIPTED_PLAYER,
    )
    register_namespace("openspiel", _namespace_spec)
