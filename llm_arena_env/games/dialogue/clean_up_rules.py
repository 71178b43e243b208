"""Pure rules of clean up (clembench v3's ``clean_up`` and its variants): boards, commands and the scores.

A :class:`Board` is a text grid (walls, frames and empty cells ``◌``) on which lettered objects stand.
Coordinates are (x, y) from the top-left character, the border included, as clembench counts them. The
semantic-grid variant (``st_clean_up``) lets objects go onto any cell of the grid and numbers the x axis in
blocks of five. A :class:`PictureBoard` (``mm_clean_up``) is a background picture on which objects stand at
pixel coordinates; objects are the same thing on both boards when their ``freepik_id`` is.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from string import Template
from typing import Any, Mapping, Sequence

EMPTY = "◌"


class Board:
    """One player's grid and the objects on it (clembench's ``GridState``)."""

    def __init__(self, background: str, objects: Sequence[Mapping[str, Any]], *, check_empty: bool = True,
                 tick_block: int = 1):
        self.check_empty, self.tick_block = check_empty, tick_block
        self.cells = [[[char] for char in row] for row in background.strip().split("\n")]
        self.width, self.height = len(self.cells[0]), len(self.cells)
        self.coords: dict[str, tuple[int, int]] = {}
        for obj in objects:
            x, y = int(obj["coord"][0]), int(obj["coord"][1])
            if 0 <= x < self.width and 0 <= y < self.height:
                if self.cells[y][x][-1] != EMPTY:
                    raise ValueError(f"cannot place {obj['id']} at ({x}, {y}): the cell is not empty")
                self.cells[y][x].append(str(obj["id"]))
                self.coords[str(obj["id"])] = (x, y)

    def __str__(self) -> str:
        if self.tick_block == 1:
            text = " " + "".join(str(i + 1) for i in range(self.width - 2)) + "\n"
        else:
            text = " " + "".join(str(i).ljust(self.tick_block) for i in range(1, self.width - 1, self.tick_block)) + "\n"
        for j, row in enumerate(self.cells):
            text += "".join(cell[-1] for cell in row)
            if 0 < j < len(self.cells) - 1:
                text += f" {j}"
            text += "\n"
        return text

    def move(self, obj: str, x: int, y: int, messages: Mapping[str, str]) -> tuple[bool, str]:
        """Move ``obj`` to (x, y); (done, the message clembench gives for it)."""
        if obj not in self.coords:
            return False, Template(messages["obj_not_found"]).substitute(object=obj)
        if x < 0 or x >= self.width or y < 0 or y >= self.height:
            return False, Template(messages["out_of_bounds"]).substitute(object=obj, x=x, y=y)
        if self.check_empty and self.cells[y][x][-1] != EMPTY:
            return False, Template(messages["not_empty"]).substitute(object=self.cells[y][x][-1], x=x, y=y)
        old_x, old_y = self.coords[obj]
        # the top of the old cell goes, as in clembench: on a semantic grid, where objects can share a cell,
        # that may be another object than the one moved
        self.cells[old_y][old_x] = self.cells[old_y][old_x][:-1]
        self.cells[y][x].append(obj)
        self.coords[obj] = (x, y)
        return True, Template(messages["successful"]).substitute(object=obj, x=x, y=y, grid=str(self))

    def distance_sum(self, other: "Board") -> float:
        """Sum over the objects of the distance between their places on the two boards."""
        return sum(math.dist(xy, other.coords[obj]) for obj, xy in self.coords.items() if obj in other.coords)

    def expected_distance_sum(self) -> float:
        """The sum of distances expected when the objects stand at random (clembench's formula)."""
        ax = (self.width ** 2 - 1) / (3 * self.width)
        ay = (self.height ** 2 - 1) / (3 * self.height)
        return (ax ** 2 + ay ** 2) ** 0.5 * len(self.coords)


class PictureBoard:
    """One player's picture board (clembench's ``PicState``): objects at pixel coordinates on a background
    of ``width`` x ``height``; any place inside it, the edges included, takes an object."""

    def __init__(self, width: int, height: int, objects: Sequence[Mapping[str, Any]]):
        self.width, self.height = width, height
        self.coords = {str(o["id"]): (int(o["coord"][0]), int(o["coord"][1])) for o in objects}
        self.kinds = {str(o["id"]): o["freepik_id"] for o in objects}

    def move(self, obj: str, x: int, y: int, messages: Mapping[str, str]) -> tuple[bool, str]:
        if obj not in self.coords:
            return False, Template(messages["obj_not_found"]).substitute(object=obj)
        if x < 0 or x > self.width or y < 0 or y > self.height:
            return False, Template(messages["out_of_bounds"]).substitute(object=obj, x=x, y=y)
        self.coords[obj] = (x, y)
        return True, Template(messages["successful"]).substitute(object=obj, x=x, y=y)

    def distance_sum(self, other: "PictureBoard") -> float:
        """Distances between the objects of the same kind (clembench keys them by the other board's id)."""
        found = {}
        for obj, xy in self.coords.items():
            for other_obj, other_xy in other.coords.items():
                if other.kinds[other_obj] == self.kinds[obj]:
                    found[other_obj] = math.dist(xy, other_xy)
        return sum(found.values())

    expected_distance_sum = Board.expected_distance_sum


@dataclass(frozen=True)
class Command:
    """A well-formed reply: a MOVE (``obj``, ``x``, ``y``) or a SAY (``message``)."""

    kind: str  # "move" or "say"
    obj: str = ""
    x: int = 0
    y: int = 0
    message: str = ""


class CommandError(ValueError):
    """A reply that is not exactly one command; ``key`` names the instance's parse error for it."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _edges(match: re.Match) -> None:
    head, tail = match.group("head"), match.group("tail")
    if head and tail:
        raise CommandError("head_tail")
    if head:
        raise CommandError("head")
    if tail:
        raise CommandError("tail")


def _coordinate(digits: str) -> int:
    """A coordinate; absurdly long digit strings become a number off every board (int() refuses them)."""
    return int(digits) if len(digits) <= 18 else 10 ** 18


def _matches(pattern: re.Pattern, text: str) -> list[re.Match]:
    """``list(pattern.finditer(text))``, in linear time for clembench's patterns: they open with a DOTALL
    ``(?P<head>.*)``, so a match exists only if one starts at 0, and it runs to the end (finditer would
    retry from every position: quadratic on a long reply)."""
    if pattern.pattern.startswith("(?P<head>.*)") and pattern.flags & re.DOTALL:
        found = pattern.match(text)
        return [found] if found else []
    return list(pattern.finditer(text))


def read_command(text: str, say: re.Pattern, move: re.Pattern, *, must_say: bool) -> Command:
    """The command in ``text`` (backticks dropped, stripped), or CommandError in clembench's order of checks."""
    text = text.replace("`", "").strip()
    moves, says = _matches(move, text), _matches(say, text)
    if len(moves) + len(says) > 1:
        raise CommandError("several_commands")
    if must_say and not says:
        raise CommandError("invalid_start")
    if moves:
        _edges(moves[0])
        found = move.match(text)
        return Command("move", found.group("obj"), _coordinate(found.group("x")), _coordinate(found.group("y")))
    if says:
        _edges(says[0])
        return Command("say", message=says[0].group("message"))
    raise CommandError("invalid_format")


def metrics(*, moves: Sequence[tuple[str, str]], object_ids: Sequence[str], end: float, start: float,
            expected: float, penalties: int, max_penalties: int) -> dict[str, float]:
    """clembench's clean-up sub-metrics and the Main Score of a game that ended by the rules."""
    n = len(object_ids)
    shifts = sum(1 for (_, a), (_, b) in zip(moves, moves[1:]) if a != b)
    if end > expected:
        distance = 0.0
    else:
        reduction = max(0, 1 - end / start) if start else 1.0  # boards that start aligned (clembench divides by 0)
        distance = (max(0, 1 - end / expected) + reduction) / 2
    per_player: dict[str, set[str]] = {}
    for player, obj in moves:
        per_player.setdefault(player, set()).add(obj)
    coverage = math.prod((len(per_player.get(p, ())) + 1) / (n + 1) for p in _two(per_player))
    penalty = 1 / (penalties / max_penalties - 2) + 1.5
    found = {"Distance Score": distance, "Coverage Score": coverage, "Penalty Score": penalty,
             "Shifts": shifts, "Min Shifts": n - 1, "Max Shifts": 2 * (n - 1), "End Distance Sum": end,
             "Init Distance Sum": start, "Expected Distance Sum": expected, "Penalties": penalties,
             "Max Penalties": max_penalties, "Object Count": n, "Main": distance * penalty * 100}
    if shifts >= n - 1:
        found["Consistency Score"] = 1 - (shifts - (n - 1)) / (2 * (n - 1) + 1 - (n - 1))
    return found


def _two(per_player: Mapping[str, set[str]]) -> list[str]:
    """Both players' slots, moved or not (clembench sizes its per-player list by the two boards)."""
    return list(per_player) + [f"_{i}" for i in range(2 - len(per_player))]
