"""Replays a case recorded by scripts/clembench_diff_<game>.py (clembench's verdict) through our env."""

from __future__ import annotations

import math
from pathlib import Path

import llm_arena_env

COUNTS = ("Request Count", "Parsed Request Count", "Violated Request Count")


def replay(game_id: str, case: dict, instances: Path) -> list[str]:
    """The differences between our env and clembench's verdict on ``case``; [] when there are none."""
    env = llm_arena_env.make(game_id, instances=str(instances))
    env.reset(seed=0, options={"instance": (case["experiment"], case["game_id"])})
    problems = []
    for step, (reply, seen) in enumerate(zip(case["replies"], case["seen"])):
        if env.result is not None:
            return problems + [f"ended before reply {step + 1}"]
        agent = env.agent_selection
        if agent != seen["player"]:
            problems.append(f"reply {step + 1}: {agent} to move, clembench asked {seen['player']}")
        if env.observe(agent)["text"] != seen["context"]:
            problems.append(f"reply {step + 1}: {agent} was shown another text than clembench's")
        env.step(reply)
    if env.result is None:
        return problems + ["not over after the last reply"]
    info = env.infos[env.possible_agents[0]]
    if info["outcome"].value != case["outcome"]:
        problems.append(f"outcome {info['outcome'].value}, clembench {case['outcome']}")
    for name, theirs in case["scores"].items():
        ours = info["scores"][name]
        if not (theirs is None and math.isnan(ours) or theirs is not None and math.isclose(ours, theirs)):
            problems.append(f"{name} {ours}, clembench {theirs}")
    for name in COUNTS:
        ours = sum(env.infos[p]["requests"][name] for p in env.possible_agents)
        if ours != case["requests"][name]:
            problems.append(f"{name} {ours}, clembench {case['requests'][name]}")
    return problems
