"""The agent protocol and the decision records that wrappers, transcripts and training data read.

An agent is anything with ``act(observation) -> str``. Agents that want their reasoning recorded also
have ``decide(observation) -> Decision``: the action plus every attempt that led to it. Agents are
stateless: everything they need is in the observation, so one agent can play many games at once.

The arena awaits decisions (:func:`adecide`), so that each episode goes on as soon as its own reply is
there. Agents that wait on a server have ``async def adecide(observation) -> Decision`` (LLMAgent and the
wrappers do); every other agent keeps its sync ``decide``/``decide_batch``/``act``, which the arena runs on
a worker thread, one call at a time per agent, batching the observations that wait meanwhile.
"""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass, field, fields, replace
from typing import Any, Mapping, Protocol, Sequence, runtime_checkable

Observation = Mapping[str, Any]


@runtime_checkable
class Agent(Protocol):
    """What the arena needs of a player."""

    def act(self, observation: Observation) -> str: ...

    def act_batch(self, observations: Sequence[Observation]) -> list[str]: ...


class Verdict(str, enum.Enum):
    """What became of one attempt: the one place its fields are read for that."""

    ACCEPTED = "accepted"  # the env (or a checker) took the move
    REJECTED = "rejected"  # a move was read but the env rejected it
    UNPARSED = "unparsed"  # no move could be read from the reply
    ERROR = "error"  # the model call failed: there was no reply to judge
    UNCHECKED = "unchecked"  # a move was read and not yet judged

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Attempt:
    """One try at a move: what was asked, what came back, what was made of it."""

    raw_output: str
    prompt: tuple[Mapping[str, str], ...] = ()  # the messages sent, where a model was asked
    parsed: str | None = None  # the move extracted from raw_output; None: could not parse
    legal: bool | None = None  # the env's verdict on `parsed`, where it was checked
    reason: str = ""  # why the move was rejected, or why parsing failed
    feedback: str = ""  # what was told to the model before the next attempt
    error: str = ""  # transport failure (backend down, timeout), never a secret
    error_kind: str = ""  # its ErrorKind value (agents/errors.py), where there was one
    reasoning: str = ""  # reasoning text the server returned beside the answer
    prompt_tokens: int = 0
    completion_tokens: int = 0  # reasoning tokens included
    latency_s: float = 0.0
    reasoning_tokens: int = 0
    cost_usd: float | None = None  # where the provider reported it
    votes: Mapping[str, int] = field(default_factory=dict)  # majority vote: move -> count

    @property
    def verdict(self) -> Verdict:
        if self.error:
            return Verdict.ERROR
        if self.parsed is None:
            return Verdict.UNPARSED
        if self.legal is None:
            return Verdict.UNCHECKED
        return Verdict.ACCEPTED if self.legal else Verdict.REJECTED

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Attempt:
        """The attempt ``to_dict`` wrote; keys it does not know (from newer records) are ignored."""
        values = {k: data[k] for k in _ATTEMPT_FIELDS if k in data}
        values["prompt"] = tuple(dict(m) for m in values.get("prompt", ()))
        values["votes"] = dict(values.get("votes") or {})
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        # Field by field: dataclasses.asdict deep-copies and is a measurable share of a recorded step.
        data = {name: getattr(self, name) for name in _ATTEMPT_FIELDS}
        data["prompt"] = [dict(m) for m in self.prompt]
        data["votes"] = dict(self.votes)
        return data


_ATTEMPT_FIELDS = tuple(f.name for f in fields(Attempt))  # read once: fields() is a measurable share of a step


@dataclass(frozen=True)
class Decision:
    """The action an agent chose and the attempts that led to it, in order."""

    action: str
    attempts: tuple[Attempt, ...] = ()

    @property
    def failed_attempts(self) -> int:
        return sum(1 for a in self.attempts if a.verdict in (Verdict.REJECTED, Verdict.UNPARSED, Verdict.ERROR))

    @property
    def transport_error(self) -> Attempt | None:
        """The attempt whose model call failed for good, where the decision ends on one: then there is no
        move at all, and the arena ends the episode as an ``error`` rather than play or judge one."""
        last = self.attempts[-1] if self.attempts else None
        return last if last is not None and last.error else None

    def with_action(self, action: str) -> Decision:
        return replace(self, action=action)

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "attempts": [a.to_dict() for a in self.attempts]}


class BaseAgent:
    """Convenience base: implement ``decide`` (and ``decide_batch`` to batch for real); the rest follows."""

    def decide(self, observation: Observation) -> Decision:
        raise NotImplementedError

    def decide_batch(self, observations: Sequence[Observation]) -> list[Decision]:
        return [self.decide(o) for o in observations]

    def act(self, observation: Observation) -> str:
        return self.decide(observation).action

    def act_batch(self, observations: Sequence[Observation]) -> list[str]:
        return [d.action for d in self.decide_batch(observations)]


def decide(agent: Any, observation: Observation) -> Decision:
    """A Decision from any agent: its own ``decide`` where it has one, else its ``act``."""
    if hasattr(agent, "decide"):
        return agent.decide(observation)
    action = agent.act(observation)
    return Decision(action, (Attempt(raw_output=action, parsed=action),))


def decide_batch(agent: Any, observations: Sequence[Observation]) -> list[Decision]:
    """Decisions for many observations at once, batched where the agent can batch."""
    if hasattr(agent, "decide_batch"):
        return agent.decide_batch(observations)
    if hasattr(agent, "act_batch"):
        return [Decision(a, (Attempt(raw_output=a, parsed=a),)) for a in agent.act_batch(observations)]
    return [decide(agent, o) for o in observations]


async def adecide(agent: Any, observation: Observation) -> Decision:
    """A Decision from any agent, awaited: its own ``adecide`` where it has one; otherwise its sync path on a
    worker thread, one call at a time, the observations that wait meanwhile going into its next
    ``decide_batch`` together (so a sync agent is never called from two threads at once)."""
    if hasattr(agent, "adecide"):
        return await agent.adecide(observation)
    from llm_arena_env.agents.concurrency import current_scope

    return await current_scope().batcher(agent, lambda batch: decide_batch(agent, batch)).submit(observation)


async def adecide_batch(agent: Any, observations: Sequence[Observation]) -> list[Decision]:
    """Decisions for many observations, awaited concurrently (a sync agent gets them in one batch)."""
    if hasattr(agent, "adecide_batch"):
        return list(await agent.adecide_batch(observations))
    return list(await asyncio.gather(*(adecide(agent, o) for o in observations)))


class AgentWrapper(BaseAgent):
    """Base of agent wrappers (parse, rethink, vote): ``self.agent`` is the wrapped agent."""

    agent: Any

    def __repr__(self) -> str:  # the whole stack, e.g. Rethink(Parse(LLMAgent(openai:gpt-4o-mini)))
        return f"{type(self).__name__}({self.agent!r})"

    def close(self) -> None:
        """Closes the wrapped agent, where it can be closed (a backend's connections, a server it started)."""
        close = getattr(self.agent, "close", None)
        if callable(close):
            close()
