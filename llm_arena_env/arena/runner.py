"""Playing many episodes in one process, their agents' calls batched across episodes.

>>> jobs = [EpisodeJob("openspiel/tic_tac_toe", seed=s, player_specs=("random", "random"), episode_id=f"{s:04d}")
...         for s in range(100)]
>>> records = play_many(jobs, concurrency=16, results=ResultsStore("results", "ttt"))

An episode is described by an :class:`EpisodeJob`: game id, make() kwargs, seed, reset options and one agent
spec per seat, all plain and picklable, so another executor (Ray workers) can build the same episode from
it. The local executor keeps ``concurrency`` episodes live and advances them in lockstep: it collects the
pending observation of every live episode, groups them by agent object, and calls each agent's
``decide_batch`` once per group, so a local model generates for many games at once and the OpenAI backend
sends its requests concurrently.

An episode whose model call failed for good ends with outcome ``error`` (see arena/episode.py) and is
written like any other; a re-run plays it again. Where the failure will hit every call of that agent (a
rejected key, no permission, a model that is not there: :attr:`ErrorKind.fatal`), the run stops after
that episode with :class:`FatalModelError`, naming the agent and the cause; finished episodes are kept.

Agents are built from their specs once per run and shared by every episode, except the cheap agents of
:data:`EPISODE_AGENT_KINDS` (``random``), which draw random numbers: each episode gets its own, seeded from
the episode's seed and seat. An episode therefore plays the same whatever else runs beside it, at any
concurrency and after a resume, as long as its agents are deterministic.
"""

from __future__ import annotations

import json
import sys
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Protocol, Sequence

from llm_arena_env.agents.base import decide_batch
from llm_arena_env.agents.errors import is_fatal
from llm_arena_env.agents.specs import agent_identity, cannot_play
from llm_arena_env.arena.episode import EpisodeRecord, EpisodeStepper, describe_agent, scrub
from llm_arena_env.arena.results import ResultsStore, folder_name

#: Agent kinds built anew for every episode, seeded from the episode's seed and seat (see the module doc).
EPISODE_AGENT_KINDS = frozenset({"random"})
#: Seat i of an episode with seed s gets agent seed s * SEAT_SEED_STRIDE + i (as ``llm-arena play`` does).
SEAT_SEED_STRIDE = 1000


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
        return None if self.seed is None else self.seed * SEAT_SEED_STRIDE + seat


class AgentBuildError(ValueError):
    """An agent spec that could not be turned into an agent (unknown kind, missing key, model not found)."""


class AgentError(RuntimeError):
    """An agent raised instead of deciding (a bug, or an agent given a game it cannot play); the run stops,
    and the episodes finished until then are kept."""


class FatalModelError(AgentError):
    """A model call failed in a way every later call of the same agent would (401, 403, model not found):
    the run stops rather than fill the results with error episodes."""

    def __init__(self, error: Mapping[str, str]):
        self.error = dict(error)
        super().__init__(f"agent {error.get('agent')!r} cannot play ({error.get('kind')}): {error.get('message')}")


class GameBuildError(ValueError):
    """A game that could not be made with the job's kwargs, or whose players do not fit the job's seats."""


#: ``on_record(job, record)``, called once per finished episode, in the order they finish.
RecordSink = Callable[[EpisodeJob, EpisodeRecord], None]


class Executor(Protocol):
    """What plays jobs: it calls ``on_ready()`` once it can play (agents built, games made: errors in specs
    come before it), then ``on_record`` for every episode as soon as it is finished, and lets
    ``KeyboardInterrupt`` through (the episodes reported until then are kept). ``agents`` maps specs to
    agents built by the caller, used instead of building them; an executor that cannot share objects (one
    that plays in other processes) may refuse it."""

    def __call__(
        self,
        jobs: Sequence[EpisodeJob],
        *,
        concurrency: int,
        on_record: RecordSink,
        on_ready: Callable[[], None] | None = None,
        agents: Mapping[str, Any] | None = None,
    ) -> None: ...


EXECUTORS: dict[str, Executor] = {}


def register_executor(name: str, executor: Executor) -> None:
    """Make ``play_many(..., executor=name)`` play with ``executor`` (e.g. a Ray executor)."""
    EXECUTORS[name] = executor


