"""The names of episode metrics, defined once: clembench's names, used by every game and every reader.

Every env puts its episode scores in ``infos[agent]["scores"]`` at the end under these keys (board, grid
and dialogue games alike), so that scores, clemscore, trajectories and ratings read one set of names:

==========================  =======================================================================
``Aborted``                 1 when a player broke the rules or the format so that the episode was not
                            played out (clembench's "aborted"), else 0
``Lose``                    1 when the game was played and its goal not reached; 0 when aborted
``Success``                 1 when the game was played and its goal reached; 0 when aborted
``Request Count``           how many replies the players sent (as the game's clembench scorer counts)
``Parsed Request Count``    how many of them the game could read
``Violated Request Count``  how many it could not (or the game counted as a violation)
``Request Success Ratio``   parsed / requests
``Main Score``              the game's score, 0-100; NaN when aborted in clembench's games
==========================  =======================================================================

plus each game's own measures, under the names their game gives them (taboo's ``Repetition-Guesser``,
textmapworld's ``efficiency``...).
"""

from __future__ import annotations

import math

ABORTED = "Aborted"
LOSE = "Lose"
SUCCESS = "Success"
REQUEST_COUNT = "Request Count"
PARSED_REQUEST_COUNT = "Parsed Request Count"
VIOLATED_REQUEST_COUNT = "Violated Request Count"
REQUEST_SUCCESS_RATIO = "Request Success Ratio"
MAIN_SCORE = "Main Score"
PLAYED = "Played"  # clembench derives it as 1 - Aborted; games do not log it

COMMON_METRICS = (ABORTED, LOSE, SUCCESS, REQUEST_COUNT, PARSED_REQUEST_COUNT, VIOLATED_REQUEST_COUNT,
                  REQUEST_SUCCESS_RATIO, MAIN_SCORE)


class _NaN(float):
    """NaN that equals any NaN, so that two same-seed episodes compare equal (PettingZoo's seed_test
    compares infos with ``==``). It is still a float NaN for ``math.isnan``, pandas and JSON."""

    def __new__(cls) -> "_NaN":
        return super().__new__(cls, "nan")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, float) and math.isnan(other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "nan"

    def __reduce__(self):  # pickles and deep-copies as itself
        return (_NaN, ())


#: The NaN of a score that does not apply (Main Score of an aborted episode).
NAN = _NaN()

__all__ = ["ABORTED", "LOSE", "SUCCESS", "REQUEST_COUNT", "PARSED_REQUEST_COUNT", "VIOLATED_REQUEST_COUNT",
           "REQUEST_SUCCESS_RATIO", "MAIN_SCORE", "PLAYED", "COMMON_METRICS", "NAN"]
