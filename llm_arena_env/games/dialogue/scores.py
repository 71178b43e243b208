"""clembench's scores: the metrics of one episode, and the benchmark table over many.

Episode metrics (the keys of ``infos[player]["scores"]`` at the end of every dialogue game), named exactly
as clembench names them so that numbers can be compared (the names are defined in ``core/metrics.py``):

==========================  =======================================================================
``Aborted``                 1 when a player broke the answer format (the episode was not played), else 0
``Lose``                    1 when the game was played and its goal not reached; 0 when aborted
``Success``                 1 when the game was played and its goal reached; 0 when aborted
``Request Count``           how many replies the players sent
``Parsed Request Count``    how many of them the game could read
``Violated Request Count``  how many it could not (or the game counted as a violation)
``Request Success Ratio``   parsed / requests
``Main Score``              the game's score, 0-100; NaN when aborted
==========================  =======================================================================

plus each game's own measures (e.g. taboo's ``Repetition-Guesser``).

Over many episodes, :func:`aggregate` computes per game and player ``% Played`` (100 x share of episodes
not aborted), ``Quality Score`` (mean Main Score of the played episodes) and per player the
``clemscore``: (mean % Played over games / 100) x (mean Quality Score over games), as clembench's
``bencheval`` does (it macro-averages over games, skipping games without a quality score).

>>> table = aggregate([EpisodeScores("taboo", "m", {"Aborted": 0, "Main Score": 50.0}),
...                    EpisodeScores("taboo", "m", {"Aborted": 1, "Main Score": float("nan")})])
>>> table.players["m"].clemscore
25.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from llm_arena_env.core.metrics import (  # noqa: F401  (the names live in core; re-exported here)
    ABORTED,
    COMMON_METRICS,
    LOSE,
    MAIN_SCORE,
    NAN,
    PARSED_REQUEST_COUNT,
    PLAYED,
    REQUEST_COUNT,
    REQUEST_SUCCESS_RATIO,
    SUCCESS,
    VIOLATED_REQUEST_COUNT,
)


def episode_scores(
    *,
    aborted: bool,
    success: bool,
    requests: int,
    violated: int,
    main_score: float,
    measures: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """The clembench metrics of one episode, followed by the game's own ``measures``.

    ``success`` and ``main_score`` are ignored when ``aborted``: Success and Lose are 0 and Main Score NaN."""
    parsed = requests - violated
    scores: dict[str, float] = {
        ABORTED: int(aborted),
        LOSE: 0 if aborted else int(not success),
        SUCCESS: 0 if aborted else int(success),
        REQUEST_COUNT: requests,
        PARSED_REQUEST_COUNT: parsed,
        VIOLATED_REQUEST_COUNT: violated,
        REQUEST_SUCCESS_RATIO: parsed / requests if requests else NAN,
        MAIN_SCORE: NAN if aborted else _score(main_score),
    }
    for name, value in (measures or {}).items():
        if name not in scores:  # a game cannot overwrite the common metrics
            scores[name] = NAN if isinstance(value, float) and math.isnan(value) else value
    return scores


@dataclass(frozen=True)
class EpisodeScores:
    """The scores of one episode of ``game`` played by ``player`` (a model name, or a pairing "a--b")."""

    game: str
    player: str
    scores: Mapping[str, float]

    @classmethod
    def from_record(cls, record: Mapping[str, Any], player: str | None = None) -> "EpisodeScores":
        """From an episode record's dict (``EpisodeRecord.to_dict()``): the player defaults to its agents."""
        return cls(record["game"], player or player_label(record.get("agents", {})), record["scores"])


def player_label(agents: Mapping[str, str]) -> str:
    """One name for who played: the agent if every seat had the same one, else the seats' agents joined by "--"."""
    names = list(agents.values())
    if not names:
        return "unknown"
    return names[0] if len(set(names)) == 1 else "--".join(names)


@dataclass(frozen=True)
class GameSummary:
    """One player's results on one game."""

    game: str
    player: str
    episodes: int
    played: float  # % Played: 100 x share of episodes not aborted
    quality: float  # Quality Score: mean Main Score of the played episodes (NaN if none was played)
    quality_std: float  # sample standard deviation of those Main Scores (NaN below two)


@dataclass(frozen=True)
class PlayerSummary:
    """One player's benchmark line: the macro averages over games and the clemscore."""

    player: str
    played: float  # mean % Played over games
    quality: float  # mean Quality Score over the games that have one
    clemscore: float  # played / 100 x quality; 0 when nothing was played
    games: Mapping[str, GameSummary] = field(default_factory=dict)


@dataclass(frozen=True)
class Benchmark:
    """The table: per (game, player) summaries and per player lines."""

    games: Mapping[tuple[str, str], GameSummary]
    players: Mapping[str, PlayerSummary]


def aggregate(episodes: Iterable[EpisodeScores | Mapping[str, Any]]) -> Benchmark:
    """clembench's results table over ``episodes`` (EpisodeScores, or episode-record dicts)."""
    grouped: dict[tuple[str, str], list[Mapping[str, float]]] = {}
    for episode in episodes:
        if not isinstance(episode, EpisodeScores):
            episode = EpisodeScores.from_record(episode)
        grouped.setdefault((episode.game, episode.player), []).append(episode.scores)
    games = {key: _summarize(key[0], key[1], scores) for key, scores in sorted(grouped.items())}
    players: dict[str, PlayerSummary] = {}
    for player in sorted({player for _, player in games}):
        mine = {game: summary for (game, who), summary in games.items() if who == player}
        played = _mean([s.played for s in mine.values()])
        quality = _mean([s.quality for s in mine.values() if not math.isnan(s.quality)])
        clemscore = 0.0 if played == 0 else played / 100 * quality
        players[player] = PlayerSummary(player, played, quality, clemscore, mine)
    return Benchmark(games, players)


def _summarize(game: str, player: str, episodes: list[Mapping[str, float]]) -> GameSummary:
    played = [1.0 - float(scores.get(ABORTED, 0)) for scores in episodes]
    mains = [float(s[MAIN_SCORE]) for s in episodes if not s.get(ABORTED) and not _is_nan(s.get(MAIN_SCORE))]
    return GameSummary(game, player, len(episodes), 100 * _mean(played), _mean(mains), _std(mains))


def _score(value: float) -> float:
    value = float(value)
    return NAN if math.isnan(value) else value


def _is_nan(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def _std(values: list[float]) -> float:
    if len(values) < 2:
        return math.nan
    mean = _mean(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
