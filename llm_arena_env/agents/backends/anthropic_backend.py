"""Anthropic's Messages API through the official ``anthropic`` SDK (the ``anthropic`` extra).

>>> backend = AnthropicBackend("claude-sonnet-4-5")                       # key from ANTHROPIC_API_KEY
>>> backend = AnthropicBackend("claude-sonnet-4-5", thinking_budget=2048)  # extended thinking
>>> backend = AnthropicBackend("m", base_url="http://localhost:8080")     # any server speaking the API

System messages become the ``system`` prompt; consecutive messages of one role are joined, since the
API wants user and assistant turns to alternate; the request's picture goes (as PNG) before the text
of the last user turn. With ``thinking_budget=N`` the model thinks in up to N tokens before answering;
``max_tokens`` stays the budget of the answer (the API's own ``max_tokens`` is sent as N + max_tokens), and
temperature, top_p and top_k are left out, as the API requires with thinking.
Thinking blocks come back as ``reasoning``, never in the text the parser reads.
"""

from __future__ import annotations

import inspect
from typing import Any, Mapping

from llm_arena_env.agents.backends.base import Completion, Request
from llm_arena_env.agents.backends.http_errors import (
    connection_error,
    malformed_error,
    retry_after_seconds,
    server_message,
    status_error,
    timeout_error,
)
from llm_arena_env.agents.backends.openai_backend import png_data_url
from llm_arena_env.agents.backends.remote import RemoteBackend
from llm_arena_env.agents.errors import BackendError

DEFAULT_MAX_TOKENS = 1024  # the API requires max_tokens; this is the answer's budget when none is set
RENAMED = {"stop": "stop_sequences"}
UNSUPPORTED = ("seed",)  # the Messages API has no seed
SAMPLING = ("temperature", "top_p", "top_k")  # not allowed with extended thinking


class AnthropicBackend(RemoteBackend):
    """Claude models (or any server speaking the Messages API). See the module docstring."""

    provider = "anthropic"
    default_base_url = "https://api.anthropic.com"
    key_envs = ("ANTHROPIC_API_KEY",)
    base_url_env = "ANTHROPIC_BASE_URL"

    def __init__(self, model: str, *, thinking_budget: int | None = None, **kwargs: Any):
        """``kwargs``: those of :class:`RemoteBackend` (base_url, api_key, timeout, max_retries, ...) and
        generation defaults (temperature, max_tokens, top_p, stop, and any other Messages API field)."""
        import anthropic

        super().__init__(model, **kwargs)
        if thinking_budget is not None and (not isinstance(thinking_budget, int) or thinking_budget < 1024):
            raise ValueError(f"thinking_budget must be an int >= 1024 (the API's minimum), got {thinking_budget!r}")
        self.thinking_budget = thinking_budget
        self._anthropic = anthropic
        self._client = anthropic.Anthropic(
            api_key=self._secret or "EMPTY", base_url=self.base_url, timeout=self.timeout, max_retries=0
        )
        self._create_params = set(inspect.signature(self._client.messages.create).parameters)

    def _close_client(self) -> None:
        self._client.close()

    # ------------------------------------------------------------------ one request

    def _call(self, request: Request) -> Completion:
        system, messages = messages_payload(request)
        params = self._params(request.options)
        if system:
            params["system"] = system
        response = self._client.messages.create(model=self.model, messages=messages, **params)
        return self._parse(response)

    def _params(self, options: Mapping[str, Any]) -> dict[str, Any]:
        params = {RENAMED.get(k, k): v for k, v in self._options(options).items() if k not in UNSUPPORTED}
        if isinstance(params.get("stop_sequences"), str):
            params["stop_sequences"] = [params["stop_sequences"]]
        answer_tokens = int(params.pop("max_tokens", DEFAULT_MAX_TOKENS))
        if self.thinking_budget:
            params["thinking"] = {"type": "enabled", "budget_tokens": self.thinking_budget}
            params["max_tokens"] = self.thinking_budget + answer_tokens
            for name in SAMPLING:  # the API refuses them beside thinking; a player's temperature=0 would fail every call
                params.pop(name, None)
        else:
            params["max_tokens"] = answer_tokens
        extra = {k: params.pop(k) for k in list(params) if k not in self._create_params}
        if extra:  # fields this SDK version does not name (temperature, top_p in newer ones) go in the body
            params["extra_body"] = {**params.get("extra_body", {}), **extra}
        return params

    def _parse(self, response: Any) -> Completion:
        texts, thoughts = [], []
        try:
            for block in response.content:
                kind = getattr(block, "type", None)
                if kind == "text":
                    texts.append(block.text)
                elif kind == "thinking":
                    thoughts.append(block.thinking)
                elif kind == "redacted_thinking":
                    thoughts.append("[redacted thinking]")
            usage = response.usage
        except (AttributeError, TypeError) as error:
            raise malformed_error(self._where(), f"{error}: {str(response)[:200]!r}") from None
        return Completion(
            text="".join(texts),
            reasoning="\n\n".join(t for t in thoughts if t),
            prompt_tokens=int(getattr(usage, "input_tokens", 0) or 0),
            completion_tokens=int(getattr(usage, "output_tokens", 0) or 0),
        )

    def _classify(self, error: Exception) -> BackendError | None:
        anthropic = self._anthropic
        where = self._where()
        if isinstance(error, anthropic.APIStatusError):
            detail = self._scrub(server_message(error.body, error.message))
            wait = retry_after_seconds(error.response.headers)
            return status_error(error.status_code, where=where, model=self.model, key_hint="ANTHROPIC_API_KEY (or api_key)",
                                detail=detail, retry_after=wait)
        if isinstance(error, anthropic.APITimeoutError):
            return timeout_error(where, self.timeout)
        if isinstance(error, anthropic.APIConnectionError):
            return connection_error(where, error.__cause__ or error)
        if isinstance(error, (anthropic.APIResponseValidationError, ValueError)):  # JSONDecodeError is a ValueError
            return malformed_error(where, error)
        return None


def messages_payload(request: Request) -> tuple[str, list[dict[str, Any]]]:
    """``(system, messages)`` in the Messages API's form; the picture leads the last user turn."""
    system = "\n\n".join(m["content"] for m in request.messages if m["role"] == "system")
    turns: list[dict[str, Any]] = []
    for m in request.messages:
        if m["role"] == "system":
            continue
        role = "assistant" if m["role"] == "assistant" else "user"
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"] += "\n\n" + m["content"]
        else:
            turns.append({"role": role, "content": m["content"]})
    if not turns or turns[0]["role"] != "user":  # the API wants the chat to open with the user
        turns.insert(0, {"role": "user", "content": "(start)"})
    if request.image is not None:
        last_user = next(t for t in reversed(turns) if t["role"] == "user")
        data = png_data_url(request.image).split(",", 1)[1]
        last_user["content"] = [
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}},
            {"type": "text", "text": last_user["content"]},
        ]
    return system, turns


__all__ = ["AnthropicBackend", "messages_payload"]
