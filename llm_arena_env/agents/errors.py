"""Transport errors of model backends, kept apart from "could not parse" and "broke a rule".

A backend raises (or returns in a request's slot) a :class:`BackendError` when a model call failed.
The retry helper retries :class:`RetryableError` only. Messages name the backend and say what to check;
they never carry an API key.
"""

from __future__ import annotations


class BackendError(Exception):
    """A model call failed: the server could not be reached, answered with an error, or sent nonsense."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status  # the HTTP status code, where there was one


class RetryableError(BackendError):
    """A failure that may pass: rate limits, server errors, timeouts, dropped connections."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(message, status=status)
        self.retry_after = retry_after  # seconds the server asked us to wait, where it said


class NonRetryableError(BackendError):
    """A failure that asking again cannot fix: bad request, bad key, no permission, unknown model."""


__all__ = ["BackendError", "RetryableError", "NonRetryableError"]
