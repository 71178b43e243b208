"""The local executor: every live episode an asyncio task that steps its env the moment its player has decided.

Up to ``concurrency`` episodes are live; the agents of a run are built once per spec and shared (see
:class:`AgentPool`), the envs reused across episodes (:class:`EnvPool`). The Ray executor runs this same
executor inside each of its workers.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from typing import Any, Awaitable, Callable, Coroutine, Iterable, Iterator, Mapping, Sequence

from llm_arena_env.agents.base import Decision, adecide
from llm_arena_env.agents.concurrency import run_scope
from llm_arena_env.agents.specs import agent_identity
from llm_arena_env.arena.episode import EpisodeStepper, scrub
from llm_arena_env.arena.jobs import (
    EPISODE_AGENT_KINDS,
    AgentBuildError,
    AgentError,
    EpisodeJob,
    GameBuildError,
    JobStream,
    RecordSink,
    incompatibility,
    pairing_name,
)
from llm_arena_env.arena.records import EpisodeRecord
from llm_arena_env.registry import GameMakeError, make_game


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
    broken = False
    try:
        stepper = EpisodeStepper(env, seats, job.seed, job.options, game=job.game, game_kwargs=job.game_kwargs,
                                 episode_id=job.episode_id,
                                 agent_names=[agent_identity(spec) for spec in job.player_specs])
        try:
            while (pending := stepper.pending()) is not None:
                player, agent, observation = pending
                try:
                    decision = await adecide(agent, observation)
                except Exception as error:  # noqa: BLE001  (what it means is agent_failed's to say)
                    decision = agent_failed(stepper, player, error)
                    if decision is None:
                        continue
                stepper.apply(decision)
        except AgentError:
            raise
        except Exception as error:  # noqa: BLE001  the env raised: this episode ends in error, the run goes on
            stepper.end_in_game_error(error)
            broken = True  # its state is unknown: no later episode gets this env
        return stepper.record()
    finally:
        if not broken:
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
        try:
            env = make_game(job.game, job.game_kwargs)
        except GameMakeError as error:
            raise GameBuildError(str(error)) from error
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


__all__ = ["run_local", "AgentPool", "EnvPool", "preflight", "agent_failed"]
