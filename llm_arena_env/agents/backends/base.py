"""What a model backend is: it answers a batch of chat requests, one completion (or error) per request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol, Sequence, runtime_checkable

import numpy as np

from llm_arena_env.agents.errors import BackendError

#: The generation options every backend understands, in ``Request.options`` and as backend defaults.
GENERATION_OPTIONS = ("temperature", "max_tokens", "top_p", "stop", "seed")


@dataclass(frozen=True)
class Request:
    """One model call: a chat, an optional picture, and per-call generation overrides."""

    messages: tuple[Mapping[str, str], ...]
    image: np.ndarray | None = field(default=None, compare=False)  # HxWx3 uint8
    options: Mapping[str, Any] = field(default_factory=dict)  # temperature, max_tokens, top_p, stop, seed

    def __post_init__(self) -> None:
        # Plain dict copies, not read-only proxies: requests and the decisions that keep their messages
        # must pickle (worker processes, Ray), and the caller's later edits must not leak in.
        messages = tuple(dict(m) for m in self.messages)
        for m in messages:
            if not isinstance(m.get("role"), str) or not isinstance(m.get("content"), str):
                raise ValueError(f"each message needs a str 'role' and 'content', got {repr(m)[:200]}")
        if not messages:
            raise ValueError("a request needs at least one message")
        object.__setattr__(self, "messages", messages)
        object.__setattr__(self, "options", dict(self.options))
        if self.image is not None:
            image = np.asarray(self.image)
            if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
                raise ValueError(f"image must be an HxWx3 uint8 array, got shape {image.shape} dtype {image.dtype}")
            object.__setattr__(self, "image", image)


@dataclass(frozen=True)
class Completion:
    """What the model answered, with what it cost."""

    text: str
    reasoning: str = ""  # reasoning the server returned beside the answer
    prompt_tokens: int = 0
    completion_tokens: int = 0  # reasoning tokens included, as providers count them
    latency_s: float = 0.0
    reasoning_tokens: int = 0  # the part of completion_tokens spent on reasoning, where the provider says
    cost_usd: float | None = None  # what the call cost, where the provider reports it


@runtime_checkable
class Backend(Protocol):
    """A model behind an API or in memory.

    ``complete`` answers every request of a batch, in order; a request that failed for good gets its
    :class:`BackendError` in its slot, so one failure loses nothing else.
    """

    name: str  # e.g. "openai:gpt-4o-mini@https://api.openai.com/v1"; never a key

    def complete(self, requests: Sequence[Request]) -> list[Completion | BackendError]: ...


def cut_at_stop(text: str, stop: str | Sequence[str] | None) -> str:
    """``text`` up to the first occurrence of any stop string (the stop string itself is dropped)."""
    if not stop:
        return text
    stops = [stop] if isinstance(stop, str) else list(stop)
    cuts = [i for i in (text.find(s) for s in stops if s) if i >= 0]
    return text[: min(cuts)] if cuts else text


THINK_START, THINK_END = "<think>", "</think>"


def split_think(text: str) -> tuple[str, str]:
    """``(reasoning, answer)`` of a reply that thinks aloud in ``<think>...</think>`` before answering.

    Reasoning models served without a reasoning parser (and local ones) put their thoughts in the text;
    the parser must see only the answer. A reply cut off inside ``<think>`` has no answer yet."""
    stripped = text.lstrip()
    if THINK_END in text and (stripped.startswith(THINK_START) or THINK_START not in text):
        reasoning, _, answer = text.partition(THINK_END)
        return reasoning.replace(THINK_START, "", 1).strip(), answer.lstrip()
    if stripped.startswith(THINK_START):  # still thinking when the tokens ran out
        return stripped[len(THINK_START):].strip(), ""
    return "", text


__all__ = [
    "Request", "Completion", "Backend", "BackendError", "GENERATION_OPTIONS", "cut_at_stop", "split_think",
]
