"""The legal moves at one decision point, as ids, as OpenSpiel's strings, and read back from text.

Naming a move is the costly part of a turn (chess SAN needs a move generation per move), so a table
holds the ids at once and builds strings, lookups and short forms only when first asked for. A table
belongs to one state and one turn; the env drops it as soon as a move is played.
"""

from __future__ import annotations

from typing import Any, Callable

from llm_arena_env.core.text_env import IllegalAction
from llm_arena_env.games.openspiel.text import GameText

#: How many legal moves a rejection shows as examples.
EXAMPLES_SHOWN = 8


class MoveTable:
    """Legal moves of ``player`` in ``state``: ids now; strings and lookups when first needed."""

    def __init__(
        self, state: Any, player: int, text: GameText, namer: Callable[[Any, int, list[int]], list[str]] | None = None
    ):
        self._state = state
        self._player = player
        self._text = text
        self._namer = namer
        self.ids: list[int] = state.legal_actions()
        self._strings: list[str] | None = None
        self._exact: dict[str, int] | None = None
        self._folded: dict[str, set[int]] | None = None
        self._short: dict[str, set[int]] | None = None

    @property
    def strings(self) -> list[str]:
        """OpenSpiel's string of each legal move, in the order of ``ids``."""
        if self._strings is None:
            if self._namer is not None:
                self._strings = self._namer(self._state, self._player, self.ids)
            else:
                to_string = self._state.action_to_string
                self._strings = [to_string(self._player, a) for a in self.ids]
        return self._strings

    def string_of(self, action: int) -> str:
        return self.strings[self.ids.index(action)]

    def string_if_named(self, action: int) -> str | None:
        """The string of a legal ``action`` if the strings were already built, else None (costs nothing)."""
        return None if self._strings is None else self.string_of(action)

    def read_id(self, action: int) -> int:
        """``action`` if it is legal now, else IllegalAction."""
        if action in self.ids:
            return action
        shown = ", ".join(map(str, self.ids[:EXAMPLES_SHOWN])) + (", ..." if len(self.ids) > EXAMPLES_SHOWN else "")
        raise IllegalAction(f"action id {action} is not a legal move now; legal ids: {shown}")

    def read(self, text: str, move_format: str) -> int:
        """The id of the move ``text`` names: exactly, or stripped, or ignoring case, or in a short form."""
        if self._exact is None:
            self._exact = {s: a for s, a in zip(self.strings, self.ids)}
        if text in self._exact:
            return self._exact[text]
        wanted = text.strip()
        if not wanted:
            raise IllegalAction(f"the move is empty; a move is {move_format}")
        if wanted in self._exact:
            return self._exact[wanted]
        key = wanted.casefold()
        for table in (self._by_case(), self._by_short_form()):
            if key in table:
                return self._one(wanted, table[key])
        raise IllegalAction(
            f"it is not a legal move now. A move is {move_format}. Legal moves include: {self._examples()}"
        )

    def _by_case(self) -> dict[str, set[int]]:
        if self._folded is None:
            self._folded = {}
            for s, a in zip(self.strings, self.ids):
                self._folded.setdefault(s.casefold(), set()).add(a)
        return self._folded

    def _by_short_form(self) -> dict[str, set[int]]:
        if self._short is None:
            self._short = {}
            for s, a in zip(self.strings, self.ids):
                for form in self._text.short_forms(s, self._state, a):
                    self._short.setdefault(form.strip().casefold(), set()).add(a)
            if self._text.same_short_form_is_same_move:  # keep one id per form: the same move written twice
                self._short = {form: {min(ids)} for form, ids in self._short.items()}
        return self._short

    def _one(self, wanted: str, ids: set[int]) -> int:
        if len(ids) == 1:
            return next(iter(ids))
        names = ", ".join(sorted(self.string_of(a) for a in ids))
        raise IllegalAction(f"{wanted!r} is ambiguous: it could be {names}; write the move exactly as listed")

    def _examples(self) -> str:
        if self._text.legal_summary is not None:  # thousands of bet sizes: the range, not eight of them
            return self._text.legal_summary(self.strings)
        shown = ", ".join(self.strings[:EXAMPLES_SHOWN])
        more = len(self.ids) - EXAMPLES_SHOWN
        return shown + (f" (and {more} more)" if more > 0 else "")
