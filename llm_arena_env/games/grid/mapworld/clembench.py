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
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Mapping

from llm_arena_env.games.grid.mapworld.graph import Cell, RoomMap


@dataclass(frozen=True)
class ClembenchMap:
    """What one clembench instance sets: the map, where the player starts, the room to find, the patterns."""

    map: RoomMap
    start: Cell
    target: Cell | None
    move_pattern: str
    stop_pattern: str


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
    return ClembenchMap(RoomMap(size, size, ordered, frozenset(corridors)), start, target, move, stop)
