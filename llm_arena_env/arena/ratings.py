"""Ratings from competitive episodes: Elo and Bradley-Terry, with bootstrap 95% intervals and anchors.

Both are on the Elo scale: a player rated 400 points above another is expected to score 10 to 1 against it,
``P(a beats b) = 1 / (1 + 10 ** ((r_b - r_a) / 400))``.

- **Elo** runs through the matches in the order given (the episodes' order), each one moving both ratings
  by ``k * (score - expected)``. It depends on that order; it is what chess federations publish.
- **Bradley-Terry** is the maximum-likelihood fit of the same model to all matches at once (Newton's
  method), draws counting as half a win for each side. It does not depend on the order. Where the
  likelihood has no finite maximum (a player who never lost, groups that never scored against each
  other), a weak Gaussian prior (``prior_sd`` points around the centre) keeps every rating finite, and
  :attr:`Ratings.notes` says which ratings rest on it.
- **Intervals**: ``bootstrap`` times, the episodes are resampled with replacement (a seeded
  ``numpy.random.Generator``) and both ratings are computed again; the 2.5th and 97.5th percentiles are
  the interval. Bradley-Terry's intervals shrink as games are added; Elo's do not much, since with a
  fixed K its ratings keep moving by about K per game: they measure that jitter, not the sample size.
- **Anchors** (``{"random": 0}``, or several Stockfish levels) pin players at fixed ratings, so ratings
  from different runs are comparable: Bradley-Terry fits the others around the pinned ones. Elo runs as
  usual (everyone starts equal) and is then shifted so that the anchors' mean rating is the pins' mean:
  one anchor is pinned exactly; several keep Elo's own gaps between them. (Holding anchors fixed inside
  the Elo updates instead makes the others' ratings drift for hundreds of games: only games against an
  anchor add rating points to the pool.) Without anchors the ratings are centred on ``base``: their mean
  is ``base`` in Bradley-Terry, and Elo starts everyone there.

Every pair of seats in an episode of a competitive game (outcomes win/loss/draw) played by two different
agent specs is one match (in team games, recorded with ``teams``, only pairs from opposite teams); self-play and cooperative or aborted episodes are not rated.
"""

from __future__ import annotations

import itertools
import math
import sys
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from llm_arena_env.arena.records import EpisodeRecord, as_record
from llm_arena_env.core.outcome import Outcome

ELO_SCALE = 400.0 / math.log(10.0)  # rating points per unit of log-odds
DEFAULT_BASE = 1000.0
DEFAULT_K = 16.0
DEFAULT_PRIOR_SD = 1000.0  # weak: with tens of games a player's data outweighs it many times
_RANK = {Outcome.LOSS: 0, Outcome.DRAW: 1, Outcome.WIN: 2}  # competitive outcomes, worst to best
_CHUNK = 100  # bootstrap replicates computed at once
# Ratings of every player for each replicate, from how many times each rated episode was drawn:
# (replicates, episodes) -> (replicates, players).
Compute = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Match:
    """One rated game between two agent specs: ``a`` scored ``score`` (1 win, 0.5 draw, 0 loss) against ``b``."""

    episode: int  # index of the episode it came from: the bootstrap resamples whole episodes
    a: str
    b: str
    score: float


@dataclass(frozen=True)
class PlayerRating:
    player: str
    rating: float
    low: float  # 2.5th percentile over the bootstrap (NaN without one)
    high: float  # 97.5th percentile
    anchored: bool = False


@dataclass(frozen=True)
class Ratings:
    """One method's ratings, best first."""

    method: str  # "elo" or "bradley-terry"
    players: tuple[PlayerRating, ...]
    bootstrap: int = 0
    notes: tuple[str, ...] = ()

    def __getitem__(self, player: str) -> PlayerRating:
        for rating in self.players:
            if rating.player == player:
                return rating
        raise KeyError(player)

    def as_dict(self) -> dict[str, float]:
        return {r.player: r.rating for r in self.players}


