"""Game selectors: ``all``, globs like ``dialogue/*`` or ``openspiel/*_poker``, and a kind filter.

>>> select_games(["dialogue/*"])              # every dialogue game, in id order
>>> select_games(["all"], kind="dialogue")    # the same
>>> select_games(["chess", "grid/*"])         # plain ids pass through as given

A plain id is kept as written (the game's own `make` names an unknown one, with suggestions); a selector
that matches no registered game is an error, so a typo never turns into an empty run.
"""

from __future__ import annotations

import fnmatch
from typing import Sequence

WILDCARDS = "*?["


def is_selector(text: str) -> bool:
    return text == "all" or any(c in text for c in WILDCARDS)


def select_games(selectors: Sequence[str], kind: str | None = None) -> list[str]:
    """The game ids the selectors name, each once, in the order given (a selector's matches in id order)."""
    import llm_arena_env

    registered = [s for s in llm_arena_env.list_games(kind)]
    ids: list[str] = []
    for selector in selectors:
        if not is_selector(selector):
            if kind is not None and llm_arena_env.spec(selector).kind != kind:
                raise ValueError(f"{selector} is a {llm_arena_env.spec(selector).kind} game, not {kind}")
            matches = [selector]
        else:
            pattern = "*" if selector == "all" else selector
            matches = [s.id for s in registered if fnmatch.fnmatchcase(s.id, pattern)]
            if not matches:
                raise ValueError(f"no {kind + ' ' if kind else ''}game matches {selector!r} (see `llm-arena list games`)")
        ids += [m for m in matches if m not in ids]
    if not selectors and kind is not None:
        ids = [s.id for s in registered]
    return ids


__all__ = ["select_games", "is_selector"]
