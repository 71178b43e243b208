"""OpenSpiel's sequential games as text envs: ``make("openspiel/<name>", **params)``.

See :mod:`llm_arena_env.games.openspiel.env` for the game page (players, observations, actions, rewards).
``OpenSpielEnv`` is imported lazily, so that registering the games does not import pyspiel.
"""

from __future__ import annotations

from typing import Any

__all__ = ["OpenSpielEnv"]


def __getattr__(name: str) -> Any:
    if name == "OpenSpielEnv":
        from llm_arena_env.games.openspiel.env import OpenSpielEnv

        return OpenSpielEnv
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
