"""Per game and player statistics of recorded episodes: results, rule breaking, parsing, tokens, latency.

    stats = episode_stats(load_episodes("results/"))   # or [record.to_dict() for record in records]
    for row in stats.rows:
        print(row.game, row.player, row.win_rate, row.illegal_rate, row.parse_failure_rate)

Who "the player" is depends on the kind of game:

- competitive games (outcomes win/loss/draw): every seat counts for its agent spec, so a self-play episode
  counts twice for the same spec (one win and one loss, say);
- clembench-scored games (dialogue games; their scores hold ``Main Score``): the players are one team, named
  as clembench names it (the spec when one agent plays every role, else the specs joined by ``--``), and each
  episode counts once. These rows also carry clembench's ``% Played`` and ``Quality Score``, and
  :attr:`Stats.clembench` holds its whole table, computed by :func:`games.dialogue.scores.aggregate`,
  with each team's clemscore.

Tokens and cost are summed over every attempt of the player (rethinks and vote samples included);
``cost_usd`` is NaN where no call reported a cost.

Episodes that ended in a transport ``error`` (the model could not be reached or answered nothing usable)
are not played games: they count nowhere but in ``errors``, a column of every player that took part (for
clembench-scored games, of the team), and never in clembench's table or clemscore.

Rates: ``illegal_rate`` = actions the env rejected / actions; ``parse_failure_rate`` = attempts whose raw
output could not be parsed (verdict ``unparsed``) / attempts. ``win_rate`` counts success as a win.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping

from llm_arena_env.agents.base import Verdict
from llm_arena_env.arena.records import EpisodeRecord, StepRecord, as_record
from llm_arena_env.core.metrics import ABORTED, MAIN_SCORE
from llm_arena_env.core.outcome import Outcome
from llm_arena_env.games.dialogue.scores import Benchmark, EpisodeScores, aggregate, player_label

# Outcomes folded into the table's four result columns.
RESULT_COLUMNS = (
    ("wins", frozenset({Outcome.WIN, Outcome.SUCCESS})),
    ("draws", frozenset({Outcome.DRAW})),
    ("losses", frozenset({Outcome.LOSS, Outcome.FAILURE})),
    ("aborted", frozenset({Outcome.ABORTED})),
)


@dataclass(frozen=True)
class PlayerStats:
    """One player's (or team's) numbers on one game."""

    game: str
    player: str
    games: int
    wins: int
    draws: int
    losses: int
    aborted: int
    win_rate: float  # wins / games
    actions: int
    illegal_actions: int  # actions the env rejected
    illegal_rate: float  # illegal_actions / actions (NaN without actions)
    attempts: int
    parse_failures: int  # attempts whose output could not be parsed
    parse_failure_rate: float  # parse_failures / attempts (NaN without attempts)
    prompt_tokens: int
    completion_tokens: int  # reasoning tokens included
    mean_latency_s: float  # mean seconds per attempt (NaN without attempts)
    reasoning_tokens: int = 0  # where the provider reported them
    cost_usd: float = math.nan  # summed where calls reported (or were priced with) a cost; NaN: none did
    played: float = math.nan  # clembench % Played (clembench-scored games only)
    quality: float = math.nan  # clembench Quality Score (clembench-scored games only)
    errors: int = 0  # episodes that ended in a transport error: counted in no other column

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Stats:
    """The statistics table: a row per (game, player), sorted, and clembench's table where it applies."""

    rows: tuple[PlayerStats, ...]
    clembench: Benchmark | None = None  # None when no episode was clembench-scored
    episodes: int = 0
    skipped: tuple[str, ...] = field(default=())  # why episodes were left out, one line each

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: NaN becomes None."""
        clemscores = []
        if self.clembench is not None:
            clemscores = [
                {"player": p.player, "played": p.played, "quality": p.quality, "clemscore": p.clemscore,
                 "games": sorted(p.games)}
                for p in self.clembench.players.values()
            ]
        data = {"episodes": self.episodes, "rows": [row.to_dict() for row in self.rows],
                "clemscores": clemscores, "skipped": list(self.skipped)}
        return without_nan(data)


def game_of(episode: EpisodeRecord) -> str:
    """The game an episode was played on (the registry id, in episodes the arena played)."""
    return episode.game or "unknown"


def is_clembench_scored(episode: EpisodeRecord) -> bool:
    """Whether the episode carries clembench's metrics (the dialogue games do)."""
    return MAIN_SCORE in episode.scores and ABORTED in episode.scores


def clembench_scores(episode: EpisodeRecord) -> EpisodeScores:
    """The episode's clembench metrics, its players named as one team (see :func:`player_label`)."""
    return EpisodeScores(game_of(episode), player_label(episode.agents), episode.scores)


