"""The cost of recording trajectories: the same seeded play with and without it, in one run.

Random agents play episode after episode (seeds 0, 1, 2, ... in every way, so every way plays the very same
games); random agents cost almost nothing, so the recording's share is as large as it can be (with a model
playing, it vanishes next to generation). Four ways:

- ``loop``: a bare AEC loop, each player observing through ``env.last()``, nothing recorded;
- ``loop+record``: the same loop through ``RecordTrajectories`` with each decision attached by
  ``record(player, decision)``, and ``trajectories()`` at the end of each episode;
- ``arena``: ``play_episode`` (which keeps its own episode record);
- ``arena+trajectories``: ``play_episode`` and then ``trajectories_from_episode(record.to_dict())``.

Every way plays seed 0, then every way seed 1, and so on (in a rotating order), timed in CPU seconds of this
process, so the ways play the very same episodes. Prints CPU milliseconds per episode and each recording
way's overhead over its base: the median over episodes of the extra time, so that other work on a busy
machine moves it little (``arena`` includes ``record.to_dict()``, which the runner does to save the
episode anyway).

Run: ``python benchmarks/recording_overhead.py [CPU seconds per way] [game ...]``.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any, Callable

import llm_arena_env
from llm_arena_env.agents import RandomAgent
from llm_arena_env.agents.base import decide
from llm_arena_env.arena.episode import play_episode
from llm_arena_env.training.trajectory import trajectories_from_episode
from llm_arena_env.training.record import RecordTrajectories

GAMES = ("openspiel/tic_tac_toe", "chess")
WAYS = ("loop", "loop+record", "arena", "arena+trajectories")
BASES = {"loop+record": "loop", "arena+trajectories": "arena"}  # recorded way -> the same play without it


def _agents(env: Any, seed: int) -> dict[str, RandomAgent]:
    return {player: RandomAgent(seed * 10 + i) for i, player in enumerate(env.possible_agents)}


def _loop(env: Any, seed: int, recording: bool) -> Any:
    agents = _agents(env, seed)
    env.reset(seed=seed)
    for player in env.agent_iter():
        observation, _, terminated, truncated, _ = env.last()
        if terminated or truncated:
            env.step(None)
            continue
        decision = decide(agents[player], observation)
        env.step(decision.action)
        if recording:
            env.record(player, decision)
    return env.trajectories() if recording else None


def _play(game: str, way: str) -> Callable[[int], None]:
    """A function that plays the episode of ``seed`` the ``way`` way, on an env made once."""
    env = llm_arena_env.make(game)
    if way == "loop+record":
        env = RecordTrajectories(env, game=game)
    if way.startswith("loop"):
        return lambda seed: _loop(env, seed, recording=way == "loop+record")

    def arena(seed: int) -> None:
        episode = play_episode(env, _agents(env, seed), seed=seed, game=game).to_dict()  # as the runner saves it
        if way == "arena+trajectories":
            trajectories_from_episode(episode)

    return arena


def bench(game: str, seconds: float) -> dict[str, dict[str, float]]:
    """Per way: CPU milliseconds per episode and the overhead over its base way, over the same seeds.

    Every way plays seed 0, then seed 1, ... (in a rotating order), until the slowest way has had
    ``seconds``. The overhead is the median over seeds of (recorded time / base time) - 1: each pair played
    the same episode moments apart, so a burst of other work on the machine moves one pair, not the median."""
    players = {way: _play(game, way) for way in WAYS}
    times: dict[str, list[float]] = {way: [] for way in WAYS}
    seed = 0
    while max(sum(t) for t in times.values()) < seconds:
        for way in WAYS[seed % len(WAYS):] + WAYS[: seed % len(WAYS)]:
            start = time.process_time()
            players[way](seed)
            times[way].append(time.process_time() - start)
        seed += 1
    result = {way: {"ms": 1000 * statistics.fmean(t)} for way, t in times.items()}
    for recorded, base in BASES.items():
        ratios = [r / b for r, b in zip(times[recorded], times[base]) if b > 0]
        result[recorded]["overhead"] = statistics.median(ratios) - 1.0
    return result


def main(argv: list[str]) -> None:
    seconds = float(argv[0]) if argv else 3.0
    games = argv[1:] or GAMES
    print(f"{'game':<24}{'loop':>10}{'loop+rec':>10}{'overhead':>10}{'arena':>10}{'arena+traj':>12}{'overhead':>10}")
    for game in games:
        row = bench(game, seconds)
        cells = [f"{row['loop']['ms']:>10.3f}", f"{row['loop+record']['ms']:>10.3f}",
                 f"{100 * row['loop+record']['overhead']:>+9.1f}%", f"{row['arena']['ms']:>10.3f}",
                 f"{row['arena+trajectories']['ms']:>12.3f}", f"{100 * row['arena+trajectories']['overhead']:>+9.1f}%"]
        print(f"{game:<24}" + "".join(cells))
    print("(CPU milliseconds per episode, the same episodes in every way; overhead: median over episodes of the "
          "extra time; target < 10%)")


if __name__ == "__main__":
    main(sys.argv[1:])
