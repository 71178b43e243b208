"""Scripted players: ``scripted_move(env, agent) -> str``, a valid move for ``agent`` in ``env``'s state.

Every registered game names one (``register(..., scripted_player="module:function")``); the conformance
suite and the golden playthroughs play every game to its end with them. A game that lists its legal moves
shares :func:`legal_move`; dialogue, grid and social games write their own beside their rules, reading
the env's state as the game's own module may.
"""

from __future__ import annotations

import zlib
from typing import Any


def legal_move(env: Any, agent: str) -> str:
    """One of the legal moves in ``agent``'s observation, picked by a checksum of the observation text: the
    same state always gets the same move (no random state is touched), and play varies with the seed."""
    observation = env.unwrapped.text_observation(agent)
    legal = observation["legal_actions"]
    if not legal:
        raise ValueError(f"{agent} has no legal move listed in {type(env.unwrapped).__name__}'s observation")
    return legal[zlib.crc32(observation["text"].encode("utf-8")) % len(legal)]
