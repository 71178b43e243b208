"""The OpenAI chat completions API, and every server that speaks it (vLLM, llama.cpp, Ollama, OpenRouter).

>>> backend = OpenAIBackend("gpt-4o-mini")                                   # key from OPENAI_API_KEY
>>> backend = OpenAIBackend("qwen3-8b", base_url="http://localhost:8000/v1")  # a local server, no key

Uses the official ``openai`` SDK with its own retries off: :class:`Retrier` retries 429s, 5xx, timeouts,
dropped connections and malformed or truncated replies with backoff, jitter and the server's Retry-After,
and never 400/401/403/404 (see :mod:`llm_arena_env.agents.errors` for the kinds). The reply body is decoded
leniently: invalid UTF-8 and lone surrogates in the model's text become visible replacements, not crashes.
``check()`` is the pre-flight: one cheap request that fails in seconds on a dead server, a rejected key or
an unknown model.
``acomplete`` (the arena's path) sends requests with the SDK's async client; ``max_concurrency`` bounds
the requests in flight, shared by every episode and seat that use this backend (default: the run's
concurrency). ``complete`` runs a batch on a thread pool of ``max_concurrency`` threads (default
:data:`SYNC_THREADS`). The API key never appears in ``name``, ``repr``, logs or error messages.
"""

from __future__ import annotations

import base64
import contextlib
import inspect
import io
import json
import os
from typing import Any, Iterator, Mapping
from urllib.parse import urlsplit

import numpy as np

from llm_arena_env.agents.backends.base import Completion, Request, split_think
from llm_arena_env.agents.backends.http_errors import (
    public_url,
    retry_after_seconds,
    server_message,
    status_error,
    timeout_error,
)
from llm_arena_env.agents.backends.pooled import PooledBackend
from llm_arena_env.agents.backends.retry import Retrier, RetryPolicy
from llm_arena_env.agents.concurrency import current_scope
from llm_arena_env.agents.errors import BackendError, ErrorKind, RetryableError, error_for_status, scrub_key

DEFAULT_BASE_URL = "https://api.openai.com/v1"
KEY_ENV = "OPENAI_API_KEY"
PLACEHOLDER_KEY = "EMPTY"  # what local servers (vLLM, llama.cpp, Ollama) get when no key is set
#: Reasoning models think for minutes before they answer (game_arena allows up to an hour per call).
DEFAULT_TIMEOUT_S = 900.0
PREFLIGHT_TIMEOUT_S = 10.0
SYNC_THREADS = 32  # threads of ``complete`` where max_concurrency is not set


