"""Seeded Sokoban levels, solvable by construction.

A room is carved by a random walk, the boxes are put on their goals (the solved state), and then the game
is played backwards: the player walks and pulls boxes. Every pull undoes a push, so the position reached
can be solved by playing the same steps forwards. Of the positions on the way, those whose boxes are
farthest from their goals are kept, and the one the solver needs the most moves for becomes the level.
"""

from __future__ import annotations

import numpy as np

from llm_arena_env.games.grid.sokoban.rules import MOVES, Cell, Level, shift
from llm_arena_env.games.grid.sokoban.solve import solve

# Shapes stamped around the walker while carving: one cell, bars, an L, a 2x2 block.
_STAMPS: tuple[tuple[Cell, ...], ...] = (
    ((0, 0),),
    ((0, 0), (0, 1)),
    ((0, 0), (1, 0)),
    ((0, 0), (0, 1), (1, 0)),
    ((0, 0), (0, 1), (1, 0), (1, 1)),
)
_DELTAS = tuple(MOVES.values())
_CANDIDATES = 6  # scattered positions the solver ranks by difficulty
_RANKING_NODES = 20_000  # solver budget per candidate while ranking
_WALKS = 3  # backward games per room, each from its own goals
_ENOUGH_ROOMS = 4


def max_boxes(rows: int, cols: int) -> int:
    """The most boxes a ``rows`` x ``cols`` level (outer walls included) is generated with."""
    return max(1, (rows - 2) * (cols - 2) // 4)


def generate(rng: np.random.Generator, rows: int, cols: int, boxes: int, *, attempts: int = 30) -> Level:
    """A level of ``rows`` x ``cols`` cells (outer walls included) with ``boxes`` boxes, drawn from ``rng``.

    Rooms are carved until one gives a level of at least ``_wanted_moves`` moves (or ``_ENOUGH_ROOMS``
    rooms gave levels); the hardest level seen is returned."""
    best, best_moves, rooms_tried = None, -2, 0
    for attempt in range(attempts + 1):
        # The last attempt carves the whole inside: an open room always leaves room to pull boxes.
        floor = _open_room(rows, cols) if attempt == attempts else _carve(rng, rows, cols)
        if len(floor) < max(boxes + 3, (rows - 2) * (cols - 2) // 2):
            continue
        rooms_tried += 1
        for _ in range(_WALKS):
            for level in _play_backwards(rng, rows, cols, floor, boxes):
                moves = _difficulty(level)
                if moves > best_moves:
                    best, best_moves = level, moves
        if best is not None and (best_moves >= _wanted_moves(rows, cols, boxes) or rooms_tried >= _ENOUGH_ROOMS):
            return best
    if best is None:
        raise RuntimeError(f"could not generate a {rows}x{cols} level with {boxes} boxes")
    return best


def _wanted_moves(rows: int, cols: int, boxes: int) -> int:
    return 2 * boxes + max(rows, cols) // 2


def _open_room(rows: int, cols: int) -> list[Cell]:
    return [(r, c) for r in range(1, rows - 1) for c in range(1, cols - 1)]


def _carve(rng: np.random.Generator, rows: int, cols: int) -> list[Cell]:
    """Floor cells dug by a walker that turns now and then, stamping a shape where it goes."""
    inside = set(_open_room(rows, cols))
    position = (int(rng.integers(1, rows - 1)), int(rng.integers(1, cols - 1)))
    delta = _DELTAS[int(rng.integers(4))]
    floor: dict[Cell, None] = {}  # ordered: the same seed gives the same list
    for _ in range(3 * (rows + cols)):
        if rng.random() < 0.35:
            delta = _DELTAS[int(rng.integers(4))]
        for offset in _STAMPS[int(rng.integers(len(_STAMPS)))]:
            cell = shift(position, offset)
            if cell in inside:
                floor[cell] = None
        ahead = shift(position, delta)
        position = ahead if ahead in inside else position
    return list(floor)


def _difficulty(level: Level) -> int:
    """Moves of a shortest solution; levels the ranking budget cannot solve count as easiest."""
    solution = solve(level, _RANKING_NODES)
    return -1 if solution is None else len(solution)


def _play_backwards(rng: np.random.Generator, rows: int, cols: int, floor: list[Cell], boxes: int) -> list[Level]:
    """Pull boxes away from their goals at random; the most scattered positions seen (none if none moved)."""
    picks = rng.permutation(len(floor))
    goals = frozenset(floor[i] for i in picks[:boxes])
    player = floor[int(picks[boxes])]
    floor_set = set(floor)
    origin = {goal: goal for goal in goals}  # where each box is now -> the goal it started on
    scored: dict[tuple[Cell, frozenset[Cell]], int] = {}
    for _ in range(10 * len(floor) + 100):
        delta = _DELTAS[int(rng.integers(4))]
        ahead = shift(player, delta)
        if ahead not in floor_set or ahead in origin:
            continue
        behind = shift(player, delta, -1)
        if behind in origin:  # the pull: the box follows the player
            origin[player] = origin.pop(behind)
        player = ahead
        off_goal = sum(box not in goals for box in origin)
        spread = sum(abs(box[0] - start[0]) + abs(box[1] - start[1]) for box, start in origin.items())
        if off_goal:
            scored.setdefault((player, frozenset(origin)), off_goal * spread)
    best = sorted(scored, key=scored.__getitem__, reverse=True)[:_CANDIDATES]  # stable: ties keep walk order
    walls = frozenset((r, c) for r in range(rows) for c in range(cols)) - floor_set
    return [Level(rows, cols, walls, goals, boxes_now, player_now) for player_now, boxes_now in best]
