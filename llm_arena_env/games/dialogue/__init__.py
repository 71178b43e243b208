"""clembench's dialogue games as AEC envs on one base, :class:`~llm_arena_env.games.dialogue.base.DialogueEnv`.

Games (``make("dialogue/<name>")``): taboo, wordle, wordle_withclue, wordle_withcritic, referencegame,
imagegame, privateshared, codenames, guesswhat, matchit_ascii; from clembench v3 dond, hot_air_balloon and
clean_up. Each module's docstring is its page.
Scores follow clembench (``scores.py``); instance sets use its ``instances.json`` layout (``instances.py``).
Nothing is imported here, so registering the games (``catalog.py``) stays cheap.
"""

from typing import Any

__all__ = ["DialogueEnv", "IllegalAction", "RequestCounts", "Utterance", "GAME_MASTER"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from llm_arena_env.games.dialogue import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
