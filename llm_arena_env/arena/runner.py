"""Playing many episodes in one process, each advancing as soon as its own agent has decided.

>>> jobs = (EpisodeJob("openspiel/tic_tac_toe", seed=s, player_specs=("random", "random"), episode_id=f"{s:04d}")
...         for s in range(100_000))
>>> play_many(jobs, concurrency=256, results=ResultsStore("results", "ttt"), keep_records=False)

An episode is described by an :class:`EpisodeJob`: game id, make() kwargs, seed, reset options and one agent
spec per seat, all plain and picklable, so another executor (Ray workers) can build the same episode from
it. Jobs are drawn lazily: only the live episodes are held, so a run of any length starts at once.

The local executor plays every live episode as an asyncio task: the task awaits its player's decision
(``adecide``) and steps the env the moment it is there, so no episode waits for another. Up to
``concurrency`` episodes are live. Agents that wait on a server await it (a remote backend keeps up to its
in-flight limit of requests busy, by default the run's concurrency, shared by every episode and seat);
sync agents and local models run on a worker thread, batching whatever waits meanwhile (see
``llm_arena_env.agents.concurrency``).

An episode whose model call failed for good ends with outcome ``error`` (see arena/episode.py) and is
written like any other; a re-run plays it again. Where the failure will hit every call of that agent (a
rejected key, no permission, a model that is not there: :attr:`ErrorKind.fatal`), the run stops after
that episode with :class:`FatalModelError`, naming the agent and the cause; finished episodes are kept.

Agents are built from their specs once per run and shared by every episode, except the cheap agents of
:data:`EPISODE_AGENT_KINDS` (``random``), which draw random numbers: each episode gets its own, seeded from
the episode's seed and seat. An episode therefore plays the same whatever else runs beside it, at any
concurrency, in any order of arrival and after a resume, as long as its agents are deterministic.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import threading
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Coroutine, Iterable, Iterator, Mapping, Protocol, Sequence

from llm_arena_env.agents.base import Decision, adecide
from llm_arena_env.agents.concurrency import RequestMeter, metering, run_scope
from llm_arena_env.agents.errors import is_fatal
from llm_arena_env.agents.specs import agent_identity, cannot_play
from llm_arena_env.arena.episode import EpisodeStepper, scrub
from llm_arena_env.arena.records import EpisodeError, EpisodeRecord
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


class AgentError(RuntimeError):
    """An agent raised instead of deciding (a bug, or an agent given a game it cannot play); the run stops,
    and the episodes finished until then are kept."""


class FatalModelError(AgentError):
    """A model call failed in a way every later call of the same agent would (401, 403, model not found):
    the run stops rather than fill the results with error episodes."""

    def __init__(self, error: EpisodeError):
        self.error = error
        super().__init__(f"agent {error.agent!r} cannot play ({error.kind}): {error.message}")


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
    keep_records: bool = True,
) -> list[EpisodeRecord]:
    """Play ``jobs``, ``concurrency`` episodes at a time; returns the records played now, in job order.

    ``jobs`` may be a lazy iterable (a generator, a :class:`JobStream`): it is drawn from as episodes start.
    With ``results``, every episode is written as soon as it ends, and jobs whose episode is already there
    are skipped (a re-run resumes). Ctrl-C raises ``KeyboardInterrupt`` after the episodes finished so far are written;
    none is left half-written. ``agents`` (spec -> agent) supplies ready-made agents for those specs.
    ``keep_records=False`` keeps no record in memory (a long run into ``results``) and returns [].
    ``progress`` shows a bar on stderr with episodes/s, the time left, the model requests in flight with
    their latency percentiles, and the tokens used."""
    from tqdm import tqdm

    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be an int >= 1, got {concurrency!r}")
    run = _resolve_executor(executor)
    played: dict[int, EpisodeRecord] = {}
    position: dict[tuple[str, ...], int] = {}  # of the jobs to play, by key: other executors return copies
    tokens = {"prompt": 0, "completion": 0}
    skipped = [0]  # of a JobStream's jobs, found already played as they are drawn
    bars: list[Any] = []  # the bar starts when the executor is ready, so its rate leaves out model loading
    if isinstance(jobs, Sequence):  # known up front: duplicates fail before anything is played
        _check_unique(jobs)
        todo: Iterable[EpisodeJob] = [job for job in jobs if results is None or not results.finished(job)]
        position.update((job.key, index) for index, job in enumerate(todo))
        total, initial = len(jobs), len(jobs) - len(position)
    elif isinstance(jobs, JobStream):  # keys distinct by construction: no growing set of them
        stream = jobs  # the executor gets its setups, to check them before the first move
        todo = JobStream(lambda: _numbered((job for job in stream if results is None
                                            or not _skipped(job, results, skipped, bars)), position),
                         stream.total, stream.setups)
        total, initial = stream.total, 0
    else:
        todo = _numbered((job for job in _unique(jobs) if results is None or not results.finished(job)), position)
        total, initial = None, 0

    def on_ready() -> None:
        if not bars:
            bars.append(tqdm(total=total, initial=initial + skipped[0], unit="episode", file=sys.stderr,
                             disable=not progress, dynamic_ncols=True,
                             desc=results.run_name if results else "episodes"))

    def on_record(job: EpisodeJob, record: EpisodeRecord) -> None:
        on_ready()
        if results is not None:
            results.write_episode(job, record)
        index = position.pop(job.key)
        if keep_records:
            played[index] = record
        if record.error and is_fatal(record.error.kind):
            raise FatalModelError(record.error)
        tokens["prompt"] += sum(step.prompt_tokens for step in record.steps)
        tokens["completion"] += sum(step.completion_tokens for step in record.steps)
        bars[0].update(1)

    with metering() as meter, _Postfix(bars, meter, tokens, enabled=progress):
        run(todo, concurrency=concurrency, on_record=on_record, on_ready=on_ready, agents=agents)
    return [played[index] for index in sorted(played)]


class _Postfix:
    """Refreshes the bar's postfix twice a second (requests in flight, latency percentiles, tokens) and
    closes the bar at the end, with the final figures."""

    def __init__(self, bars: list[Any], meter: RequestMeter, tokens: Mapping[str, int], *, enabled: bool):
        self.bars, self.meter, self.tokens, self.enabled = bars, meter, tokens, enabled
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, name="llm-arena-progress", daemon=True)

    def text(self) -> str:
        parts = [self.meter.summary()]
        if self.tokens["prompt"] or self.tokens["completion"] or self.bars and self.bars[0].n:
            parts.append(f"tokens in {_short(self.tokens['prompt'])} out {_short(self.tokens['completion'])}")
        return " | ".join(p for p in parts if p)

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            if self.bars:
                self.bars[0].set_postfix_str(self.text(), refresh=True)

    def __enter__(self) -> _Postfix:
        if self.enabled:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        for bar in self.bars:
            bar.set_postfix_str(self.text(), refresh=False)
            bar.close()


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
    for _ in _unique(jobs):
        pass


def _unique(jobs: Iterable[EpisodeJob]) -> Iterator[EpisodeJob]:
    """``jobs``, raising at the first one whose key (game, seats, episode id) came before."""
    seen: set[tuple[str, ...]] = set()
    for job in jobs:
        if job.key in seen:
            raise ValueError(f"two jobs of {job.game} with players {list(job.player_specs)} share the episode "
                             f"id {job.episode_id!r}; give each episode its own id")
        seen.add(job.key)
        yield job


def _skipped(job: EpisodeJob, results: ResultsStore, skipped: list[int], bars: list[Any]) -> bool:
    """Is ``job``'s episode already in ``results``? If so it is counted, and on the bar as done."""
    if not results.finished(job):
        return False
    skipped[0] += 1
    if bars:
        bars[0].update(1)
    return True


