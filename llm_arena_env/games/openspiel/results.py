"""Outcomes from OpenSpiel's returns: the unique best return wins, a shared best is a draw among those."""

from __future__ import annotations

from typing import Sequence

from llm_arena_env.core.outcome import Outcome


def outcomes_from_returns(agents: Sequence[str], returns: Sequence[float]) -> dict[str, Outcome]:
    """Each player's outcome: all equal -> all draw; else the best (one: win, several: draw), the rest lose."""
    best = max(returns)
    top = sum(1 for r in returns if r == best)
    if top == len(returns):
        return {a: Outcome.DRAW for a in agents}
    on_top = Outcome.WIN if top == 1 else Outcome.DRAW
    return {a: on_top if r == best else Outcome.LOSS for a, r in zip(agents, returns)}


def describe_returns(agents: Sequence[str], returns: Sequence[float]) -> str:
    """``"returns: player_0 +1, player_1 -1"``: the numbers behind the outcomes, for infos and transcripts."""
    return "returns: " + ", ".join(f"{a} {r:+g}" for a, r in zip(agents, returns))
