"""A move-optimal Sokoban solver for small levels: A* over (player, boxes) positions.

The heuristic is the sum of each box's push distance to its nearest goal. A push moves one box one cell,
so the sum falls by at most one per move: the heuristic is consistent and the first solution found is a
shortest one in moves. Boxes are never pushed onto dead squares. The search gives up after ``max_nodes``
expanded positions and returns None: larger levels need a stronger solver than this one.
"""

from __future__ import annotations

import heapq
import itertools

from llm_arena_env.games.grid.sokoban.rules import MOVES, Level, push_distances, shift

DEFAULT_MAX_NODES = 200_000


def solve(level: Level, max_nodes: int = DEFAULT_MAX_NODES) -> list[str] | None:
    """A shortest solution (a list of moves), [] if already solved, None if none was found in budget."""
    if level.solved:
        return []
    names = list(MOVES)
    index = {cell: i for i, cell in enumerate(level.floor())}
    cells = list(index)
    # neighbour[i][d]: the index of the cell next to cell i in direction d, or -1 for a wall.
    neighbour = [[index.get(shift(cell, MOVES[name]), -1) for name in names] for cell in cells]
    distance = {index[cell]: d for cell, d in push_distances(level).items()}
    goals = frozenset(index[g] for g in level.goals)
    start = (index[level.player], frozenset(index[b] for b in level.boxes))
    start_h = sum(distance.get(b, 10**6) for b in start[1])
    if start_h >= 10**6:
        return None  # a box already sits on a dead square
    tie = itertools.count()
    frontier = [(start_h, 0, next(tie), start, start_h)]
    best_cost = {start: 0}
    parent: dict[tuple, tuple] = {start: (None, -1)}
    expanded = 0
    while frontier:
        _, cost, _, state, h = heapq.heappop(frontier)
        if cost > best_cost[state]:
            continue
        player, boxes = state
        if boxes <= goals:
            return _path(parent, state, names)
        expanded += 1
        if expanded > max_nodes:
            return None
        for d in range(4):
            ahead = neighbour[player][d]
            if ahead < 0:
                continue
            new_h = h
            if ahead in boxes:
                beyond = neighbour[ahead][d]
                if beyond < 0 or beyond in boxes or beyond not in distance:
                    continue
                new_boxes = (boxes - {ahead}) | {beyond}
                new_h = h - distance[ahead] + distance[beyond]
            else:
                new_boxes = boxes
            new_state = (ahead, new_boxes)
            if cost + 1 < best_cost.get(new_state, 10**9):
                best_cost[new_state] = cost + 1
                parent[new_state] = (state, d)
                heapq.heappush(frontier, (cost + 1 + new_h, cost + 1, next(tie), new_state, new_h))
    return None


def _path(parent: dict[tuple, tuple], state: tuple, names: list[str]) -> list[str]:
    moves = []
    while True:
        state, d = parent[state]
        if state is None:
            return moves[::-1]
        moves.append(names[d])
