"""Every other provider through LiteLLM (the ``litellm`` extra): Mistral, Cohere, Bedrock, Azure, Groq, ...

>>> backend = LiteLLMBackend("mistral/mistral-large-latest")             # key from MISTRAL_API_KEY, as LiteLLM reads it
>>> backend = LiteLLMBackend("openai/my-model", base_url="http://localhost:8000/v1")

The model id names the provider the LiteLLM way (``provider/model``); LiteLLM reads each provider's key
from that provider's own variable unless ``api_key`` is given. LiteLLM's own retries are off
(:class:`Retrier` retries); its exceptions are OpenAI's, so they are classified as the OpenAI backend's
are, except that LiteLLM reports a body that is not JSON as a connection error, so such a reply is retried. Reasoning (``reasoning_content``, or ``<think>`` in the text) is kept apart from the answer, and the
cost LiteLLM computes for a call is recorded where it knows the model's price.
"""

from __future__ import annotations

import os
from typing import Any

from llm_arena_env.agents.backends.base import Completion, Request, split_think
from llm_arena_env.agents.backends.http_errors import (
    connection_error,
    malformed_error,
    retry_after_seconds,
    server_message,
    status_error,
    timeout_error,
)
from llm_arena_env.agents.backends.openai_backend import chat_payload
from llm_arena_env.agents.backends.remote import RemoteBackend
from llm_arena_env.agents.errors import BackendError


class LiteLLMBackend(RemoteBackend):
    """Any provider LiteLLM speaks to. See the module docstring."""

    provider = "litellm"

    def __init__(self, model: str, **kwargs: Any):
        """``kwargs``: those of :class:`RemoteBackend` (base_url, api_key, timeout, max_retries, ...) and
        generation defaults (temperature, max_tokens, top_p, stop, seed, and any other LiteLLM argument)."""
        # LiteLLM fetches its price list from the internet at import unless told to use its own copy.
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        import litellm

        super().__init__(model, **kwargs)
        litellm.suppress_debug_info = True  # its "Give Feedback" banner on every error
        self._litellm = litellm
        if not self.base_url:
            self.name = f"litellm:{model}"

    def needs_key(self) -> bool:
        return False  # LiteLLM finds each provider's key itself, and names the variable when it is missing

    # ------------------------------------------------------------------ one request

    def _call(self, request: Request) -> Completion:
        params = self._options(request.options)
        if self.base_url:
            params["api_base"] = self.base_url
        if self._secret:
            params["api_key"] = self._secret
        response = self._litellm.completion(
            model=self.model, messages=chat_payload(request), timeout=self.timeout, num_retries=0, max_retries=0,
            drop_params=True,  # an option a provider does not take is dropped, not an error
            **params,
        )
        return self._parse(response)

    def _parse(self, response: Any) -> Completion:
        try:
            message = response.choices[0].message
            text = message.content or ""
            if not isinstance(text, str):
                raise TypeError(f"content is a {type(text).__name__}")
        except (AttributeError, IndexError, KeyError, TypeError) as error:
            raise malformed_error(self._where() or self.model, error) from None
        reasoning = getattr(message, "reasoning_content", None)
        thought, text = split_think(text)
        reasoning = "\n\n".join(r for r in (reasoning if isinstance(reasoning, str) else "", thought) if r)
        usage = getattr(response, "usage", None)
        details = getattr(usage, "completion_tokens_details", None)
        cost = (getattr(response, "_hidden_params", None) or {}).get("response_cost")
        return Completion(
            text=text,
            reasoning=reasoning,
            prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            reasoning_tokens=int(getattr(details, "reasoning_tokens", 0) or 0),
            cost_usd=float(cost) if isinstance(cost, (int, float)) else None,
        )

    def _classify(self, error: Exception) -> BackendError | None:
        import openai  # LiteLLM's exceptions subclass the openai SDK's

        where = self._where() or self.model
        status = getattr(error, "status_code", None)  # LiteLLM's APIError has one, but is no APIStatusError
        if isinstance(error, openai.APIError) and isinstance(status, int) and status >= 400:
            response = getattr(error, "response", None)
            headers = getattr(response, "headers", None) or {}
            return status_error(status, where=where, model=self.model,
                                key_hint="the provider's key variable (or api_key)",
                                detail=self._scrub(server_message(getattr(error, "body", None), str(error))),
                                retry_after=retry_after_seconds(headers))
        if isinstance(error, openai.APITimeoutError):
            return timeout_error(where, self.timeout)
        if isinstance(error, openai.APIConnectionError):
            return connection_error(where, error)
        if isinstance(error, (openai.APIError, ValueError)):
            return malformed_error(where, error)
        return None


__all__ = ["LiteLLMBackend"]
