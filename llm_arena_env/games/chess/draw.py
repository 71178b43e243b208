"""The chess board as a picture: Pillow squares and labels, the standard piece shapes from python-chess.

Pieces are python-chess's own SVG pieces (the Cburnett set of ``chess.svg.piece``) rasterised with resvg
(``resvg-py``, a self-contained wheel: no system libraries or fonts), so a person or a vision model sees
the shapes of any chess diagram. Rank numbers and file letters stand in a margin around the board, on
every side; the two squares of the last move are tinted yellow and a king in check is ringed in red.
Everything drawn for a square stays inside that square, so one move changes the pixels of exactly the
squares it touches (and of a king whose check begins or ends).
"""

from __future__ import annotations

import functools
import io

import chess
import chess.svg
import numpy as np
from PIL import Image, ImageDraw

from llm_arena_env.core.render import font

BACKGROUND = (48, 46, 43)
LABEL = (235, 235, 230)
LIGHT = (240, 217, 181)
DARK = (181, 136, 99)
LIGHT_MOVED = (247, 236, 116)
DARK_MOVED = (218, 195, 50)
CHECK = (220, 30, 30)
#: The label margin on every side, as a share of the picture; none below MIN_LABELLED_SIZE pixels.
MARGIN = 0.06
MIN_LABELLED_SIZE = 160


def board_geometry(size: int) -> tuple[int, int]:
    """(left/top offset of the board, pixels per square) in a ``size`` picture."""
    margin = round(MARGIN * size) if size >= MIN_LABELLED_SIZE else 0
    cell = (size - 2 * margin) // 8
    return (size - 8 * cell) // 2, cell


def square_box(square: int, size: int, flipped: bool = False) -> tuple[int, int, int, int]:
    """The pixel box (left, top, right, bottom; right and bottom excluded) of ``square``."""
    offset, cell = board_geometry(size)
    file, rank = chess.square_file(square), chess.square_rank(square)
    column, row = (7 - file, rank) if flipped else (file, 7 - rank)
    left, top = offset + column * cell, offset + row * cell
    return left, top, left + cell, top + cell


def draw_board(
    board: chess.Board, size: int, *, flipped: bool = False, last_move: chess.Move | None = None
) -> np.ndarray:
    """A ``size`` x ``size`` x 3 uint8 picture of ``board``; ``flipped`` puts Black at the bottom."""
    image = Image.new("RGB", (size, size), BACKGROUND)
    pen = ImageDraw.Draw(image)
    offset, cell = board_geometry(size)
    moved = {last_move.from_square, last_move.to_square} if last_move else set()
    checked = board.king(board.turn) if board.is_check() else None
    for square in chess.SQUARES:
        left, top, right, bottom = square_box(square, size, flipped)
        light = (chess.square_file(square) + chess.square_rank(square)) % 2 == 1
        colour = (LIGHT_MOVED if light else DARK_MOVED) if square in moved else (LIGHT if light else DARK)
        pen.rectangle((left, top, right - 1, bottom - 1), fill=colour)
        if square == checked:
            ring = max(1, cell // 12)
            pen.ellipse((left + 1, top + 1, right - 2, bottom - 2), outline=CHECK, width=ring)
        piece = board.piece_at(square)
        if piece is not None and cell >= 4:
            sprite = _piece(piece.symbol(), cell)
            image.paste(sprite, (left, top), sprite)
    if offset >= 8:
        _labels(pen, offset, cell, flipped)
    return np.asarray(image, dtype=np.uint8)


@functools.lru_cache(maxsize=64)
def _piece(symbol: str, cell: int) -> Image.Image:
    """python-chess's SVG piece rasterised to ``cell`` pixels (RGBA), once per piece and size."""
    import resvg_py  # a compiled wheel: imported when the first piece is drawn

    svg = chess.svg.piece(chess.Piece.from_symbol(symbol), size=cell)
    png = resvg_py.svg_to_bytes(svg_string=svg, width=cell, height=cell, skip_system_fonts=True)
    return Image.open(io.BytesIO(bytes(png))).convert("RGBA")


def _labels(pen: ImageDraw.ImageDraw, offset: int, cell: int, flipped: bool) -> None:
    """File letters above and below the board, rank numbers left and right of it, in the margin."""
    glyphs = font(max(8, int(offset * 0.7)))
    far = offset + 8 * cell
    for i in range(8):
        file_name = chess.FILE_NAMES[7 - i if flipped else i]
        rank_name = chess.RANK_NAMES[i if flipped else 7 - i]
        middle = offset + i * cell + cell // 2
        for y in (offset // 2, far + offset // 2):
            pen.text((middle, y), file_name, fill=LABEL, font=glyphs, anchor="mm")
        for x in (offset // 2, far + offset // 2):
            pen.text((x, middle), rank_name, fill=LABEL, font=glyphs, anchor="mm")
