"""clembench's textmapworld instances: one instance dict -> the map, start, target and reply patterns.

clembench's three textmapworld games (``textmapworld_main``, ``_graphreasoning``, ``_specificroom``) store
every map as strings of Python literals inside the instance::

    {"game_id": "0", "Grid_Dimension": "4", "Current_Position": "Guest room",
     "Mapping": "{(0, 2): 'Bedroom', (1, 2): 'Balcony', ...}",          # named graphs
     "Graph_Nodes": "[(3, 0), (3, 1), ...]",                            # unnamed graphs: nodes are cells
     "Graph_Edges": "[('Bedroom', 'Balcony'), ...]",
     "Move_Construction": "^GO:\\s*(north|east|west|south)$", "Stop_Construction": "^DONE$",
     "Specific_Room": "Bar", ...}                                       # specificroom only

Cells there are ``(x, y)`` with east = x + 1 and north = y + 1 (checked against each instance's own
``Directions`` field by the tests); here a cell is ``(row, col)`` with north = row - 1, so
``row = dimension - 1 - y`` and ``col = x``. Rooms of an unnamed graph are named by their clembench cell,
``"(3, 0)"``, since clembench never tells the player a name there.

The rules of clembench's game master apply while such an instance is played (``read_reply``, and in the
env): a move into a wall is answered "not valid" and the walk goes on; 20 replies without DONE count as
aborted; the Main Score of exploring is the harmonic mean of exploration (share of rooms visited) and
efficiency (share of moves that begin a shortest walk to the unvisited rooms, ``best_first_steps``).
"""

from __future__ import annotations

import ast
import re
from collections import deque
from dataclasses import dataclass
from typing import Any, Collection, Mapping

from llm_arena_env.core.text_env import IllegalAction
from llm_arena_env.games.grid.mapworld.graph import Cell, RoomMap


@dataclass(frozen=True)
class ClembenchMap:
    """What one clembench instance sets: the map, where the player starts, the room to find, the patterns."""

    map: RoomMap
    start: Cell
    target: Cell | None
    move_pattern: str
    stop_pattern: str
    response_pattern: str | None = None  # graphreasoning: the JSON reply, its group 1 the action


def _literal(value: Any) -> Any:
    return ast.literal_eval(value) if isinstance(value, str) else value


def is_clembench_instance(instance: Any) -> bool:
    return isinstance(instance, Mapping) and "Graph_Edges" in instance and "Current_Position" in instance


def read_instance(instance: Mapping[str, Any]) -> ClembenchMap:
    """The map of one clembench textmapworld instance (a ValueError says which field is wrong)."""
    try:
        size = int(instance["Grid_Dimension"])
        edges = _literal(instance["Graph_Edges"])
        if "Mapping" in instance:  # named graph: cell -> room name
            names_at = {tuple(cell): str(name) for cell, name in _literal(instance["Mapping"]).items()}
        else:  # unnamed graph: the nodes are the cells
            names_at = {tuple(cell): str(tuple(cell)) for cell in _literal(instance["Graph_Nodes"])}
        move, stop = str(instance["Move_Construction"]), str(instance["Stop_Construction"])
    except (KeyError, ValueError, SyntaxError, TypeError, AttributeError) as error:
        raise ValueError(f"not a clembench textmapworld instance: {error!r}") from None
    cell_of_name = {name: (size - 1 - y, x) for (x, y), name in names_at.items()}
    corridors = set()
    for a, b in edges:
        ca, cb = (cell_of_name[str(tuple(n)) if isinstance(n, (tuple, list)) else str(n)] for n in (a, b))
        if abs(ca[0] - cb[0]) + abs(ca[1] - cb[1]) != 1:
            raise ValueError(f"clembench edge {a!r}-{b!r} joins rooms that are not neighbours")
        corridors.add(frozenset((ca, cb)))

    def cell(field: str) -> Cell:
        value = instance[field] if "Mapping" in instance else _literal(instance[field])
        key = str(tuple(value)) if isinstance(value, (tuple, list)) else str(value)
        if key not in cell_of_name:
            raise ValueError(f"{field} {instance[field]!r} is not a room of the map")
        return cell_of_name[key]

    names = {cell_of_name[name]: name for name in names_at.values()}
    start = cell("Current_Position")
    ordered = {start: names[start], **{c: n for c, n in names.items() if c != start}}  # the start comes first
    target = cell("Specific_Room") if instance.get("Specific_Room") is not None else None
    return ClembenchMap(RoomMap(size, size, ordered, frozenset(corridors)), start, target, move, stop,
                        instance.get("Response_Construction"))


# ---------------------------------------------------------------------------------------------- the rules

def read_reply(text: str, move_pattern: str, stop_pattern: str, response_pattern: str | None = None) -> str | None:
    """The direction of a reply (None for DONE), read as clembench's textmapworld game master reads it: both
    patterns searched in the raw reply, any case; a reply that matches both, or the move pattern twice, or
    neither, breaks the format (IllegalAction). With a ``response_pattern`` (graphreasoning's JSON reply)
    the reply, its line breaks removed, must match it, and its first group is the action read so."""
    if response_pattern:
        found = re.search(response_pattern, text.replace("\n", "").strip(), re.IGNORECASE)
        if not found:
            raise IllegalAction('reply with the JSON object asked for: {"action": "...", "graph": {...}}')
        text = found.group(1)
    stop = re.search(stop_pattern, text, re.IGNORECASE)
    move = re.search(move_pattern, text, re.IGNORECASE)
    if stop and move:
        raise IllegalAction("a reply is a move or DONE, not both")
    if stop:
        return None
    if len(re.findall(move_pattern, text, re.IGNORECASE)) > 1:
        raise IllegalAction("one move per reply")
    if not move:
        raise IllegalAction(f"reply with a move matching {move_pattern!r} or the end matching {stop_pattern!r}")
    return (move.group(1) if move.groups() else move.group(0)).split(":")[-1].strip().lower()


def best_first_steps(room_map: RoomMap, here: Cell, visited: Collection[Cell]) -> set[Cell]:
    """The rooms that begin the shortest walks from ``here`` passing every room next to a visited one that is
    not visited yet: clembench's textmapworld counts a move as efficient when it is one of them. Its walks
    go back through a room only when every neighbour of the walk's last room is on the walk already."""
    frontier = {room for cell in visited for room in room_map.exits(cell).values() if room not in visited}
    walks: deque[tuple[Cell, ...]] = deque([(here,)])
    shortest: int | None = None
    firsts: set[Cell] = set()
    while walks:
        walk = walks.popleft()
        if shortest is not None and len(walk) > shortest:
            break
        if len(walk) > 1 and frontier <= set(walk):
            firsts.add(walk[1])
            shortest = len(walk)
        rooms = list(room_map.exits(walk[-1]).values())
        new = [room for room in rooms if room not in walk]
        walks.extend(walk + (room,) for room in (new or rooms))
    return firsts
