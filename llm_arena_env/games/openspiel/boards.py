"""Pictures of the OpenSpiel boards that are not square grids: hex, dots and boxes, nine men's morris,
backgammon and chinese checkers.

Each drawer reads the board from the state's own text (``str(state)``: these are perfect-information
games, everyone sees all of it) and draws it with Pillow, with the names the game's moves use written on
the board (hex columns and rows, morris point numbers, backgammon point numbers from the mover's side,
dots-and-boxes edge names, chinese-checkers hole numbers).
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping

import numpy as np

from llm_arena_env.games.grid.draw import Pen, canvas, to_array

INK, PAPER = (40, 35, 30), (246, 240, 225)
RED, BLUE = (205, 45, 45), (40, 90, 200)
LIGHT_STONE, DARK_STONE = (245, 245, 245), (25, 25, 25)
FAINT = (150, 140, 125)


# ---------------------------------------------------------------------------------------------- hex

def draw_hex(state: Any, params: Mapping[str, Any], size: int) -> np.ndarray:
    """The hex rhombus: x (red) joins top and bottom, o (blue) joins left and right."""
    rows = [line.split() for line in str(state).splitlines() if line.strip()]
    n_rows, n_cols = len(rows), max(len(r) for r in rows)
    image, pen = canvas(size, PAPER)
    # a row shifts half a cell right per row: the board is (cols + rows/2) cells wide
    cell = 0.86 / (n_cols + (n_rows - 1) / 2 + 1)
    radius = cell / math.sqrt(3)
    x0, y0 = 0.07 + cell, 0.5 - (n_rows - 1) * radius * 0.75
    hexagon = [(math.cos(math.radians(30 + 60 * k)), math.sin(math.radians(30 + 60 * k))) for k in range(6)]

    def centre(r: int, c: int) -> tuple[float, float]:
        return x0 + c * cell + r * cell / 2, y0 + r * radius * 1.5

    # the goal edges: a band of the owner's colour along each side
    edge = 0.22 * cell
    top_left, top_right = centre(0, 0), centre(0, n_cols - 1)
    bottom_left, bottom_right = centre(n_rows - 1, 0), centre(n_rows - 1, n_cols - 1)
    pen.line([(top_left[0] - cell / 2, top_left[1] - radius - edge), (top_right[0] + cell / 2, top_right[1] - radius - edge)], RED, 0.015)
    pen.line([(bottom_left[0] - cell / 2, bottom_left[1] + radius + edge), (bottom_right[0] + cell / 2, bottom_right[1] + radius + edge)], RED, 0.015)
    pen.line([(top_left[0] - cell / 2 - edge, top_left[1]), (bottom_left[0] - cell / 2 - edge, bottom_left[1])], BLUE, 0.015)
    pen.line([(top_right[0] + cell / 2 + edge, top_right[1]), (bottom_right[0] + cell / 2 + edge, bottom_right[1])], BLUE, 0.015)
    for r, row in enumerate(rows):
        for c, mark in enumerate(row):
            x, y = centre(r, c)
            fill = RED if mark in "xyzX" else BLUE if mark in "opqO" else (230, 215, 185)
            pen.polygon([(x + radius * dx, y + radius * dy) for dx, dy in hexagon], fill=fill, outline=INK)
    label = radius * 1.1
    for c in range(n_cols):
        x, y = centre(0, c)
        pen.text(x, y - radius - 2.2 * edge, chr(ord("a") + c), INK, label)
    for r in range(n_rows):
        x, y = centre(r, 0)
        pen.text(x - cell / 2 - 2.8 * edge, y, str(r + 1), INK, label)
    return to_array(image)


# ---------------------------------------------------------------------------------------------- dots and boxes

def draw_dots_and_boxes(state: Any, params: Mapping[str, Any], size: int) -> np.ndarray:
    """Dots, the lines drawn so far, boxes filled in their owner's colour; free edges named as moves are."""
    rows, cols = params.get("num_rows", 2), params.get("num_cols", 2)
    grid = str(state).splitlines()[: 2 * rows + 1]
    image, pen = canvas(size, PAPER)
    step = 0.8 / max(rows, cols)
    x0, y0 = 0.5 - cols * step / 2, 0.5 - rows * step / 2

    def char(r: int, c: int) -> str:
        line = grid[r] if r < len(grid) else ""
        return line[c] if c < len(line) else " "

    for r in range(rows):
        for c in range(cols):
            owner = char(2 * r + 1, 4 * c + 2)
            if owner in "12":
                pen.rect(x0 + c * step, y0 + r * step, x0 + (c + 1) * step, y0 + (r + 1) * step,
                         fill=(250, 190, 190) if owner == "1" else (185, 205, 250))
                pen.text(x0 + (c + 0.5) * step, y0 + (r + 0.5) * step, f"P{owner}", RED if owner == "1" else BLUE, step * 0.3)
    label = step * 0.13
    for r in range(rows + 1):  # horizontal edges: drawn as "─" between the corners
        for c in range(cols):
            drawn = char(2 * r, 4 * c + 2) == "─"
            y = y0 + r * step
            if drawn:
                pen.line([(x0 + c * step, y), (x0 + (c + 1) * step, y)], INK, 0.012)
            else:
                pen.text(x0 + (c + 0.5) * step, y, f"h,{r},{c}", FAINT, label)
    for r in range(rows):  # vertical edges: "│" on the rows between
        for c in range(cols + 1):
            drawn = char(2 * r + 1, 4 * c) == "│"
            x = x0 + c * step
            if drawn:
                pen.line([(x, y0 + r * step), (x, y0 + (r + 1) * step)], INK, 0.012)
            else:
                pen.text(x, y0 + (r + 0.5) * step, f"v,{r},{c}", FAINT, label)
    for r in range(rows + 1):
        for c in range(cols + 1):
            pen.circle(x0 + c * step, y0 + r * step, 0.012, fill=INK)
    return to_array(image)


