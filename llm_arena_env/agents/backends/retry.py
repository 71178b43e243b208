"""The one retry helper every backend uses: exponential backoff with jitter that honours Retry-After.

Only :class:`RetryableError` is retried. A :class:`NonRetryableError` (or any other error) goes straight
to the caller. Randomness, sleeping and the clock are injectable, so tests run fast and repeatably.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from typing import Callable, TypeVar

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
    ):
        self.policy = policy or RetryPolicy()
        self.rng = rng or random.Random()  # a private generator: the global random state is never touched
        self.sleep = sleep
        self.clock = clock

    def __call__(self, fn: Callable[[], T], *, what: str = "request") -> T:
        """``fn()``, retried on :class:`RetryableError`. Raises the last error when the budget is spent."""
        start = self.clock()
        attempt = 1
        while True:
            try:
                return fn()
            except RetryableError as error:
                wait = self.policy.delay(attempt, self.rng, error.retry_after)
                limit = self.policy.max_elapsed
                if attempt >= self.policy.max_attempts or (limit is not None and self.clock() + wait - start > limit):
                    raise RetryableError(
                        f"{error} (gave up after {attempt} attempt{'s' if attempt > 1 else ''})",
                        status=error.status,
                        retry_after=error.retry_after,
                        kind=error.kind,
                    ) from error
                retries = self.policy.max_attempts - 1
                log.info("%s failed (%s); retry %d/%d in %.2fs", what, error, attempt, retries, wait)
                self.sleep(wait)
                attempt += 1


__all__ = ["RetryPolicy", "Retrier"]
