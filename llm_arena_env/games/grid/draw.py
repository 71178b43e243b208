"""Drawing helpers shared by the grid games (and the OpenSpiel board pictures).

A :class:`Pen` draws in unit coordinates (0..1 across its box), so one drawing serves every image size;
:func:`cell_boxes` splits a square picture into whole-pixel cells that never overlap, so that a change in
one cell of a board changes pixels in that cell only. Everything is drawn with Pillow and the bundled
font: the same state gives the same pixels on every machine.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw

from llm_arena_env.core.render import font

Color = tuple[int, int, int]
Box = tuple[int, int, int, int]  # left, top, right, bottom in pixels; right and bottom excluded


class Pen:
    """Draws shapes given in unit coordinates inside a pixel box of a Pillow image."""

    def __init__(self, draw: ImageDraw.ImageDraw, box: Box):
        self.draw = draw
        self.box = box
        self.width = box[2] - box[0]
        self.height = box[3] - box[1]

    def _x(self, x: float) -> float:
        return self.box[0] + x * self.width

    def _y(self, y: float) -> float:
        return self.box[1] + y * self.height

    def _rect(self, x0: float, y0: float, x1: float, y1: float) -> list[float]:
        # Pillow includes the right and bottom pixel; step one back so shapes stay inside the box.
        return [self._x(x0), self._y(y0), max(self._x(x0), self._x(x1) - 1), max(self._y(y0), self._y(y1) - 1)]

    def _px(self, width: float) -> int:
        return max(1, round(width * min(self.width, self.height)))

    def sub(self, x0: float, y0: float, x1: float, y1: float) -> "Pen":
        """A pen for a part of this box, again in unit coordinates."""
        return Pen(self.draw, (round(self._x(x0)), round(self._y(y0)), round(self._x(x1)), round(self._y(y1))))

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill: Color | None = None,
             outline: Color | None = None, width: float = 0.02, radius: float = 0.0) -> None:
        self.draw.rounded_rectangle(self._rect(x0, y0, x1, y1), radius=radius * min(self.width, self.height),
                                    fill=fill, outline=outline, width=self._px(width) if outline else 0)

    def ellipse(self, x0: float, y0: float, x1: float, y1: float, fill: Color | None = None,
                outline: Color | None = None, width: float = 0.02) -> None:
        self.draw.ellipse(self._rect(x0, y0, x1, y1), fill=fill, outline=outline,
                          width=self._px(width) if outline else 0)

    def circle(self, x: float, y: float, r: float, fill: Color | None = None,
               outline: Color | None = None, width: float = 0.02) -> None:
        self.ellipse(x - r, y - r, x + r, y + r, fill, outline, width)

    def polygon(self, points: Sequence[tuple[float, float]], fill: Color | None = None,
                outline: Color | None = None) -> None:
        self.draw.polygon([(self._x(x), self._y(y)) for x, y in points], fill=fill, outline=outline)

    def line(self, points: Sequence[tuple[float, float]], fill: Color, width: float = 0.02) -> None:
        self.draw.line([(self._x(x), self._y(y)) for x, y in points], fill=fill, width=self._px(width))

    def text(self, x: float, y: float, text: str, fill: Color, height: float = 0.2) -> None:
        """``text`` centred on (x, y), ``height`` tall, shrunk to fit the box's width."""
        size = max(6, round(height * self.height))
        if text:
            size = max(6, min(size, int(self.width * 0.95 / max(1, len(text)) * 1.8)))
        self.draw.text((self._x(x), self._y(y)), text, fill=fill, font=font(size), anchor="mm")


def canvas(size: int, background: Color) -> tuple[Image.Image, Pen]:
    """A new ``size`` x ``size`` picture and a pen over all of it."""
    image = Image.new("RGB", (size, size), background)
    return image, Pen(ImageDraw.Draw(image), (0, 0, size, size))


def to_array(image: Image.Image) -> np.ndarray:
    """The picture as an HxWx3 uint8 array."""
    return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()


def cell_boxes(size: int, rows: int, cols: int, margin: float = 0.0) -> list[list[Box]]:
    """Whole-pixel boxes of a ``rows`` x ``cols`` board centred in a ``size`` square, square cells.

    ``margin`` (a fraction of ``size``) is kept free on every side, e.g. for coordinates."""
    inner = size - 2 * round(margin * size)
    cell = max(1, inner // max(rows, cols))
    left = (size - cell * cols) // 2
    top = (size - cell * rows) // 2
    return [[(left + c * cell, top + r * cell, left + (c + 1) * cell, top + (r + 1) * cell) for c in range(cols)]
            for r in range(rows)]


def resize(array: np.ndarray, size: int) -> np.ndarray:
    """``array`` scaled to ``size`` x ``size`` (kept square by padding), deterministic."""
    image = Image.fromarray(array)
    width, height = image.size
    if width != height:
        side = max(width, height)
        padded = Image.new("RGB", (side, side), (0, 0, 0))
        padded.paste(image, ((side - width) // 2, (side - height) // 2))
        image = padded
    if image.size != (size, size):
        image = image.resize((size, size), Image.Resampling.NEAREST if size >= image.size[0] else Image.Resampling.BOX)
    return to_array(image)