# ---------------------------------------------------------------------------------------------- nine men's morris

def draw_nine_mens_morris(state: Any, params: Mapping[str, Any], size: int) -> np.ndarray:
    """The three squares and their links, each point numbered as the moves name it ("Point 5"), men on them."""
    text = str(state).splitlines()
    board = [line for line in text[:13]]
    info = [line for line in text[13:] if line.strip()]
    image, pen = canvas(size, (225, 190, 130))
    span_x, span_y = 0.76 / 14, 0.7 / 12
    x0, y0 = 0.12, 0.08
    point = 0
    for r, line in enumerate(board):
        for c, ch in enumerate(line):
            x, y = x0 + c * span_x, y0 + r * span_y
            if ch == "-":
                pen.line([(x - span_x / 2, y), (x + span_x / 2, y)], INK, 0.008)
            elif ch == "|":
                pen.line([(x, y - span_y / 2), (x, y + span_y / 2)], INK, 0.008)
    for r, line in enumerate(board):
        for c, ch in enumerate(line):
            if ch not in "WB.":
                continue
            x, y = x0 + c * span_x, y0 + r * span_y
            right, left = line[c + 1:c + 2], line[c - 1:c] if c else ""
            if right == "-":
                pen.line([(x, y), (x + span_x / 2, y)], INK, 0.008)
            if left == "-":
                pen.line([(x - span_x / 2, y), (x, y)], INK, 0.008)
            if ch == ".":
                pen.circle(x, y, 0.012, fill=INK)
            else:
                pen.circle(x, y, 0.03, fill=LIGHT_STONE if ch == "W" else DARK_STONE, outline=INK, width=0.004)
            pen.text(x + 0.035, y - 0.03, str(point), (120, 40, 20), 0.025)
            point += 1
    for i, line in enumerate(info[:4]):
        pen.text(0.5, 0.84 + i * 0.04, line.strip(), INK, 0.03)
    return to_array(image)


# ---------------------------------------------------------------------------------------------- backgammon

def _backgammon_points(text: str) -> dict[int, tuple[str, int]] | None:
    """Point number (from x's side, 1-24) -> (colour "x"/"o", checkers); None where the text is not a board."""
    rows = [line for line in text.splitlines() if line.startswith("|")]
    if len(rows) != 11:
        return None
    top, bottom = rows[:5], rows[6:][::-1]

    def columns(line: str) -> str:
        return line[1:7] + line[8:14]

    points: dict[int, tuple[str, int]] = {}
    for half, number in ((top, lambda col: 12 - col), (bottom, lambda col: 13 + col)):
        for col in range(12):
            colour, stacked, written = "", 0, None
            for line in half:
                ch = columns(line)[col]
                if ch in "xo":
                    colour, stacked = ch, stacked + 1
                elif ch.isdigit():  # a tall stack: its count written in place of the outermost checker
                    written = int(ch)
            if colour:
                points[number(col)] = (colour, stacked if written is None else written)
    return points


