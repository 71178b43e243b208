"""Agents for the arena's tests, registered as spec kinds so runs (and subprocesses) can build them by name.

``hash[:DELAY]``: a deterministic player that picks a legal move by a hash of its observation, records the
size of every batch it is given, and sleeps DELAY seconds per decision (to be slow enough to kill mid-run).
``interrupt:N``: plays like ``hash`` and raises KeyboardInterrupt at its N-th decision (a user's Ctrl-C).
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from typing import Any, Iterator, Sequence

from llm_arena_env.agents.base import Attempt, BaseAgent, Decision
from llm_arena_env.agents.specs import AGENT_SPECS, register_agent_spec

KINDS = ("hash", "interrupt")


class HashAgent(BaseAgent):
    built: list["HashAgent"] = []  # every agent made from a spec, so tests can read their batches
    delay_scale = 1.0  # a test sets 0 to replay a slow run quickly

    def __init__(self, delay: float = 0.0, interrupt_at: int | None = None):
        self.delay = delay
        self.interrupt_at = interrupt_at
        self.decisions = 0
        self.batches: list[int] = []
        self.closed = False

    def decide(self, observation: Any) -> Decision:
        self.decisions += 1
        if self.interrupt_at is not None and self.decisions >= self.interrupt_at:
            raise KeyboardInterrupt
        if self.delay * self.delay_scale:
            time.sleep(self.delay * self.delay_scale)
        legal = list(observation.get("legal_actions") or ())
        digest = int(hashlib.sha256(str(observation.get("text", "")).encode()).hexdigest(), 16)
        action = legal[digest % len(legal)] if legal else "pass"
        return Decision(action, (Attempt(raw_output=f"I play {action}", parsed=action, completion_tokens=2),))

    def decide_batch(self, observations: Sequence[Any]) -> list[Decision]:
        self.batches.append(len(observations))
        return [self.decide(o) for o in observations]

    def close(self) -> None:
        self.closed = True


def _hash(argument: str, *, seed: int | None = None) -> HashAgent:
    agent = HashAgent(delay=float(argument or 0))
    HashAgent.built.append(agent)
    return agent


def _interrupt(argument: str, *, seed: int | None = None) -> HashAgent:
    agent = HashAgent(interrupt_at=int(argument))
    HashAgent.built.append(agent)
    return agent


def register() -> None:
    register_agent_spec("hash", _hash, "test: a deterministic player (hash of the observation)", overwrite=True)
    register_agent_spec("interrupt", _interrupt, "test: raises KeyboardInterrupt at decision N", overwrite=True)


@contextlib.contextmanager
def registered() -> Iterator[None]:
    register()
    HashAgent.built.clear()
    try:
        yield
    finally:
        for kind in KINDS:
            AGENT_SPECS.pop(kind, None)
        HashAgent.built.clear()


def comparable(record: Any) -> dict:
    """An episode record (object or dict) without its wall-clock times, which no two runs share."""
    data = record.to_dict() if hasattr(record, "to_dict") else dict(record)
    data.pop("seconds")
    data["steps"] = [{k: v for k, v in step.items() if k != "latency_s"} for step in data["steps"]]
    return data


def no_html(monkeypatch: Any) -> None:
    """Results stores write no HTML during a test (speed; or to see only what the store itself writes)."""
    from llm_arena_env.arena import transcript

    monkeypatch.setattr(transcript, "write_episode_html", lambda record, folder: None)
    monkeypatch.setattr(transcript, "write_index_html", lambda run_dir: None)
