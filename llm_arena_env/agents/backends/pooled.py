"""What every backend behind an HTTP API does the same way: worker threads for sync batches, retries, one
in-flight limit per backend on the async path, and latency measured as the caller waited (retries included).

A subclass sends one attempt (``_send``, and ``_asend_once`` where its SDK has an async client) and closes its
client (``_close_client``); everything else is here, once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Sequence

from llm_arena_env.agents.backends.base import Completion, Request
from llm_arena_env.agents.backends.retry import Retrier
from llm_arena_env.agents.concurrency import current_scope
from llm_arena_env.agents.errors import BackendError


class PooledBackend:
    """Base of the HTTP backends; subclasses set ``name``, ``max_concurrency`` and ``_retry`` in ``__init__``
    and call :meth:`_start_pool`."""

    name: str
    max_concurrency: int | None
    _retry: Retrier
    #: worker threads where max_concurrency is not set (threads start only as they are needed)
    default_threads = 32
    thread_prefix = "backend"

    def _start_pool(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    # ------------------------------------------------------------------ what a subclass implements

    def _send(self, request: Request) -> Completion:
        """One attempt at ``request`` (latency left at 0); raises BackendError, retryable or not."""
        raise NotImplementedError

    async def _asend_once(self, request: Request) -> Completion:
        """One attempt, awaited: by default ``_send`` on a worker thread."""
        return await asyncio.get_running_loop().run_in_executor(self._executor(), self._send, request)

    def _close_client(self) -> None:
        pass

    # ------------------------------------------------------------------ the Backend protocol

    def complete(self, requests: Sequence[Request]) -> list[Completion | BackendError]:
        """One completion (or the error that ended its retries) per request, in order."""
        requests = list(requests)
        if len(requests) <= 1:
            return [self._complete_one(r) for r in requests]
        futures = [self._executor().submit(self._complete_one, r) for r in requests]
        return [f.result() for f in futures]

    async def acomplete(self, requests: Sequence[Request]) -> list[Completion | BackendError]:
        """``complete``, awaited: every request goes out at once, under the backend's in-flight limit
        (``max_concurrency``, else the run's concurrency); retries wait outside it."""
        return list(await asyncio.gather(*(self._acomplete_one(r) for r in requests)))

    def close(self) -> None:
        """Stop the worker threads and close the HTTP connections."""
        with self._pool_lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None
        self._close_client()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ one request

    def _executor(self) -> ThreadPoolExecutor:
        # One pool per backend, so max_concurrency bounds all batches sent through it at once.
        with self._pool_lock:
            if self._pool is None:
                threads = self.max_concurrency or self.default_threads
                self._pool = ThreadPoolExecutor(threads, thread_name_prefix=self.thread_prefix)
            return self._pool

    def _complete_one(self, request: Request) -> Completion | BackendError:
        start = time.perf_counter()
        try:
            completion = self._retry(lambda: self._send(request), what=self.name)
        except BackendError as error:
            return error
        return dataclasses.replace(completion, latency_s=time.perf_counter() - start)  # retries included

    async def _acomplete_one(self, request: Request) -> Completion | BackendError:
        start = time.perf_counter()
        try:
            completion = await self._retry.acall(lambda: self._asend(request), what=self.name)
        except BackendError as error:
            return error
        return dataclasses.replace(completion, latency_s=time.perf_counter() - start)  # retries included

    async def _asend(self, request: Request) -> Completion:
        """One attempt in flight, within the limit; retries wait outside it."""
        scope = current_scope()
        async with scope.in_flight_limit(self, self.max_concurrency):
            scope.meter.started()
            start = time.perf_counter()
            try:
                return await self._asend_once(request)
            finally:
                scope.meter.finished(time.perf_counter() - start)


__all__ = ["PooledBackend"]
