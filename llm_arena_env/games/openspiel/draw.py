"""Square-grid board pictures of OpenSpiel games: go, connect four, othello, tic-tac-toe, breakthrough, checkers.

:func:`draw_board` reads the board from the OpenSpiel state's own text (``str(state)``) and draws it
with Pillow: a stone, disc or mark per cell, each cell drawn whole in its own box, so a move changes only
the cells it changes. Coordinates in the margin name rows and columns as the game's move strings do.
Other games get None, and the caller draws the text instead.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from llm_arena_env.games.grid.draw import Box, Pen, canvas, cell_boxes, to_array

Board = list[list[str]]  # rows from the top; "." empty, "x" first player (black in go and othello), "o" second;
# "X" and "O" their kings in checkers

MARGIN = 0.07  # of the picture, on every side, for the coordinates
GO_COLUMNS = "ABCDEFGHJKLMNOPQRST"  # go skips I
BLACK, WHITE = (20, 20, 20), (245, 245, 245)  # stones and discs


def draw_board(game_name: str, state: object, size: int) -> np.ndarray | None:
    """A ``size`` x ``size`` picture of ``state``'s board, or None for a game drawn here not at all."""
    board = read_board(game_name, state)
    if board is None:
        return None
    style = _STYLES[game_name]
    rows, cols = len(board), len(board[0])
    image, pen = canvas(size, style.background)
    boxes = cell_boxes(size, rows, cols, margin=MARGIN)
    for r in range(rows):
        for c in range(cols):
            style.cell(Pen(pen.draw, boxes[r][c]), board[r][c], r, c, rows, cols)
    _coordinates(pen, boxes, style.row_names(rows), style.col_names(cols), style.ink)
    return to_array(image)


def read_board(game_name: str, state: object) -> Board | None:
    """The board of ``state`` as rows of ".", "x", "o" from the top, or None for a game not drawn here."""
    style = _STYLES.get(game_name)
    return None if style is None else style.read(str(state))


def _coordinates(pen: Pen, boxes: list[list[Box]], row_names: list[str], col_names: list[str], ink: tuple) -> None:
    """Column names above the board and row names left of it, each in a margin-sized square."""
    side = MARGIN * pen.width
    for c, name in enumerate(col_names):
        left, top, right, _ = boxes[0][c]
        _label(pen, (left + right) / 2, max(side / 2, top - side / 2), side, name, ink)
    for r, name in enumerate(row_names):
        left, top, _, bottom = boxes[r][0]
        _label(pen, max(side / 2, left - side / 2), (top + bottom) / 2, side, name, ink)


def _label(pen: Pen, x: float, y: float, side: float, name: str, ink: tuple) -> None:
    size = pen.width
    pen.sub((x - side / 2) / size, (y - side / 2) / size, (x + side / 2) / size, (y + side / 2) / size).text(
        0.5, 0.5, name, ink, 0.7)


# ---------------------------------------------------------------- reading OpenSpiel's board text

def _grid(lines: list[str], symbols: str) -> Board | None:
    """Rows of single-character cells, all the same length, all in ``symbols`` ("." first means empty)."""
    if not lines or len({len(line) for line in lines}) != 1 or any(ch not in symbols for line in lines for ch in line):
        return None
    table = str.maketrans(symbols, ".xo")
    return [list(line.translate(table)) for line in lines]


def _read_plain(text: str) -> Board | None:  # tic_tac_toe, connect_four: rows of ".xo"
    return _grid([line.strip() for line in text.strip().splitlines()], ".xo")


def _read_othello(text: str) -> Board | None:  # a title, a header, "1 - - x o ... 1" rows, a footer
    rows = [line.split()[1:-1] for line in text.splitlines() if line[:1].isdigit()]
    return _grid(["".join(row) for row in rows], "-xo")


def _read_go(text: str) -> Board | None:  # "GoState(...)", then " 9 +++X+++++" rows, then the column letters
    rows = [line.split()[1] for line in text.splitlines() if len(line.split()) == 2 and line.split()[0].isdigit()]
    return _grid(rows, "+XO")


def _read_ranked(text: str) -> list[str]:  # breakthrough, checkers: "8bb.bbbbb" rows, a rank digit first
    return [line[1:].rstrip() for line in text.splitlines() if line[:1].isdigit()]


def _read_breakthrough(text: str) -> Board | None:  # b (Black, player 0) and w
    return _grid(_read_ranked(text), ".bw")


def _read_checkers(text: str) -> Board | None:  # o (player 0) and +, their kings 8 and *
    rows = _read_ranked(text)
    if not rows or len({len(row) for row in rows}) != 1 or any(ch not in ".o+8*" for row in rows for ch in row):
        return None
    return [list(row.translate(str.maketrans("o+8*", "xoXO"))) for row in rows]


# ---------------------------------------------------------------- drawing one cell

def _tic_tac_toe_cell(pen: Pen, mark: str, r: int, c: int, rows: int, cols: int) -> None:
    pen.rect(0, 0, 1, 1, fill=(250, 250, 245), outline=(40, 40, 40), width=0.03)
    if mark == "x":
        pen.line([(0.22, 0.22), (0.78, 0.78)], (200, 40, 40), 0.1)
        pen.line([(0.22, 0.78), (0.78, 0.22)], (200, 40, 40), 0.1)
    elif mark == "o":
        pen.circle(0.5, 0.5, 0.3, outline=(40, 80, 200), width=0.09)


