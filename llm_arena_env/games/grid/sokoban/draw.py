"""Sokoban pictures: one square tile per cell, each drawn whole, so a move changes only its own tiles."""

from __future__ import annotations

import numpy as np

from llm_arena_env.games.grid.draw import Pen, canvas, cell_boxes, to_array
from llm_arena_env.games.grid.sokoban.rules import Cell, Level

BACKGROUND = (40, 40, 48)
WALL, MORTAR = (122, 72, 52), (80, 48, 36)
FLOOR = (226, 218, 196)
GOAL = (214, 48, 48)
CRATE, CRATE_EDGE = (196, 134, 62), (110, 70, 30)
CRATE_HOME, CRATE_HOME_EDGE = (86, 170, 92), (40, 100, 50)
PLAYER, SKIN = (40, 90, 200), (246, 206, 170)

IMAGE_LEGEND = ("dark red bricks are walls, red rings are goals, brown crates are boxes, green crates are boxes "
                "on goals, the blue figure is you")


def draw_level(level: Level, size: int) -> np.ndarray:
    """The level as a ``size`` x ``size`` RGB picture."""
    image, pen = canvas(size, BACKGROUND)
    for r, row in enumerate(cell_boxes(size, level.rows, level.cols)):
        for c, box in enumerate(row):
            _draw_tile(Pen(pen.draw, box), level, (r, c))
    return to_array(image)


def _draw_tile(pen: Pen, level: Level, cell: Cell) -> None:
    if cell in level.walls:
        pen.rect(0, 0, 1, 1, fill=WALL)
        for y in (1 / 3, 2 / 3):
            pen.line([(0, y), (1, y)], MORTAR, 0.05)
        for x, y0, y1 in ((0.5, 0, 1 / 3), (0.25, 1 / 3, 2 / 3), (0.75, 1 / 3, 2 / 3), (0.5, 2 / 3, 1)):
            pen.line([(x, y0), (x, y1)], MORTAR, 0.05)
        return
    pen.rect(0, 0, 1, 1, fill=FLOOR)
    if cell in level.goals:
        pen.circle(0.5, 0.5, 0.3, outline=GOAL, width=0.08)
    if cell in level.boxes:
        fill, edge = (CRATE_HOME, CRATE_HOME_EDGE) if cell in level.goals else (CRATE, CRATE_EDGE)
        pen.rect(0.1, 0.1, 0.9, 0.9, fill=fill, outline=edge, width=0.07, radius=0.06)
        pen.line([(0.18, 0.18), (0.82, 0.82)], edge, 0.06)
        pen.line([(0.18, 0.82), (0.82, 0.18)], edge, 0.06)
    if cell == level.player:
        pen.ellipse(0.25, 0.42, 0.75, 0.92, fill=PLAYER)
        pen.circle(0.5, 0.3, 0.17, fill=SKIN, outline=PLAYER, width=0.04)