def play_many(
    jobs: Iterable[EpisodeJob],
    *,
    concurrency: int = 1,
    results: ResultsStore | None = None,
    progress: bool = True,
    executor: str | Executor = "local",
    agents: Mapping[str, Any] | None = None,
) -> list[EpisodeRecord]:
    """Play ``jobs``, ``concurrency`` episodes at a time; returns the records played now, in job order.

    With ``results``, every episode is written as soon as it ends, and jobs whose episode is already there
    are skipped (a re-run resumes). Ctrl-C raises ``KeyboardInterrupt`` after the episodes finished so far
    are written; none is left half-written. ``agents`` (spec -> agent) supplies ready-made agents for those
    specs. ``progress`` shows a bar on stderr with episodes/s, the time left and the tokens used."""
    from tqdm import tqdm

    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be an int >= 1, got {concurrency!r}")
    run = _resolve_executor(executor)
    jobs = list(jobs)
    _check_unique(jobs)
    todo = [job for job in jobs if results is None or not results.finished(job)]
    played: dict[int, EpisodeRecord] = {}
    position = {job.key: index for index, job in enumerate(jobs)}  # by key: other executors return copies
    tokens = {"prompt": 0, "completion": 0}
    bars: list[Any] = []  # the bar starts when the executor is ready, so its rate leaves out model loading

    def on_ready() -> None:
        if not bars:
            bars.append(tqdm(total=len(jobs), initial=len(jobs) - len(todo), unit="episode", file=sys.stderr,
                             disable=not progress, dynamic_ncols=True,
                             desc=results.run_name if results else "episodes"))

    def on_record(job: EpisodeJob, record: EpisodeRecord) -> None:
        on_ready()
        bar = bars[0]
        if results is not None:
            results.write_episode(job, record)
        played[position[job.key]] = record
        if record.error and is_fatal(record.error.get("kind", "")):
            raise FatalModelError(record.error)
        tokens["prompt"] += sum(step.prompt_tokens for step in record.steps)
        tokens["completion"] += sum(step.completion_tokens for step in record.steps)
        if tokens["prompt"] or tokens["completion"]:
            bar.set_postfix_str(f"tokens in {_short(tokens['prompt'])} out {_short(tokens['completion'])}",
                                refresh=False)
        bar.update(1)

    try:
        run(todo, concurrency=concurrency, on_record=on_record, on_ready=on_ready, agents=agents)
    finally:
        for bar in bars:
            bar.close()
    return [played[index] for index in sorted(played)]


def _resolve_executor(executor: str | Executor) -> Executor:
    if callable(executor):
        return executor
    if executor not in EXECUTORS:
        raise ValueError(f"unknown executor {executor!r}; known: {', '.join(sorted(EXECUTORS))}")
    return EXECUTORS[executor]


def incompatibility(job: EpisodeJob) -> str:
    """Why ``job``'s players cannot play its game ("" where they can, as far as the specs tell): an agent
    that plays other games only (an engine of one game). Seat counts are checked where the game is made
    (:meth:`EnvPool.check`), since a game's kwargs may change them."""
    return "; ".join(reason for reason in dict.fromkeys(cannot_play(s, job.game) for s in job.player_specs) if reason)


def pairing_name(job: EpisodeJob) -> str:
    """``game: a vs b`` for messages (specs scrubbed)."""
    return f"{job.game}: {' vs '.join(scrub(s) for s in job.player_specs)}"


def _check_unique(jobs: Sequence[EpisodeJob]) -> None:
    """Two jobs with the same game, seats and episode id would be written to the same folder."""
    seen: set[tuple[str, ...]] = set()
    for job in jobs:
        if job.key in seen:
            raise ValueError(f"two jobs of {job.game} with players {list(job.player_specs)} share the episode "
                             f"id {job.episode_id!r}; give each episode its own id")
        seen.add(job.key)


def _short(count: int) -> str:
    return f"{count / 1e6:.1f}M" if count >= 1e6 else f"{count / 1e3:.1f}k" if count >= 1e3 else str(count)


# ---------------------------------------------------------------------------------------------- local


