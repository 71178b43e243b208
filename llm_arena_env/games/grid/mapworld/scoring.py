"""Map world measures, and the graph report of the graph-reasoning variant.

- exploration = 100 x rooms visited (the start room included) / rooms on the map;
- efficiency = 100 x moves into a room not visited before / all moves; every move back into a room
  already seen lowers it. With no move made it is 0: nothing was explored;
- the main score of exploring is the harmonic mean of the two, so that neither can be traded away;
- graph similarity = 100 x the mean of two F1 scores, over rooms and over corridors (a corridor is a pair
  of rooms and the direction between them), of the reported graph against the graph the player walked.

A graph report is the line ``GRAPH: {"nodes": [...], "edges": [["Kitchen", "north", "Hallway"], ...]}``:
an edge says that going north from the Kitchen leads to the Hallway. Room names are compared without
regard to case or repeated spaces.
"""

from __future__ import annotations

import json
from typing import Iterable

from llm_arena_env.games.grid.mapworld.graph import DIRECTIONS, OPPOSITE

Edge = tuple[str, str, str]  # room, direction, room
MAX_REPORTED_ITEMS = 500


def exploration(visited: int, rooms: int) -> float:
    return 100.0 * visited / rooms


def efficiency(moves: int, new_room_moves: int) -> float:
    return 100.0 * new_room_moves / moves if moves else 0.0


def harmonic_mean(a: float, b: float) -> float:
    return 2 * a * b / (a + b) if a + b else 0.0


def canonical(room: str) -> str:
    return " ".join(room.lower().split())


def canonical_edge(a: str, direction: str, b: str) -> Edge:
    """One spelling per corridor: south and west are written as north and east from the other room."""
    if direction in ("south", "west"):
        a, direction, b = b, OPPOSITE[direction], a
    return canonical(a), direction, canonical(b)


def _f1(reported: set, true: set) -> float:
    if not reported and not true:
        return 1.0
    hits = len(reported & true)
    return 2 * hits / (len(reported) + len(true))


def graph_similarity(reported: tuple[frozenset[str], frozenset[Edge]], nodes: Iterable[str],
                     edges: Iterable[Edge]) -> float:
    """100 x mean F1 of rooms and corridors, ``reported`` against the true ``nodes`` and ``edges``."""
    true_edges = {canonical_edge(*edge) for edge in edges}
    true_nodes = {canonical(n) for n in nodes}
    return 100.0 * (_f1(set(reported[0]), true_nodes) + _f1(set(reported[1]), true_edges)) / 2


def parse_graph(text: str) -> tuple[frozenset[str], frozenset[Edge]]:
    """The rooms and corridors of a JSON graph report; ValueError with the reason if it cannot be read."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise ValueError('the graph must be JSON like {"nodes": ["Kitchen", "Hallway"], '
                         '"edges": [["Kitchen", "north", "Hallway"]]}') from None
    if not isinstance(data, dict) or not isinstance(data.get("nodes", []), list) \
            or not isinstance(data.get("edges", []), list):
        raise ValueError('the graph must be a JSON object with a list "nodes" and a list "edges"')
    nodes, edges = data.get("nodes", []), data.get("edges", [])
    if len(nodes) + len(edges) > MAX_REPORTED_ITEMS:
        raise ValueError(f"the graph may hold at most {MAX_REPORTED_ITEMS} nodes and edges")
    if not all(isinstance(n, str) for n in nodes):
        raise ValueError("every node must be a room name in quotes")
    result_edges = set()
    for edge in edges:
        if not (isinstance(edge, list) and len(edge) == 3 and all(isinstance(x, str) for x in edge)):
            raise ValueError('every edge must be a list of three strings: ["room", "direction", "room"]')
        direction = edge[1].strip().lower()
        if direction not in DIRECTIONS:
            raise ValueError(f"{edge[1]!r} is not a direction; the directions are {', '.join(DIRECTIONS)}")
        result_edges.add(canonical_edge(edge[0], direction, edge[2]))
    rooms = {canonical(n) for n in nodes} | {e[0] for e in result_edges} | {e[2] for e in result_edges}
    return frozenset(rooms), frozenset(result_edges)
