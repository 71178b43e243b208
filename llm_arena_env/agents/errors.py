"""Transport errors of model backends, kept apart from "could not parse" and "broke a rule".

A backend raises (or returns in a request's slot) a :class:`BackendError` when a model call failed. Every
error has an :class:`ErrorKind`, the same for every backend, so that the arena treats an outage of any
provider alike:

=============  ==========  =====================================================================
kind           retried     what it is
=============  ==========  =====================================================================
connection     yes         refused, DNS failure, connection reset or dropped mid-reply
timeout        yes         no answer within the backend's timeout
rate_limit     yes         429 (the server's Retry-After is honoured)
server         yes         5xx, 408, 409
malformed      yes         a reply that is not a completion (bad or truncated JSON, no choices)
auth           no, fatal   401: the key is missing or wrong
permission     no, fatal   403: the key may not use this model
not_found      no, fatal   404: unknown model or wrong base URL
bad_request    no          any other 4xx: this request was refused (too long, bad option, ...)
local          no          the model failed in this process (chat template, out of memory, ...)
=============  ==========  =====================================================================

The retry helper retries :class:`RetryableError` only. A *fatal* kind fails every call of the run the same
way, so the runner stops the run after the first one. Messages name the backend and say what to check;
they never carry an API key, nor a fragment of one (:func:`scrub_key`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields
from typing import Any, Mapping

MIN_KEY_FRAGMENT = 6  # a shorter run of characters shared with a key is a coincidence, not a leak


class ErrorKind(str, enum.Enum):
    """Why a model call failed; a ``str`` so that records carry its value."""

    CONNECTION = "connection"
    TIMEOUT = "timeout"
    RATE_LIMIT = "rate_limit"
    SERVER = "server"
    MALFORMED = "malformed"
    AUTH = "auth"
    PERMISSION = "permission"
    NOT_FOUND = "not_found"
    BAD_REQUEST = "bad_request"
    LOCAL = "local"

    def __str__(self) -> str:
        return self.value

    @property
    def retryable(self) -> bool:
        return self in _RETRYABLE

    @property
    def fatal(self) -> bool:
        """Will every call of this agent fail the same way (a bad key, a model that is not there)?"""
        return self in _FATAL


_RETRYABLE = frozenset({ErrorKind.CONNECTION, ErrorKind.TIMEOUT, ErrorKind.RATE_LIMIT, ErrorKind.SERVER,
                        ErrorKind.MALFORMED})
_FATAL = frozenset({ErrorKind.AUTH, ErrorKind.PERMISSION, ErrorKind.NOT_FOUND})


class BackendError(Exception):
    """A model call failed: the server could not be reached, answered with an error, or sent nonsense."""

    default_kind = ErrorKind.LOCAL

    def __init__(self, message: str, *, status: int | None = None, kind: ErrorKind | str | None = None):
        super().__init__(message)
        self.status = status  # the HTTP status code, where there was one
        self.kind = ErrorKind(kind) if kind is not None else self.default_kind

    @property
    def fatal(self) -> bool:
        return self.kind.fatal


class RetryableError(BackendError):
    """A failure that may pass: rate limits, server errors, timeouts, dropped connections, bad replies."""

    default_kind = ErrorKind.SERVER

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None,
                 kind: ErrorKind | str | None = None):
        super().__init__(message, status=status, kind=kind)
        self.retry_after = retry_after  # seconds the server asked us to wait, where it said


class NonRetryableError(BackendError):
    """A failure that asking again cannot fix: bad request, bad key, no permission, unknown model."""

    default_kind = ErrorKind.BAD_REQUEST


def is_fatal(kind: str) -> bool:
    """Whether a recorded error kind (a string, from any backend) fails every call of its agent alike."""
    try:
        return ErrorKind(kind).fatal
    except ValueError:  # a kind some other backend invented: not known to fail every call
        return False


def error_for_status(status: int, message: str, *, retry_after: float | None = None) -> BackendError:
    """The error an HTTP status means, for any backend that speaks HTTP."""
    kinds = {401: ErrorKind.AUTH, 403: ErrorKind.PERMISSION, 404: ErrorKind.NOT_FOUND, 429: ErrorKind.RATE_LIMIT}
    kind = kinds.get(status, ErrorKind.SERVER if status >= 500 or status in (408, 409) else ErrorKind.BAD_REQUEST)
    if kind.retryable:
        return RetryableError(message, status=status, retry_after=retry_after, kind=kind)
    return NonRetryableError(message, status=status, kind=kind)


def scrub_key(text: str, key: str) -> str:
    """``text`` with every run of :data:`MIN_KEY_FRAGMENT` or more characters that also occurs in ``key``
    masked, so that a server quoting part of a key ("sk-abc...xyz") leaks nothing either."""
    if len(key) < MIN_KEY_FRAGMENT or not text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        length = MIN_KEY_FRAGMENT
        if i + length <= len(text) and text[i : i + length] in key:
            while i + length < len(text) and text[i : i + length + 1] in key:
                length += 1
            out.append("[key]")
            i += length
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class EpisodeError:
    """Where a model call failed for good, or the game itself raised (kind ``"game"``, the game id as
    ``agent``), and ended the episode (outcome ``error``)."""

    player: str
    agent: str
    kind: str  # an ErrorKind value (agents/errors.py), "local", or "game"
    message: str

    def to_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EpisodeError:
        return cls(*(str(data.get(f.name, "?")) for f in fields(cls)))



class AgentError(RuntimeError):
    """An agent raised instead of deciding (a bug, or an agent given a game it cannot play); the run stops,
    and the episodes finished until then are kept."""


class FatalModelError(AgentError):
    """A model call failed in a way every later call of the same agent would (401, 403, model not found):
    the run (or training loop) stops rather than fill the results with error episodes."""

    def __init__(self, error: EpisodeError):
        self.error = error
        super().__init__(f"agent {error.agent!r} cannot play ({error.kind}): {error.message}")


__all__ = ["EpisodeError", "AgentError", "FatalModelError", "ErrorKind", "is_fatal", "BackendError", "RetryableError", "NonRetryableError", "error_for_status", "scrub_key"]