def _numbered(jobs: Iterable[EpisodeJob], position: dict[tuple[str, ...], int]) -> Iterator[EpisodeJob]:
    """``jobs``, each numbered in ``position`` as it is drawn (so records come back in job order)."""
    for index, job in enumerate(jobs):
        position[job.key] = index
        yield job


def _short(count: int) -> str:
    return f"{count / 1e6:.1f}M" if count >= 1e6 else f"{count / 1e3:.1f}k" if count >= 1e3 else str(count)


# ---------------------------------------------------------------------------------------------- local


def run_local(
    jobs: Iterable[EpisodeJob],
    *,
    concurrency: int,
    on_record: RecordSink,
    on_ready: Callable[[], None] | None = None,
    agents: Mapping[str, Any] | None = None,
) -> None:
    """The in-process executor: up to ``concurrency`` live episodes, each advanced on its own agents'
    decisions, in an event loop of its own (see the module doc)."""
    _run_in_new_loop(_play_local(jobs, concurrency, on_record, on_ready, agents))


register_executor("local", run_local)


def _run_ray(jobs: Sequence[EpisodeJob], **kwargs: Any) -> None:
    """``executor="ray"``: Ray is imported on first use only (see arena/ray_executor.py)."""
    from llm_arena_env.arena.ray_executor import run_ray

    run_ray(jobs, **kwargs)


register_executor("ray", _run_ray)