def run_local(
    jobs: Sequence[EpisodeJob],
    *,
    concurrency: int,
    on_record: RecordSink,
    on_ready: Callable[[], None] | None = None,
    agents: Mapping[str, Any] | None = None,
) -> None:
    """The in-process executor: ``concurrency`` live episodes advanced in lockstep (see the module doc)."""
    pool = AgentPool(agents)
    envs = EnvPool()
    try:
        for job in {(j.game, j.player_specs): j for j in jobs}.values():
            if reason := incompatibility(job):
                raise GameBuildError(f"{pairing_name(job)} cannot be played: {reason}")
        pool.prepare(job.player_specs for job in jobs)  # bad specs and missing keys fail before any move
        for job in {(j.game, _kwargs_key(j.game_kwargs)): j for j in jobs}.values():
            envs.check(job)
        if on_ready is not None:
            on_ready()
        queue = deque(jobs)
        live: list[_LiveEpisode] = []
        while queue or live:
            while queue and len(live) < concurrency:
                live.append(_LiveEpisode.start(queue.popleft(), envs, pool))
            _advance_all(live)
            still_live = []
            for episode in live:
                if episode.stepper.pending() is None:
                    on_record(episode.job, episode.stepper.record())
                    episode.release(envs, pool)
                else:
                    still_live.append(episode)
            live = still_live
    finally:
        pool.close()
        envs.close()


register_executor("local", run_local)


def _run_ray(jobs: Sequence[EpisodeJob], **kwargs: Any) -> None:
    """``executor="ray"``: Ray is imported on first use only (see arena/ray_executor.py)."""
    from llm_arena_env.arena.ray_executor import run_ray

    run_ray(jobs, **kwargs)


register_executor("ray", _run_ray)


@dataclass
class _LiveEpisode:
    job: EpisodeJob
    env: Any
    seats: list[Any]
    stepper: EpisodeStepper

    @classmethod
    def start(cls, job: EpisodeJob, envs: EnvPool, pool: AgentPool) -> _LiveEpisode:
        env = envs.acquire(job)
        seats = pool.for_job(job)
        stepper = EpisodeStepper(env, seats, job.seed, job.options, game=job.game, game_kwargs=job.game_kwargs,
                                 episode_id=job.episode_id,
                                 agent_names=[agent_identity(spec) for spec in job.player_specs])
        return cls(job, env, seats, stepper)

    def release(self, envs: EnvPool, pool: AgentPool) -> None:
        envs.release(self.job, self.env)
        pool.release(self.job, self.seats)


def _advance_all(live: Sequence[_LiveEpisode]) -> None:
    """One decision for every live episode that waits on one: each agent gets its episodes' observations in
    one ``decide_batch`` call, agents in the order their first episode appears (so runs are repeatable)."""
    groups: dict[int, tuple[Any, list[tuple[EpisodeStepper, str, Any]]]] = {}
    for episode in live:
        pending = episode.stepper.pending()
        if pending is not None:
            player, agent, observation = pending
            groups.setdefault(id(agent), (agent, []))[1].append((episode.stepper, player, observation))
    for agent, waiting in groups.values():
        try:
            decisions = decide_batch(agent, [observation for _, _, observation in waiting])
        except Exception as error:  # noqa: BLE001  (e.g. an engine given a game it cannot play)
            stepper, player, _ = waiting[0]
            games = sorted({s.game for s, _, _ in waiting})
            raise AgentError(f"agent {stepper.agent_names[player]!r} failed in {', '.join(games)}: "
                             f"{type(error).__name__}: {scrub(str(error))}") from error
        if len(decisions) != len(waiting):
            raise AgentError(f"agent {describe_agent(agent)!r} made {len(decisions)} decisions for "
                             f"{len(waiting)} observations")
        for (stepper, _, _), decision in zip(waiting, decisions):
            stepper.apply(decision)