def matches_from_episodes(episodes: Iterable[EpisodeRecord | Mapping[str, Any]]) -> tuple[list[Match], list[str]]:
    """The rated matches of ``episodes`` (records or their dicts), and a note for each kind left out."""
    matches: list[Match] = []
    self_play = not_competitive = errors = 0
    for index, episode in enumerate(map(as_record, episodes)):
        agents, outcomes = episode.agents, episode.outcomes
        if episode.is_error:
            errors += 1
            continue
        if len(agents) < 2 or any(outcomes.get(seat) not in _RANK for seat in agents):
            not_competitive += 1
            continue
        teams = episode.teams  # team games: teammates share a result, they did not play each other
        found = False
        for seat_a, seat_b in itertools.combinations(agents, 2):
            a, b = agents[seat_a], agents[seat_b]
            if a == b or (teams.get(seat_a) is not None and teams.get(seat_a) == teams.get(seat_b)):
                continue
            rank_a, rank_b = _RANK[outcomes[seat_a]], _RANK[outcomes[seat_b]]
            matches.append(Match(index, a, b, 0.5 if rank_a == rank_b else float(rank_a > rank_b)))
            found = True
        self_play += not found
    notes = []
    if errors:
        notes.append(f"{errors} episode(s) that ended in a transport error (no one played) are not rated")
    if not_competitive:
        notes.append(f"{not_competitive} episode(s) without win/loss/draw outcomes for every seat "
                     "(cooperative, single-player or unfinished) are not rated")
    if self_play:
        notes.append(f"{self_play} self-play episode(s) (one agent in every seat) are not rated")
    return matches, notes


def elo(
    matches: Sequence[Match],
    *,
    k: float = DEFAULT_K,
    anchors: Mapping[str, float] | None = None,
    base: float = DEFAULT_BASE,
    bootstrap: int = 0,
    seed: int = 0,
    progress: bool = False,
) -> Ratings:
    """Elo ratings over ``matches`` in their order, everyone starting at ``base``; shifted onto the anchors."""
    if k <= 0 or not math.isfinite(k):
        raise ValueError(f"the K factor must be a positive number, got {k}")
    design = _Design.of(matches, anchors, base)

    def compute(counts: np.ndarray) -> np.ndarray:
        return _anchor_shift(design, _elo(design, counts, k))

    notes = []
    if design.fixed.sum() > 1:
        notes.append("Elo is shifted so that the anchors' mean rating is their pins' mean; only Bradley-Terry "
                     "pins each anchor at its rating")
    return design.ratings("elo", compute, bootstrap, seed, progress, notes=notes)


def bradley_terry(
    matches: Sequence[Match],
    *,
    anchors: Mapping[str, float] | None = None,
    base: float = DEFAULT_BASE,
    prior_sd: float = DEFAULT_PRIOR_SD,
    bootstrap: int = 0,
    seed: int = 0,
    progress: bool = False,
) -> Ratings:
    """Bradley-Terry ratings: the maximum of the likelihood of ``matches`` times a weak prior."""
    if prior_sd <= 0 or not math.isfinite(prior_sd):
        raise ValueError(f"the prior's standard deviation must be a positive number, got {prior_sd}")
    design = _Design.of(matches, anchors, base)
    precision = (ELO_SCALE / prior_sd) ** 2  # of the prior, in log-odds units

    def compute(counts: np.ndarray) -> np.ndarray:
        return _bradley_terry(design, design.wins(counts), precision)

    notes = _separation_notes(design, design.wins(np.ones((1, design.episodes)))[0], prior_sd)
    return design.ratings("bradley-terry", compute, bootstrap, seed, progress, notes=notes)


# ------------------------------------------------------------------------------------------- internals


