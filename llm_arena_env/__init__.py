"""llm-arena-env: games for large language models, as PettingZoo AEC environments.

>>> import llm_arena_env
>>> env = llm_arena_env.make("chess")
>>> env.reset(seed=0)
"""

from llm_arena_env.registry import GameSpec, UnknownGameError, list_games, make, register, spec

__version__ = "0.1.0"

from llm_arena_env import games as _games  # noqa: E402, F401  (registers the built-in games)

__all__ = ["make", "register", "list_games", "spec", "GameSpec", "UnknownGameError", "__version__"]
