"""Map pictures: rooms as boxes on the grid, corridors between them, the player's room outlined in red.

Every room and its corridors stay inside the room's own grid slot (a corridor runs through the gap
between two neighbouring slots, half in each), so a move changes pixels only in the slots of the two
rooms it joins.
"""

from __future__ import annotations

from typing import Collection

import numpy as np

from llm_arena_env.games.grid.draw import Pen, canvas, cell_boxes, to_array
from llm_arena_env.games.grid.mapworld.graph import Cell, RoomMap, step
from llm_arena_env.games.grid.mapworld.pictures import paint

BACKGROUND = (235, 232, 222)
ROOM, VISITED, EDGE = (255, 255, 255), (196, 232, 196), (70, 70, 70)
CORRIDOR, WALKED = (170, 170, 170), (60, 130, 60)
HERE, TARGET = (220, 30, 30), (235, 180, 20)
INSET = 0.16  # the gap around a room inside its slot


def draw_map(room_map: RoomMap, size: int, *, here: Cell, visited: Collection[Cell],
             walked: Collection[frozenset[Cell]], target: Cell | None = None, reveal: bool = True,
             pictures: bool = False) -> np.ndarray:
    """The map as a ``size`` x ``size`` picture.

    ``reveal=False`` draws only what the player knows: the rooms it visited and their exits. ``pictures``
    shows each room's picture instead of its name."""
    image, pen = canvas(size, BACKGROUND)
    slots = cell_boxes(size, room_map.rows, room_map.cols)
    rooms = room_map.rooms if reveal else [cell for cell in room_map.rooms if cell in visited]
    for cell in rooms:
        slot = Pen(pen.draw, slots[cell[0]][cell[1]])
        for direction, other in room_map.exits(cell).items():
            _half_corridor(slot, direction, WALKED if frozenset((cell, other)) in walked else CORRIDOR)
        _room(slot, room_map.names[cell], visited=cell in visited, here=cell == here,
              target=cell == target, pictures=pictures)
    return to_array(image)


def _half_corridor(slot: Pen, direction: str, colour: tuple[int, int, int]) -> None:
    """The part of a corridor inside this slot: from the room's edge to the slot's edge."""
    row, col = step((0, 0), direction)
    centre_x, centre_y = 0.5 + col * (0.5 - INSET), 0.5 + row * (0.5 - INSET)
    end_x, end_y = 0.5 + col * 0.5, 0.5 + row * 0.5
    half = 0.07
    x0, x1 = sorted((centre_x, end_x)) if col else (0.5 - half, 0.5 + half)
    y0, y1 = sorted((centre_y, end_y)) if row else (0.5 - half, 0.5 + half)
    slot.rect(x0, y0, x1, y1, fill=colour)


def _room(slot: Pen, name: str, *, visited: bool, here: bool, target: bool, pictures: bool) -> None:
    box = slot.sub(INSET, INSET, 1 - INSET, 1 - INSET)
    box.rect(0, 0, 1, 1, fill=VISITED if visited else ROOM, outline=EDGE, width=0.03)
    if pictures:
        paint(box.sub(0.06, 0.06, 0.94, 0.94), name)
        if visited:
            box.circle(0.85, 0.15, 0.1, fill=WALKED, outline=ROOM, width=0.03)
    else:
        words = name.split()
        for i, word in enumerate(words):
            box.text(0.5, 0.5 + (i - (len(words) - 1) / 2) * 0.3, word, EDGE, height=0.24)
    if target:
        box.rect(0, 0, 1, 1, outline=TARGET, width=0.1)
    if here:
        box.rect(0.05 if target else 0, 0.05 if target else 0, 0.95 if target else 1, 0.95 if target else 1,
                 outline=HERE, width=0.08)


def ascii_map(room_map: RoomMap, *, here: Cell, visited: Collection[Cell], target: Cell | None = None) -> str:
    """The whole map as text: ``[Name]`` boxes, ``--`` and ``|`` corridors, ``*`` marks the player's room,
    ``+`` a visited room, ``!`` the target."""
    width = max(len(name) for name in room_map.names.values()) + 3
    lines = []
    for r in range(room_map.rows):
        row, below = "", ""
        for c in range(room_map.cols):
            cell = (r, c)
            label = ""
            if cell in room_map.names:
                marks = "".join(mark for mark, shown in (("*", cell == here), ("+", cell in visited),
                                                         ("!", cell == target)) if shown)
                label = f"[{room_map.names[cell]}{marks}]"
            exits = room_map.exits(cell) if cell in room_map.names else {}
            row += label.ljust(width + 2, "-" if "east" in exits else " ")
            below += ("|" if "south" in exits else " ").center(width) + "  "
        lines += [row.rstrip(), below.rstrip()]
    return "\n".join(lines).rstrip()