class OpenAIBackend(PooledBackend):
    """Chat completions from an OpenAI-compatible server. See the module docstring."""

    default_threads = SYNC_THREADS
    thread_prefix = "openai-backend"

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        max_retries: int = 5,
        max_concurrency: int | None = None,
        retry_policy: RetryPolicy | None = None,
        **generation: Any,
    ):
        """``generation``: default options of every call (temperature, max_tokens, top_p, stop, seed, and any
        other chat-completions parameter; names the SDK does not know go in ``extra_body``, for servers'
        own options such as vLLM's ``top_k``). ``max_retries`` counts retries after the first try;
        a ``retry_policy`` replaces the default backoff (and its ``max_attempts`` replaces ``max_retries``)."""
        import openai

        if not model:
            raise ValueError("model must be a non-empty model name")
        if timeout <= 0 or (max_concurrency is not None and max_concurrency < 1) or max_retries < 0:
            raise ValueError("timeout must be > 0, max_concurrency >= 1 and max_retries >= 0")
        self.model = model
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = float(timeout)
        self.max_concurrency = max_concurrency
        self.generation = dict(generation)
        self.name = f"openai:{model}@{public_url(self.base_url)}"
        self._official = urlsplit(self.base_url).hostname == urlsplit(DEFAULT_BASE_URL).hostname
        self._secret = api_key or os.environ.get(KEY_ENV) or ""
        if not self._secret and self._official:
            raise ValueError(f"no API key for {public_url(self.base_url)}: set {KEY_ENV} or pass api_key=...")
        self._client = openai.OpenAI(
            api_key=self._secret or PLACEHOLDER_KEY,
            base_url=self.base_url,
            timeout=self.timeout,
            max_retries=0,  # our Retrier retries, with one policy for every backend
        )
        self._openai = openai
        self._create_params = set(inspect.signature(self._client.chat.completions.create).parameters)
        self._retry = Retrier(retry_policy or RetryPolicy(max_attempts=max_retries + 1))
        self._start_pool()

    def __repr__(self) -> str:
        return f"OpenAIBackend(name={self.name!r}, timeout={self.timeout}, max_concurrency={self.max_concurrency})"

    # ------------------------------------------------------------------ PooledBackend's hooks

    def _send(self, request: Request) -> Completion:
        return self._call(request)

    async def _asend_once(self, request: Request) -> Completion:
        return await self._acall(request)

    def _close_client(self) -> None:
        self._client.close()

    async def _acall(self, request: Request) -> Completion:
        """``_call`` through the async client."""
        with self._transport_errors(self.timeout):
            try:
                raw = await self._async_client().chat.completions.with_raw_response.create(
                    **self._create_args(request))
                body = await raw.http_response.aread()
            except self._openai.APITimeoutError as error:
                raise _unmasked(error)  # noqa: B904  (its __cause__ is what _transport_errors names)
        return self._parse(body)

    def _async_client(self) -> Any:
        """The SDK's async client of the running run (its connections belong to that run's event loop)."""
        scope = current_scope()

        def make() -> Any:
            client = self._openai.AsyncOpenAI(api_key=self._secret or PLACEHOLDER_KEY, base_url=self.base_url,
                                              timeout=self.timeout, max_retries=0, http_client=_aiohttp_client())
            scope.on_close(client.close)
            return client

        return scope.state(self, "async_client", make)

    def _call(self, request: Request) -> Completion:
        """One HTTP request. Raises a RetryableError or NonRetryableError of the kind that failed."""
        with self._transport_errors(self.timeout):
            raw = self._client.chat.completions.with_raw_response.create(**self._create_args(request))
            body = raw.http_response.content
        return self._parse(body)

    @contextlib.contextmanager
    def _transport_errors(self, timeout: float) -> Iterator[None]:
        """The SDK's exceptions as the kinds of agents/errors.py (HTTP statuses, timeouts, connections)."""
        openai = self._openai
        url = public_url(self.base_url)
        try:
            yield
        except openai.APIStatusError as error:
            raise self._status_error(error) from None
        except openai.APITimeoutError:
            raise timeout_error(url, timeout) from None
        except openai.APIConnectionError as error:
            cause = error.__cause__ or error
            raise RetryableError(self._scrub(f"could not connect to {url}: {type(cause).__name__}: {cause}"),
                                 kind=ErrorKind.CONNECTION) from None

    def _create_args(self, request: Request) -> dict[str, Any]:
        """The SDK ``create`` arguments of ``request``. The messages go in ``extra_body``, which the SDK sends
        as given and which wins over ``messages=[]``: they are plain JSON already, and the SDK's walk of
        them against its types cost 1 to 1.5 ms of CPU a request, a third of the arena's per-request CPU,
        which caps how many requests one process keeps in flight (benchmarks/inflight.py)."""
        params = self._params(request.options)
        params["extra_body"] = {**params.get("extra_body", {}), "messages": chat_payload(request)}
        return {"model": self.model, "messages": [], **params}

    def _params(self, options: Mapping[str, Any]) -> dict[str, Any]:
        params = {k: v for k, v in {**self.generation, **options}.items() if v is not None}
        if self._official and "max_tokens" in params:
            # OpenAI's own models (o-series, gpt-5) take only the new name; other servers know the old one.
            params.setdefault("max_completion_tokens", params.pop("max_tokens"))
        extra = {k: params.pop(k) for k in list(params) if k not in self._create_params}
        if extra:
            params["extra_body"] = {**params.get("extra_body", {}), **extra}
        return params

    def _parse(self, body: bytes) -> Completion:
        """The completion in a reply body. Invalid UTF-8 becomes U+FFFD, so a model's odd bytes are kept
        visible rather than crashing the run; a body that is no completion is a (retryable) malformed reply."""
        try:
            data = json.loads(body.decode("utf-8", "replace"))
            message = data["choices"][0]["message"]
            text = message.get("content")
            text = "" if text is None else text
            if not isinstance(text, str):
                raise TypeError(f"content is a {type(text).__name__}")
        except (ValueError, LookupError, TypeError, AttributeError) as error:
            shown = body[:200].decode("utf-8", "replace")
            raise RetryableError(
                self._scrub(f"malformed response from {public_url(self.base_url)} ({error}): {shown!r}"),
                kind=ErrorKind.MALFORMED,
            ) from None
        reasoning = message.get("reasoning_content") or message.get("reasoning")
        reasoning = reasoning if isinstance(reasoning, str) else ""
        thought, text = split_think(text)  # a server without a reasoning parser leaves <think> in the text
        reasoning = "\n\n".join(r for r in (reasoning, thought) if r)
        usage = data.get("usage") if isinstance(data.get("usage"), Mapping) else {}
        details = usage.get("completion_tokens_details") if isinstance(usage.get("completion_tokens_details"), Mapping) else {}
        cost = usage.get("cost")  # OpenRouter and LiteLLM proxies report it
        return Completion(
            text=text,
            reasoning=reasoning,
            prompt_tokens=_count(usage.get("prompt_tokens")),
            completion_tokens=_count(usage.get("completion_tokens")),
            reasoning_tokens=_count(details.get("reasoning_tokens")),
            cost_usd=float(cost) if isinstance(cost, (int, float)) and not isinstance(cost, bool) else None,
        )

    def _status_error(self, error: Any) -> BackendError:
        return status_error(int(error.status_code), where=public_url(self.base_url), model=self.model,
                            key_hint=f"{KEY_ENV} (or the api_key argument)",
                            detail=self._scrub(server_message(error.body, error.message)),
                            retry_after=retry_after_seconds(error.response.headers))

    def check(self) -> None:
        """Pre-flight: is the server there, is the key accepted, and is the model listed (where the server
        lists models)? One request, no retries, at most :data:`PREFLIGHT_TIMEOUT_S`; raises the
        :class:`BackendError` a model call would end in. A busy server (429, 5xx) passes: that may clear,
        and so does one that lists no models (404, 405)."""
        timeout = min(self.timeout, PREFLIGHT_TIMEOUT_S)
        try:
            with self._transport_errors(timeout):
                body = self._client.with_options(timeout=timeout).models.with_raw_response.list().http_response.content
        except BackendError as error:
            if error.kind in (ErrorKind.AUTH, ErrorKind.PERMISSION) or error.status is None:
                raise
            return
        try:
            listed = {str(m.get("id")) for m in json.loads(body.decode("utf-8", "replace"))["data"]}
        except (ValueError, LookupError, TypeError, AttributeError):
            return  # not a model list: nothing to check against
        if listed and self.model not in listed:
            shown = ", ".join(sorted(listed)[:10]) + (", ..." if len(listed) > 10 else "")
            raise error_for_status(404, f"404 Not Found from {public_url(self.base_url)}: model {self.model!r} is "
                                        f"not among the server's models ({shown})")

    def _scrub(self, text: str) -> str:
        """``text`` with the API key, and any fragment of it, blanked out, in case a server echoed it."""
        return scrub_key(text, self._secret)


