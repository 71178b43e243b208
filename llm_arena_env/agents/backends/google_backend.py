"""Google's Gemini API through the official ``google-genai`` SDK (the ``google`` extra).

>>> backend = GoogleBackend("gemini-2.5-flash")                        # key from GEMINI_API_KEY / GOOGLE_API_KEY
>>> backend = GoogleBackend("gemini-2.5-flash", thinking_budget=1024)  # thoughts returned as reasoning
>>> backend = GoogleBackend("m", base_url="http://localhost:8080")     # any server speaking the API

System messages become the ``system_instruction``; assistant turns are the API's ``model`` turns; the
request's picture goes (as PNG) before the text of the last user turn. ``thinking_budget`` sets the
thinking budget (0 turns thinking off where the model allows) and asks for the thoughts, which come
back as ``reasoning`` and never in the text the parser reads.
"""

from __future__ import annotations

import base64
from typing import Any, Mapping

from llm_arena_env.agents.backends.base import Completion, Request
from llm_arena_env.agents.backends.http_errors import (
    connection_error,
    malformed_error,
    retry_after_seconds,
    status_error,
    timeout_error,
)
from llm_arena_env.agents.backends.openai_backend import png_data_url
from llm_arena_env.agents.backends.remote import RemoteBackend
from llm_arena_env.agents.errors import BackendError

RENAMED = {"max_tokens": "max_output_tokens", "stop": "stop_sequences"}


class GoogleBackend(RemoteBackend):
    """Gemini models (or any server speaking the Gemini API). See the module docstring."""

    provider = "google"
    default_base_url = "https://generativelanguage.googleapis.com"
    key_envs = ("GEMINI_API_KEY", "GOOGLE_API_KEY")
    base_url_env = "GOOGLE_GEMINI_BASE_URL"

    def __init__(self, model: str, *, thinking_budget: int | None = None, **kwargs: Any):
        """``kwargs``: those of :class:`RemoteBackend` (base_url, api_key, timeout, max_retries, ...) and
        generation defaults (temperature, max_tokens, top_p, stop, seed, and any GenerateContentConfig field)."""
        from google import genai
        from google.genai import types

        super().__init__(model, **kwargs)
        if thinking_budget is not None and (not isinstance(thinking_budget, int) or thinking_budget < -1):
            raise ValueError(f"thinking_budget must be an int >= -1 (-1: the model decides), got {thinking_budget!r}")
        self.thinking_budget = thinking_budget
        self._genai, self._types = genai, types
        options = types.HttpOptions(
            base_url=self.base_url,
            timeout=int(self.timeout * 1000),  # milliseconds
            retry_options=types.HttpRetryOptions(attempts=1),  # our Retrier retries; this also stops the SDK's own
        )
        self._client = genai.Client(api_key=self._secret or "EMPTY", vertexai=False, http_options=options)

    def _close_client(self) -> None:
        self._client.close()

    # ------------------------------------------------------------------ one request

    def _call(self, request: Request) -> Completion:
        system, contents = contents_payload(request, self._types)
        config = self._config(request.options, system)
        response = self._client.models.generate_content(model=self.model, contents=contents, config=config)
        return self._parse(response)

    def _config(self, options: Mapping[str, Any], system: str) -> Any:
        types = self._types
        params = {RENAMED.get(k, k): v for k, v in self._options(options).items()}
        if isinstance(params.get("stop_sequences"), str):
            params["stop_sequences"] = [params["stop_sequences"]]
        if system:
            params["system_instruction"] = system
        if self.thinking_budget is not None:
            params["thinking_config"] = types.ThinkingConfig(
                thinking_budget=self.thinking_budget, include_thoughts=self.thinking_budget != 0
            )
        try:
            return types.GenerateContentConfig(**params)
        except Exception as error:  # pydantic's ValidationError: an option Gemini does not know
            raise BackendError(f"{self.name}: bad generation options: {error}") from None

    def _parse(self, response: Any) -> Completion:
        texts, thoughts = [], []
        try:
            candidate = response.candidates[0]
            for part in candidate.content.parts or ():
                if part.text is None:
                    continue
                (thoughts if part.thought else texts).append(part.text)
        except (AttributeError, IndexError, TypeError) as error:
            reason = getattr(getattr(response, "prompt_feedback", None), "block_reason", None)
            why = f"blocked: {reason}" if reason else str(error)
            raise malformed_error(self._where(), f"no answer ({why}): {str(response)[:200]!r}") from None
        usage = response.usage_metadata
        thought_tokens = int(getattr(usage, "thoughts_token_count", 0) or 0)
        return Completion(
            text="".join(texts),
            reasoning="\n\n".join(thoughts),
            prompt_tokens=int(getattr(usage, "prompt_token_count", 0) or 0),
            completion_tokens=int(getattr(usage, "candidates_token_count", 0) or 0) + thought_tokens,
            reasoning_tokens=thought_tokens,
        )

    def _classify(self, error: Exception) -> BackendError | None:
        errors = self._genai.errors
        where = self._where()
        if isinstance(error, errors.APIError):
            detail = self._scrub(str(error.message or error.status or "error"))[:300]
            headers = getattr(getattr(error, "response", None), "headers", None) or {}
            wait = retry_after_seconds(headers)
            return status_error(int(error.code), where=where, model=self.model,
                                key_hint="GEMINI_API_KEY or GOOGLE_API_KEY (or api_key)", detail=detail,
                                retry_after=wait if wait is not None else retry_delay(error.details))
        kind = transport_failure(error)
        if kind == "timeout":
            return timeout_error(where, self.timeout)
        if kind == "connection":
            return connection_error(where, error)
        if isinstance(error, ValueError):  # a body that is not JSON (JSONDecodeError) or not a response
            return malformed_error(where, error)
        return None


def retry_delay(body: Any) -> float | None:
    """The wait Gemini asks for in a 429's body (a google.rpc.RetryInfo detail, ``"retryDelay": "20s"``)."""
    error = body.get("error", body) if isinstance(body, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    for detail in details if isinstance(details, list) else ():
        delay = detail.get("retryDelay") if isinstance(detail, dict) else None
        if isinstance(delay, str) and delay.endswith("s"):
            try:
                return max(0.0, float(delay[:-1]))
            except ValueError:
                return None
    return None


def transport_failure(error: Exception) -> str | None:
    """"timeout", "connection" or None, for the HTTP library's errors (httpx or its fork httpx2)."""
    for module_name in ("httpx2", "httpx"):
        try:
            module = __import__(module_name)
        except ImportError:
            continue
        if isinstance(error, module.TimeoutException):
            return "timeout"
        if isinstance(error, module.TransportError):
            return "connection"
    return None


def contents_payload(request: Request, types: Any) -> tuple[str, list[Any]]:
    """``(system instruction, contents)`` in the Gemini API's form; the picture leads the last user turn."""
    system = "\n\n".join(m["content"] for m in request.messages if m["role"] == "system")
    turns = [m for m in request.messages if m["role"] != "system"]
    last_user = max((i for i, m in enumerate(turns) if m["role"] == "user"), default=None)
    contents = []
    for i, m in enumerate(turns):
        parts = [types.Part(text=m["content"])]
        if request.image is not None and i == last_user:
            png = base64.b64decode(png_data_url(request.image).split(",", 1)[1])
            parts.insert(0, types.Part.from_bytes(data=png, mime_type="image/png"))
        contents.append(types.Content(role="model" if m["role"] == "assistant" else "user", parts=parts))
    return system, contents


__all__ = ["GoogleBackend", "contents_payload"]
