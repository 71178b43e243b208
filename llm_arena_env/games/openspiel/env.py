"""Any sequential OpenSpiel game as a text env.

Make a game with ``llm_arena_env.make("openspiel/<name>", **params)``, where ``params`` are the game's own
OpenSpiel parameters (``board_size=9``, ``players=3``); any game in ``pyspiel.registered_names()`` works.

- Players: ``"player_0"`` .. ``"player_{n-1}"``, OpenSpiel's player numbers (in chess player 0 is Black).
- Observations: text built from OpenSpiel's ``observation_string(player)`` where the game has one, else
  ``information_state_string(player)``, so no player sees another's private cards or dice. Perfect-
  information games also list the moves so far (chess with PGN's numbers, ``1. e4 e5 2. Nf3``). Prompt fields: ``state`` (all of it), ``game``, ``player``,
  ``board``, ``notes``, ``history``, ``legal_moves``, ``turn``, ``move_format``, ``answer_format``.
- Actions: OpenSpiel's move strings (``state.action_to_string``), read stripped, ignoring case where that is
  unambiguous and in short forms per game (``3`` for connect_four's ``x3``, ``d4`` for go's ``B d4``), or int
  ids in ``range(game.num_distinct_actions())`` under ``action_mask``.
- Chance events (dice, deals) are drawn from the env's ``np_random``, so ``reset(seed=s)`` repeats a game.
- Rewards: OpenSpiel's ``returns()``. Outcomes: the unique best return wins, the rest lose; a shared best is a
  draw for those players; all equal is a draw. ``max_turns`` truncates (outcome draw, rewards 0).
- ``reset(options={"history": [ids]})`` starts from the position after OpenSpiel action ids (chance included),
  as in ``env.action_history``; ``env.state`` is the live pyspiel state, for engines (read it, do not change it).

Options (keyword arguments of ``make``): ``max_turns`` (None), ``show_legal_moves`` (True), ``game_params``
(OpenSpiel parameters whose names clash with these options), ``board_notation`` ("openspiel", or "grid": a
spaced grid with coordinates for tic-tac-toe, connect four and go), and TextEnv's ``render_mode``,
``observation_mode``, ``image_size``, ``max_illegal_actions``, ``prompt_template``, ``answer_format``.
Images: every game registered by id is drawn (see ``pictures``), card and dice games from the observing
player's own view; a game with no drawer refuses image observations (``render_mode="rgb_array"`` still
draws its text).

Version history: v0, the first.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import pyspiel

from llm_arena_env.core.notation import Notation
from llm_arena_env.core.outcome import EndReason, Outcome, Result
from llm_arena_env.core.prompting import PromptParts
from llm_arena_env.core.render import text_to_image
from llm_arena_env.core.text_env import DEFAULT_ANSWER_FORMAT, PromptFields, TextEnv
from llm_arena_env.games.openspiel import pictures
from llm_arena_env.games.openspiel.loading import game_type, load_game
from llm_arena_env.games.openspiel.moves import MoveTable
from llm_arena_env.games.openspiel.results import describe_returns, outcomes_from_returns
from llm_arena_env.games.openspiel.grids import GRIDS
from llm_arena_env.games.openspiel.text import game_text

CHANCE = pyspiel.PlayerId.CHANCE
_PERFECT = pyspiel.GameType.Information.PERFECT_INFORMATION
_SAID = {Outcome.WIN: "you won", Outcome.LOSS: "you lost", Outcome.DRAW: "a draw"}


def prompt_body(perfect: bool, has_notes: bool, shown: tuple[str, ...], history: bool, legal_moves: bool) -> str:
    """The prompt (without the answer format) showing the parts asked for: ``shown`` holds "board" and/or
    "image". The env's default is the board, with the history in perfect-information games (in the others
    the player's view already holds what it may know) and the legal moves as ``show_legal_moves`` says."""
    parts = ["{game}", "You are {player}."]
    if "board" in shown:
        parts.append("Current position:\n{board}" if perfect else "What you can see:\n{board}")
    if "image" in shown:
        parts.append("The image shows the current position.")
    if has_notes:
        parts.append("{notes}")
    if history:
        parts.append("Moves so far: {history}")
    turn = "{turn}" + ("\nLegal moves: {legal_moves}" if legal_moves else "")
    parts.append(turn + "\nMove format: {move_format}.")
    return "\n\n".join(parts)


