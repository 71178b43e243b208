"""The game registry: ids mapped to lazy ``"module:attr"`` entry points.

Variants are keyword arguments of :func:`make`, never suffixes glued onto ids.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping

KINDS = ("board", "dialogue", "grid", "social")


@dataclass(frozen=True)
class GameSpec:
    """What is needed to build a game, and what a user may want to know about it."""

    id: str
    entry_point: str | Callable[..., Any]
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    kind: str = "board"
    players: tuple[int, ...] = (2,)
    observation_modes: tuple[str, ...] = ("text",)
    description: str = ""
    # "module:function" (or the function): ``scripted_move(env, agent) -> str``, a valid move for ``agent`` in
    # ``env``'s current state; the conformance suite plays every game to its end with it.
    scripted_player: str | Callable[..., str] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        object.__setattr__(self, "kwargs", MappingProxyType(dict(self.kwargs)))

    def load(self) -> Callable[..., Any]:
        if callable(self.entry_point):
            return self.entry_point
        module_name, _, attr = self.entry_point.partition(":")
        return getattr(importlib.import_module(module_name), attr)

    def load_scripted_player(self) -> Callable[..., str] | None:
        if self.scripted_player is None or callable(self.scripted_player):
            return self.scripted_player
        module_name, _, attr = self.scripted_player.partition(":")
        return getattr(importlib.import_module(module_name), attr)

    def make(self, **kwargs: Any) -> Any:
        merged = {**self.kwargs, **kwargs}
        env = self.load()(**merged)
        try:  # as Gymnasium does: the env knows the id and arguments it was made with
            env.spec = dataclasses.replace(self, kwargs=merged)
        except AttributeError:  # an entry point returning an object that takes no attributes
            pass
        return env


class UnknownGameError(KeyError):
    """Raised by :func:`make` for an id that is not registered."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


_registry: dict[str, GameSpec] = {}
# "prefix" -> function(name) -> GameSpec, for families where any member can be made by name
# (``make("openspiel/<any game>")``) without registering each one.
_namespaces: dict[str, Callable[[str], GameSpec]] = {}


def register_namespace(prefix: str, spec_for: Callable[[str], GameSpec]) -> None:
    """Let ``make("<prefix>/<name>")`` build unregistered members of a family through ``spec_for(name)``."""
    _namespaces[prefix] = spec_for


def register(
    id: str,
    entry_point: str | Callable[..., Any],
    *,
    kwargs: Mapping[str, Any] | None = None,
    kind: str = "board",
    players: tuple[int, ...] = (2,),
    observation_modes: tuple[str, ...] = ("text",),
    description: str = "",
    scripted_player: str | Callable[..., str] | None = None,
    overwrite: bool = False,
) -> GameSpec:
    """Add a game to the registry, so that ``make(id)`` builds it."""
    if id in _registry and not overwrite:
        raise ValueError(f"game {id!r} is already registered (pass overwrite=True to replace it)")
    spec = GameSpec(id, entry_point, kwargs or {}, kind, tuple(players), tuple(observation_modes), description,
                    scripted_player)
    _registry[id] = spec
    return spec


def spec(id: str) -> GameSpec:
    """The registered spec of ``id``; an unknown id gets the closest registered ids as suggestions."""
    if id in _registry:
        return _registry[id]
    prefix, _, name = id.partition("/")
    if name and prefix in _namespaces:
        return _namespaces[prefix](name)
    from llm_arena_env.plugins import load_entry_points

    if load_entry_points():  # an installed plugin may register it (loaded once per process)
        return spec(id)
    raise UnknownGameError(f"unknown game {id!r}.{_suggestion(id)} `llm-arena list games` lists all games.")


def _suggestion(id: str) -> str:
    close = difflib.get_close_matches(id, _registry, n=3, cutoff=0.5)
    if not close:  # "connect_four" should find "openspiel/connect_four"
        close = [known for known in _registry if known.split("/")[-1] == id.split("/")[-1]]
    return f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def make(id: str, **kwargs: Any) -> Any:
    """Build the game registered as ``id``; keyword arguments override the spec's defaults."""
    return spec(id).make(**kwargs)


class GameMakeError(ValueError):
    """A game that could not be made (see :func:`make_game`); the message names the game and its kwargs."""


def make_game(id: str, kwargs: Mapping[str, Any]) -> Any:
    """``make(id, **kwargs)`` for input from a user (command line, run config, job): an unknown id, a keyword
    the game does not take, a bad value, a missing file or optional dependency is one :class:`GameMakeError`
    saying which game with which kwargs."""
    try:
        return make(id, **kwargs)
    except UnknownGameError as error:
        raise GameMakeError(str(error)) from error
    except (TypeError, ValueError, OSError, ImportError) as error:
        shown = ", ".join(f"{key}={value!r}" for key, value in kwargs.items())
        raise GameMakeError(f"could not make {id!r}" + (f" with {shown}" if shown else "") + f": {error}") from error


def list_games(kind: str | None = None) -> list[GameSpec]:
    """Every registered game (of one kind, if given), sorted by id."""
    return sorted((s for s in _registry.values() if kind is None or s.kind == kind), key=lambda s: s.id)
