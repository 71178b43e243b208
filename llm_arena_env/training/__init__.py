"""Training on gameplay: trajectories from recorded episodes, Hugging Face datasets, TRL integration.

Names are imported lazily (module ``__getattr__``), so ``import llm_arena_env.training`` needs none of
the ``train`` extra; the converters to ``datasets`` ask for it when called. Writing files:
``llm_arena_env.training.export.export`` (a submodule shares its name, so it is not re-exported here).
"""

from __future__ import annotations

import importlib
from typing import Any

# name -> its module in this package, or a full module path (SingleAgentEnv lives in llm_arena_env.wrappers)
_EXPORTS = {
    "Turn": "trajectory",
    "Trajectory": "trajectory",
    "trajectories_from_episode": "trajectory",
    "RecordTrajectories": "record",
    "conversation": "trajectory",
    "sft_rows": "datasets",
    "rl_rows": "datasets",
    "preference_rows": "datasets",
    "sft_dataset": "datasets",
    "rl_dataset": "datasets",
    "preference_dataset": "datasets",
    "TrajectoryFilter": "datasets",
    "RoleBaseline": "datasets",
    "load_results": "export",
    "SingleAgentEnv": "llm_arena_env.wrappers.single_agent",
    "GameRollout": "grpo",
    "game_prompt_dataset": "grpo",
    "game_return_reward": "grpo",
    "legal_move_reward": "grpo",
    "discounted_return_reward": "grpo",
    "evaluate": "evaluate",
    "evaluation_callback": "evaluate",
    "Evaluation": "evaluate",
    "game_environment": "tool_env",
    "tool_prompt_dataset": "tool_env",
    "FrozenPolicyAgent": "self_play",
    "OpponentPool": "self_play",
    "snapshot_callback": "self_play",
    "train_sft": "sft",
    "Policy": "policy_gradient",
    "reinforce": "policy_gradient",
    "legal_move_rate": "policy_gradient",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = _EXPORTS[name]
    return getattr(importlib.import_module(module if "." in module else f"{__name__}.{module}"), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
