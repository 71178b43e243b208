"""Playing a run's episodes on a Ray cluster: ``play_many(jobs, executor="ray")``.

>>> play_many(jobs, executor="ray", results=ResultsStore("results", "ttt"))        # a local Ray cluster
>>> play_many(jobs, executor=ray_executor("auto", num_workers=8), results=...)    # a running cluster

Each worker is a Ray actor that builds the agents of the jobs' specs once and keeps them, then plays the
chunks of jobs it is sent with the local executor (``concurrency`` episodes at a time, each advancing on its
own agents' replies) and streams every episode back as a plain dict the moment it ends. The driver
writes each one to the results store as it arrives (``ray.wait``), so resume and Ctrl-C behave as they do
locally: what has arrived is on disk, the rest is played by the next run. Random agents are seeded per
episode, so a seeded run gives the same records here as on the local executor.

``concurrency`` counts episodes per worker; the workers are ``num_workers`` actors (default: one per free
CPU of the cluster), each started with ``worker_options`` (e.g. ``{"num_gpus": 1}`` for a local model).
Ray is started here (``num_cpus`` CPUs) unless ``address`` names a cluster or a Ray session is already up,
which is used as it is and left running. The workers import ``llm_arena_env``: on a remote cluster install
the package there, or start the session yourself with ``ray.init(address, runtime_env=...)``.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
from collections import deque
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from llm_arena_env.arena.jobs import EpisodeJob, Executor, RecordSink
from llm_arena_env.arena.local_executor import AgentPool, EnvPool, run_local
from llm_arena_env.arena.records import EpisodeRecord

RAY_EXTRA_HINT = "pip install 'llm-arena-env[ray]'"
#: Chunks queued on each worker: the next is there when one ends, so a worker never waits on the driver.
CHUNKS_IN_FLIGHT = 2
CLOSE_TIMEOUT_S = 30.0


class RayNotInstalledError(ImportError):
    """``executor="ray"`` without Ray installed."""


def ray_executor(
    address: str | None = None,
    *,
    num_cpus: int | None = None,
    num_workers: int | None = None,
    worker_options: Mapping[str, Any] | None = None,
) -> Executor:
    """``run_ray`` with these settings, for ``play_many(..., executor=ray_executor("auto"))``."""
    return functools.partial(run_ray, address=address, num_cpus=num_cpus, num_workers=num_workers,
                             worker_options=worker_options)


def run_ray(
    jobs: Iterable[EpisodeJob],
    *,
    concurrency: int,
    on_record: RecordSink,
    on_ready: Callable[[], None] | None = None,
    agents: Mapping[str, Any] | None = None,
    address: str | None = None,
    num_cpus: int | None = None,
    num_workers: int | None = None,
    worker_options: Mapping[str, Any] | None = None,
) -> None:
    """The Ray executor (see the module doc); it follows :class:`~llm_arena_env.arena.jobs.Executor`."""
    if agents:
        raise ValueError("executor 'ray' builds its agents in its workers from the specs; "
                         "ready-made agents (agents=...) can only be used with the local executor")
    if num_workers is not None and (isinstance(num_workers, bool) or not isinstance(num_workers, int)
                                    or num_workers < 1):
        raise ValueError(f"num_workers must be an int >= 1, got {num_workers!r}")
    if address is not None and num_cpus is not None:
        raise ValueError("num_cpus sizes a local Ray cluster; a cluster at an address has its own CPUs")
    ray = import_ray()
    jobs = list(jobs)  # chunked across workers, so drawn up front (the local executor draws them lazily)
    if not jobs:
        if on_ready is not None:
            on_ready()
        return
    started = _connect(ray, address, num_cpus)
    try:
        _Dispatcher(ray, jobs, concurrency, on_record, on_ready, num_workers, dict(worker_options or {})).run()
    finally:
        if started:
            ray.shutdown()


def import_ray() -> Any:
    """The ``ray`` module, or :class:`RayNotInstalledError` naming the extra to install."""
    try:
        import ray
    except ImportError as error:
        raise RayNotInstalledError(f"executor 'ray' needs Ray: {RAY_EXTRA_HINT}") from error
    return ray


def _connect(ray: Any, address: str | None, num_cpus: int | None) -> bool:
    """Join ``address``, or start a local cluster; returns whether this call started the session."""
    if ray.is_initialized():
        return False
    ray.init(address, num_cpus=num_cpus, ignore_reinit_error=True, include_dashboard=False,
             log_to_driver=False, logging_level=logging.WARNING)
    return True


class _Dispatcher:
    """The driver's side: starts the workers, feeds them chunks of jobs, hands on each episode as it comes."""

    def __init__(self, ray: Any, jobs: Sequence[EpisodeJob], concurrency: int, on_record: RecordSink,
                 on_ready: Callable[[], None] | None, num_workers: int | None, worker_options: dict[str, Any]):
        self.ray = ray
        self.chunks = deque(jobs[i:i + concurrency] for i in range(0, len(jobs), concurrency))
        self.concurrency = concurrency
        self.on_record = on_record
        self.on_ready = on_ready
        count = num_workers or _free_cpus(ray, worker_options)
        actor = ray.remote(num_cpus=1)(_Worker).options(**worker_options)
        self.workers = [actor.remote() for _ in range(min(count, len(self.chunks)))]
        # What each pending Ray reference is: a worker's preparation (chunk None), or a chunk it plays.
        self.pending: dict[Any, tuple[Any, Sequence[EpisodeJob] | None]] = {}
        self.ready_workers: list[Any] = []

    def run(self) -> None:
        try:
            samples = _one_job_per_setup(job for chunk in self.chunks for job in chunk)
            for worker in self.workers:
                self.pending[worker.prepare.remote(samples)] = (worker, None)
            while self.chunks or any(chunk is not None for _, chunk in self.pending.values()):
                [ref], _ = self.ray.wait(list(self.pending), num_returns=1)
                worker, chunk = self.pending[ref]
                if chunk is None:
                    self._on_prepared(ref, worker)
                else:
                    self._on_stream(ref, worker, chunk)
            # All played: let the workers close their agents (engines, clients) before they go.
            closing = [worker.close.remote() for worker in self.ready_workers]
            self.ray.wait(closing, num_returns=len(closing), timeout=CLOSE_TIMEOUT_S)
        finally:
            for worker in self.workers:  # also on Ctrl-C or an error: every worker stops, queued chunks too
                self.ray.kill(worker)

    def _on_prepared(self, ref: Any, worker: Any) -> None:
        del self.pending[ref]
        self._get(ref)  # a bad spec or game raises here, before anything is played
        if not self.ready_workers and self.on_ready is not None:
            self.on_ready()
        self.ready_workers.append(worker)
        for _ in range(CHUNKS_IN_FLIGHT):
            self._send(worker)

    def _on_stream(self, stream: Any, worker: Any, chunk: Sequence[EpisodeJob]) -> None:
        try:
            ref = next(stream)
        except StopIteration:
            del self.pending[stream]
            self._send(worker)
            return
        index, data = self._get(ref)
        self.on_record(chunk[index], EpisodeRecord.from_dict(data))

    def _send(self, worker: Any) -> None:
        if self.chunks:
            chunk = self.chunks.popleft()
            self.pending[worker.play.remote(chunk, self.concurrency)] = (worker, chunk)

    def _get(self, ref: Any) -> Any:
        """``ray.get``, raising a worker's own error (AgentBuildError, AgentError, ...) rather than Ray's
        wrapper of it, so callers catch the same errors as with the local executor."""
        try:
            return self.ray.get(ref)
        except self.ray.exceptions.RayTaskError as error:
            cause = getattr(error, "cause", None)
            if isinstance(cause, BaseException):
                raise cause from error
            raise


