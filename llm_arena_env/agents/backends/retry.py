"""The one retry policy every backend uses: exponential backoff with jitter that honours Retry-After.

:class:`RetryPolicy` says how often and how long to wait; :class:`Retrier` runs a call under it with
tenacity (as game_arena does). Only :class:`RetryableError` is retried (which kinds are retryable is
:class:`~llm_arena_env.agents.errors.ErrorKind`'s to say); a :class:`NonRetryableError` (or any other
error) goes straight to the caller. Every backend's SDK has its own retries turned off, so this is the only
layer that retries. Randomness, sleeping and the clock are injectable, so tests run fast and repeatably.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, TypeVar

import tenacity

from llm_arena_env.agents.errors import RetryableError

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to ask again."""

    max_attempts: int = 6  # first try included
    initial_delay: float = 0.5  # seconds before the first retry, before jitter
    multiplier: float = 2.0
    max_delay: float = 30.0  # the cap of the exponential part (a longer Retry-After is still honoured)
    max_elapsed: float | None = None  # give up once this many seconds have passed since the first try

    def __post_init__(self) -> None:
        if not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise ValueError(f"max_attempts must be an int >= 1, got {self.max_attempts!r}")
        if self.initial_delay < 0 or self.max_delay < 0 or self.multiplier < 1:
            raise ValueError("initial_delay and max_delay must be >= 0 and multiplier >= 1")

    def delay(self, retry: int, rng: random.Random, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1 = the first retry).

        "Equal jitter": half the exponential step is fixed, half random, so clients that failed together
        spread out without ever retrying at once. A server's Retry-After is a floor.
        """
        step = min(self.max_delay, self.initial_delay * self.multiplier ** (retry - 1))
        wait = step / 2 + rng.uniform(0, step / 2)
        return max(wait, retry_after or 0.0)


class Retrier:
    """Calls a function until it succeeds, fails for good, or the policy's budget is spent."""

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        rng: random.Random | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        asleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self.policy = policy or RetryPolicy()
        self.rng = rng or random.Random()  # a private generator: the global random state is never touched
        self.sleep = sleep
        self.clock = clock
        self.asleep = asleep

    def __call__(self, fn: Callable[[], T], *, what: str = "request") -> T:
        """``fn()``, retried on :class:`RetryableError`. Raises the last error when the budget is spent."""
        return tenacity.Retrying(sleep=self.sleep, **self._settings(what))(fn)

    async def acall(self, fn: Callable[[], Awaitable[T]], *, what: str = "request") -> T:
        """``await fn()``, retried like ``__call__``; the waits are ``asleep`` (other tasks go on meanwhile)."""
        async def attempt() -> T:  # a coroutine function, which tenacity awaits (fn may be a lambda)
            return await fn()

        return await tenacity.AsyncRetrying(sleep=self.asleep, **self._settings(what))(attempt)

    def _settings(self, what: str) -> dict[str, Any]:
        """tenacity's arguments for one call: the policy's waits, attempts and time budget (from now)."""
        policy, start = self.policy, self.clock()

        def wait(state: tenacity.RetryCallState) -> float:
            return policy.delay(state.attempt_number, self.rng, _error(state).retry_after)

        def out_of_time(state: tenacity.RetryCallState) -> bool:
            limit = policy.max_elapsed
            return limit is not None and self.clock() + state.upcoming_sleep - start > limit

        def give_up(state: tenacity.RetryCallState) -> Any:
            error, attempts = _error(state), state.attempt_number
            raise RetryableError(f"{error} (gave up after {attempts} attempt{'s' if attempts > 1 else ''})",
                                 status=error.status, retry_after=error.retry_after, kind=error.kind) from error

        def before_sleep(state: tenacity.RetryCallState) -> None:
            log.info("%s failed (%s); retry %d/%d in %.2fs", what, _error(state), state.attempt_number,
                     policy.max_attempts - 1, state.upcoming_sleep)

        return {
            "retry": tenacity.retry_if_exception_type(RetryableError),
            "wait": wait,
            "stop": tenacity.stop_after_attempt(policy.max_attempts) | out_of_time,
            "retry_error_callback": give_up,
            "before_sleep": before_sleep,
        }


def _error(state: tenacity.RetryCallState) -> RetryableError:
    return state.outcome.exception()  # type: ignore[union-attr, return-value]  (only RetryableError is retried)


__all__ = ["RetryPolicy", "Retrier"]
