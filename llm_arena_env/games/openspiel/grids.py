"""Boards as spaced grids with coordinates, game_arena's other way of showing a board to a model.

OpenSpiel prints tic-tac-toe as ``x..``/``.o.``/``...``: a model must count characters to find a cell.
A spaced grid labels every row and column, in the coordinates the move format uses::

       0 1 2
    0  x . .
    1  . o .
    2  . . .

``GRIDS`` maps an OpenSpiel short name to its grid renderer (observation string, parameters -> text);
the env's ``board_notation="grid"`` uses it.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping, Sequence


def spaced(rows: Sequence[str], columns: Sequence[str], row_labels: Sequence[str]) -> str:
    """Rows of one-character cells, spaced out, under the column labels and after the row labels."""
    margin = max(len(label) for label in row_labels) + 2
    head = " " * margin + " ".join(columns)
    body = [label.rjust(margin - 2) + "  " + " ".join(row) for label, row in zip(row_labels, rows)]
    return "\n".join([head, *body])


def _rows(board: str) -> list[str]:
    return [line.strip() for line in board.strip().splitlines() if line.strip()]


def _tic_tac_toe(board: str, params: Mapping[str, Any]) -> str:
    rows = _rows(board)
    labels = [str(i) for i in range(len(rows))]
    return spaced(rows, [str(i) for i in range(len(rows[0]))], labels)


def _connect_four(board: str, params: Mapping[str, Any]) -> str:
    rows = _rows(board)
    grid = spaced(rows, [str(i) for i in range(len(rows[0]))], [""] * len(rows))
    return grid + "\n(columns numbered as in the moves; pieces fall to the lowest empty cell)"


_GO_ROW = re.compile(r"^\s*(\d+) (\S+)\s*$")


def _go(board: str, params: Mapping[str, Any]) -> str:
    lines = board.strip().splitlines()
    rows = [m for line in lines if (m := _GO_ROW.match(line))]
    if not rows:
        return board
    letters = next((line.strip() for line in lines if re.fullmatch(r"\s*[A-HJ-T]+\s*", line)), "")
    cells = [m[2].replace("+", ".") for m in rows]
    grid = spaced(cells, list(letters) or [str(i) for i in range(len(cells[0]))], [m[1] for m in rows])
    header = [line for line in lines if line.strip() and not _GO_ROW.match(line) and line.strip() != letters]
    return "\n".join(header + [grid, "(X = Black, O = White, . = empty point)"])


GRIDS: dict[str, Callable[[str, Mapping[str, Any]], str]] = {
    "tic_tac_toe": _tic_tac_toe,
    "connect_four": _connect_four,
    "go": _go,
}

__all__ = ["GRIDS", "spaced"]