class _Worker:
    """A Ray actor: the agents of every spec, built once, and the local executor to play chunks of jobs."""

    def __init__(self) -> None:
        self.pool = AgentPool()

    def prepare(self, jobs: Sequence[EpisodeJob]) -> None:
        """Build every agent and make every game once, so that errors come before any move."""
        self.pool.prepare(job.player_specs for job in jobs)
        envs = EnvPool()
        try:
            for job in jobs:
                envs.check(job)
        finally:
            envs.close()

    def play(self, jobs: Sequence[EpisodeJob], concurrency: int) -> Iterator[tuple[int, dict[str, Any]]]:
        """Play ``jobs``, yielding ``(index in jobs, record dict)`` as each episode ends (a Ray stream).

        The local executor reports episodes through a callback; it runs in a thread here so that each one
        can be yielded, and so sent to the driver, while the others go on."""
        index = {job.key: i for i, job in enumerate(jobs)}
        finished: queue.Queue[Any] = queue.Queue()
        done = object()

        def work() -> None:
            try:
                run_local(jobs, concurrency=concurrency, agents=self.pool.shared,
                          on_record=lambda job, record: finished.put((index[job.key], record.to_dict())))
                finished.put(done)
            except BaseException as error:  # noqa: BLE001  (re-raised below, in the actor's own thread)
                finished.put(error)

        threading.Thread(target=work, name="llm-arena-episodes", daemon=True).start()
        while (item := finished.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self.pool.close()


def _free_cpus(ray: Any, worker_options: Mapping[str, Any]) -> int:
    per_worker = float(worker_options.get("num_cpus", 1) or 1)
    return max(1, int(ray.available_resources().get("CPU", 1) // per_worker))


def _one_job_per_setup(jobs: Iterable[EpisodeJob]) -> list[EpisodeJob]:
    """A job for each distinct game, kwargs and seats: what a worker checks before playing."""
    return list({(job.game, repr(sorted(job.game_kwargs.items())), job.player_specs): job for job in jobs}.values())


__all__ = ["run_ray", "ray_executor", "import_ray", "RayNotInstalledError", "RAY_EXTRA_HINT"]