def draw_backgammon(state: Any, params: Mapping[str, Any], size: int) -> np.ndarray:
    """The backgammon board: 24 points with their checkers counted, the bar, borne-off checkers, the dice."""
    text = str(state)
    points = _backgammon_points(text) or {}
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    mover = fields.get("Turn", "").strip()
    image, pen = canvas(size, (110, 70, 40))
    pen.rect(0.04, 0.1, 0.96, 0.84, fill=(230, 210, 165))
    pen.rect(0.47, 0.1, 0.53, 0.84, fill=(110, 70, 40))  # the bar
    width = 0.43 / 6

    def column_x(col: int) -> float:  # col 0..11 from the left
        return 0.04 + col * width + (0.06 if col >= 6 else 0)

    for col in range(12):
        x = column_x(col)
        colour = (160, 50, 40) if col % 2 else (60, 60, 60)
        pen.polygon([(x, 0.1), (x + width, 0.1), (x + width / 2, 0.42)], fill=colour)
        pen.polygon([(x, 0.84), (x + width, 0.84), (x + width / 2, 0.52)], fill=(60, 60, 60) if col % 2 else (160, 50, 40))
    o_side = mover == "o"
    for number in range(1, 25):
        on_top = number <= 12
        col = 12 - number if on_top else number - 13
        x = column_x(col) + width / 2
        shown = 25 - number if o_side else number
        pen.text(x, 0.07 if on_top else 0.875, str(shown), (245, 235, 210), 0.03)
        colour, count = points.get(number, ("", 0))
        for k in range(min(count, 5)):
            y = 0.1 + width / 2 + k * width if on_top else 0.84 - width / 2 - k * width
            pen.circle(x, y, width * 0.46, fill=LIGHT_STONE if colour == "o" else DARK_STONE, outline=(120, 120, 120), width=0.004)
        if count > 5:
            y = 0.1 + width * 4.5 if on_top else 0.84 - width * 4.5
            pen.text(x, y, str(count), RED, 0.03)
    bar = fields.get("Bar", "").strip()
    dice = fields.get("Dice", "").strip()
    scores = fields.get("Scores, X", "").strip()
    lines = [f"Turn: {mover or '-'} (x: dark, o: light); points numbered from {'o' if o_side else 'x'}'s side",
             f"Dice: {' '.join(dice) or '-'}   On the bar: {bar or 'none'}   Borne off, X: {scores}"]
    for i, line in enumerate(lines):
        pen.text(0.5, 0.92 + i * 0.04, line, (245, 235, 210), 0.028)
    return to_array(image)


# ---------------------------------------------------------------------------------------------- chinese checkers

PEG_COLOURS = [(210, 40, 40), (40, 90, 210), (30, 150, 60), (230, 170, 20), (140, 60, 170), (20, 160, 170)]


def draw_chinese_checkers(state: Any, params: Mapping[str, Any], size: int) -> np.ndarray:
    """The star of holes, pegs coloured by player, every hole numbered as the moves name it."""
    lines = [line for line in str(state).splitlines() if line.strip() and not line.startswith("Player")]
    image, pen = canvas(size, PAPER)
    width = max(len(line.rstrip()) for line in lines)
    step_x, step_y = 0.9 / width, 0.9 / len(lines) * 0.95
    hole = 0
    for r, line in enumerate(lines):
        for match in re.finditer(r"\S", line):
            x, y = 0.05 + (match.start() + 0.5) * step_x, 0.05 + (r + 0.5) * step_y
            ch = match.group()
            if ch.isdigit():
                pen.circle(x, y, step_x * 0.85, fill=PEG_COLOURS[int(ch) % len(PEG_COLOURS)], outline=INK, width=0.002)
            else:
                pen.circle(x, y, step_x * 0.3, fill=FAINT)
            pen.text(x, y + step_y * 0.42, str(hole), INK, step_y * 0.3)
            hole += 1
    return to_array(image)
