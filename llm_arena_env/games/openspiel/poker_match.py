"""A heads-up no-limit hold'em match: many hands of ``universal_poker``, stacks carried from hand to hand.

>>> env = llm_arena_env.make("poker/holdem_match", hands=100)

- Each hand is OpenSpiel's ``universal_poker`` (the ``openspiel/universal_poker`` rules and short move names:
  Fold, Check, Call, Bet N, Raise N, AllIn), started with the stacks the players hold after the last hand.
  The blinds alternate: player_0 posts the big blind in odd-numbered hands, player_1 in even ones (the small
  blind acts first before the flop, last after it).
- The match ends after ``hands`` hands, or when a player cannot post the big blind (busted).
- Observations: the hand's prompt (only the player's own cards), its game line followed by the hand number,
  both stacks and the chips won so far. ``action_mask`` covers every bet size up to all the chips in play.
- Rewards: each player's chips won per hand played (zero-sum), the match's score. Outcomes: more chips than
  at the start wins. ``infos[p]`` holds ``chips_won`` and ``chips_per_hand``; the scores hold ``Hands``.

Version history: v0, the first.
"""

from __future__ import annotations

from typing import Any, Callable

from llm_arena_env.core.outcome import EndReason, Outcome, Result
from llm_arena_env.games.openspiel.env import OpenSpielEnv
from llm_arena_env.games.openspiel.holdem import HUNL
from llm_arena_env.games.openspiel.loading import load_game


class HoldemMatchEnv(OpenSpielEnv):
    """Heads-up no-limit hold'em over many hands: an OpenSpiel env whose game is reloaded for each hand."""

    metadata = {**OpenSpielEnv.metadata, "name": "holdem_match"}
    fixed_game_name = "universal_poker"

    def __init__(self, hands: int = 100, *, stack: int = 20000, big_blind: int = 100, **kwargs: Any):
        for name, value in (("hands", hands), ("stack", stack), ("big_blind", big_blind)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, got {value!r}")
        if big_blind < 2 or stack < big_blind:
            raise ValueError(f"big_blind must be at least 2 and at most the stack, got {big_blind} with stack {stack}")
        self.hands, self.starting_stack, self.big_blind = hands, stack, big_blind
        self.stacks = [stack, stack]
        self.hand_number = 1
        super().__init__("universal_poker", **self._hand_params(), **kwargs)

    @property
    def num_actions(self) -> int:
        """Every bet "to N" up to all the chips in play (each hand's own game has fewer: its stacks)."""
        return 2 * self.starting_stack + 1

    @num_actions.setter
    def num_actions(self, value: int) -> None:
        pass  # OpenSpielEnv sets the first hand's count; the match keeps one mask for every hand

    def _hand_params(self) -> dict[str, Any]:
        """OpenSpiel's parameters of the current hand: the stacks now, player_0 the big blind in odd hands."""
        small = self.big_blind // 2
        big_is_0 = self.hand_number % 2 == 1
        return {
            **HUNL,
            "blind": f"{self.big_blind} {small}" if big_is_0 else f"{small} {self.big_blind}",
            "firstPlayer": "2 1 1 1" if big_is_0 else "1 2 2 2",
            "stack": f"{self.stacks[0]} {self.stacks[1]}",
        }

    def _load_hand(self) -> None:
        params = self._hand_params()
        self.game = load_game("universal_poker", params)
        self.params = dict(self.game.get_parameters())
        self._game_line = self._describe_game(self.long_name, params, None)

    # ------------------------------------------------------------------ the match around OpenSpiel's hands

    def _new_game(self, options: dict) -> None:
        self.stacks = [self.starting_stack, self.starting_stack]
        self.hand_number = 1
        self.hand_results: list[list[float]] = []  # chips each player won in each hand
        self._load_hand()
        super()._new_game(options)

    def _apply(self, agent: str, move: int) -> None:
        super()._apply(agent, move)
        if not self._state.is_terminal():
            return
        won = [float(r) for r in self._state.returns()]
        self.hand_results.append(won)
        self.stacks = [int(round(s + w)) for s, w in zip(self.stacks, won)]
        if self.hand_number < self.hands and not self._busted():
            self.hand_number += 1
            self._load_hand()
            super()._new_game({})

    def _busted(self) -> bool:
        return min(self.stacks) < self.big_blind

    def _result(self) -> Result | None:
        if not self._state.is_terminal():
            return None
        played = len(self.hand_results)
        won = {p: float(self.stacks[i] - self.starting_stack) for i, p in enumerate(self.possible_agents)}
        per_hand = {p: won[p] / played for p in won}
        outcomes = {p: Outcome.WIN if won[p] > 0 else Outcome.LOSS if won[p] < 0 else Outcome.DRAW for p in won}
        detail = f"after {played} hands: " + ", ".join(f"{p} {won[p]:+.0f} chips" for p in won)
        if self._busted():
            detail += " (a player could not post the big blind)"
        return Result(per_hand, outcomes, EndReason.GAME_OVER, detail, {"Hands": float(played)})

    def _finish(self, result: Result) -> None:
        super()._finish(result)
        for i, agent in enumerate(self.agents):
            won = self.stacks[i] - self.starting_stack
            self.infos[agent].update(chips_won=won, chips_per_hand=won / max(1, len(self.hand_results)))

    def _prompt_fields(self, agent: str) -> dict[str, Callable[[], str]]:
        fields = super()._prompt_fields(agent)
        if "match" not in fields:  # the game line says where the match stands
            hand_line = fields["game"]
            fields["match"] = lambda: self._match_line(agent)
            fields["game"] = lambda: f"{hand_line()}\n{self._match_line(agent)}"
        return fields

    def _match_line(self, agent: str) -> str:
        me = self.possible_agents.index(agent)
        won = self.stacks[me] - self.starting_stack
        last = ""
        if self.hand_results:
            chips = self.hand_results[-1][me]
            verb = "won" if chips > 0 else "lost" if chips < 0 else "broke even with"
            last = f" Last hand you {verb} {abs(chips):.0f} chips."
        return (f"Match of {self.hands} hands of heads-up no-limit hold'em; this is hand {self.hand_number}. "
                f"Stacks at the start of this hand: you {self.stacks[me]}, your opponent {self.stacks[1 - me]} "
                f"(you are {won:+d} chips in the match).{last}")
