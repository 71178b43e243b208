"""A game's own notation, as generic parsers and Rethink see it: the hooks a game fills in.

Every text observation carries ``"notation"``: a :class:`Notation` for the position the player to move
sees (see ``TextEnv.text_observation``). Parsers ask it how the game reads a reply (:meth:`Notation.match`,
:meth:`Notation.aliases`) before their generic soft matching, and Rethink asks it why a move breaks the
rules (:meth:`Notation.explain`). The base class adds nothing to the legal-move list: it is what every game
without a notation of its own gets. A game with one subclasses it (chess: ``games.chess.notation``) and
returns it from its env's ``_notation`` hook; nothing shared needs to know the game.

A notation is a small frozen value bound to one position: observations stay comparable (``seed_test``),
picklable, and an agent serving many episodes reads each position from its own observation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence


@dataclass(frozen=True)
class Notation:
    """How a game's moves may be written beyond its list of legal moves. Subclasses override what they know."""

    def match(self, text: str, legal_actions: Sequence[str]) -> list[str]:
        """The legal moves ``text`` stands for by the game's own reading of it ("g1f3" for "Nf3" in chess),
        tried before any generic matching; [] where the game has no reading of its own."""
        return []

    def aliases(self, text: str) -> tuple[str, ...]:
        """Other ways of writing what ``text`` says, in the game's notation ("all in" -> "AllIn"); the
        generic matching tries each after ``text`` itself."""
        return ()

    def explain(self, action: str) -> str:
        """Why ``action`` breaks the game's rules in this position, in words and without a final full stop;
        "" where the game has nothing to add to its own rejection."""
        return ""


#: The notation of games that have none of their own.
PLAIN = Notation()


def notation_of(observation: Mapping[str, Any]) -> Notation:
    """The observation's notation; :data:`PLAIN` where it carries none (an observation built by hand)."""
    found = observation.get("notation")
    return found if isinstance(found, Notation) else PLAIN


__all__ = ["Notation", "PLAIN", "notation_of"]
