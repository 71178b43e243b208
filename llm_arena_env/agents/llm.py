"""LLMAgent: an observation's chat (and picture) in, the model's raw text out, every call recorded.

>>> from llm_arena_env.agents.backends import OpenAIBackend
>>> agent = LLMAgent(OpenAIBackend("gpt-4o-mini"), temperature=0.0)
>>> agent.decide(env.observe(env.agent_selection)).action      # the raw reply; Parse makes it a move

The agent is stateless: the observation's ``messages`` carry the whole chat, so one agent serves many
games at once and ``decide_batch`` sends all of them to the backend in one call; ``adecide`` awaits one
request (the arena's path: see :func:`~llm_arena_env.agents.backends.base.acomplete`). A failed call is not an
exception: its Decision has an empty action and the error (and its kind) in its attempt, which the arena
ends the episode on as an ``error``, never as the model's move (:attr:`Decision.transport_error`).

Text that cannot be encoded (a lone surrogate a server sent as ``\ud800``) is kept visible as its escape,
so the game judges it like any other text and the record can be written.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from llm_arena_env.agents.backends.base import Backend, Completion, Request, acomplete
from llm_arena_env.agents.base import Attempt, BaseAgent, Decision, Observation
from llm_arena_env.agents.errors import BackendError


class LLMAgent(BaseAgent):
    """Asks a model backend for each move. Generation options set here apply to every call."""

    def __init__(
        self,
        backend: Backend,
        *,
        system_prompt: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        top_p: float | None = None,
        stop: str | Sequence[str] | None = None,
        seed: int | None = None,
    ):
        if not callable(getattr(backend, "complete", None)):
            raise TypeError(f"backend must have a complete(requests) method, got {type(backend).__name__}")
        self.backend = backend
        self.system_prompt = system_prompt
        options = {"temperature": temperature, "max_tokens": max_tokens, "top_p": top_p, "stop": stop, "seed": seed}
        # Unset options are left out, so the backend's own defaults apply.
        self.options: dict[str, Any] = {k: v for k, v in options.items() if v is not None}

    def __repr__(self) -> str:
        name = getattr(self.backend, "name", type(self.backend).__name__)
        return f"LLMAgent(backend={name!r}, options={self.options!r})"

    def close(self) -> None:
        """Closes the backend, where it can be closed (HTTP connections, a server it started)."""
        close = getattr(self.backend, "close", None)
        if callable(close):
            close()

    def request(self, observation: Observation) -> Request:
        """The model call for one observation: its messages (system prompt applied) and image."""
        return Request(self.messages(observation), observation.get("image"), self.options)

    def messages(self, observation: Observation) -> tuple[dict[str, str], ...]:
        """The observation's chat, with ``system_prompt`` replacing its system message or put first."""
        messages = observation.get("messages")
        if not messages:
            messages = ({"role": "user", "content": str(observation.get("text", ""))},)
        chat = [{"role": m["role"], "content": m["content"]} for m in messages]
        if self.system_prompt is not None:
            if chat and chat[0]["role"] == "system":
                chat[0]["content"] = self.system_prompt
            else:
                chat.insert(0, {"role": "system", "content": self.system_prompt})
        return tuple(chat)

    def decide(self, observation: Observation) -> Decision:
        return self.decide_batch([observation])[0]

    async def adecide(self, observation: Observation) -> Decision:
        """One request, awaited, so that other episodes go on meanwhile."""
        request = self.request(observation)
        try:
            result = await acomplete(self.backend, request)
        except BackendError as error:  # a sync backend's whole batch failed at once
            result = error
        return _decision(request, result)

    def decide_batch(self, observations: Sequence[Observation]) -> list[Decision]:
        """One backend call for the whole batch; one Decision per observation, in order."""
        requests = [self.request(o) for o in observations]
        if not requests:
            return []
        try:
            results: Sequence[Completion | BackendError] = self.backend.complete(requests)
        except BackendError as error:  # the whole batch failed at once
            results = [error] * len(requests)
        if len(results) != len(requests):
            raise RuntimeError(f"{self.backend!r} answered {len(results)} of {len(requests)} requests")
        return [_decision(request, result) for request, result in zip(requests, results)]


def _decision(request: Request, result: Completion | BackendError) -> Decision:
    prompt: tuple[Mapping[str, str], ...] = request.messages
    if isinstance(result, BackendError):
        error = encodable(str(result) or type(result).__name__)
        kind = str(getattr(result, "kind", "") or "local")
        return Decision(action="", attempts=(Attempt(raw_output="", prompt=prompt, error=error, error_kind=kind),))
    if not isinstance(result, Completion):
        raise TypeError(f"a backend returned {type(result).__name__}, expected Completion or BackendError")
    text = encodable(result.text)
    attempt = Attempt(
        raw_output=text,
        prompt=prompt,
        reasoning=encodable(result.reasoning),
        prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens,
        latency_s=result.latency_s,
        reasoning_tokens=result.reasoning_tokens,
        cost_usd=result.cost_usd,
    )
    return Decision(action=text, attempts=(attempt,))


def encodable(text: str) -> str:
    """``text`` with anything UTF-8 cannot encode (lone surrogates) written as its ``\\udXXX`` escape."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


__all__ = ["LLMAgent"]
