"""Episode records, typed: what ``episode.json`` holds and what every reader of it gets.

>>> record = EpisodeRecord.from_dict(json.loads(Path("results/.../episode.json").read_text()))
>>> record.outcomes["white"] is Outcome.WIN, record.end_reason is EndReason.GAME_OVER
>>> [a.verdict for step in record.steps for a in step.attempts]

``to_dict()`` gives the JSON the arena writes and ``from_dict`` reads it back, files written by earlier
versions included: fields added since then take their defaults, keys it does not know are ignored. What
cannot be a record (a list for the steps, an outcome no game gives) raises :class:`RecordError` saying
where. Readers take a record or its dict alike through :func:`as_record`.
"""

from __future__ import annotations

import enum
import math
from collections import abc
from dataclasses import dataclass, field, fields
from typing import Any, Mapping

import numpy as np

from llm_arena_env.agents.base import Attempt, Decision
from llm_arena_env.agents.errors import EpisodeError
from llm_arena_env.core.outcome import EndReason, Outcome


class RecordError(ValueError):
    """Data that is not an episode record (``EpisodeRecord.to_dict()``), or a part of one that is not."""


@dataclass(frozen=True)
class StepRecord:
    """One action: who acted, what it saw, how it decided, and whether the env took the action."""

    player: str
    observation: str
    decision: Decision
    action: str
    accepted: bool
    rejection: str = ""  # the env's reason, where it rejected the action
    prompt_tokens: int = 0  # summed over the decision's attempts (rethinks and votes included)
    completion_tokens: int = 0
    tokens: int = 0  # prompt_tokens + completion_tokens
    latency_s: float = 0.0  # time in model calls, summed over the attempts

    @property
    def attempts(self) -> tuple[Attempt, ...]:
        return self.decision.attempts

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["decision"] = self.decision.to_dict()
        return to_plain(data)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StepRecord:
        data = _mapping(data, "a step")
        decision = _mapping(data.get("decision") or {}, "a step's decision")
        attempts = _list(decision.get("attempts") or [], "a decision's attempts")
        try:
            typed = tuple(Attempt.from_dict(_mapping(a, "an attempt")) for a in attempts)
        except (TypeError, ValueError) as error:
            raise RecordError(f"an attempt that is not one: {error}") from None
        action = str(data.get("action", decision.get("action", "")))
        return cls(
            player=str(data.get("player", "")),
            observation=str(data.get("observation", "")),
            decision=Decision(str(decision.get("action", action)), typed),
            action=action,
            accepted=bool(data.get("accepted", True)),
            rejection=str(data.get("rejection") or ""),
            prompt_tokens=_number(data, "prompt_tokens", int),
            completion_tokens=_number(data, "completion_tokens", int),
            tokens=_number(data, "tokens", int),
            latency_s=_number(data, "latency_s", float),
        )


