"""What the HTTP backends share: the URL fit for messages, the server's own error text and Retry-After,
and one error per failure, of the kinds of :mod:`llm_arena_env.agents.errors` (which say what is retried).
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any, Mapping
from urllib.parse import urlsplit, urlunsplit

from llm_arena_env.agents.errors import BackendError, ErrorKind, RetryableError, error_for_status


def public_url(url: str) -> str:
    """``url`` without user:password, query or fragment, fit for names and messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def server_message(body: Any, fallback: str) -> str:
    """The server's own error text, from an OpenAI-style body, shortened."""
    message = body
    if isinstance(body, Mapping):
        inner = body.get("error", body)
        message = inner.get("message", inner) if isinstance(inner, Mapping) else inner
    text = message if isinstance(message, str) and message else fallback
    return text if len(text) <= 300 else text[:300] + "..."


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The wait a server asked for: ``retry-after-ms``, or ``Retry-After`` in seconds or as an HTTP date."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None


def status_error(
    status: int, *, where: str, model: str, key_hint: str, detail: str, retry_after: float | None = None
) -> BackendError:
    """What an HTTP error status means for the run, as agents/errors.py sorts statuses, with a hint."""
    try:
        head = f"{status} {HTTPStatus(status).phrase} from {where}"
    except ValueError:
        head = f"{status} error from {where}"
    if status == 401:  # the server's text may quote part of the key, so it is left out
        message = f"{head}: check {key_hint}"
    elif status == 403:
        message = f"{head}: the API key may not use model {model!r}: {detail}"
    elif status == 404:
        message = f"{head}: unknown model {model!r} or wrong base_url? {detail}"
    else:
        message = f"{head}: {detail}"
    return error_for_status(status, message, retry_after=retry_after)


def timeout_error(where: str, timeout: float) -> BackendError:
    return RetryableError(f"no answer from {where} within {timeout:g}s", kind=ErrorKind.TIMEOUT)


def connection_error(where: str, cause: object) -> BackendError:
    return RetryableError(f"could not connect to {where}: {type(cause).__name__}: {str(cause)[:300]}",
                          kind=ErrorKind.CONNECTION)


def malformed_error(where: str, detail: object) -> BackendError:
    return RetryableError(f"malformed response from {where}: {str(detail)[:300]}", kind=ErrorKind.MALFORMED)


__all__ = ["public_url", "server_message", "retry_after_seconds", "status_error", "timeout_error",
           "connection_error", "malformed_error"]
