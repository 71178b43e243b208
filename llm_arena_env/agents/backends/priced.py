"""A backend wrapper that puts a price on each call, for providers that report tokens but not cost."""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence

from llm_arena_env.agents.backends.base import Completion, Request
from llm_arena_env.agents.errors import BackendError


class Priced:
    """``backend`` with ``cost_usd`` filled from token counts where the provider left it out."""

    def __init__(self, backend: Any, input_per_mtok: float, output_per_mtok: float):
        if input_per_mtok < 0 or output_per_mtok < 0:
            raise ValueError("prices must be >= 0 (USD per million tokens)")
        self.backend = backend
        self.name = backend.name
        self.input_per_mtok, self.output_per_mtok = float(input_per_mtok), float(output_per_mtok)

    def __repr__(self) -> str:
        return f"Priced({self.backend!r}, input_per_mtok={self.input_per_mtok}, output_per_mtok={self.output_per_mtok})"

    def complete(self, requests: Sequence[Request]) -> list[Completion | BackendError]:
        return [self._priced(r) for r in self.backend.complete(requests)]

    async def acomplete(self, requests: Sequence[Request]) -> list[Completion | BackendError]:
        """The async path: the wrapped backend's own where it has one, else its sync one on a thread."""
        import asyncio

        inner = getattr(self.backend, "acomplete", None)
        results = await inner(requests) if inner is not None else await asyncio.to_thread(self.backend.complete, requests)
        return [self._priced(r) for r in results]

    def _priced(self, result: Completion | BackendError) -> Completion | BackendError:
        if not isinstance(result, Completion) or result.cost_usd is not None:
            return result
        cost = (result.prompt_tokens * self.input_per_mtok + result.completion_tokens * self.output_per_mtok) / 1e6
        return dataclasses.replace(result, cost_usd=cost)

    def check(self) -> None:
        """The wrapped backend's pre-flight check, where it has one (the runner calls it before a run)."""
        check = getattr(self.backend, "check", None)
        if callable(check):
            check()

    def close(self) -> None:
        close = getattr(self.backend, "close", None)
        if callable(close):
            close()


__all__ = ["Priced"]
