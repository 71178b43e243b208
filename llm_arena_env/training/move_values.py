"""Exact values under random play, for OpenSpiel games whose game tree is small enough to walk.

The value of a position for a player is that player's expected return when every later move, by every
side, is drawn uniformly from the legal moves, and chance (dice, deals) follows its own odds. A move's value
is the value of the position it leads to. ``GameRollout(continuation="random", playouts="exact")`` scores a
sampled move by it, with no playout noise: tic-tac-toe's whole tree from the empty board is 549,946
positions, so any position within it takes at most a second to walk, and the values are cached.

Walking stops with a clear error after ``max_positions`` new positions (chess or go are far too big; play
them out with ``playouts=K`` instead).
"""

from __future__ import annotations

from typing import Any


class RandomPlayValues:
    """``values(state, player)``: ``player``'s exact expected return from the pyspiel ``state`` under random
    play (see the module docstring). Positions are cached by their move history, which fixes their future."""

    def __init__(self, max_positions: int = 2_000_000):
        self.max_positions = max_positions
        self._cache: dict[tuple[int, ...], tuple[float, ...]] = {}

    def __call__(self, state: Any, player: int) -> float:
        self._budget = self.max_positions
        return self._returns(state)[player]

    def _returns(self, state: Any) -> tuple[float, ...]:
        key = tuple(state.history())
        if key in self._cache:
            return self._cache[key]
        self._budget -= 1
        if self._budget < 0:
            raise ValueError(f"the game tree from this position has more than {self.max_positions} positions, too "
                             "many to walk for an exact value; estimate it from playouts (playouts=K) instead")
        if state.is_terminal():
            result = tuple(map(float, state.returns()))
        else:
            branches = (state.chance_outcomes() if state.is_chance_node()
                        else [(action, 1.0 / len(state.legal_actions())) for action in state.legal_actions()])
            total = [0.0] * state.num_players()
            for action, probability in branches:
                child = state.clone()
                child.apply_action(action)
                for p, value in enumerate(self._returns(child)):
                    total[p] += probability * value
            result = tuple(total)
        self._cache[key] = result
        return result


__all__ = ["RandomPlayValues"]
