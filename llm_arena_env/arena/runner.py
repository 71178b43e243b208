"""Playing many episodes in one process, each advancing as soon as its own agent has decided.

>>> jobs = (EpisodeJob("openspiel/tic_tac_toe", seed=s, player_specs=("random", "random"), episode_id=f"{s:04d}")
...         for s in range(100_000))
>>> play_many(jobs, concurrency=256, results=ResultsStore("results", "ttt"), keep_records=False)

An episode is described by an :class:`EpisodeJob`: game id, make() kwargs, seed, reset options and one agent
spec per seat, all plain and picklable, so another executor (Ray workers) can build the same episode from
it. Jobs are drawn lazily: only the live episodes are held, so a run of any length starts at once.

The local executor (arena/local_executor.py) plays every live episode as an asyncio task: the task awaits
its player's decision (``adecide``) and steps the env the moment it is there, so no episode waits for
another. Up to ``concurrency`` episodes are live. Agents that wait on a server await it (a remote backend
keeps up to its in-flight limit of requests busy, by default the run's concurrency, shared by every episode
and seat); sync agents and local models run on a worker thread, batching whatever waits meanwhile (see
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

import sys
import threading
from typing import Any, Iterable, Iterator, Mapping, Sequence

from llm_arena_env.agents.concurrency import RequestMeter, metering
from llm_arena_env.agents.errors import is_fatal
from llm_arena_env.arena.jobs import (  # noqa: F401  (re-exported: where users import them from)
    EPISODE_AGENT_KINDS,
    SEAT_SEED_STRIDE,
    AgentBuildError,
    AgentError,
    EpisodeJob,
    Executor,
    FatalModelError,
    GameBuildError,
    JobStream,
    RecordSink,
    incompatibility,
    pairing_name,
)
from llm_arena_env.arena.local_executor import AgentPool, EnvPool, preflight, run_local  # noqa: F401
from llm_arena_env.arena.records import EpisodeRecord
from llm_arena_env.arena.results import ResultsStore

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


# ------------------------------------------------------------------------------------------ executors

register_executor("local", run_local)


def _run_ray(jobs: Sequence[EpisodeJob], **kwargs: Any) -> None:
    """``executor="ray"``: Ray is imported on first use only (see arena/ray_executor.py)."""
    from llm_arena_env.arena.ray_executor import run_ray

    run_ray(jobs, **kwargs)


register_executor("ray", _run_ray)


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
