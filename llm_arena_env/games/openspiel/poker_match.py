"""A heads-up no-limit hold'em match: many hands of ``universal_poker``, stacks carried from hand to hand.

>>> env = llm_arena_env.make("openspiel/holdem_match", hands=100)

- Each hand is OpenSpiel's ``universal_poker`` (the ``openspiel/universal_poker`` rules and short move names:
  Fold, Check, Call, Bet N, Raise N, AllIn), started with the stacks the players hold after the last hand.
  The blinds alternate: player_0 posts the big blind in odd-numbered hands, player_1 in even ones (the small
  blind acts first before the flop, last after it).
- The match ends after ``hands`` hands, or when a player cannot post the big blind (busted).
- Observations: the hand's own prompt (only the player's cards) under a line with the hand number, both
  stacks and the chips won so far. ``action_mask`` covers every bet size up to all the chips in play.
- Rewards: each player's chips won per hand played (zero-sum), the match's score. Outcomes: more chips than
  at the start wins. ``infos[p]`` holds ``chips_won`` and ``chips_per_hand``; the scores hold ``Hands``.

Version history: v0, the first.
"""

from __future__ import annotations

from typing import Any, Callable

from llm_arena_env.core.outcome import EndReason, Outcome, Result
from llm_arena_env.core.text_env import TextEnv
from llm_arena_env.games.openspiel.env import OpenSpielEnv
from llm_arena_env.games.openspiel.holdem import HUNL

PLAYERS = ["player_0", "player_1"]


class HoldemMatchEnv(TextEnv):
    """Heads-up no-limit hold'em over many hands. See the module docstring."""

    metadata = {**TextEnv.metadata, "name": "holdem_match"}
    has_picture = True

    def __init__(self, hands: int = 100, *, stack: int = 20000, big_blind: int = 100, **kwargs: Any):
        for name, value in (("hands", hands), ("stack", stack), ("big_blind", big_blind)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, got {value!r}")
        if big_blind < 2 or stack < big_blind:
            raise ValueError(f"big_blind must be at least 2 and at most the stack, got {big_blind} with stack {stack}")
        self.hands, self.starting_stack, self.big_blind = hands, stack, big_blind
        self.num_actions = 2 * stack + 1  # a bet "to N" can reach every chip in play
        super().__init__(PLAYERS, **kwargs)

    # ------------------------------------------------------------------ the match

    def _new_game(self, options: dict) -> None:
        self.stacks = [self.starting_stack, self.starting_stack]
        self.hand_number = 0
        self.hand_results: list[list[float]] = []  # chips each player won in each hand
        self._deal()

    def _deal(self) -> None:
        """Start the next hand with the current stacks; player_0 is the big blind in odd-numbered hands."""
        self.hand_number += 1
        small = self.big_blind // 2
        big_is_0 = self.hand_number % 2 == 1
        params = {
            **HUNL,
            "blind": f"{self.big_blind} {small}" if big_is_0 else f"{small} {self.big_blind}",
            "firstPlayer": "2 1 1 1" if big_is_0 else "1 2 2 2",
            "stack": f"{self.stacks[0]} {self.stacks[1]}",
        }
        self.hand = OpenSpielEnv("universal_poker", **params)
        self.hand.np_random = self.np_random  # one seeded stream for every deal of the match
        self.hand.reset()

    def _busted(self) -> bool:
        return min(self.stacks) < self.big_blind

    # ------------------------------------------------------------------ TextEnv hooks: the hand's own, with the match around them

    def _current_agent(self) -> str:
        return self.hand.agent_selection

    def _parse_action(self, agent: str, text: str) -> int:
        return self.hand._parse_action(agent, text)

    def _parse_action_id(self, agent: str, action_id: int) -> int:
        return self.hand._parse_action_id(agent, action_id)

    def _apply(self, agent: str, move: int) -> None:
        self.hand.step(move)
        if self.hand.result is None:
            return
        won = [self.hand.result.rewards[p] for p in PLAYERS]
        self.hand_results.append(won)
        self.stacks = [int(round(s + w)) for s, w in zip(self.stacks, won)]
        if self.hand_number < self.hands and not self._busted():
            self._deal()

    def _result(self) -> Result | None:
        if self.hand.result is None or (self.hand_number < self.hands and not self._busted()):
            return None
        played = len(self.hand_results)
        won = {p: float(self.stacks[i] - self.starting_stack) for i, p in enumerate(PLAYERS)}
        per_hand = {p: won[p] / played for p in PLAYERS}
        outcomes = {p: Outcome.WIN if won[p] > 0 else Outcome.LOSS if won[p] < 0 else Outcome.DRAW for p in PLAYERS}
        detail = f"after {played} hands: " + ", ".join(f"{p} {won[p]:+.0f} chips" for p in PLAYERS)
        if self._busted():
            detail += " (a player could not post the big blind)"
        scores = {"Hands": float(played), "Chips Per Hand player_0": per_hand["player_0"]}
        return Result(per_hand, outcomes, EndReason.GAME_OVER, detail, scores)

    def _finish(self, result: Result) -> None:
        super()._finish(result)
        for i, agent in enumerate(self.agents):
            won = self.stacks[i] - self.starting_stack
            self.infos[agent].update(chips_won=won, chips_per_hand=won / max(1, len(self.hand_results)))

    def _prompt_fields(self, agent: str) -> dict[str, Callable[[], str]]:
        return {"state": lambda: self._match_line(agent) + "\n\n" + self.hand._observation_text(agent)}

    def _match_line(self, agent: str) -> str:
        me = PLAYERS.index(agent)
        won = self.stacks[me] - self.starting_stack
        last = ""
        if self.hand_results:
            chips = self.hand_results[-1][me]
            last = f" Last hand you {'won' if chips > 0 else 'lost' if chips < 0 else 'broke even with'} {abs(chips):.0f} chips."
        return (f"Match of {self.hands} hands of heads-up no-limit hold'em; this is hand {self.hand_number}. "
                f"Stacks at the start of this hand: you {self.stacks[me]}, your opponent {self.stacks[1 - me]} "
                f"(you are {won:+d} chips in the match).{last}")

    def _legal_actions(self, agent: str) -> list[str]:
        return self.hand._legal_actions(agent)

    def _legal_action_ids(self, agent: str) -> list[int]:
        return self.hand._legal_action_ids(agent)

    def _render_text(self) -> str:
        return self._match_line(self.agent_selection) + "\n" + self.hand._render_text()

    def _render_image(self, agent: str | None) -> Any:
        return self.hand._render_image(agent)
