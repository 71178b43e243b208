"""Self-play against the past: frozen snapshots of the learner in an opponent pool.

``GameRollout(self_play=True)`` has the live model play every seat. Against a pool, the latest policy
plays earlier versions of itself (and fixed agents such as ``"random"``), which keeps it from chasing
its own latest quirks:

>>> pool = OpponentPool(["random"], max_snapshots=4)
>>> pool.add_snapshot(model, tokenizer)                   # the starting policy, frozen
>>> rollout = GameRollout(game, opponents=pool)            # each episode draws one opponent from the pool
>>> trainer = GRPOTrainer(..., rollout_func=rollout, callbacks=[snapshot_callback(pool, every=50)])

A snapshot is a deep copy of the model's weights at that moment, in eval mode, never trained; it plays
through :class:`FrozenPolicyAgent`, an ordinary agent (so the arena can also rate it).
"""

from __future__ import annotations

import copy
from typing import Any, Iterable, Sequence

from llm_arena_env.agents.base import Attempt, BaseAgent, Decision, Observation
from llm_arena_env.training.generation import ModelGenerator, chat_ids, observation_messages, reply_action, reply_text
from llm_arena_env.wrappers.parsers import default_parser

_DEFAULT = object()


class FrozenPolicyAgent(BaseAgent):
    """An agent that plays with a frozen copy of ``model`` (copied at construction; later training of
    ``model`` does not change it). Replies are sampled at ``temperature`` (seeded where ``seed`` is given)
    and read by ``parser`` (default: ``default_parser()``)."""

    def __init__(self, model: Any, tokenizer: Any, *, max_new_tokens: int = 32, temperature: float = 1.0,
                 seed: int | None = None, parser: Any = _DEFAULT, name: str = "snapshot"):
        frozen = copy.deepcopy(model).eval()
        for parameter in frozen.parameters():
            parameter.requires_grad_(False)
        self.model, self.tokenizer, self.name = frozen, tokenizer, name
        self.parser = default_parser() if parser is _DEFAULT else parser
        self.generator = ModelGenerator(frozen, tokenizer, max_new_tokens=max_new_tokens, temperature=temperature,
                                        seed=seed)

    def decide(self, observation: Observation) -> Decision:
        return self.decide_batch([observation])[0]

    def decide_batch(self, observations: Sequence[Observation]) -> list[Decision]:
        prompts = [observation_messages(o) for o in observations]
        replies = self.generator([chat_ids(self.tokenizer, p) for p in prompts])
        decisions = []
        for observation, prompt, reply in zip(observations, prompts, replies):
            text = reply_text(self.tokenizer, reply)
            action = reply_action(text, observation, self.parser)
            decisions.append(Decision(action, (Attempt(raw_output=text, prompt=tuple(prompt), parsed=action),)))
        return decisions

    def __repr__(self) -> str:
        return f"FrozenPolicyAgent({self.name!r})"


class OpponentPool(list):
    """Opponents for :class:`~llm_arena_env.training.grpo.GameRollout` (a list: each episode draws one,
    by its seed): fixed agents or specs, plus up to ``max_snapshots`` frozen snapshots of the learner,
    the oldest dropped first."""

    def __init__(self, fixed: Iterable[Any] = ("random",), *, max_snapshots: int = 4):
        super().__init__(fixed)
        if max_snapshots < 1:
            raise ValueError(f"max_snapshots must be >= 1, got {max_snapshots}")
        self.max_snapshots = max_snapshots
        self.snapshots: list[FrozenPolicyAgent] = []
        self.made = 0  # snapshots made so far, dropped ones included (they are named by it)

    def add_snapshot(self, model: Any, tokenizer: Any, **options: Any) -> FrozenPolicyAgent:
        """Freeze the model as it is now and add it; ``options`` go to :class:`FrozenPolicyAgent`."""
        agent = FrozenPolicyAgent(model, tokenizer, name=f"snapshot-{self.made}", **options)
        self.made += 1
        if len(self.snapshots) == self.max_snapshots:
            self.remove(self.snapshots.pop(0))
        self.snapshots.append(agent)
        self.append(agent)
        return agent


def snapshot_callback(pool: OpponentPool, *, every: int, **options: Any) -> Any:
    """A ``transformers.TrainerCallback`` that adds a snapshot of the trained model to ``pool`` every
    ``every`` steps (``options`` go to :class:`FrozenPolicyAgent`)."""
    from transformers import TrainerCallback

    if every < 1:
        raise ValueError(f"every must be >= 1, got {every}")

    class SnapshotCallback(TrainerCallback):
        def on_step_end(self, args: Any, state: Any, control: Any, model: Any = None,
                        processing_class: Any = None, **kwargs: Any) -> None:
            if state.global_step % every == 0:
                pool.add_snapshot(model, getattr(processing_class, "tokenizer", processing_class), **options)

    return SnapshotCallback()


__all__ = ["FrozenPolicyAgent", "OpponentPool", "snapshot_callback"]