@dataclass(frozen=True)
class EpisodeRecord:
    """A whole episode; ``to_dict()`` is JSON-serialisable.

    ``game`` is the registry id where the episode was played through the arena (else the env's metadata
    name); with ``game_kwargs``, ``seed``, ``options`` and the steps' actions it replays the episode.
    ``end_reason`` is None where the env gave none (an env that is not a TextEnv)."""

    game: str
    seed: int | None
    agents: Mapping[str, str]  # player -> agent spec or repr (never a secret), in seat order
    steps: tuple[StepRecord, ...]
    rewards: Mapping[str, float]  # each player's total reward over the episode
    outcomes: Mapping[str, Outcome]
    end_reason: EndReason | None
    end_detail: str
    scores: Mapping[str, Any]  # the game's episode scores (NaN where a score is undefined)
    num_steps: int
    seconds: float
    game_kwargs: Mapping[str, Any] = field(default_factory=dict)  # what make() was given, JSON-plain
    options: Mapping[str, Any] | None = None  # what reset() was given (e.g. a dialogue game's instance)
    episode_id: str = ""
    error: EpisodeError | None = None  # where a model call failed
    teams: Mapping[str, str] = field(default_factory=dict)  # player -> team, in team games (werewolf)
    pgn: str = ""  # chess: the game as PGN

    @property
    def is_error(self) -> bool:
        """Whether the episode ended in a transport error: no one played, so it is never scored or rated."""
        return Outcome.ERROR in self.outcomes.values()

    @property
    def players(self) -> list[str]:
        """The players in seat order: the record's agents, then anyone else who acted."""
        return list(dict.fromkeys([*self.agents, *(step.player for step in self.steps)]))

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["steps"] = [step.to_dict() for step in self.steps]
        data["end_reason"] = self.end_reason or ""
        data["error"] = self.error.to_dict() if self.error else None
        return to_plain(data)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EpisodeRecord:
        """The record ``to_dict`` wrote, in this version or an earlier one (see the module's docstring)."""
        data = _mapping(data, "an episode record")
        steps = tuple(StepRecord.from_dict(s) for s in _list(data.get("steps") or [], "the record's steps"))
        options, error, seed = data.get("options"), data.get("error"), data.get("seed")
        rewards = _field(data, "rewards")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise RecordError(f"the record's seed is {seed!r}, not a whole number")
        return cls(
            game=str(data.get("game") or ""),
            seed=seed,
            agents={str(p): str(a) for p, a in _field(data, "agents").items()},
            steps=steps,
            rewards={str(p): _number(rewards, p, float) for p in rewards},
            outcomes={str(p): _enum(Outcome, o, "outcome") for p, o in _field(data, "outcomes").items()},
            end_reason=_enum(EndReason, data["end_reason"], "end reason") if data.get("end_reason") else None,
            end_detail=str(data.get("end_detail") or ""),
            scores={str(k): math.nan if v is None else v for k, v in _field(data, "scores").items()},
            num_steps=_number(data, "num_steps", int, default=len(steps)),
            seconds=_number(data, "seconds", float),
            game_kwargs=dict(_field(data, "game_kwargs")),
            options=None if options is None else dict(_mapping(options, "the record's options")),
            episode_id=str(data.get("episode_id") or ""),
            error=None if not error else EpisodeError.from_dict(_mapping(error, "the record's error")),
            teams={str(p): str(t) for p, t in _field(data, "teams").items()},
            pgn=str(data.get("pgn") or ""),
        )


def as_record(episode: EpisodeRecord | Mapping[str, Any]) -> EpisodeRecord:
    """``episode`` as a typed record: a record as it is, its dict (``episode.json``) read by ``from_dict``."""
    return episode if isinstance(episode, EpisodeRecord) else EpisodeRecord.from_dict(episode)


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if type(value) is not dict and not isinstance(value, abc.Mapping):  # dict first: the usual case, and fast
        raise RecordError(f"{what} must be a JSON object, not {type(value).__name__}")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, (list, tuple)):
        raise RecordError(f"{what} must be a list, not {type(value).__name__}")
    return list(value)


def _field(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """``data[key]`` as a mapping; empty where it is missing or null (older records)."""
    return _mapping(data.get(key) or {}, f"the record's {key}")


def _number(data: Mapping[str, Any], key: str, kind: type, default: Any = 0) -> Any:
    value = data.get(key)
    if type(value) is kind:  # the usual case, first: records are read by the thousand
        return value
    if value is None:
        return kind(default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RecordError(f"{key!r} is {value!r}, not a number")
    return kind(value)


def _enum(kind: type[enum.Enum], value: Any, what: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise RecordError(f"unknown {what} {value!r} (known: {known})") from None


def to_plain(value: Any) -> Any:
    """``value`` as JSON types: enums as their values, numpy scalars and arrays as numbers and lists."""
    if isinstance(value, enum.Enum):
        return to_plain(value.value)
    if isinstance(value, float):
        # NaN/inf (e.g. clembench's Main Score of an aborted episode) are not JSON: they become null,
        # which from_dict reads as NaN again. float() drops float subclasses json mis-writes.
        return float(value) if math.isfinite(value) else None
    if isinstance(value, (str, bool, int)) or value is None:
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


__all__ = ["EpisodeRecord", "StepRecord", "EpisodeError", "RecordError", "as_record", "to_plain"]
