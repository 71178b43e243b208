"""Pictures of text grids for the visual dialogue games: several grids side by side, each with a label.

A text grid is rows of cells separated by spaces ("X ▢ ▢ X ▢" ...); a cell is filled unless it is one of
:data:`EMPTY_CELLS`. Any other grid text is drawn as its characters.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw

from llm_arena_env.core.render import BACKGROUND, INK, font

EMPTY_CELLS = frozenset({"▢", "□", ".", "_", "0", "-"})
FILL = (40, 70, 160)
LINE = (150, 150, 150)


def grid_cells(grid: str) -> list[list[str]]:
    """The cells of a text grid, row by row."""
    return [line.split() for line in grid.strip().splitlines() if line.strip()]


def draw_grids(grids: Sequence[str], labels: Sequence[str], size: int, highlight: int | None = None) -> np.ndarray:
    """A ``size`` x ``size`` RGB picture of ``grids`` side by side, each under its label.
    The grid at index ``highlight`` gets a thick frame."""
    image = Image.new("RGB", (size, size), BACKGROUND)
    draw = ImageDraw.Draw(image)
    panel = size // max(1, len(grids))
    label_font = font(max(6, size // 24))
    for index, (grid, label) in enumerate(zip(grids, labels)):
        rows = grid_cells(grid) or [[" "]]
        columns = max(len(row) for row in rows)
        cell = max(2, int(panel * 0.85) // max(columns, len(rows)))
        left = index * panel + (panel - cell * columns) // 2
        top = (size - cell * len(rows)) // 2
        draw.text((index * panel + panel // 2, top - max(4, size // 30)), label, fill=INK, font=label_font, anchor="mb")
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                box = (left + c * cell, top + r * cell, left + (c + 1) * cell - 1, top + (r + 1) * cell - 1)
                if value in EMPTY_CELLS:
                    draw.rectangle(box, outline=LINE)
                elif len(value) == 1 and value.upper() == "X":
                    draw.rectangle(box, fill=FILL, outline=LINE)
                else:  # a letter grid (imagegame-style): draw the character
                    draw.rectangle(box, outline=LINE)
                    draw.text(((box[0] + box[2]) // 2, (box[1] + box[3]) // 2), value[:1], fill=INK,
                              font=font(max(6, cell * 2 // 3)), anchor="mm")
        if highlight == index:
            frame = (left - 3, top - 3, left + cell * columns + 2, top + cell * len(rows) + 2)
            draw.rectangle(frame, outline=(200, 40, 40), width=max(2, size // 150))
    return np.asarray(image, dtype=np.uint8)
