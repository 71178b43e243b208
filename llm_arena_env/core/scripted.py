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
    """One of ``agent``'s legal moves, picked by a checksum of its observation text: the same state always
    gets the same move (no random state is touched), and play varies with the seed. It reads the text and
    the moves through the env's hooks rather than ``observe``, which would also draw the picture."""
    game = env.unwrapped
    legal = game._legal_actions(agent)
    if not legal:
        raise ValueError(f"{agent} has no legal move listed in {type(game).__name__}'s observation")
    return legal[zlib.crc32(game._observation_text(agent).encode("utf-8")) % len(legal)]
