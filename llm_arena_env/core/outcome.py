"""How an episode ended: typed outcomes instead of free strings."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Mapping


class Outcome(str, enum.Enum):
    """One player's outcome; a ``str`` so that it serializes as its value."""

    WIN = "win"
    LOSS = "loss"
    DRAW = "draw"
    ABORTED = "aborted"
    SUCCESS = "success"
    FAILURE = "failure"
    # The model could not be reached or answered nothing usable: no one played, so nothing is scored,
    # rated or trained on, and a resumed run plays the episode again. Never a loss, never "aborted"
    # (clembench's aborted is a player breaking the format).
    ERROR = "error"

    def __str__(self) -> str:
        return self.value


class EndReason(str, enum.Enum):
    """Why the episode ended."""

    GAME_OVER = "game_over"  # the rules ended it (mate, full board, solved, out of rounds, ...)
    ILLEGAL_ACTION = "illegal_action"  # a player broke a rule or the format too often
    MAX_TURNS = "max_turns"  # truncated by the env's turn limit
    ERROR = "error"  # a player's model call failed for good (the arena ends the episode; see Outcome.ERROR)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Result:
    """The end of an episode: each player's reward and outcome, and the game's episode scores."""

    rewards: Mapping[str, float]
    outcomes: Mapping[str, Outcome]
    reason: EndReason = EndReason.GAME_OVER
    detail: str = ""  # e.g. "checkmate", "threefold repetition"
    scores: Mapping[str, float] = field(default_factory=dict)


def zero_sum(agents: list[str], winner: str | None) -> tuple[dict[str, float], dict[str, Outcome]]:
    """Rewards and outcomes of a zero-sum game: +1 to the winner, -1 split among the rest; all 0 on a draw."""
    if winner is None:
        return {a: 0.0 for a in agents}, {a: Outcome.DRAW for a in agents}
    losers = len(agents) - 1
    rewards = {a: 1.0 if a == winner else -1.0 / losers for a in agents}
    outcomes = {a: Outcome.WIN if a == winner else Outcome.LOSS for a in agents}
    return rewards, outcomes


def forfeit(agents: list[str], offender: str) -> tuple[dict[str, float], dict[str, Outcome]]:
    """Rewards and outcomes when ``offender`` forfeits a competitive game: it gets -1, the rest share +1."""
    others = len(agents) - 1
    rewards = {a: -1.0 if a == offender else 1.0 / others for a in agents}
    outcomes = {a: Outcome.LOSS if a == offender else Outcome.WIN for a in agents}
    return rewards, outcomes
