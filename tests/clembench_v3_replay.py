"""Replays a case recorded by scripts/clembench_diff_<game>.py (clembench's verdict) through our env.

Cases recorded on clembench v2's games (scripts/clembench_harness.py, version 2) have no outcome of their own: it is
read from their Aborted and Success scores. Their ``game_master_requests`` (replies of players clembench's
game master makes itself, such as cloudgame's judge) are in clembench's Request Count, not in ours."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import llm_arena_env

COUNTS = ("Request Count", "Parsed Request Count", "Violated Request Count")


def replay(game_id: str, case: dict, instances: Path, **make_kwargs) -> list[str]:
    """The differences between our env and clembench's verdict on ``case``; [] when there are none.
    ``make_kwargs`` go to ``make`` (an observation mode, a game's option)."""
    env = llm_arena_env.make(game_id, instances=str(instances), **make_kwargs)
    env.reset(seed=0, options={"instance": (case["experiment"], case["game_id"])})
    problems = []
    for step, (reply, seen) in enumerate(zip(case["replies"], case["seen"])):
        if env.result is not None:
            return problems + [f"ended before reply {step + 1}"]
        agent = env.agent_selection
        if agent != seen["player"]:
            problems.append(f"reply {step + 1}: {agent} to move, clembench asked {seen['player']}")
        if _shown(env.observe(agent)["text"], seen) != seen.get("context", seen.get("context_sha256")):
            problems.append(f"reply {step + 1}: {agent} was shown another text than clembench's")
        env.step(reply)
    if env.result is None:
        return problems + ["not over after the last reply"]
    info = env.infos[env.possible_agents[0]]
    outcome = case.get("outcome") or _outcome(case["scores"])
    if info["outcome"].value != outcome:
        problems.append(f"outcome {info['outcome'].value}, clembench {outcome}")
    for name, theirs in case["scores"].items():
        if outcome == "aborted" and name in ("Success", "Lose"):
            continue  # 0 here in every game; some clembench scorers give NaN, others 0 (deviation tables)
        ours = info["scores"][name]
        if not (theirs is None and math.isnan(ours) or theirs is not None and math.isclose(ours, theirs)):
            problems.append(f"{name} {ours}, clembench {theirs}")
    for name in (n for n in COUNTS if n in case["requests"]):  # some clembench scorers log none
        ours = sum(env.infos[p]["requests"][name] for p in env.possible_agents)
        theirs = case["requests"][name] - (case.get("game_master_requests", 0) if name == "Request Count" else 0)
        if ours != theirs:
            problems.append(f"{name} {ours}, clembench {theirs} (its game master's own players' requests left out)")
    return problems


def _shown(text: str, seen: dict) -> str:
    """Our text as the recording keeps it: itself, or its SHA-256 (recordings on clembench's own files)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if "context_sha256" in seen else text


def _outcome(scores: dict) -> str:
    return "aborted" if scores["Aborted"] else "success" if scores["Success"] else "failure"