def _connect_four_cell(pen: Pen, disc: str, r: int, c: int, rows: int, cols: int) -> None:
    pen.rect(0, 0, 1, 1, fill=(30, 80, 190))
    colour = {"x": (220, 40, 40), "o": (245, 205, 40)}.get(disc, (240, 240, 235))
    pen.circle(0.5, 0.5, 0.4, fill=colour, outline=(20, 50, 130), width=0.04)


def _othello_cell(pen: Pen, disc: str, r: int, c: int, rows: int, cols: int) -> None:
    pen.rect(0, 0, 1, 1, fill=(30, 130, 70), outline=(10, 60, 30), width=0.03)
    if disc != ".":
        pen.circle(0.5, 0.5, 0.4, fill=BLACK if disc == "x" else WHITE, outline=(10, 10, 10), width=0.03)


def _go_cell(pen: Pen, stone: str, r: int, c: int, rows: int, cols: int) -> None:
    pen.rect(0, 0, 1, 1, fill=(222, 180, 100))
    ink = (40, 30, 20)
    pen.line([(0 if c else 0.5, 0.5), (1 if c < cols - 1 else 0.5, 0.5)], ink, 0.04)
    pen.line([(0.5, 0 if r else 0.5), (0.5, 1 if r < rows - 1 else 0.5)], ink, 0.04)
    if _star_point(r, c, rows):
        pen.circle(0.5, 0.5, 0.09, fill=ink)
    if stone != ".":
        pen.circle(0.5, 0.5, 0.46, fill=BLACK if stone == "x" else WHITE, outline=(0, 0, 0), width=0.03)


def _breakthrough_cell(pen: Pen, pawn: str, r: int, c: int, rows: int, cols: int) -> None:
    pen.rect(0, 0, 1, 1, fill=(240, 217, 181) if (r + c) % 2 == 0 else (181, 136, 99))
    if pawn != ".":  # a pawn: a head on a wide base
        fill = BLACK if pawn == "x" else WHITE
        pen.polygon([(0.3, 0.82), (0.7, 0.82), (0.6, 0.45), (0.4, 0.45)], fill=fill, outline=(90, 90, 90))
        pen.circle(0.5, 0.38, 0.15, fill=fill, outline=(90, 90, 90), width=0.03)
        pen.rect(0.22, 0.78, 0.78, 0.88, fill=fill, outline=(90, 90, 90), width=0.03, radius=0.03)


def _checkers_cell(pen: Pen, piece: str, r: int, c: int, rows: int, cols: int) -> None:
    pen.rect(0, 0, 1, 1, fill=(235, 220, 190) if (r + c) % 2 == 0 else (120, 70, 40))
    if piece != ".":
        fill = (200, 40, 40) if piece in "xX" else (30, 30, 30)
        pen.circle(0.5, 0.5, 0.4, fill=fill, outline=(240, 240, 240), width=0.04)
        pen.circle(0.5, 0.5, 0.27, outline=(240, 240, 240), width=0.03)
        if piece.isupper():  # a king: a crown
            pen.polygon([(0.3, 0.62), (0.3, 0.4), (0.4, 0.52), (0.5, 0.36), (0.6, 0.52), (0.7, 0.4), (0.7, 0.62)],
                        fill=(245, 200, 40))


def _star_point(r: int, c: int, n: int) -> bool:
    """The marked points of a square go board: 3-3 (4-4 from 13x13) points, the centre, and on 19x19 the sides."""
    if n < 9 or n % 2 == 0:
        return False
    edge, centre = (2 if n < 13 else 3), n // 2
    lines = (edge, centre, n - 1 - edge)
    if n >= 19:
        return r in lines and c in lines
    return (r in (edge, n - 1 - edge) and c in (edge, n - 1 - edge)) or r == c == centre


class _Style:
    def __init__(self, read: Callable[[str], Board | None], cell: Callable[..., None], background: tuple,
                 ink: tuple, row_names: Callable[[int], list[str]], col_names: Callable[[int], list[str]]):
        self.read, self.cell, self.background, self.ink = read, cell, background, ink
        self.row_names, self.col_names = row_names, col_names


def _numbers(n: int) -> list[str]:
    return [str(i) for i in range(n)]


_STYLES = {
    "tic_tac_toe": _Style(_read_plain, _tic_tac_toe_cell, (250, 250, 245), (60, 60, 60), _numbers, _numbers),
    "connect_four": _Style(_read_plain, _connect_four_cell, (235, 235, 240), (60, 60, 60),
                           lambda n: [""] * n, _numbers),
    "othello": _Style(_read_othello, _othello_cell, (235, 235, 225), (40, 40, 40),
                      lambda n: [str(i + 1) for i in range(n)], lambda n: [chr(ord("a") + i) for i in range(n)]),
    "go": _Style(_read_go, _go_cell, (222, 180, 100), (40, 30, 20),
                 lambda n: [str(n - i) for i in range(n)], lambda n: list(GO_COLUMNS[:n])),
}
_RANKS = (lambda n: [str(n - i) for i in range(n)], lambda n: [chr(ord("a") + i) for i in range(n)])
_STYLES["breakthrough"] = _Style(_read_breakthrough, _breakthrough_cell, (250, 250, 245), (40, 40, 40), *_RANKS)
_STYLES["checkers"] = _Style(_read_checkers, _checkers_cell, (250, 250, 245), (40, 40, 40), *_RANKS)
DRAWN_GAMES = tuple(_STYLES)
