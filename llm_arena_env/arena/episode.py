"""Playing one episode: agents take turns through the AEC loop, and every step is recorded.

>>> record = play_episode(make("chess"), [RandomAgent(0), RandomAgent(1)], seed=0)
>>> record.outcomes, record.end_detail
({'white': 'loss', 'black': 'win'}, 'checkmate')
"""

from __future__ import annotations

import enum
import re
import time
from dataclasses import dataclass, fields
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from llm_arena_env.agents.base import decide


@dataclass(frozen=True)
class StepRecord:
    """One action: who acted, what it saw, how it decided, and whether the env took the action."""

    player: str
    observation: str
    decision: Mapping[str, Any]  # Decision.to_dict()
    action: str
    accepted: bool
    rejection: str = ""  # the env's reason, where it rejected the action

    def to_dict(self) -> dict[str, Any]:
        return to_plain({f.name: getattr(self, f.name) for f in fields(self)})


@dataclass(frozen=True)
class EpisodeRecord:
    """A whole episode; ``to_dict()`` is JSON-serialisable."""

    game: str
    seed: int | None
    agents: Mapping[str, str]  # player -> agent spec or repr (never a secret)
    steps: tuple[StepRecord, ...]
    rewards: Mapping[str, float]  # each player's total reward over the episode
    outcomes: Mapping[str, str]  # player -> "win", "loss", "draw", ...
    end_reason: str
    end_detail: str
    scores: Mapping[str, Any]
    num_steps: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["steps"] = [step.to_dict() for step in self.steps]
        return to_plain(data)


def play_episode(
    env: Any,
    agents: Mapping[str, Any] | Sequence[Any],
    seed: int | None = None,
    options: dict | None = None,
    *,
    on_step: Callable[[StepRecord], None] | None = None,
) -> EpisodeRecord:
    """Reset ``env`` and play it to the end with ``agents`` (player -> agent, or a list in seat order)."""
    players = seat_agents(env, agents)
    env.reset(seed=seed, options=options)
    started = time.perf_counter()
    steps: list[StepRecord] = []
    rewards = {player: 0.0 for player in env.possible_agents}
    end_info: dict[str, Any] = {}
    outcomes: dict[str, str] = {}
    for player in env.agent_iter():
        observation, reward, terminated, truncated, info = env.last()
        rewards[player] += float(reward)
        if terminated or truncated:
            if "outcome" in info:
                outcomes[player] = str(info["outcome"])
            end_info = end_info or dict(info)
            env.step(None)
            continue
        step = _act(env, player, players[player], observation)
        steps.append(step)
        if on_step is not None:
            on_step(step)
    return EpisodeRecord(
        game=game_name(env),
        seed=seed,
        agents={player: describe_agent(agent) for player, agent in players.items()},
        steps=tuple(steps),
        rewards=rewards,
        outcomes=outcomes,
        end_reason=str(end_info.get("end_reason", "")),
        end_detail=str(end_info.get("end_detail", "")),
        scores=dict(end_info.get("scores", {})),
        num_steps=len(steps),
        seconds=time.perf_counter() - started,
    )


def _act(env: Any, player: str, agent: Any, observation: Mapping[str, Any]) -> StepRecord:
    decision = decide(agent, observation)
    env.step(decision.action)
    rejection = env.infos.get(player, {}).get("rejection")
    return StepRecord(
        player=player,
        observation=str(observation.get("text", "")),
        decision=decision.to_dict(),
        action=decision.action,
        accepted=rejection is None,
        rejection=str(rejection or ""),
    )


def seat_agents(env: Any, agents: Mapping[str, Any] | Sequence[Any]) -> dict[str, Any]:
    """``agents`` as player -> agent, checked against the env's players."""
    expected = list(env.possible_agents)
    if isinstance(agents, Mapping):
        if set(agents) != set(expected):
            raise ValueError(f"agents are given for {sorted(agents)}, but the players are {expected}")
        return {player: agents[player] for player in expected}
    agents = list(agents)
    if len(agents) != len(expected):
        raise ValueError(f"{len(agents)} agents given for {len(expected)} players {expected}")
    return dict(zip(expected, agents))


def game_name(env: Any) -> str:
    return str(getattr(env, "metadata", {}).get("name") or type(env).__name__)


# Keys a careless repr might show; records must never carry them.
_SECRET_PATTERNS = (
    re.compile(r"(api[_-]?key|token|secret|password)(['\"]?\s*[=:]\s*)(['\"]?)[^,'\"\s)]+", re.IGNORECASE),
    re.compile(r"\bsk-[A-Za-z0-9_-]{8,}"),
)


def describe_agent(agent: Any) -> str:
    """How records name an agent: the spec it was made from, else its repr, with anything key-like masked."""
    text = str(getattr(agent, "agent_spec", "") or repr(agent))
    text = _SECRET_PATTERNS[0].sub(r"\1\2\3***", text)
    return _SECRET_PATTERNS[1].sub("sk-***", text)


def to_plain(value: Any) -> Any:
    """``value`` as JSON types: enums as their values, numpy scalars and arrays as numbers and lists."""
    if isinstance(value, enum.Enum):
        return to_plain(value.value)
    if isinstance(value, (str, bool, int, float)) or value is None:
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_plain(v) for v in value]
    return str(value)
