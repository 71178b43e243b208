"""What a game's prompt can be built from: the hook behind ``agents.prompts.prompt_options``.

A game whose prompt has parts that can be shown or left out (a chess FEN, a board, the history, the legal
moves) returns :class:`PromptParts` from its env class's ``prompt_parts(kwargs)``, with the one function
that builds its template from the parts chosen; the env's own default prompt is built by that function
too where the game has one. Games that return None keep their own prompt (their state text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

#: ``(shown, history, legal_moves) -> prompt template``: ``shown`` names the ways to show the state.
TemplateBuilder = Callable[[tuple[str, ...], bool, bool], str]


@dataclass(frozen=True)
class PromptParts:
    """What a game's prompt can be built from, and what it shows by default."""

    family: str  # the kind of prompt, for people ("chess", "openspiel"; "generic": the game's own text)
    notations: tuple[str, ...]  # ways to show the state
    default_state: tuple[str, ...]
    history: bool  # whether the history is a part of its own that can be shown or left out
    legal_moves: bool  # likewise the list of legal moves
    default_legal_moves: bool = False
    template: TemplateBuilder | None = None  # None: the game keeps its own prompt


__all__ = ["PromptParts", "TemplateBuilder"]
