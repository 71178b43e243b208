"""What agents and backends share while many episodes play in one event loop.

The arena plays each episode as an asyncio task that awaits its agents' decisions (``adecide``). This
module holds what those calls need besides the agent itself:

- :class:`RunScope`: state that lives as long as one run's event loop: the in-flight limit of each remote
  backend, async HTTP clients, the batchers of sync agents and backends, and the :class:`RequestMeter`.
  ``async with run_scope(concurrency):`` opens one; code called from inside reads it with
  :func:`current_scope` (outside a run, each event loop gets a default scope).
- :class:`Batcher`: dynamic batching of a sync batch function (a user's ``decide_batch``, a local model's
  ``complete``): one call at a time on a :class:`Worker` thread; whatever is submitted while it runs goes into the
  next call, so nothing waits for a round to fill and a sync object is never called from two threads.
- :class:`RequestMeter`: requests in flight and their latencies, for the progress bar.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import queue
import threading
import time
import weakref
from collections import deque
from typing import Any, AsyncIterator, Awaitable, Callable, Iterator, Sequence

log = logging.getLogger(__name__)

#: Requests a remote backend keeps in flight where neither the backend nor the run sets a limit.
DEFAULT_IN_FLIGHT = 32
LATENCY_WINDOW = 2000  # the last N request latencies make the percentiles


class RequestMeter:
    """Model requests in flight now (and at most), and the latencies of the last ones, in seconds."""

    def __init__(self, window: int = LATENCY_WINDOW):
        self.in_flight = 0
        self.peak = 0
        self.count = 0
        self.latencies: deque[float] = deque(maxlen=window)
        self._lock = threading.Lock()  # sync backends report from worker threads

    def started(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)

    def finished(self, seconds: float) -> None:
        with self._lock:
            self.in_flight -= 1
            self.count += 1
            self.latencies.append(seconds)

    def percentile(self, q: float) -> float:
        """The ``q``-th percentile (0-100) of the recent latencies; 0.0 before any request ended."""
        with self._lock:
            ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]

    def summary(self) -> str:
        """E.g. ``in flight 32 | p50 0.21s p90 0.48s``; "" before any request."""
        if not self.count and not self.in_flight:
            return ""
        return (f"in flight {self.in_flight} | p50 {self.percentile(50):.2f}s p90 {self.percentile(90):.2f}s "
                f"p99 {self.percentile(99):.2f}s")


_METER: contextvars.ContextVar[RequestMeter | None] = contextvars.ContextVar("llm_arena_meter", default=None)


@contextlib.contextmanager
def metering() -> Iterator[RequestMeter]:
    """A fresh meter that the runs started inside this block (in this thread) report their requests to."""
    meter = RequestMeter()
    token = _METER.set(meter)
    try:
        yield meter
    finally:
        _METER.reset(token)


class RunScope:
    """State of one run in one event loop (see the module doc). ``concurrency`` is the run's; remote backends
    take it as their in-flight limit unless they have their own."""

    def __init__(self, concurrency: int | None = None, meter: RequestMeter | None = None):
        self.concurrency = concurrency
        self.meter = meter if meter is not None else RequestMeter()
        self._state: dict[tuple[int, str], tuple[Any, Any]] = {}
        self._closers: list[Callable[[], Awaitable[Any]]] = []

    def state(self, owner: Any, name: str, factory: Callable[[], Any]) -> Any:
        """``owner``'s ``name`` in this scope, made by ``factory()`` on first use (a semaphore, a client)."""
        key = (id(owner), name)
        if key not in self._state:
            self._state[key] = (owner, factory())  # owner kept alive, so its id is not reused meanwhile
        return self._state[key][1]

    def in_flight_limit(self, owner: Any, limit: int | None) -> asyncio.Semaphore:
        """The one semaphore that bounds ``owner``'s requests in this run: ``limit``, else the run's concurrency."""
        return self.state(owner, "in_flight", lambda: asyncio.Semaphore(limit or self.concurrency or DEFAULT_IN_FLIGHT))

    def batcher(self, owner: Any, fn: Callable[[list[Any]], Sequence[Any]], *, max_batch: int | None = None,
                metered: bool = False) -> Batcher:
        """The :class:`Batcher` of ``owner``'s sync batch function ``fn`` in this scope."""

        def make() -> Batcher:
            batcher = Batcher(fn, max_batch=max_batch, meter=self.meter if metered else None)
            self.on_close(_async(batcher.close))
            return batcher

        return self.state(owner, "batcher", make)

    def on_close(self, closer: Callable[[], Awaitable[Any]]) -> None:
        """Await ``closer()`` when the scope ends (e.g. an async HTTP client's ``close``)."""
        self._closers.append(closer)

    async def aclose(self) -> None:
        closers, self._closers = self._closers, []
        for closer in closers:
            try:
                await closer()
            except Exception as error:  # noqa: BLE001  (closing is best effort; the run's results stand)
                log.warning("closing %r failed: %s", closer, error)
        self._state.clear()


