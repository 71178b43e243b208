"""Sokoban's rules: the level, the moves, and deadlocks (positions from which no solution exists).

Cells are ``(row, column)`` from the top left. Levels read and write the XSB text format: ``#`` wall,
``@`` player, ``+`` player on a goal, ``$`` box, ``*`` box on a goal, ``.`` goal, ``-``, ``_`` or space
floor.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace

Cell = tuple[int, int]

MOVES: dict[str, Cell] = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}
FLOOR, WALL, GOAL, BOX, BOX_ON_GOAL, PLAYER, PLAYER_ON_GOAL = "-", "#", ".", "$", "*", "@", "+"
LEGEND = "# wall, - floor, . goal, $ box, * box on a goal, @ you, + you on a goal"
MAX_SIDE = 40


class MoveError(ValueError):
    """A move the rules forbid; the message says why."""


def shift(cell: Cell, delta: Cell, times: int = 1) -> Cell:
    return cell[0] + delta[0] * times, cell[1] + delta[1] * times


@dataclass(frozen=True)
class Level:
    """A Sokoban position: the fixed board (walls, goals) and what moves (boxes, player)."""

    rows: int
    cols: int
    walls: frozenset[Cell]
    goals: frozenset[Cell]
    boxes: frozenset[Cell]
    player: Cell

    def is_floor(self, cell: Cell) -> bool:
        return 0 <= cell[0] < self.rows and 0 <= cell[1] < self.cols and cell not in self.walls

    @property
    def solved(self) -> bool:
        return self.boxes <= self.goals

    def floor(self) -> list[Cell]:
        return [(r, c) for r in range(self.rows) for c in range(self.cols) if (r, c) not in self.walls]

    def symbol(self, cell: Cell) -> str:
        if cell in self.walls:
            return WALL
        on_goal = cell in self.goals
        if cell == self.player:
            return PLAYER_ON_GOAL if on_goal else PLAYER
        if cell in self.boxes:
            return BOX_ON_GOAL if on_goal else BOX
        return GOAL if on_goal else FLOOR

    def to_text(self) -> str:
        """The level in XSB notation, one row per line."""
        return "\n".join("".join(self.symbol((r, c)) for c in range(self.cols)) for r in range(self.rows))

    @classmethod
    def from_text(cls, text: str) -> "Level":
        """Read an XSB level; raise ValueError with the reason if it is not a playable level."""
        lines = [line.rstrip() for line in text.strip("\n").splitlines()]
        lines = [line for line in lines if line]
        if not lines or len(lines) > MAX_SIDE or max(len(line) for line in lines) > MAX_SIDE:
            raise ValueError(f"a level has 1 to {MAX_SIDE} rows and columns")
        walls, goals, boxes, players = set(), set(), set(), []
        for r, line in enumerate(lines):
            for c, char in enumerate(line):
                if char not in "#-_ .$*@+":
                    raise ValueError(f"unknown symbol {char!r} at row {r}, column {c}; the symbols are {LEGEND}")
                cell = (r, c)
                walls.update([cell] if char == WALL else [])
                goals.update([cell] if char in ".*+" else [])
                boxes.update([cell] if char in "$*" else [])
                players.extend([cell] if char in "@+" else [])
        if len(players) != 1:
            raise ValueError(f"a level needs exactly one player (@ or +), found {len(players)}")
        if not boxes or len(boxes) != len(goals):
            raise ValueError(f"a level needs as many goals as boxes, at least one: "
                             f"{len(boxes)} boxes, {len(goals)} goals")
        cols = max(len(line) for line in lines)
        walls.update((r, c) for r, line in enumerate(lines) for c in range(len(line), cols))  # ragged ends
        return cls(len(lines), cols, frozenset(walls), frozenset(goals), frozenset(boxes), players[0])


def move(level: Level, direction: str) -> tuple[Level, bool]:
    """The level after the player moves in ``direction``, and whether a box was pushed; MoveError if illegal."""
    if direction not in MOVES:
        raise MoveError(f"{direction!r} is not a move; the moves are {', '.join(MOVES)}")
    delta = MOVES[direction]
    target = shift(level.player, delta)
    if not level.is_floor(target):
        raise MoveError(f"you cannot move {direction}: there is a wall at {target}")
    if target not in level.boxes:
        return replace(level, player=target), False
    beyond = shift(target, delta)
    if not level.is_floor(beyond):
        raise MoveError(f"you cannot push the box at {target} {direction}: there is a wall behind it")
    if beyond in level.boxes:
        raise MoveError(f"you cannot push the box at {target} {direction}: there is another box behind it")
    return replace(level, player=target, boxes=(level.boxes - {target}) | {beyond}), True


def legal_moves(level: Level) -> list[str]:
    """The moves the rules allow now, in the order of MOVES."""
    legal = []
    for name in MOVES:
        try:
            move(level, name)
        except MoveError:
            continue
        legal.append(name)
    return legal


def push_distances(level: Level) -> dict[Cell, int]:
    """For each cell, the fewest pushes that bring a lone box from there onto a goal.

    Cells missing from the result are dead squares: a box pushed there can never reach a goal."""
    distances = {goal: 0 for goal in level.goals if level.is_floor(goal)}
    queue = deque(distances)
    while queue:
        cell = queue.popleft()
        for delta in MOVES.values():
            # A box reaches ``cell`` from ``before`` when the player pushes it from ``stand``.
            before, stand = shift(cell, delta, -1), shift(cell, delta, -2)
            if before not in distances and level.is_floor(before) and level.is_floor(stand):
                distances[before] = distances[cell] + 1
                queue.append(before)
    return distances


def deadlock(level: Level, distances: dict[Cell, int] | None = None) -> str | None:
    """Why no solution can exist any more (a box on a dead square, or frozen off a goal), or None.

    Sound but not complete: a returned reason is always right; some deadlocks go unnoticed."""
    distances = push_distances(level) if distances is None else distances
    for box in sorted(level.boxes - level.goals):
        if box not in distances:
            return f"the box at {box} can never reach a goal from there"
        if all(_blocked(level, box, axis, frozenset(), distances) for axis in ((0, 1), (1, 0))):
            return f"the box at {box} is frozen off a goal: walls and boxes hold it on both axes"
    return None


def _blocked(level: Level, box: Cell, axis: Cell, fixed: frozenset[Cell], distances: dict[Cell, int]) -> bool:
    """Can ``box`` never move along ``axis``? ``fixed`` holds boxes already taken as walls (no cycles)."""
    sides = shift(box, axis, -1), shift(box, axis, 1)
    if any(not level.is_floor(side) or side in fixed for side in sides):
        return True
    if all(side not in distances for side in sides):
        return True  # either push puts it on a dead square
    other_axis = (axis[1], axis[0])
    fixed = fixed | {box}
    return any(side in level.boxes and _blocked(level, side, other_axis, fixed, distances) for side in sides)
