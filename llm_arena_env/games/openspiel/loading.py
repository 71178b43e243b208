"""Loading an OpenSpiel game by name, with every check done in Python first.

OpenSpiel reports most bad input as ``pyspiel.SpielError``, but some parameter values build a game that
cannot be played (an empty board, a game over before it starts). This module turns all of that into one
``ValueError`` with a clear message, and an unknown name into ``UnknownGameError`` with close matches.
"""

from __future__ import annotations

import difflib
import random
from typing import Any, Mapping

import numpy as np
import pyspiel

from llm_arena_env.registry import UnknownGameError


def game_type(name: str) -> pyspiel.GameType:
    """OpenSpiel's description of the game ``name``; an unknown name gets close matches as suggestions."""
    for known in pyspiel.registered_games():
        if known.short_name == name:
            return known
    close = difflib.get_close_matches(name.lower(), pyspiel.registered_names(), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(repr(f'openspiel/{c}') for c in close)}?" if close else ""
    raise UnknownGameError(f"OpenSpiel has no game {name!r}.{hint} pyspiel.registered_names() lists them all.")


def check_playable(kind: pyspiel.GameType) -> None:
    """Raise ValueError for games this adapter cannot play: simultaneous moves, or no text to show a player."""
    name = kind.short_name
    if kind.dynamics != pyspiel.GameType.Dynamics.SEQUENTIAL:
        raise ValueError(
            f"OpenSpiel's {name!r} is a {kind.dynamics.name.lower().replace('_', '-')} game; this adapter plays "
            "sequential (turn-taking) games only"
        )
    if not (kind.provides_observation_string or kind.provides_information_state_string):
        raise ValueError(f"OpenSpiel's {name!r} gives no text observation, so it cannot be shown to a player")


def _coerce(name: str, value: Any, default: Any) -> Any:
    """``value`` in the Python type OpenSpiel expects for a parameter whose default is ``default``."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # komi=7 means 7.0; OpenSpiel would refuse the int
    if type(value) is not type(default):  # a game-valued parameter takes a dict such as {"name": "tic_tac_toe"}
        raise ValueError(
            f"parameter {name}={value!r} should be {type(default).__name__} (like its default {default!r}), "
            f"not {type(value).__name__}"
        )
    return value


# Values that crash the process instead of raising (found by sweeping the registered games' int parameters):
# connect_four's legal_actions() segfaults with rows=0.
_AT_LEAST: dict[str, dict[str, int]] = {"connect_four": {"rows": 1, "columns": 1, "x_in_row": 1}}


def game_parameters(kind: pyspiel.GameType, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` checked against the game's parameter specification and converted to OpenSpiel's types."""
    spec = kind.parameter_specification
    unknown = sorted(set(params) - set(spec))
    if unknown:
        known = ", ".join(sorted(spec)) or "none"
        name = kind.short_name
        raise ValueError(f"OpenSpiel's {name!r} has no parameter {', '.join(unknown)}; its parameters: {known}")
    checked = {key: _coerce(key, value, spec[key]) for key, value in params.items()}
    for key, least in _AT_LEAST.get(kind.short_name, {}).items():
        if checked.get(key, least) < least:
            raise ValueError(f"parameter {key}={checked[key]!r} of {kind.short_name!r} must be at least {least}")
    return checked


def load_game(name: str, params: Mapping[str, Any]) -> pyspiel.Game:
    """The OpenSpiel game ``name`` with ``params``, ready for play, or UnknownGameError / ValueError."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"the OpenSpiel game name must be a non-empty string, got {name!r}")
    checked = game_parameters(game_type(name), params)
    shown = ", ".join(f"{k}={v!r}" for k, v in checked.items()) or "its default parameters"
    try:
        game = pyspiel.load_game(name, checked)
    except Exception as error:  # SpielError, or a C++ exception under another name (IndexError: map::at)
        raise ValueError(f"OpenSpiel cannot make {name!r} with {shown}: {error}") from None
    check_playable(game.get_type())  # the loaded game's type: a wrapper can make a game sequential
    try:
        _check_first_move(game)
    except Exception as error:  # as above: whatever OpenSpiel raised, the game cannot be played
        raise ValueError(f"OpenSpiel's {name!r} with {shown} cannot be played: {error}") from None
    return game


def _check_first_move(game: pyspiel.Game, tries: int = 20, max_chance_events: int = 10_000) -> None:
    """Some parameters give a game that is over, or stuck, before its first move (an empty board).

    Chance events are drawn at random from a fixed seed, in a few tries: always taking the first outcome can
    loop forever (a card game whose first outcome is "deal again"), and one deal may end a game at once."""
    rng = random.Random(0)
    problem = ""
    for _ in range(tries):
        state = game.new_initial_state()
        for _ in range(max_chance_events):
            if not state.is_chance_node():
                break
            outcomes = state.chance_outcomes()
            if not outcomes:
                raise ValueError("a chance event has no outcomes")
            actions, weights = zip(*outcomes)
            state.apply_action(rng.choices(actions, weights)[0])
        else:
            raise ValueError(f"its chance events did not end within {max_chance_events}")
        if state.is_terminal():
            problem = "the game is over before the first move"
        elif not state.legal_actions():
            problem = "the first player has no legal move"
        else:
            return
    raise ValueError(problem)