@dataclass(frozen=True)
class _Design:
    """The matches as index arrays, with the anchors resolved."""

    players: tuple[str, ...]
    a: np.ndarray  # player index of each match's first side
    b: np.ndarray
    score: np.ndarray  # a's score
    episode: np.ndarray  # 0..episodes-1: the rated episodes, renumbered in order
    episodes: int
    fixed: np.ndarray  # bool per player: anchored
    start: np.ndarray  # each player's pin, or the centre for the free ones
    centre: float

    @classmethod
    def of(cls, matches: Sequence[Match], anchors: Mapping[str, float] | None, base: float) -> "_Design":
        if not matches:
            raise ValueError("no rated matches: ratings need episodes of a competitive game between "
                             "two different agents")
        players = tuple(sorted({m.a for m in matches} | {m.b for m in matches}))
        index = {p: i for i, p in enumerate(players)}
        anchors = dict(anchors or {})
        unknown = sorted(set(anchors) - set(players))
        if unknown:
            raise ValueError(f"anchor {', '.join(map(repr, unknown))} is not among the rated players: "
                             f"{', '.join(players)}")
        for player, value in anchors.items():
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"anchor {player!r} must be a finite number, got {value!r}")
        centre = float(np.mean(list(anchors.values()))) if anchors else float(base)
        fixed = np.array([p in anchors for p in players])
        start = np.array([float(anchors.get(p, centre)) for p in players])
        _, episode = np.unique([m.episode for m in matches], return_inverse=True)
        return cls(
            players, np.array([index[m.a] for m in matches]), np.array([index[m.b] for m in matches]),
            np.array([m.score for m in matches], dtype=float), episode.reshape(-1), int(episode.max()) + 1,
            fixed, start, centre,
        )

    def wins(self, counts: np.ndarray) -> np.ndarray:
        """(replicates, P, P): how much i scored against j, each episode weighted by its count."""
        n = len(self.players)
        weight = counts[:, self.episode]
        wins = np.zeros((len(counts), n * n))
        for row, w in zip(wins, weight):
            row += np.bincount(self.a * n + self.b, w * self.score, n * n)
            row += np.bincount(self.b * n + self.a, w * (1.0 - self.score), n * n)
        return wins.reshape(len(counts), n, n)

    def ratings(self, method: str, compute: Compute, bootstrap: int, seed: int, progress: bool,
                notes: Sequence[str]) -> Ratings:
        point = compute(np.ones((1, self.episodes), dtype=np.int64))[0]
        low = high = np.full(len(self.players), math.nan)
        if bootstrap > 0:
            samples = np.concatenate(list(self._bootstrap(compute, bootstrap, seed, progress, method)))
            low, high = np.percentile(samples, [2.5, 97.5], axis=0)
        rows = [PlayerRating(p, float(point[i]), float(low[i]), float(high[i]), bool(self.fixed[i]))
                for i, p in enumerate(self.players)]
        rows.sort(key=lambda r: (-r.rating, r.player))
        return Ratings(method, tuple(rows), max(bootstrap, 0), tuple(notes))

    def _bootstrap(self, compute: Compute, replicates: int, seed: int, progress: bool, method: str) -> Iterator[np.ndarray]:
        from tqdm import tqdm

        rng = np.random.default_rng(seed)
        bar = tqdm(total=replicates, desc=f"bootstrap ({method})", unit="sample", file=sys.stderr,
                   disable=not progress)
        with bar:
            for done in range(0, replicates, _CHUNK):
                size = min(_CHUNK, replicates - done)
                drawn = rng.integers(0, self.episodes, size=(size, self.episodes))
                counts = np.zeros((size, self.episodes), dtype=np.int64)
                np.add.at(counts, (np.arange(size)[:, None], drawn), 1)
                yield compute(counts)
                bar.update(size)


def _elo(design: _Design, counts: np.ndarray, k: float) -> np.ndarray:
    """Sequential Elo for each replicate at once, everyone starting at the centre: match m is played
    counts[:, episode of m] times."""
    ratings = np.full((len(counts), len(design.players)), design.centre)
    for a, b, score, episode in zip(design.a, design.b, design.score, design.episode):
        times = counts[:, episode]
        for played in range(int(times.max())):
            expected = 1.0 / (1.0 + 10.0 ** ((ratings[:, b] - ratings[:, a]) / 400.0))
            delta = k * (score - expected) * (times > played)
            ratings[:, a] += delta
            ratings[:, b] -= delta
    return ratings


def _anchor_shift(design: _Design, ratings: np.ndarray) -> np.ndarray:
    """``ratings`` shifted so that the anchors' mean is the pins' mean (a single anchor lands exactly)."""
    if not design.fixed.any():
        return ratings
    offset = (design.start[design.fixed] - ratings[:, design.fixed]).mean(axis=1)
    shifted = ratings + offset[:, None]
    if design.fixed.sum() == 1:  # exactly, not up to rounding
        shifted[:, design.fixed] = design.start[design.fixed]
    return shifted


