"""Steps per second of random OpenSpiel games: our adapter, Shimmy's, and raw pyspiel.

Every player picks a random legal id. (a) ours: the acting player calls ``env.last()``, which builds the full
text observation (prompt with board, moves so far and legal moves in OpenSpiel's notation) and the action
mask; (b) Shimmy's ``OpenSpielCompatibilityV0`` played the same way (its observations are tensors); (c) raw
pyspiel, no observation at all. The three take turns in short slices and are timed in CPU seconds of this
process, so other work on a busy machine changes the ratios little.
Run: ``python benchmarks/openspiel_speed.py [seconds per game and way]``.
"""

from __future__ import annotations

import random
import sys
from typing import Any, Iterator

from timing import SLICE_S, aec_steps, measure  # beside this file

GAMES: dict[str, dict[str, Any]] = {"connect_four": {}, "go": {"board_size": 9}, "chess": {}}


def _raw_steps(name: str, params: dict[str, Any], rnd: random.Random) -> Iterator[None]:
    """Random play on pyspiel states directly; yields after each move."""
    import pyspiel

    game = pyspiel.load_game(name, params)
    while True:
        state = game.new_initial_state()
        while not state.is_terminal():
            if state.is_chance_node():
                state.apply_action(state.chance_outcomes()[0][0])
                continue
            legal = state.legal_actions()
            state.apply_action(legal[rnd.randrange(len(legal))])
            yield


def _ours(name: str, params: dict[str, Any]) -> Any:
    import llm_arena_env

    return llm_arena_env.make(f"openspiel/{name}", **params)


def _shimmy(name: str, params: dict[str, Any]) -> Any:
    from shimmy.openspiel_compatibility import OpenSpielCompatibilityV0

    return OpenSpielCompatibilityV0(game_name=name, config=params or None)


def bench_openspiel(seconds: float = 3.0) -> dict[str, dict[str, float]]:
    """Steps/s of ours, Shimmy and raw pyspiel on each game, ``seconds`` each, and the ratios to Shimmy."""
    results: dict[str, dict[str, float]] = {}
    for name, params in GAMES.items():
        players = {
            "ours": aec_steps(_ours(name, params), random.Random(0)),
            "shimmy": aec_steps(_shimmy(name, params), random.Random(0)),
            "raw": _raw_steps(name, params, random.Random(0)),
        }
        row = measure(players, seconds, batch=50)
        row["ours/shimmy"] = row["ours"] / row["shimmy"]
        row["raw/shimmy"] = row["raw"] / row["shimmy"]
        results[name] = row
    return results


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    seconds = float(args[0]) if args else 3.0
    print(f"random play, {seconds:g} CPU s per game and way, in {SLICE_S:g} s turns; player moves per CPU second")
    print(f"{'game':<14}{'ours (text)':>13}{'shimmy':>10}{'raw pyspiel':>13}{'ours/shimmy':>13}{'raw/shimmy':>12}")
    for name, row in bench_openspiel(seconds).items():
        print(
            f"{name:<14}{row['ours']:>13,.0f}{row['shimmy']:>10,.0f}{row['raw']:>13,.0f}"
            f"{row['ours/shimmy']:>13.2f}{row['raw/shimmy']:>12.2f}"
        )


if __name__ == "__main__":
    main()
