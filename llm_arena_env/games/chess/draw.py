"""The chess board as a picture, drawn with Pillow: squares, coordinates, pieces as lettered discs.

Pieces are discs with the piece's letter (K, Q, R, B, N, P): white discs for White, black discs for Black,
so the picture needs no chess font and looks the same on every machine. The two squares of the last move
are tinted. Everything drawn for a square stays inside that square, so one move changes the pixels of
exactly the squares it touches.
"""

from __future__ import annotations

import chess
import numpy as np
from PIL import Image, ImageDraw

from llm_arena_env.core.render import font

BACKGROUND = (250, 250, 245)
LIGHT = (240, 217, 181)
DARK = (181, 136, 99)
LIGHT_MOVED = (247, 236, 116)
DARK_MOVED = (218, 195, 50)
DISC = {chess.WHITE: (252, 252, 252), chess.BLACK: (30, 30, 30)}
LETTER = {chess.WHITE: (20, 20, 20), chess.BLACK: (245, 245, 245)}
OUTLINE = (60, 60, 60)
# Below this many pixels per square, letters would not fit: pieces are discs only and coordinates are left out.
MIN_LETTERED_CELL = 12


def draw_board(
    board: chess.Board, size: int, *, flipped: bool = False, last_move: chess.Move | None = None
) -> np.ndarray:
    """A ``size`` x ``size`` x 3 uint8 picture of ``board``; ``flipped`` puts Black at the bottom."""
    cell = size // 8
    margin = (size - 8 * cell) // 2
    image = Image.new("RGB", (size, size), BACKGROUND)
    pen = ImageDraw.Draw(image)
    moved = {last_move.from_square, last_move.to_square} if last_move else set()
    lettered = cell >= MIN_LETTERED_CELL
    piece_font = font(max(6, int(cell * 0.5))) if lettered else None
    label_font = font(max(6, int(cell * 0.2))) if lettered else None
    for square in chess.SQUARES:
        file, rank = chess.square_file(square), chess.square_rank(square)
        column, row = (7 - file, rank) if flipped else (file, 7 - rank)
        left, top = margin + column * cell, margin + row * cell
        light = (file + rank) % 2 == 1
        colour = (LIGHT_MOVED if light else DARK_MOVED) if square in moved else (LIGHT if light else DARK)
        pen.rectangle((left, top, left + cell - 1, top + cell - 1), fill=colour)
        if lettered:
            _draw_labels(pen, label_font, square, column, row, left, top, cell, light)
        piece = board.piece_at(square)
        if piece is not None:
            _draw_piece(pen, piece_font, piece, left, top, cell)
    return np.asarray(image, dtype=np.uint8)


def _draw_labels(
    pen: ImageDraw.ImageDraw, glyphs, square: int, column: int, row: int, left: int, top: int, cell: int, light: bool
) -> None:
    """Rank numbers down the left edge and file letters along the bottom edge, inside the squares."""
    ink = DARK if light else LIGHT
    pad = max(1, cell // 16)
    if column == 0:
        pen.text(
            (left + pad, top + pad), chess.RANK_NAMES[chess.square_rank(square)], fill=ink, font=glyphs, anchor="lt"
        )
    if row == 7:
        pen.text(
            (left + cell - 1 - pad, top + cell - 1 - pad),
            chess.FILE_NAMES[chess.square_file(square)],
            fill=ink,
            font=glyphs,
            anchor="rb",
        )


def _draw_piece(pen: ImageDraw.ImageDraw, glyphs, piece: chess.Piece, left: int, top: int, cell: int) -> None:
    inset = max(1, int(cell * 0.14))
    box = (left + inset, top + inset, left + cell - 1 - inset, top + cell - 1 - inset)
    pen.ellipse(box, fill=DISC[piece.color], outline=OUTLINE, width=max(1, cell // 40))
    if glyphs is not None:
        centre = (left + cell // 2, top + cell // 2)
        pen.text(centre, piece.symbol().upper(), fill=LETTER[piece.color], font=glyphs, anchor="mm")
