"""What every backend behind a provider's HTTP API shares: threads, retries, latency, keys kept secret.

A subclass makes its SDK client, sends one request (``_call``), says which SDK errors mean what
(``_classify``, one small function per provider, building its errors with this module's helpers, which
give them the kinds of agents/errors.py) and closes its client (``_close_client``). Threads, retries and
the in-flight limit are :class:`PooledBackend`'s, shared with the OpenAI backend. The SDK's own retries
are turned off: :class:`Retrier` retries, with one policy for every backend.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

from llm_arena_env.agents.backends.base import Completion, Request
from llm_arena_env.agents.backends.http_errors import public_url
from llm_arena_env.agents.backends.pooled import PooledBackend
from llm_arena_env.agents.backends.retry import Retrier, RetryPolicy
from llm_arena_env.agents.errors import BackendError, RetryableError, scrub_key


class RemoteBackend(PooledBackend):
    """A provider's chat API behind an official SDK. Subclasses set the class attributes and the three hooks."""

    provider = ""  # the name's prefix: "anthropic", "google", ...
    default_base_url = ""
    key_envs: tuple[str, ...] = ()  # environment variables that may hold the key, first found wins
    base_url_env = ""  # environment variable that may hold the base URL
    # threads start on demand; without a max_concurrency the async path's limit (the run's concurrency) bounds them
    default_threads = 256

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 5,
        max_concurrency: int | None = None,
        retry_policy: RetryPolicy | None = None,
        **generation: Any,
    ):
        if not model:
            raise ValueError("model must be a non-empty model name")
        if timeout <= 0 or (max_concurrency is not None and max_concurrency < 1) or max_retries < 0:
            raise ValueError("timeout must be > 0, max_concurrency None or >= 1 and max_retries >= 0")
        self.model = model
        url = base_url or (os.environ.get(self.base_url_env) if self.base_url_env else None) or self.default_base_url
        self.base_url = url.rstrip("/")  # "" where the SDK picks the server (LiteLLM)
        self.timeout = float(timeout)
        self.max_concurrency = max_concurrency
        self.generation = dict(generation)
        self.name = f"{self.provider}:{model}@{public_url(self.base_url)}"
        self._secret = api_key or next((os.environ[e] for e in self.key_envs if os.environ.get(e)), "")
        if not self._secret and self.needs_key():
            raise ValueError(
                f"no API key for {public_url(self.base_url)}: set {' or '.join(self.key_envs)} or pass api_key=..."
            )
        self._retry = Retrier(retry_policy or RetryPolicy(max_attempts=max_retries + 1))
        self._start_pool()
        self.thread_prefix = f"{self.provider}-backend"

    def needs_key(self) -> bool:
        """The provider's own servers need a key; a local or test server speaking its API may not."""
        from urllib.parse import urlsplit

        return urlsplit(self.base_url).hostname == urlsplit(self.default_base_url).hostname

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, timeout={self.timeout}, max_concurrency={self.max_concurrency})"

    # ------------------------------------------------------------------ what a provider implements

    def _call(self, request: Request) -> Completion:
        """One HTTP request, answered as a Completion (latency left at 0). Raises SDK errors freely."""
        raise NotImplementedError

    def _classify(self, error: Exception) -> BackendError | None:
        """The BackendError an SDK error means, or None for an error that is not the transport's (a bug)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ one attempt (PooledBackend's hook)

    def _send(self, request: Request) -> Completion:
        try:
            return self._call(request)
        except BackendError as error:
            raise type(error)(self._scrub(str(error)), **_error_fields(error)) from None
        except Exception as error:  # noqa: BLE001 (the classifier decides; anything else is re-raised)
            classified = self._classify(error)
            if classified is None:
                raise
            raise type(classified)(self._scrub(str(classified)), **_error_fields(classified)) from None

    def _options(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """The backend's defaults overridden by the call's options, unset ones left out."""
        return {k: v for k, v in {**self.generation, **options}.items() if v is not None}

    def _scrub(self, text: str) -> str:
        """``text`` with the API key (and any fragment of it) blanked out, in case a server or library echoed it."""
        return scrub_key(text, self._secret)

    def _where(self) -> str:
        return public_url(self.base_url)


def _error_fields(error: BackendError) -> dict[str, Any]:
    fields: dict[str, Any] = {"status": error.status, "kind": error.kind}
    if isinstance(error, RetryableError):
        fields["retry_after"] = error.retry_after
    return fields


__all__ = ["RemoteBackend"]