# ---------------------------------------------------------------------- helpers


def _aiohttp_client() -> Any:
    """The SDK's aiohttp transport where aiohttp is installed (the ``openai[aiohttp]`` extra), else None (the
    SDK's default, httpx): aiohttp takes about half the CPU per request, which counts at 100+ in flight."""
    import openai

    try:
        return openai.DefaultAioHttpClient()
    except (AttributeError, RuntimeError):  # an SDK without it, or aiohttp missing
        return None


def _unmasked(error: Exception) -> Exception:
    """The SDK's aiohttp transport reports every refused or dropped connection as a connect timeout; this
    gives back the connection error it was, so that it is named and classed as one (timeouts stay timeouts)."""
    import openai

    cause = error.__cause__
    while cause is not None and not type(cause).__module__.startswith("aiohttp"):
        cause = cause.__cause__
    if cause is None or isinstance(cause, TimeoutError):  # aiohttp's own timeouts are TimeoutErrors
        return error
    connection_error = openai.APIConnectionError(request=error.request)  # type: ignore[attr-defined]
    connection_error.__cause__ = cause
    return connection_error


def _count(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def chat_payload(request: Request) -> list[dict[str, Any]]:
    """The request's messages in the chat-completions format; the image joins the last user message."""
    messages: list[dict[str, Any]] = [{"role": m["role"], "content": m["content"]} for m in request.messages]
    if request.image is not None:
        users = [i for i, m in enumerate(messages) if m["role"] == "user"]
        target = messages[users[-1] if users else -1]
        target["content"] = [
            {"type": "text", "text": target["content"]},
            {"type": "image_url", "image_url": {"url": png_data_url(request.image)}},
        ]
    return messages


def png_data_url(image: np.ndarray) -> str:
    """An HxWx3 uint8 image as a ``data:image/png;base64,...`` URL."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image), mode="RGB").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


__all__ = ["OpenAIBackend", "chat_payload", "png_data_url", "public_url", "retry_after_seconds"]
