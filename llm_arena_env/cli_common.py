"""What every ``llm-arena`` subcommand shares: exit statuses, the usage error, argument types.

The subcommands (``cli.py`` and the ``*_cli`` modules of the packages) import from here and never from each
other's modules, so the command line's modules import one way: ``cli`` -> ``*_cli`` -> ``cli_common``.
"""

from __future__ import annotations

import argparse
from typing import Any, Callable, Sequence

EXIT_USAGE = 2  # bad arguments or a failed pre-flight check: nothing was played
EXIT_ERRORS = 3  # some episodes ended in a transport error
EXIT_INTERRUPTED = 130  # the shell's code for a run ended by Ctrl-C
EXIT_STATUS = """\
exit status:
  0    every episode was played
  2    bad arguments, an agent that cannot play a game, or a failed pre-flight check: nothing was played
  3    some episodes ended in a transport error (server down, bad key, timeouts): they are not scored (and
       `run`/`tournament` play them again when run again); a rejected key or an unknown model stops after
       the first such episode
  130  interrupted (Ctrl-C); the finished episodes are kept
"""


class UsageError(Exception):
    """A mistake in the command line: reported in one line, exit status 2."""


MAX_EPISODES = 100_000  # as arena.config.MAX_EPISODES: a typo must not start an endless run


def int_at_least(minimum: int, at_most: int | None = None) -> Callable[[str], int]:
    """An argparse type: an int >= minimum (and <= ``at_most``, where given)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        if at_most is not None and value > at_most:
            raise argparse.ArgumentTypeError(f"must be <= {at_most:,}, got {text}")
        return value

    return parse


def parse_game_args(pairs: Sequence[str]) -> dict[str, Any]:
    """``["k=v", ...]`` as keyword arguments; values read as int, float, bool, None, else text."""
    kwargs: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise UsageError(f"--game-arg takes KEY=VALUE with KEY a Python name, got {pair!r}")
        if key in kwargs:
            raise UsageError(f"--game-arg {key} is given twice")
        kwargs[key] = parse_value(value)
    return kwargs


def parse_value(text: str) -> Any:
    words = {"true": True, "false": False, "none": None}
    if text.strip().lower() in words:
        return words[text.strip().lower()]
    for number in (int, float):
        try:
            return number(text)
        except ValueError:
            pass
    return text


def make_env(game: str, kwargs: dict[str, Any]) -> Any:
    from llm_arena_env.registry import GameMakeError, make_game

    try:
        return make_game(game, kwargs)
    except GameMakeError as error:
        raise UsageError(str(error)) from None


__all__ = [
    "EXIT_USAGE", "EXIT_ERRORS", "EXIT_INTERRUPTED", "EXIT_STATUS", "UsageError", "MAX_EPISODES", "int_at_least",
    "parse_game_args", "parse_value", "make_env",
]