class OpenSpielEnv(TextEnv):
    """One OpenSpiel sequential game, any number of players, with chance and hidden information."""

    metadata = {"render_modes": ["human", "ansi", "rgb_array"], "name": "openspiel", "is_parallelizable": False}
    #: The OpenSpiel game of a subclass that is registered without a ``game_name`` (hold'em matches).
    fixed_game_name: str = ""

    def __init__(
        self,
        game_name: str,
        *,
        max_turns: int | None = None,
        show_legal_moves: bool = True,
        game_params: Mapping[str, Any] | None = None,
        render_mode: str | None = None,
        observation_mode: str = "text",
        image_size: int = 512,
        max_illegal_actions: int = 0,
        prompt_template: str | None = None,
        answer_format: str = DEFAULT_ANSWER_FORMAT,
        board_notation: str = "openspiel",
        **params: Any,
    ):
        """``params`` are the game's OpenSpiel parameters; ``game_params`` holds any whose name clashes with
        an option here (crazy_eights has its own ``max_turns``). ``board_notation="grid"`` shows the board
        as a spaced grid with coordinates (tic-tac-toe, connect four, go), as game_arena can."""
        if max_turns is not None and (isinstance(max_turns, bool) or not isinstance(max_turns, int) or max_turns < 1):
            raise ValueError(f"max_turns must be None or an int >= 1, got {max_turns!r}")
        self.game = load_game(game_name, {**params, **(game_params or {})})
        kind = self.game.get_type()
        self.has_picture = pictures.has_picture(kind.short_name)
        if "image" in observation_mode and not self.has_picture:
            raise ValueError(
                f"OpenSpiel's {kind.short_name!r} has no picture here, so it has no image observations: "
                "use observation_mode='text'"
            )
        self.game_name: str = kind.short_name
        if board_notation not in ("openspiel", "grid"):
            raise ValueError(f"board_notation must be 'openspiel' or 'grid', got {board_notation!r}")
        if board_notation == "grid" and self.game_name not in GRIDS:
            raise ValueError(f"board_notation='grid' is for {', '.join(sorted(GRIDS))}, not {self.game_name}")
        self._grid = GRIDS[self.game_name] if board_notation == "grid" else None
        self._white_first = self.game_name != "chess" or " b " not in str(self.game.new_initial_state())
        self.params: dict[str, Any] = dict(self.game.get_parameters())
        self.perfect_information = kind.information == _PERFECT
        self.max_turns = max_turns
        self.show_legal_moves = show_legal_moves
        self.num_actions = self.game.num_distinct_actions()
        self._tensor = ("observation_tensor" if kind.provides_observation_tensor else
                        "information_state_tensor" if kind.provides_information_state_tensor else None)
        if self._tensor:  # observation_mode="tensor": OpenSpiel's own tensor of the player's view
            self.observation_shape = tuple(getattr(self.game, f"{self._tensor}_shape")())
        self._text = game_text(self.game_name, kind.long_name)
        self.long_name: str = kind.long_name
        self._has_information_state = kind.provides_information_state_string
        self._view = "observation_string" if kind.provides_observation_string else "information_state_string"
        players = [f"player_{i}" for i in range(self.game.num_players())]
        self._index = {agent: i for i, agent in enumerate(players)}
        self._sides = {a: f"{a} ({self._text.sides(i, len(players))})" for a, i in self._index.items()}
        self._game_line = self._describe_game(kind.long_name, params, game_params)
        self._move_format = self._text.move_format(self.params)
        self._namer = self._text.move_namer(self.params) if self._text.move_namer else None
        self._body = prompt_body(self.perfect_information, self._text.notes is not None, ("board",),
                                 history=self.perfect_information, legal_moves=show_legal_moves)
        self.default_prompt_template = self._body + "\n\n{answer_format}"
        self._fields: dict[str, dict[str, Callable[[], str]]] = {}
        super().__init__(
            players,
            render_mode=render_mode,
            observation_mode=observation_mode,
            image_size=image_size,
            max_illegal_actions=max_illegal_actions,
            prompt_template=prompt_template,
            answer_format=answer_format,
        )

    @classmethod
    def prompt_parts(cls, kwargs: Mapping[str, Any]) -> PromptParts:
        """The board (or a picture of it), the history and the legal moves, each shown or left out."""
        name = kwargs.get("game_name") or cls.fixed_game_name
        perfect = game_type(name).information == _PERFECT
        has_notes = game_text(name, name).notes is not None

        def template(shown: tuple[str, ...], history: bool, legal_moves: bool) -> str:
            return prompt_body(perfect, has_notes, shown, history, legal_moves) + "\n\n{answer_format}"

        return PromptParts("openspiel", ("board",), ("board",), True, True, default_legal_moves=True, template=template)

    # ------------------------------------------------------------------ what users may read

    @property
    def state(self) -> pyspiel.State:
        """The live OpenSpiel state (for engines and tests): read it, do not change it."""
        return self._state

    @property
    def action_history(self) -> list[int]:
        """Every OpenSpiel action id played this episode, chance events included, for ``options["history"]``."""
        return [action for _, action in self._log]

    # ------------------------------------------------------------------ hooks of TextEnv

    def _new_game(self, options: dict) -> None:
        self._state = self.game.new_initial_state()
        self._log: list[tuple[int, int]] = []  # (player, action), chance events as player CHANCE
        self._turns = 0  # moves by players, not chance
        self._table: MoveTable | None = None
        self._views: dict[tuple[str, int], str] = {}
        self._known: dict[int, str] = {}  # log index -> move string that was at hand when it was played
        self._history: list[str] = []  # move strings of _log[:len(_history)], filled on demand
        self._trail: pyspiel.State | None = None  # a lagging copy of the game, to name moves after the fact
        self._trail_length = 0  # moves played on _trail
        self._replay(options.get("history", ()))
        self._settle_chance()
        if self._state.is_terminal():
            if options.get("history"):
                raise ValueError("options['history'] must leave the game unfinished")
            self._finish(self._result())  # chance alone ended it (a dealt blackjack): nothing to play

    def _current_agent(self) -> str:
        player = self._state.current_player()
        return self.possible_agents[player] if player >= 0 else self.possible_agents[0]

    def _parse_action(self, agent: str, text: str) -> int:
        return self._moves().read(text, self._move_format)

    def _parse_action_id(self, agent: str, action_id: int) -> int:
        return self._moves().read_id(action_id)

    def _apply(self, agent: str, move: int) -> None:
        named = self._table.string_if_named(move) if self._table is not None else None
        if named is not None and self.perfect_information:
            self._known[len(self._log)] = named  # free now, costly to name again later
        self._play(self._index[agent], move)
        self._turns += 1
        self._settle_chance()

    def _result(self) -> Result | None:
        state = self._state
        stuck = not state.is_terminal() and not self._moves().ids  # OpenSpiel bugs with odd parameters (1-row hex)
        if state.is_terminal() or stuck:
            returns = state.returns()
            rewards = dict(zip(self.possible_agents, map(float, returns)))
            outcomes = outcomes_from_returns(self.possible_agents, returns)
            detail = describe_returns(self.possible_agents, returns)
            if stuck:
                detail = f"the player to move has no legal move though the game is not over; {detail}"
            return Result(rewards, outcomes, EndReason.GAME_OVER, detail, {"turns": float(self._turns)})
        if self.max_turns is not None and self._turns >= self.max_turns:
            rewards = {a: 0.0 for a in self.possible_agents}
            outcomes = {a: Outcome.DRAW for a in self.possible_agents}
            detail = f"stopped after {self._turns} moves (max_turns={self.max_turns})"
            return Result(rewards, outcomes, EndReason.MAX_TURNS, detail, {"turns": float(self._turns)})
        return None

    def _prompt_fields(self, agent: str) -> dict[str, Callable[[], str]]:
        if agent not in self._fields:  # made once per player: they read the live state when called
            fields: dict[str, Callable[[], str]] = {
                "game": lambda: self._game_line,
                "player": lambda: self._sides[agent],
                "board": lambda: self._board(agent),
                "notes": lambda: self._notes(agent),
                "history": lambda: self._history_text(agent),
                "legal_moves": lambda: self._legal_moves_text(agent),
                "turn": lambda: self._turn_text(agent),
                "move_format": lambda: self._move_format,
                "answer_format": lambda: self.answer_format,
            }
            fields["state"] = lambda: self._body.format_map(PromptFields(fields))
            self._fields[agent] = fields
        return self._fields[agent]

    def _legal_actions(self, agent: str) -> list[str]:
        return self._moves().strings

    def _legal_action_ids(self, agent: str) -> list[int]:
        return self._moves().ids

    def _notation(self, agent: str) -> Notation:
        return self._text.notation(self._state, self.params)

    def _observation_tensor(self, agent: str) -> Any:
        return getattr(self._state, self._tensor)(self._index[agent])

    def _render_text(self) -> str:
        if self.result is not None:
            status = f"Game over: {self.result.detail}."
        else:
            status = f"Move {self._turns + 1}: {self.agent_selection} to play."
        return f"{self.long_name}\n{self._state}\n{status}"

    def _render_image(self, agent: str | None) -> Any:
        if not self.has_picture:  # render_mode="rgb_array" only: image observations were refused
            return text_to_image(self._render_text(), self.image_size)
        if agent is None:  # a spectator sees the board as the player to move does
            player = max(0, self._state.current_player())
        else:
            player = self._index[agent]
        return pictures.picture(self.game_name, self._state, player, self.params, self.image_size)

    # ------------------------------------------------------------------ playing

    def _moves(self) -> MoveTable:
        """The legal moves of the player to act, built once per turn."""
        if self._table is None:
            self._table = MoveTable(self._state, self._state.current_player(), self._text, self._namer)
        return self._table

    def _play(self, player: int, action: int) -> None:
        self._state.apply_action(action)
        self._log.append((player, action))
        self._table = None
        self._views.clear()

    def _settle_chance(self) -> None:
        """Play chance events (dice, deals) until a player is to move, drawing from ``np_random``."""
        state = self._state
        while state.is_chance_node():
            outcomes = state.chance_outcomes()
            draw = self.np_random.random()
            chosen = outcomes[-1][0]  # where rounding leaves the probabilities a hair under 1
            for action, probability in outcomes:
                draw -= probability
                if draw < 0:
                    chosen = action
                    break
            self._play(CHANCE, chosen)

    def _replay(self, history: Any) -> None:
        """Play OpenSpiel action ids from the start, checking each one, for ``options["history"]``."""
        for step, action in enumerate(history):
            state = self._state
            if state.is_terminal():
                raise ValueError(f"options['history'] goes on after the game ended (at entry {step})")
            if state.is_chance_node():
                legal, player = [a for a, _ in state.chance_outcomes()], CHANCE
            else:
                legal, player = state.legal_actions(), state.current_player()
            if isinstance(action, bool) or not isinstance(action, int) or action not in legal:
                raise ValueError(f"options['history'][{step}] = {action!r} is not a legal action there")
            self._play(player, action)
            self._turns += player != CHANCE

    # ------------------------------------------------------------------ text

    def _describe_game(self, long_name: str, params: Mapping[str, Any], game_params: Mapping[str, Any] | None) -> str:
        given = {**params, **(game_params or {})}
        shown = "".join(f", {k}={self.params.get(k, v)!r}" for k, v in given.items())
        return f"Game: {long_name} (OpenSpiel '{self.game_name}'{shown}). {self._text.rules(self.params)}"

    def _own_string(self, agent: str, kind: str) -> str:
        """``agent``'s own observation or information-state string, once per position."""
        key = (kind, self._index[agent])
        if key not in self._views:
            self._views[key] = getattr(self._state, kind)(key[1])
        return self._views[key]

    def _board(self, agent: str) -> str:
        board = self._own_string(agent, self._view).rstrip()
        return self._grid(board, self.params) if self._grid is not None else board

    def _notes(self, agent: str) -> str:
        if self._text.notes is None:
            return ""
        if self._text.notes_source == "information_state" and self._has_information_state:
            source = self._own_string(agent, "information_state_string")
        else:
            source = self._own_string(agent, self._view)
        return self._text.notes(source, self.params)

    def _history_text(self, agent: str) -> str:
        if self.perfect_information and self.game_name == "chess":  # PGN's numbering: 1. e4 e5 2. Nf3
            return pgn_numbered(self._move_strings(), white_first=self._white_first) or "(none yet)"
        if self.perfect_information:
            return ", ".join(self._move_strings()) or "(none yet)"
        if self._has_information_state:  # the player's own record; the full history would show hidden events
            return self._own_string(agent, "information_state_string")
        return self._board(agent)

    def _move_strings(self) -> list[str]:
        """OpenSpiel's string of every move so far (chance events in brackets)."""
        for index in range(len(self._history), len(self._log)):
            player, action = self._log[index]
            text = self._known.pop(index, None) or self._trail_at(index).action_to_string(player, action)
            self._history.append(f"[{text}]" if player == CHANCE else text)
        return self._history

    def _trail_at(self, index: int) -> pyspiel.State:
        """A second state at move ``index``, to name a move whose string was not at hand when it was played.

        It starts only when first needed and only catches up, so naming costs nothing while every move's
        string is known (the usual case: the mover saw its legal moves)."""
        if self._trail is None:
            self._trail, self._trail_length = self.game.new_initial_state(), 0
        while self._trail_length < index:
            self._trail.apply_action(self._log[self._trail_length][1])
            self._trail_length += 1
        return self._trail

    def _legal_moves_text(self, agent: str) -> str:
        if self.result is not None:
            return "(none: the game is over)"
        if agent != self.agent_selection:
            return f"(none: it is {self.agent_selection}'s turn)"
        if self._text.legal_summary is not None:
            return self._text.legal_summary(self._moves().strings)
        return ", ".join(self._moves().strings)

    def _turn_text(self, agent: str) -> str:
        if self.result is not None:
            return f"The game is over after {self._turns} moves: {_SAID.get(self.result.outcomes[agent], 'it ended')}."
        if agent == self.agent_selection:
            return f"Move {self._turns + 1}: it is your turn."
        return f"Move {self._turns + 1}: it is {self.agent_selection}'s turn, not yours."


def pgn_numbered(moves: list[str], *, white_first: bool = True) -> str:
    """Chess moves with PGN's move numbers: ``1. e4 e5 2. Nf3``; from Black's move, ``1... e5 2. Nf3``."""
    parts = []
    offset = 0 if white_first else 1
    for index, move in enumerate(moves):
        ply = index + offset
        if ply % 2 == 0:
            parts.append(f"{ply // 2 + 1}. {move}")
        elif index == 0:
            parts.append(f"{ply // 2 + 1}... {move}")
        else:
            parts.append(move)
    return " ".join(parts)
