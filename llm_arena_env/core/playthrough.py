"""Golden playthroughs: one episode of a game written as text, so that a change in the game shows as a diff.

As OpenSpiel's ``integration_tests/playthroughs``: :func:`record` plays an episode with the game's scripted
player and writes, turn by turn, who moves, what it sees (the observation's text), its move and the
rewards, then how the episode ended and every player's final ``infos``. :func:`replay` plays the moves of
such a file again and writes the same text, so a test compares the two turn by turn.
``scripts/record_playthroughs.py`` writes the files of every registered game.

A long episode would make a file of megabytes (a chess prompt lists every legal move); past
``TEXT_BUDGET`` characters of observations a turn's observation is written as its SHA-256 digest instead,
which still fails the comparison when the text changes.
"""

from __future__ import annotations

import enum
import hashlib
import json
import math
from typing import Any, Callable, Iterator

import numpy as np

TEXT_BUDGET = 20_000  # characters of observation text written out in full per file
MAX_STEPS = 5_000  # an episode longer than this is not a playthrough but a bug
_MOVE = "move: "
_TURN = "--- turn "


def _plain(value: Any) -> Any:
    """JSON types: enums as their values, numpy as lists and numbers, NaN as the string "nan"."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return "nan" if math.isnan(value) else round(value, 10)
    return value


def _episode(env: Any, seed: int, choose: Callable[[Any, str], Any]) -> Iterator[str]:
    """The lines of one episode, each turn's move from ``choose(env, agent)``."""
    game = env.unwrapped
    env.reset(seed=seed)
    written, turn, final = 0, 0, {}
    for agent in env.agent_iter(MAX_STEPS):
        _, reward, terminated, truncated, info = env.last(observe=False)
        if terminated or truncated:  # each player learns its end here (PettingZoo drops it after this step)
            final[agent] = {"reward": reward, **info}
            env.step(None)
            continue
        turn += 1
        text = game.text_observation(agent)["text"]
        yield f"{_TURN}{turn}: {agent}"
        if written + len(text) <= TEXT_BUDGET:
            written += len(text)
            yield "observation:"
            yield from (f"  | {line}".rstrip() for line in text.split("\n"))
        else:
            yield f"observation sha256: {hashlib.sha256(text.encode('utf-8')).hexdigest()}"
        move = choose(env, agent)
        yield _MOVE + json.dumps(move, ensure_ascii=False)
        env.step(move)
        if game.result is None and game.infos[agent].get("rejection"):
            yield f"rejected: {game.infos[agent]['rejection']}"
        if any(game.rewards.values()):
            yield "rewards: " + json.dumps(_plain(game.rewards), sort_keys=True)
    result = game.result
    yield "--- end"
    if result is None:
        yield f"not over after {MAX_STEPS} steps"
        return
    yield f"reason: {result.reason.value}"
    yield f"detail: {result.detail}"
    for agent in game.possible_agents:
        yield f"final {agent}: " + json.dumps(_plain(final.get(agent)), sort_keys=True, ensure_ascii=False)


def _header(game_id: str, seed: int, kwargs: dict) -> list[str]:
    return [f"game: {game_id}", f"seed: {seed}", "kwargs: " + json.dumps(_plain(kwargs), sort_keys=True), ""]


def record(game_id: str, seed: int = 0, **kwargs: Any) -> str:
    """The playthrough of ``game_id`` at ``seed``, played by the game's registered scripted player."""
    import llm_arena_env

    spec = llm_arena_env.spec(game_id)
    scripted = spec.load_scripted_player()
    if scripted is None:
        raise ValueError(f"{game_id} has no scripted player (register(..., scripted_player=...))")
    env = spec.make(**kwargs)
    return "\n".join([*_header(game_id, seed, kwargs), *_episode(env, seed, scripted)]) + "\n"


def moves_of(text: str) -> list[Any]:
    """The moves of a playthrough file, in order."""
    return [json.loads(line[len(_MOVE):]) for line in text.split("\n") if line.startswith(_MOVE)]


def replay(text: str) -> str:
    """Play the moves of a playthrough again (same game, seed and arguments) and write it anew."""
    import llm_arena_env

    lines = text.split("\n")
    game_id = lines[0].removeprefix("game: ")
    seed = int(lines[1].removeprefix("seed: "))
    kwargs = json.loads(lines[2].removeprefix("kwargs: "))
    moves = iter(moves_of(text))

    def next_move(env: Any, agent: str) -> Any:
        return next(moves, "")  # a longer episode than recorded gets empty moves: the diff shows where

    env = llm_arena_env.make(game_id, **kwargs)
    return "\n".join([*_header(game_id, seed, kwargs), *_episode(env, seed, next_move)]) + "\n"


def turns(text: str) -> list[str]:
    """A playthrough split into its header, one block per turn, and the end: what a test compares."""
    blocks, current = [], []
    for line in text.split("\n"):
        if line.startswith(_TURN) or line == "--- end":
            blocks.append("\n".join(current))
            current = []
        current.append(line)
    blocks.append("\n".join(current))
    return blocks
