"""Chess on python-chess: the env (:mod:`.env`), move ids and fast SAN (:mod:`.moves`), rejection reasons
(:mod:`.explain`), the notation parsers read (:mod:`.notation`) and board pictures (:mod:`.draw`).

:func:`fen_from_text` finds the position in a chess prompt, for engines that play from observations.
"""

from __future__ import annotations

import re

_FEN_LINE = re.compile(r"^FEN: (.+)$", re.MULTILINE)


def fen_from_text(text: str) -> str | None:
    """The FEN on the first line of ``text`` that starts exactly with ``"FEN: "``, or None if there is none.

    Only a FEN that python-chess can read is returned."""
    import chess  # here, so that importing this package stays light

    if not isinstance(text, str):
        return None
    for match in _FEN_LINE.finditer(text):
        fen = match.group(1).strip()
        try:
            chess.Board(fen)
        except ValueError:
            continue
        return fen
    return None


__all__ = ["fen_from_text"]
