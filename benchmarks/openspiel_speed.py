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
import time
from typing import Any, Iterator

import numpy as np

GAMES: dict[str, dict[str, Any]] = {"connect_four": {}, "go": {"board_size": 9}, "chess": {}}
SLICE_S = 0.2  # each way plays this long before the next takes its turn


def _aec_steps(env: Any, rnd: random.Random) -> Iterator[None]:
    """Random play through the AEC API, the acting player observing each turn; yields after each move."""
    episode = 0
    while True:
        env.reset(seed=episode)
        episode += 1
        for _ in env.agent_iter():
            observation, _, terminated, truncated, info = env.last()
            if terminated or truncated:
                env.step(None)
                continue
            mask = observation["action_mask"] if isinstance(observation, dict) else info["action_mask"]
            legal = np.flatnonzero(mask)
            env.step(int(legal[rnd.randrange(len(legal))]))
            yield


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


def _measure(players: dict[str, Iterator[None]], seconds: float) -> dict[str, float]:
    """Steps per CPU second of each player, run in turns of SLICE_S until each has had ``seconds``."""
    steps = dict.fromkeys(players, 0)
    spent = dict.fromkeys(players, 0.0)
    while min(spent.values()) < seconds:
        for way, moves in players.items():
            start = time.process_time()
            deadline = start + SLICE_S
            count = 0
            while True:
                for _ in range(50):  # read the clock every 50 moves
                    next(moves)
                count += 50
                if time.process_time() >= deadline:
                    break
            steps[way] += count
            spent[way] += time.process_time() - start
    return {way: steps[way] / spent[way] for way in players}


def bench_openspiel(seconds: float = 3.0) -> dict[str, dict[str, float]]:
    """Steps/s of ours, Shimmy and raw pyspiel on each game, ``seconds`` each, and the ratios to Shimmy."""
    results: dict[str, dict[str, float]] = {}
    for name, params in GAMES.items():
        players = {
            "ours": _aec_steps(_ours(name, params), random.Random(0)),
            "shimmy": _aec_steps(_shimmy(name, params), random.Random(0)),
            "raw": _raw_steps(name, params, random.Random(0)),
        }
        row = _measure(players, seconds)
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
