"""Results of the grid games, which are played alone or by a team: no one wins against anyone.

A finished episode is a success or a failure for every player alike, with a reward from 0 to 1; breaking
the rules too often aborts it (reward 0, clembench's "aborted").
"""

from __future__ import annotations

from typing import Mapping, Sequence

from llm_arena_env.core.metrics import LOSE, MAIN_SCORE, NAN, SUCCESS
from llm_arena_env.core.outcome import EndReason, Outcome, Result


def team_result(players: Sequence[str], success: bool, scores: Mapping[str, float], *, reward: float,
                reason: EndReason = EndReason.GAME_OVER, detail: str = "") -> Result:
    """Every player shares the outcome and ``reward``; the scores get clembench's Success and Lose."""
    outcome = Outcome.SUCCESS if success else Outcome.FAILURE
    scores = {**scores, SUCCESS: float(success), LOSE: float(not success)}
    return Result({p: float(reward) for p in players}, {p: outcome for p in players}, reason, detail, scores)


def aborted(players: Sequence[str], detail: str, scores: Mapping[str, float]) -> Result:
    """The episode ended on a rule broken too often: reward 0, Main Score NaN (clembench's, for an aborted
    episode), Success and Lose 0, the other measures kept."""
    scores = {**scores, MAIN_SCORE: NAN, SUCCESS: 0.0, LOSE: 0.0}
    return Result({p: 0.0 for p in players}, {p: Outcome.ABORTED for p in players}, EndReason.ILLEGAL_ACTION,
                  detail, scores)
