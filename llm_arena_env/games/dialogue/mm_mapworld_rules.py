"""The rules of clembench's mm_mapworld, apart from the env: the map, the walker's reply, the scores.

A map is a graph of rooms at grid positions ``(x, y)``; an edge ``(a, b)`` is a door from ``a`` to ``b``
(clembench's instances list both directions). North is ``y + 1``, east ``x + 1``.
"""

from __future__ import annotations

import json
import re
from collections import deque
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

Room = tuple[int, int]
DIRECTIONS = ("north", "south", "east", "west")
DELTAS = {"north": (0, 1), "south": (0, -1), "east": (1, 0), "west": (-1, 0)}
MAX_ROUNDS = 20  # clembench: the 20th reply ends the episode as aborted, whatever it is
_LONGEST_PATH = 100  # clembench's cap on the paths searched for the best next moves


def room(text: str) -> Room:
    """``"(2, 3)"`` -> ``(2, 3)``: clembench writes rooms as strings."""
    x, y = text.strip()[1:-1].split(",")
    return int(x), int(y)


def door(text: str) -> tuple[Room, Room]:
    """``"((2, 3), (1, 3))"`` -> ``((2, 3), (1, 3))``."""
    x1, y1, x2, y2 = text.replace("(", "").replace(")", "").split(",")
    return (int(x1), int(y1)), (int(x2), int(y2))


@dataclass(frozen=True)
class Map:
    rooms: tuple[Room, ...]
    doors: tuple[tuple[Room, Room], ...]  # in the instance's order, which orders the directions offered
    start: Room

    @classmethod
    def from_instance(cls, instance: Mapping[str, Any]) -> "Map":
        return cls(tuple(room(n) for n in instance["nodes"]), tuple(door(e) for e in instance["edges"]),
                   room(instance["start"]))

    def directions(self, at: Room) -> list[str]:
        """The directions with a door out of ``at``, in the order of the instance's edges."""
        by_delta = {d: name for name, d in DELTAS.items()}
        return [by_delta[(b[0] - a[0], b[1] - a[1])] for a, b in self.doors if a == at]

    def step(self, at: Room, direction: str) -> Room:
        """Where going ``direction`` from ``at`` leads: the next room, or ``at`` without such a door."""
        dx, dy = DELTAS[direction]
        there = (at[0] + dx, at[1] + dy)
        return there if (at, there) in self.doors else at

    def neighbours(self, at: Room) -> set[Room]:
        return {b for a, b in self.doors if a == at}


@dataclass(frozen=True)
class Patterns:
    """The instance's reply patterns (clembench matches them ignoring case)."""

    reply: re.Pattern
    done: re.Pattern
    move: re.Pattern

    @classmethod
    def from_instance(cls, instance: Mapping[str, Any]) -> "Patterns":
        return cls(*(re.compile(instance[k], re.IGNORECASE) for k in ("response_regex", "done_regex", "move_regex")))


class FormatError(ValueError):
    """A reply the game master cannot read: the episode is aborted."""


def read_reply(text: str, patterns: Patterns) -> str | None:
    """The direction a reply goes, or None for "done". Line breaks are removed, the ends trimmed and
    the directions lower-cased (North, NORTH) before the JSON reply pattern is matched, as clembench does."""
    text = text.replace("\n", "").strip()
    for name in DIRECTIONS:
        text = text.replace(name.capitalize(), name).replace(name.upper(), name)
    found = patterns.reply.search(text)
    if not found:
        raise FormatError('Reply with {"description": "<one sentence>", "action": "<GO: direction or DONE>"} only.')
    try:
        action = json.loads(found.group())["action"]
    except (json.JSONDecodeError, KeyError, TypeError):
        raise FormatError("Your reply is not valid JSON.") from None
    action = str(action).lower()
    if patterns.done.search(action):
        return None
    move = patterns.move.search(action)
    if not move:
        raise FormatError('The action must be "GO: <direction>" or "DONE".')
    return move.group(1).lower()


def best_first_moves(world: Map, at: Room, visited: set[Room]) -> set[tuple[Room, Room]]:
    """The first steps of the shortest walks from ``at`` that reach every room next to a visited one,
    by clembench's search: a walk goes on through visited rooms (or into the frontier), and back into
    rooms it has been in only where it has no new room to go to."""
    frontier = [b for a, b in world.doors if a in visited and b not in visited]
    queue, found, longest = deque([[at]]), set(), _LONGEST_PATH
    while queue:
        walk = queue.popleft()
        if len(walk) > longest:
            break
        if all(r in walk for r in frontier):
            found.add((walk[0], walk[1]))
            longest = len(walk)
            continue
        if len(walk) == longest:
            continue
        doors = [(a, b) for a, b in world.doors if a == walk[-1] and (a in visited or b in visited)]
        new = [d for d in doors if d[1] not in walk]
        for _, b in (new or doors):
            queue.append(walk + [b])
    return found


def scores(world: Map, moves: Iterable[tuple[Room, Room]]) -> dict[str, float]:
    """clembench's episode measures of a played episode from its moves ``(from, to)`` (``to == from``
    for a direction without a door). ``Main Score`` is the harmonic mean of exploration and efficiency."""
    visited, seen = {world.start}, {world.start} | world.neighbours(world.start)
    valid = invalid = 0
    good: list[bool] = []
    for old, new in moves:
        valid, invalid = (valid + 1, invalid) if old != new else (valid, invalid + 1)
        if old != new and not all(r in visited for r in world.rooms):
            good.append((old, new) in best_first_moves(world, old, visited))
        else:
            good.append(False)
        seen |= world.neighbours(new)
        visited.add(new)
    efficiency = 100 * sum(good) / max(len(good), 1)
    exploration = 100 * len(visited) / len(world.rooms)
    main = 0 if not efficiency and not exploration else 2 * exploration * efficiency / (efficiency + exploration)
    return {"moves": valid + invalid, "valid_moves": valid, "invalid_moves": invalid, "visited": len(visited),
            "seen": len(seen), "effieciency": efficiency, "exploration": exploration, "Main Score": main,
            "all visited": all(r in visited for r in world.rooms)}
