"""Model backends: each answers a batch of chat requests. Heavy ones are imported on first use.

``from llm_arena_env.agents.backends import OpenAIBackend`` loads the openai SDK only then, and
``TransformersBackend`` loads torch and transformers only then; ``AnthropicBackend``, ``GoogleBackend`` and
``LiteLLMBackend`` need the ``anthropic``, ``google`` and ``litellm`` extras.
"""

from __future__ import annotations

import importlib
from typing import Any

from llm_arena_env.agents.backends.base import GENERATION_OPTIONS, Backend, Completion, Request
from llm_arena_env.agents.backends.retry import Retrier, RetryPolicy
from llm_arena_env.agents.errors import BackendError, NonRetryableError, RetryableError

_LAZY = {
    "OpenAIBackend": "llm_arena_env.agents.backends.openai_backend",
    "TransformersBackend": "llm_arena_env.agents.backends.transformers_backend",
    "AnthropicBackend": "llm_arena_env.agents.backends.anthropic_backend",
    "GoogleBackend": "llm_arena_env.agents.backends.google_backend",
    "LiteLLMBackend": "llm_arena_env.agents.backends.litellm_backend",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "Backend",
    "Request",
    "Completion",
    "GENERATION_OPTIONS",
    "BackendError",
    "RetryableError",
    "NonRetryableError",
    "RetryPolicy",
    "Retrier",
    "OpenAIBackend",
    "TransformersBackend",
    "AnthropicBackend",
    "GoogleBackend",
    "LiteLLMBackend",
]