def _bradley_terry(design: _Design, wins: np.ndarray, precision: float,
                   tolerance: float = 1e-10, max_steps: int = 200) -> np.ndarray:
    """Maximise, for each replicate, sum_ij wins_ij log p_ij - precision/2 sum_free (beta_i - centre)^2
    over the free players' log-odds strengths beta, by Newton's method with step halving.
    The objective is strictly concave (the prior), so this converges from anywhere."""
    free = ~design.fixed
    centre = design.centre / ELO_SCALE
    beta = np.tile(design.start / ELO_SCALE, (len(wins), 1))
    if not free.any():
        return beta * ELO_SCALE
    games = wins + wins.transpose(0, 2, 1)
    value = _bt_objective(beta, wins, free, centre, precision)
    for _ in range(max_steps):
        diff = beta[:, :, None] - beta[:, None, :]
        p = 1.0 / (1.0 + np.exp(-diff))
        gradient = (wins - games * p).sum(axis=2) - precision * (beta - centre)
        curvature = games * p * (1.0 - p)  # minus the Hessian's off-diagonal
        hessian = curvature - np.eye(beta.shape[1]) * (curvature.sum(axis=2)[:, :, None] + precision)
        step = np.zeros_like(beta)
        step[:, free] = np.linalg.solve(-hessian[:, free][:, :, free], gradient[:, free][..., None])[..., 0]
        beta, value, moved = _halve_until_better(beta, step, value, wins, free, centre, precision)
        if moved < tolerance:
            break
    return beta * ELO_SCALE


def _halve_until_better(beta, step, value, wins, free, centre, precision):
    """Take the Newton step, halved per replicate until the objective does not get worse."""
    scale = np.ones(len(beta))
    for _ in range(60):
        trial = beta + scale[:, None] * step
        trial_value = _bt_objective(trial, wins, free, centre, precision)
        worse = trial_value < value - 1e-12 * np.abs(value)
        if not worse.any():
            break
        scale = np.where(worse, scale / 2, scale)
    else:  # no better point along the step: those replicates are at the maximum already
        scale = np.where(worse, 0.0, scale)
        trial = beta + scale[:, None] * step
        trial_value = np.where(worse, value, trial_value)
    moved = float(np.max(np.abs(scale[:, None] * step)))
    return trial, trial_value, moved


def _bt_objective(beta, wins, free, centre, precision) -> np.ndarray:
    diff = beta[:, :, None] - beta[:, None, :]
    log_p = -np.logaddexp(0.0, -diff)
    prior = 0.5 * precision * ((beta[:, free] - centre) ** 2).sum(axis=1)
    return (wins * log_p).sum(axis=(1, 2)) - prior


def _separation_notes(design: _Design, wins: np.ndarray, prior_sd: float) -> list[str]:
    """Where the maximum-likelihood ratings do not exist (are infinite), say which ones rest on the prior."""
    notes = []
    held = f"held finite by a weak prior (sd {prior_sd:g} points)"
    scored, conceded = wins.sum(axis=1), wins.sum(axis=0)
    for i, player in enumerate(design.players):
        if design.fixed[i]:
            continue
        if conceded[i] == 0:
            notes.append(f"{player} never lost or drew ({scored[i]:g} wins): its Bradley-Terry rating has no "
                         f"finite maximum-likelihood value; the one shown is {held}: read it as 'at least this'")
        elif scored[i] == 0:
            notes.append(f"{player} never won or drew ({conceded[i]:g} losses): its Bradley-Terry rating has no "
                         f"finite maximum-likelihood value; the one shown is {held}: read it as 'at most this'")
    groups = _strong_components(wins > 0)
    if len(groups) > 1 and not notes:
        shown = " | ".join(", ".join(design.players[i] for i in group) for group in groups)
        notes.append(f"the players split into groups that never scored against each other or never met "
                     f"({shown}): the rating gaps between groups are {held}")
    return notes


def _strong_components(edges: np.ndarray) -> list[list[int]]:
    """The strongly connected components of a small directed graph (i -> j where edges[i, j])."""
    reach = edges | np.eye(len(edges), dtype=bool)
    for _ in range(max(1, math.ceil(math.log2(len(edges) + 1)))):
        reach = reach | ((reach.astype(np.int64) @ reach.astype(np.int64)) > 0)
    mutual = reach & reach.T
    groups: dict[tuple[int, ...], list[int]] = {}
    for i in range(len(edges)):
        groups.setdefault(tuple(np.flatnonzero(mutual[i])), []).append(i)
    return list(groups.values())
