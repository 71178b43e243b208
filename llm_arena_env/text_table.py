"""Plain-text tables for the terminal: the one table layout every command prints."""

from __future__ import annotations

from typing import Any, Sequence


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], left: int | None = None) -> str:
    """Columns separated by two spaces under a rule of dashes.

    By default every column is left-aligned and the last one is not padded, so long descriptions do not
    widen the rest; with ``left=n`` the first ``n`` columns are left-aligned and the rest (numbers)
    right-aligned."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    if left is None:  # the last column as long as it is, its rule as long as its header
        left, widths[-1] = len(headers), len(cells[0][-1])

    def line(row: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))).rstrip()

    return "\n".join([line(cells[0]), line(["-" * w for w in widths]), *(line(row) for row in cells[1:])])