async def _play_local(jobs: Iterable[EpisodeJob], concurrency: int, on_record: RecordSink,
                      on_ready: Callable[[], None] | None, agents: Mapping[str, Any] | None) -> None:
    pool = AgentPool(agents)
    envs = EnvPool()
    checked: set[tuple[Any, ...]] = set()

    def check(job: EpisodeJob) -> EpisodeJob:
        """Build the job's agents and make its game, once per setup, so that bad specs fail before its moves."""
        setup = (job.game, _kwargs_key(job.game_kwargs), job.player_specs)
        if setup not in checked:
            if reason := incompatibility(job):
                raise GameBuildError(f"{pairing_name(job)} cannot be played: {reason}")
            pool.prepare([job.player_specs])  # builds them and runs each remote model's pre-flight check
            envs.check(job)
            checked.add(setup)
        return job

    try:
        # every setup checked before the first move
        for job in jobs.setups if isinstance(jobs, JobStream) else jobs if isinstance(jobs, Sequence) else ():
            check(job)
        if on_ready is not None:
            on_ready()
        async with run_scope(concurrency):
            await _play_all((check(job) for job in jobs), concurrency,
                            lambda job: _play_episode(job, envs, pool), on_record)
    finally:
        pool.close()
        envs.close()


async def _play_all(jobs: Iterator[EpisodeJob], concurrency: int,
                    play: Callable[[EpisodeJob], Awaitable[EpisodeRecord]], on_record: RecordSink) -> None:
    """Keeps up to ``concurrency`` episodes playing, starting the next job as one ends, and reports each
    finished episode (those that end together in the order they started). The first error stops the
    others, once the episodes finished by then are reported."""
    live: dict[asyncio.Future[EpisodeRecord], tuple[int, EpisodeJob]] = {}
    order = itertools.count()
    try:
        while True:
            while len(live) < concurrency and (job := next(jobs, None)) is not None:
                live[asyncio.ensure_future(play(job))] = (next(order), job)
            if not live:
                return
            done, _ = await asyncio.wait(live, return_when=asyncio.FIRST_COMPLETED)
            failure: BaseException | None = None
            for task in sorted(done, key=lambda t: live[t][0]):
                _, job = live.pop(task)
                try:
                    if task.exception() is None:
                        on_record(job, task.result())  # may stop the run too (a fatal model error)
                    else:
                        failure = failure or task.exception()
                except Exception as error:  # noqa: BLE001  (raised once the others of this round are kept)
                    failure = failure or error
            if failure is not None:
                raise failure
    finally:
        for task in live:
            task.cancel()
        await asyncio.gather(*live, return_exceptions=True)


async def _play_episode(job: EpisodeJob, envs: EnvPool, pool: AgentPool) -> EpisodeRecord:
    """One episode to its end: each turn awaits the player's decision and plays it at once."""
    env = envs.acquire(job)
    seats = pool.for_job(job)
    try:
        stepper = EpisodeStepper(env, seats, job.seed, job.options, game=job.game, game_kwargs=job.game_kwargs,
                                 episode_id=job.episode_id,
                                 agent_names=[agent_identity(spec) for spec in job.player_specs])
        while (pending := stepper.pending()) is not None:
            player, agent, observation = pending
            try:
                decision = await adecide(agent, observation)
            except Exception as error:  # noqa: BLE001  (what it means is agent_failed's to say)
                decision = agent_failed(stepper, player, error)
                if decision is None:
                    continue
            stepper.apply(decision)
        return stepper.record()
    finally:
        envs.release(job, env)
        pool.release(job, seats)


def agent_failed(stepper: EpisodeStepper, player: str, error: Exception) -> Decision | None:
    """What an agent's exception does to its episode: the one place that decides it.

    Returns a decision to play instead, or None once it has ended the episode; raising stops the whole run
    (the episodes finished until then are kept). Today every exception stops the run: an agent that raises
    is a bug, or an agent given a game it cannot play. A model call that failed for good is no exception:
    it comes as a decision that carries the error, which the stepper ends as an ``error`` episode."""
    raise AgentError(f"agent {stepper.agent_names[player]!r} failed in {stepper.game}: "
                     f"{type(error).__name__}: {scrub(str(error))}") from error


def _run_in_new_loop(main: Coroutine[Any, Any, None]) -> None:
    """``asyncio.run(main)``; called from a thread that already runs a loop (a notebook), on a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(main)
        return
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(main)
        except BaseException as error:  # noqa: BLE001  (raised again in the caller's thread)
            failure.append(error)

    thread = threading.Thread(target=run, name="llm-arena-run")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


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
    "JobStream",
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
