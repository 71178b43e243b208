"""What a run is made of: episode jobs, the executors that play them, and the errors that stop a run.

Plain, picklable descriptions shared by the runner (:mod:`llm_arena_env.arena.runner`), the local executor
(:mod:`llm_arena_env.arena.local_executor`), the Ray executor and the results store, so that none of them
imports another to learn what a job is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping, Protocol

from llm_arena_env.agents.errors import AgentError, EpisodeError, FatalModelError  # noqa: F401  (re-exported)
from llm_arena_env.agents.specs import cannot_play
from llm_arena_env.arena.episode import scrub
from llm_arena_env.arena.files import folder_name
from llm_arena_env.arena.records import EpisodeRecord

#: Agent kinds built anew for every episode, seeded from the episode's seed and seat (see arena/runner.py).
EPISODE_AGENT_KINDS = frozenset({"random"})
#: Seat i of an episode with seed s gets agent seed s * SEAT_SEED_STRIDE + i (as ``llm-arena play`` does).
SEAT_SEED_STRIDE = 1000


def seat_seed(seed: int | None, seat: int) -> int | None:
    """The seed of the agent in ``seat`` of an episode (or a ``play`` session) seeded ``seed``."""
    return None if seed is None else seed * SEAT_SEED_STRIDE + seat


@dataclass(frozen=True)
class EpisodeJob:
    """One episode to play: everything needed to build it anywhere, as plain picklable values."""

    game: str
    game_kwargs: Mapping[str, Any] = field(default_factory=dict)
    seed: int | None = None
    options: Mapping[str, Any] | None = None
    player_specs: tuple[str, ...] = ()
    episode_id: str = "0000"

    def __post_init__(self) -> None:
        if not isinstance(self.game, str) or not self.game:
            raise ValueError(f"an EpisodeJob's game is a game id, got {self.game!r}")
        if self.seed is not None and (isinstance(self.seed, bool) or not isinstance(self.seed, int)):
            raise ValueError(f"an EpisodeJob's seed is an int or None, got {self.seed!r}")
        specs = (self.player_specs,) if isinstance(self.player_specs, str) else tuple(self.player_specs)
        if not specs or not all(isinstance(s, str) and s.strip() for s in specs):
            raise ValueError(f"an EpisodeJob needs one non-empty agent spec per seat, got {self.player_specs!r}")
        if not isinstance(self.episode_id, str) or folder_name(self.episode_id) != self.episode_id:
            raise ValueError(f"an episode id is a folder name (letters, digits, ._+=-), got {self.episode_id!r}")
        object.__setattr__(self, "player_specs", tuple(s.strip() for s in specs))
        object.__setattr__(self, "game_kwargs", dict(self.game_kwargs))
        if self.options is not None:
            object.__setattr__(self, "options", dict(self.options))

    @property
    def key(self) -> tuple[str, ...]:
        """What tells episodes of a run apart (and names their folder): game, seats and episode id."""
        return (self.game, *self.player_specs, self.episode_id)

    def agent_seed(self, seat: int) -> int | None:
        """The seed of the agent in ``seat`` for agents built per episode (None where the episode has none)."""
        return seat_seed(self.seed, seat)


@dataclass(frozen=True)
class JobStream:
    """Jobs made as they are drawn, for runs too long to hold (a run config's: :meth:`RunConfig.plan`).

    Iterating it makes the jobs afresh each time, one at a time; ``total`` counts them without making them;
    ``setups`` holds one job of each distinct game, kwargs and seats, checked before the first move. Their
    keys are distinct by construction, so :func:`play_many` keeps no set of the keys it has seen."""

    make: Callable[[], Iterator[EpisodeJob]]
    total: int
    setups: tuple[EpisodeJob, ...]

    def __iter__(self) -> Iterator[EpisodeJob]:
        return self.make()

    def __len__(self) -> int:
        return self.total


class AgentBuildError(ValueError):
    """An agent spec that could not be turned into an agent (unknown kind, missing key, model not found)."""


class GameBuildError(ValueError):
    """A game that could not be made with the job's kwargs, or whose players do not fit the job's seats."""


#: ``on_record(job, record)``, called once per finished episode, in the order they finish.
RecordSink = Callable[[EpisodeJob, EpisodeRecord], None]


class Executor(Protocol):
    """What plays jobs: it calls ``on_ready()`` once it can play (agents built, games made: errors in specs
    come before it), then ``on_record`` for every episode as soon as it is finished, and lets
    ``KeyboardInterrupt`` through (the episodes reported until then are kept). ``jobs`` is a sequence or a
    lazy iterable (draw from it as episodes start). ``agents`` maps specs to agents built by the caller, used
    instead of building them; an executor that cannot share objects (one that plays in other processes) may
    refuse it."""

    def __call__(
        self,
        jobs: Iterable[EpisodeJob],
        *,
        concurrency: int,
        on_record: RecordSink,
        on_ready: Callable[[], None] | None = None,
        agents: Mapping[str, Any] | None = None,
    ) -> None: ...


def incompatibility(job: EpisodeJob) -> str:
    """Why ``job``'s players cannot play its game ("" where they can, as far as the specs tell): an agent
    that plays other games only (an engine of one game). Seat counts are checked where the game is made
    (:meth:`EnvPool.check`), since a game's kwargs may change them."""
    return "; ".join(reason for reason in dict.fromkeys(cannot_play(s, job.game) for s in job.player_specs) if reason)


def pairing_name(job: EpisodeJob) -> str:
    """``game: a vs b`` for messages (specs scrubbed)."""
    return f"{job.game}: {' vs '.join(scrub(s) for s in job.player_specs)}"


__all__ = [
    "EpisodeJob", "JobStream", "Executor", "RecordSink", "AgentBuildError", "AgentError", "FatalModelError",
    "GameBuildError", "EPISODE_AGENT_KINDS", "SEAT_SEED_STRIDE", "seat_seed", "incompatibility", "pairing_name",
]
