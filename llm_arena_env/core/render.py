"""Drawing with Pillow: the fallback picture of any game is its text, drawn on a fixed grid of cells."""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image, ImageDraw, ImageFont

BACKGROUND = (250, 250, 245)
INK = (20, 20, 20)


@functools.lru_cache(maxsize=32)
def font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """Pillow's bundled font at ``size`` pixels: the same on every machine, no system fonts needed."""
    return ImageFont.load_default(size=max(6, size))


def text_to_image(text: str, size: int) -> np.ndarray:
    """A ``size`` x ``size`` RGB picture of ``text``, each character in its own cell so columns line up."""
    lines = text.splitlines() or [""]
    columns = max(1, max(len(line) for line in lines))
    cell = max(4, min(size // columns, int(size / len(lines) / 1.25)))
    row_height = int(cell * 1.25)
    image = Image.new("RGB", (size, size), BACKGROUND)
    draw = ImageDraw.Draw(image)
    glyphs = font(cell)
    for row, line in enumerate(lines):
        y = row * row_height
        if y >= size:
            break
        for col, char in enumerate(line):
            if not char.isspace():
                draw.text((col * cell + cell // 2, y + row_height // 2), char, fill=INK, font=glyphs, anchor="mm")
    return np.asarray(image, dtype=np.uint8)