_SCOPE: contextvars.ContextVar[RunScope | None] = contextvars.ContextVar("llm_arena_scope", default=None)
_DEFAULT_SCOPES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, RunScope] = weakref.WeakKeyDictionary()


@contextlib.asynccontextmanager
async def run_scope(concurrency: int | None = None) -> AsyncIterator[RunScope]:
    """A :class:`RunScope` for the tasks started inside this block; closed (clients too) when it ends."""
    scope = RunScope(concurrency, _METER.get())
    token = _SCOPE.set(scope)
    try:
        yield scope
    finally:
        _SCOPE.reset(token)
        await scope.aclose()


def current_scope() -> RunScope:
    """The scope of the run this task belongs to; outside a run, the running loop's default scope."""
    scope = _SCOPE.get()
    if scope is not None:
        return scope
    loop = asyncio.get_running_loop()
    if loop not in _DEFAULT_SCOPES:
        _DEFAULT_SCOPES[loop] = RunScope(meter=_METER.get())
    return _DEFAULT_SCOPES[loop]


class Batcher:
    """Calls ``fn(items) -> results`` (one result per item, in order) one call at a time on a worker thread;
    the items submitted while a call runs go together into the next one, at most ``max_batch`` at a time.

    An exception from ``fn`` is raised to every submitter of that call. With a ``meter``, every item counts
    as a request in flight from its submission to its result."""

    def __init__(self, fn: Callable[[list[Any]], Sequence[Any]], *, max_batch: int | None = None,
                 meter: RequestMeter | None = None):
        self.fn = fn
        self.max_batch = max_batch
        self.meter = meter
        self._waiting: deque[tuple[Any, asyncio.Future[Any]]] = deque()
        self._drainer: asyncio.Task[None] | None = None
        self._thread: Worker | None = None

    def _worker(self) -> Worker:
        if self._thread is None:
            self._thread = Worker()
        return self._thread

    def close(self) -> None:
        """Let the worker thread end (it is a daemon: a call still running does not hold the process)."""
        if self._thread is not None:
            self._thread.stop()
            self._thread = None

    async def submit(self, item: Any) -> Any:
        """``fn``'s result for ``item``, from whichever call ``item`` joins."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._waiting.append((item, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = loop.create_task(self._drain())
        if self.meter is None:
            return await future
        self.meter.started()
        start = time.perf_counter()
        try:
            return await future
        finally:
            self.meter.finished(time.perf_counter() - start)

    async def _drain(self) -> None:
        while self._waiting:
            await asyncio.sleep(0)  # let every task that is ready to submit join this call
            count = len(self._waiting) if self.max_batch is None else min(self.max_batch, len(self._waiting))
            batch = [self._waiting.popleft() for _ in range(count)]
            batch = [(item, future) for item, future in batch if not future.done()]  # cancelled meanwhile
            if not batch:
                continue
            try:
                results = await self._worker().run(self.fn, [item for item, _ in batch])
                if len(results) != len(batch):
                    raise RuntimeError(f"{self.fn!r} gave {len(results)} results for {len(batch)} items")
            except asyncio.CancelledError:
                for _, future in batch:
                    future.cancel()
                raise
            except BaseException as error:  # noqa: BLE001  (each submitter raises it: Ctrl-C too)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), result in zip(batch, results):
                if not future.done():
                    future.set_result(result)


class Worker:
    """One daemon thread that runs the calls handed to it, in order, each result a future of the caller's loop.

    A thread of its own per sync object, kept for the run: handing a call to a waiting thread is one
    context switch, where starting a thread per call is two (it counts on a loaded machine). A daemon
    thread, not a pool: a call that never returns (a person who does not type, a hung engine) must not keep
    the process alive after Ctrl-C."""

    def __init__(self, name: str = "llm-arena-call"):
        self._calls: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def run(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        """``fn(*args)`` on the worker thread, as a future of the running loop."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._calls.put((loop, future, contextvars.copy_context(), fn, args))
        return future

    def stop(self) -> None:
        self._calls.put(None)

    def _serve(self) -> None:
        while (call := self._calls.get()) is not None:
            loop, future, context, fn, args = call
            try:
                outcome: tuple[Callable[[Any], None], Any] = (future.set_result, context.run(fn, *args))
            except BaseException as error:  # noqa: BLE001  (handed to the awaiting task)
                outcome = (future.set_exception, error)
            try:
                loop.call_soon_threadsafe(_settle, future, *outcome)
            except RuntimeError:  # the loop is closed: nobody waits for this any more
                pass


def _async(fn: Callable[[], None]) -> Callable[[], Awaitable[None]]:
    async def call() -> None:
        fn()

    return call


def _settle(future: asyncio.Future[Any], setter: Callable[[Any], None], value: Any) -> None:
    if not future.done():
        setter(value)


__all__ = ["RequestMeter", "RunScope", "Batcher", "Worker", "run_scope", "current_scope", "metering",
           "DEFAULT_IN_FLIGHT"]