def episode_stats(episodes: Iterable[EpisodeRecord | Mapping[str, Any]]) -> Stats:
    """The statistics of ``episodes`` (records, or their dicts as ``episode.json`` holds them)."""
    tallies: dict[tuple[str, str], _Tally] = {}
    clem_episodes: list[EpisodeScores] = []
    skipped: list[str] = []
    count = 0
    for index, episode in enumerate(map(as_record, episodes)):
        count += 1
        agents = episode.agents
        if not agents:
            skipped.append(f"episode {index} ({game_of(episode)}) names no agents")
            continue
        game = game_of(episode)
        if episode.is_error:
            teams = [player_label(agents)] if is_clembench_scored(episode) or _played_as_team(episode) \
                else list(dict.fromkeys(agents.values()))
            for team in teams:
                tallies.setdefault((game, team), _Tally()).errors += 1
            continue
        if is_clembench_scored(episode):
            clem_episodes.append(clembench_scores(episode))
            tally = tallies.setdefault((game, player_label(agents)), _Tally())
            tally.add_result(_team_outcome(episode))
            tally.add_steps(episode.steps, players=None)
            continue
        for seat, spec in agents.items():
            tally = tallies.setdefault((game, spec), _Tally())
            tally.add_result(episode.outcomes.get(seat))
            tally.add_steps(episode.steps, players={seat})
    benchmark = aggregate(clem_episodes) if clem_episodes else None
    rows = tuple(tallies[key].row(*key, benchmark) for key in sorted(tallies))
    return Stats(rows, benchmark, count, tuple(skipped))


def _played_as_team(episode: EpisodeRecord) -> bool:
    """An error episode has no scores to tell its kind by: a dialogue game (registry id ``dialogue/...``)
    is played by a team."""
    return game_of(episode).startswith("dialogue/")


def _team_outcome(episode: EpisodeRecord) -> Outcome | None:
    """A cooperative episode's outcome: every seat shares it, so the first seat's."""
    outcomes = list(episode.outcomes.values())
    if outcomes:
        return outcomes[0]
    return Outcome.ABORTED if episode.scores.get(ABORTED) else None


class _Tally:
    """Running counts for one (game, player) row."""

    def __init__(self) -> None:
        self.results: Counter[str] = Counter()
        self.actions = self.illegal = self.attempts = self.parse_failures = 0
        self.prompt_tokens = self.completion_tokens = self.reasoning_tokens = 0
        self.latency = 0.0
        self.cost: float | None = None  # None until a call reports a cost
        self.errors = 0

    def add_result(self, outcome: Outcome | None) -> None:
        """Count one game with ``outcome`` (None: the record holds none for this player)."""
        self.results["games"] += 1
        for column, kinds in RESULT_COLUMNS:
            if outcome in kinds:
                self.results[column] += 1

    def add_steps(self, steps: Iterable[StepRecord], players: set[str] | None) -> None:
        """Count the steps of ``players`` (all steps when None)."""
        for step in steps:
            if players is not None and step.player not in players:
                continue
            self.actions += 1
            self.illegal += not step.accepted
            for attempt in step.attempts:
                self.attempts += 1
                self.parse_failures += attempt.verdict is Verdict.UNPARSED
                self.prompt_tokens += attempt.prompt_tokens
                self.completion_tokens += attempt.completion_tokens
                self.latency += attempt.latency_s
                self.reasoning_tokens += attempt.reasoning_tokens
                if attempt.cost_usd is not None:
                    self.cost = (self.cost or 0.0) + attempt.cost_usd

    def row(self, game: str, player: str, benchmark: Benchmark | None) -> PlayerStats:
        summary = benchmark.games.get((game, player)) if benchmark is not None else None
        games = self.results["games"]
        return PlayerStats(
            game=game, player=player, games=games,
            wins=self.results["wins"], draws=self.results["draws"], losses=self.results["losses"],
            aborted=self.results["aborted"], win_rate=_ratio(self.results["wins"], games),
            actions=self.actions, illegal_actions=self.illegal, illegal_rate=_ratio(self.illegal, self.actions),
            attempts=self.attempts, parse_failures=self.parse_failures,
            parse_failure_rate=_ratio(self.parse_failures, self.attempts),
            prompt_tokens=self.prompt_tokens, completion_tokens=self.completion_tokens,
            mean_latency_s=_ratio(self.latency, self.attempts),
            reasoning_tokens=self.reasoning_tokens,
            cost_usd=math.nan if self.cost is None else self.cost,
            played=summary.played if summary else math.nan,
            quality=summary.quality if summary else math.nan,
            errors=self.errors,
        )


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else math.nan


def without_nan(value: Any) -> Any:
    """``value`` with NaN floats as None (recursively), since JSON has no NaN."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: without_nan(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [without_nan(v) for v in value]
    return value
