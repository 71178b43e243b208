"""Seeded maps of rooms on a grid: which cells hold rooms, their names, and the corridors between them.

A map grows from one random cell: again and again a corridor is dug from a room to a free neighbouring
cell, until there are as many rooms as asked. That gives a tree; ``loops`` extra corridors between
neighbouring rooms add cycles.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Sequence

import numpy as np

Cell = tuple[int, int]

DIRECTIONS: dict[str, Cell] = {"north": (-1, 0), "east": (0, 1), "south": (1, 0), "west": (0, -1)}
OPPOSITE = {"north": "south", "south": "north", "east": "west", "west": "east"}


def step(cell: Cell, direction: str) -> Cell:
    delta = DIRECTIONS[direction]
    return cell[0] + delta[0], cell[1] + delta[1]


@dataclass(frozen=True)
class RoomMap:
    """Rooms at grid cells, each with a unique name, joined by corridors between neighbouring cells."""

    rows: int
    cols: int
    names: dict[Cell, str]  # every room's cell -> its name
    corridors: frozenset[frozenset[Cell]]

    @property
    def rooms(self) -> list[Cell]:
        return list(self.names)

    def exits(self, cell: Cell) -> dict[str, Cell]:
        """Direction -> the room it leads to, in the order north, east, south, west."""
        return {d: step(cell, d) for d in DIRECTIONS if frozenset((cell, step(cell, d))) in self.corridors}

    def cell_of(self, name: str) -> Cell:
        return next(cell for cell, room in self.names.items() if room == name)

    def distances(self, start: Cell) -> dict[Cell, int]:
        """Corridor steps from ``start`` to every room."""
        found = {start: 0}
        queue = deque([start])
        while queue:
            cell = queue.popleft()
            for nxt in self.exits(cell).values():
                if nxt not in found:
                    found[nxt] = found[cell] + 1
                    queue.append(nxt)
        return found


def generate(rng: np.random.Generator, rows: int, cols: int, rooms: int, names: Sequence[str],
             loops: int = 0) -> RoomMap:
    """A connected map of ``rooms`` rooms on a ``rows`` x ``cols`` grid, named from ``names`` (no repeats)."""
    if not 2 <= rooms <= min(rows * cols, len(names)):
        raise ValueError(f"rooms must be from 2 to {min(rows * cols, len(names))} on a {rows}x{cols} grid, got {rooms}")
    start = (int(rng.integers(rows)), int(rng.integers(cols)))
    cells = [start]
    corridors: set[frozenset[Cell]] = set()
    while len(cells) < rooms:
        frontier = [(cell, step(cell, d)) for cell in cells for d in DIRECTIONS
                    if _inside(step(cell, d), rows, cols) and step(cell, d) not in cells]
        cell, new = frontier[int(rng.integers(len(frontier)))]
        cells.append(new)
        corridors.add(frozenset((cell, new)))
    taken = set(cells)
    extra = sorted({frozenset((cell, step(cell, d))) for cell in cells for d in ("east", "south")
                    if step(cell, d) in taken} - corridors, key=sorted)
    for i in rng.permutation(len(extra))[:loops]:
        corridors.add(extra[int(i)])
    chosen = rng.choice(len(names), size=rooms, replace=False)
    return RoomMap(rows, cols, {cell: names[int(i)] for cell, i in zip(cells, chosen)}, frozenset(corridors))


def _inside(cell: Cell, rows: int, cols: int) -> bool:
    return 0 <= cell[0] < rows and 0 <= cell[1] < cols