class AgentPool:
    """The agents of a run's jobs: one shared agent per spec (built on first use, closed at the end), and
    a fresh seeded agent per episode for :data:`EPISODE_AGENT_KINDS`. ``prebuilt`` (spec -> agent) is used
    as given and never closed here."""

    def __init__(self, prebuilt: Mapping[str, Any] | None = None):
        self.prebuilt = dict(prebuilt or {})
        self.shared: dict[str, Any] = {}

    def prepare(self, spec_lists: Iterable[Sequence[str]]) -> None:
        """Build every shared agent now, and one of each per-episode kind, and run the pre-flight check of
        every remote model (:func:`preflight`), so that errors come before the first episode."""
        for spec in dict.fromkeys(spec for specs in spec_lists for spec in specs):
            if self._per_episode(spec):
                _close(self._build(spec, seed=0))
            else:
                preflight(spec, self._shared(spec))

    def for_job(self, job: EpisodeJob) -> list[Any]:
        return [
            self._build(spec, seed=job.agent_seed(seat)) if self._per_episode(spec) else self._shared(spec)
            for seat, spec in enumerate(job.player_specs)
        ]

    def release(self, job: EpisodeJob, seats: Sequence[Any]) -> None:
        for spec, agent in zip(job.player_specs, seats):
            if self._per_episode(spec):
                _close(agent)

    def close(self) -> None:
        for agent in self.shared.values():
            _close(agent)
        self.shared.clear()

    def _per_episode(self, spec: str) -> bool:
        return spec not in self.prebuilt and spec.partition(":")[0] in EPISODE_AGENT_KINDS

    def _shared(self, spec: str) -> Any:
        if spec in self.prebuilt:
            return self.prebuilt[spec]
        if spec not in self.shared:
            self.shared[spec] = self._build(spec, seed=None)
        return self.shared[spec]

    @staticmethod
    def _build(spec: str, *, seed: int | None) -> Any:
        from llm_arena_env.agents.specs import make_agent

        try:
            return make_agent(spec, seed=seed)
        except Exception as error:  # noqa: BLE001  (unknown kind, missing key or extra, model not found, ...)
            raise AgentBuildError(f"could not build agent {scrub(spec)!r}: {scrub(str(error))}") from error


def preflight(spec: str, agent: Any) -> None:
    """Check once that the model behind ``agent`` can be used (server reachable, key accepted, model there),
    through the ``check()`` of every backend found under its wrappers; a failure is an
    :class:`AgentBuildError` naming the spec, in seconds rather than after each episode's retries."""
    from llm_arena_env.agents.errors import BackendError

    seen = 0
    while agent is not None and seen < 20:  # wrappers hold the wrapped agent as .agent, LLMAgent its .backend
        check = getattr(getattr(agent, "backend", None), "check", None)
        if callable(check):
            try:
                check()
            except BackendError as error:
                raise AgentBuildError(f"agent {scrub(spec)!r} failed its pre-flight check ({error.kind}): "
                                      f"{scrub(str(error))}") from None
        agent, seen = getattr(agent, "agent", None), seen + 1


class EnvPool:
    """Envs by game and kwargs, reused across episodes (``reset`` starts each afresh), closed at the end."""

    def __init__(self) -> None:
        self.idle: dict[tuple[str, str], list[Any]] = {}
        self.made: list[Any] = []

    def check(self, job: EpisodeJob) -> None:
        """Make ``job``'s game once, so that a bad id, kwargs or seat count fails before anything is played."""
        env = self.acquire(job)
        players = list(env.possible_agents)
        self.release(job, env)
        if len(players) != len(job.player_specs):
            raise GameBuildError(f"{job.game} has {len(players)} players ({', '.join(players)}), but the job "
                                 f"seats {len(job.player_specs)}: {', '.join(scrub(s) for s in job.player_specs)}")

    def acquire(self, job: EpisodeJob) -> Any:
        idle = self.idle.get((job.game, _kwargs_key(job.game_kwargs)))
        if idle:
            return idle.pop()
        import llm_arena_env

        try:
            env = llm_arena_env.make(job.game, **job.game_kwargs)
        except (llm_arena_env.UnknownGameError, TypeError, ValueError, OSError) as error:
            shown = ", ".join(f"{k}={v!r}" for k, v in job.game_kwargs.items())
            raise GameBuildError(f"could not make {job.game!r}" + (f" with {shown}" if shown else "")
                                 + f": {error}") from error
        self.made.append(env)
        return env

    def release(self, job: EpisodeJob, env: Any) -> None:
        self.idle.setdefault((job.game, _kwargs_key(job.game_kwargs)), []).append(env)

    def close(self) -> None:
        for env in self.made:
            env.close()
        self.made.clear()
        self.idle.clear()


def _kwargs_key(kwargs: Mapping[str, Any]) -> str:
    return json.dumps(dict(kwargs), sort_keys=True, default=repr)


def _close(agent: Any) -> None:
    close = getattr(agent, "close", None)
    if callable(close):
        close()


__all__ = [
    "EpisodeJob",
    "play_many",
    "run_local",
    "register_executor",
    "Executor",
    "AgentPool",
    "preflight",
    "incompatibility",
    "pairing_name",
    "EnvPool",
    "AgentBuildError",
    "AgentError",
    "FatalModelError",
    "GameBuildError",
    "EPISODE_AGENT_KINDS",
]
