"""Prompt builders: ``make()`` options that choose what a game's prompt shows, as game_arena's prompts do.

>>> options = prompt_options("chess", state=("fen",), history=False, legal_moves=True)
>>> env = llm_arena_env.make("chess", **options)    # doctest: +SKIP

Every game fills its ``prompt_template`` from named fields (``TextEnv._prompt_fields``). A game whose
prompt has parts to choose from says so through its env class's ``prompt_parts`` hook
(:class:`~llm_arena_env.core.prompting.PromptParts`), which also builds the template: chess has ``fen``,
``board`` and ``pieces``; OpenSpiel games have ``board``; both list the history and the legal moves on
request, and ``image`` (a picture beside the text) where the game is drawn. Any other game's prompt is its
own ``state`` text, as the game writes it (and ``image`` where it has one). A ``template`` of your own
replaces the built one. What parsers and Rethink know of the position comes from the observation's
notation, whatever the prompt shows.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Sequence

from llm_arena_env.core.prompting import PromptParts
from llm_arena_env.registry import spec


def prompt_parts(game_id: str) -> PromptParts:
    """What ``game_id``'s prompt can be built from."""
    game = spec(game_id)
    image = ("image",) if "image" in game.observation_modes else ()
    hook = getattr(game.load(), "prompt_parts", None)  # TextEnv's classmethod; None for other entry points
    parts = hook(game.kwargs) if hook is not None else None
    if parts is not None:
        return replace(parts, notations=parts.notations + image)
    default_mode = game.kwargs.get("observation_mode", "text")
    default_state = {"image": ("image",), "text+image": ("state", "image")}.get(default_mode, ("state",))
    return PromptParts("generic", ("state",) + image, default_state, False, False)


def prompt_options(
    game_id: str,
    *,
    state: Sequence[str] | None = None,
    history: bool = True,
    legal_moves: bool | None = None,
    answer_format: str | None = None,
    template: str | None = None,
) -> dict[str, Any]:
    """Keyword arguments for ``make(game_id, ...)``: ``observation_mode``, ``prompt_template`` (games whose
    prompt has parts; other games keep their own), and ``answer_format`` where one is given.

    ``state``: the ways to show the position, from :func:`prompt_parts` (None: the game's default);
    "image" adds a picture of the board (observation mode "text+image"). ``history`` and ``legal_moves``
    show or leave out those parts (``legal_moves=None``: the game's default). ``template`` replaces the
    built template; the other options still set the observation mode and answer format."""
    parts = prompt_parts(game_id)
    shown = tuple(parts.default_state if state is None else state)
    _check(game_id, parts, shown, history, legal_moves)
    listed = parts.default_legal_moves if legal_moves is None else legal_moves
    options: dict[str, Any] = {}
    if template is not None:
        options["prompt_template"] = template
    elif parts.template is not None:
        options["prompt_template"] = parts.template(shown, history, listed)
    # Other games keep their own template: a dialogue game's answer rules are part of its state text.
    if "image" not in shown:
        options["observation_mode"] = "text"
    elif shown == ("image",) and parts.template is None:
        options["observation_mode"] = "image"  # the game's own text then refers to the picture
    else:
        options["observation_mode"] = "text+image"
    if answer_format is not None:
        options["answer_format"] = answer_format
    return options


def _check(game_id: str, parts: PromptParts, shown: tuple[str, ...], history: bool, legal_moves: bool | None) -> None:
    unknown = [s for s in shown if s not in parts.notations]
    if unknown or not shown:
        raise ValueError(f"{game_id} can show its state as {', '.join(parts.notations)} (one or more), got {shown!r}")
    if not parts.history and not history:
        raise ValueError(f"{game_id}'s prompt is one state text without a separate history; pass template= to change it")
    if not parts.legal_moves and legal_moves is not None:
        raise ValueError(f"{game_id}'s prompt is one state text without a separate list of legal moves")


# ---------------------------------------------------------------------------------- small models

#: The system prompt small models get: a 135M model follows one short instruction, not a format spec.
MOVE_ONLY_SYSTEM_PROMPT = "You are playing a game. Reply with your move only."


def move_only_messages(messages: Sequence[dict[str, str]], legal_actions: Sequence[str]) -> tuple[dict[str, str], ...]:
    """A chat that small models answer with a bare move. Where there are legal moves: the system message
    says "reply with your move only" (added to the game's own system message, whose rules stay), and the
    last user turn opens with the moves as a list to pick from, loses the "Final Answer:" format line and
    ends with the question. (Measured on SmolLM2-135M: with the list last, it echoed the prompt's first
    line; with it first, 6 of 7 replies named a move.) Free-text games (no legal moves) keep their chat:
    their answer format is part of their rules."""
    chat = [dict(m) for m in messages]
    if not legal_actions or not chat or chat[-1]["role"] != "user":
        return tuple(chat)
    from llm_arena_env.core.text_env import DEFAULT_ANSWER_FORMAT

    if chat[0]["role"] == "system":
        chat[0]["content"] = f"{chat[0]['content']}\n\n{MOVE_ONLY_SYSTEM_PROMPT}"
    else:
        chat.insert(0, {"role": "system", "content": MOVE_ONLY_SYSTEM_PROMPT})
    text = chat[-1]["content"].replace(DEFAULT_ANSWER_FORMAT, "").rstrip()
    moves = ", ".join(legal_actions)
    chat[-1]["content"] = (f"Pick one move from this list and reply with it only: {moves}\n\n{text}\n\n"
                           "Your move (one from the list):")
    return tuple(chat)


__all__ = ["PromptParts", "prompt_parts", "prompt_options", "MOVE_ONLY_SYSTEM_PROMPT", "move_only_messages"]
