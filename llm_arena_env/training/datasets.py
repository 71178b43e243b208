"""Recorded episodes as training data: SFT chats, RL rows with role-conditioned advantages, preference pairs.

Every converter takes episodes (``EpisodeRecord``s, their ``to_dict()`` dicts as ``episode.json`` holds
them, or :class:`~llm_arena_env.training.trajectory.Trajectory` objects) and filters (``outcome``, ``game``,
``player``, ``min_score``, ``min_return``). ``*_rows`` give plain dicts (no dependency); ``*_dataset``
give a ``datasets.Dataset`` (the ``train`` extra). All rows are in TRL's conversational formats:

- :func:`sft_rows`: one row per player per episode; ``messages`` is the player's side as one chat, its
  replies as ``assistant`` (rejected replies and rethink detours left out unless ``include_illegal`` /
  ``include_detours``); ``per_turn=True`` gives one row per accepted move instead, its prompt as the env
  showed it (the dialogue so far in dialogue games) and its reply. For ``SFTTrainer``.
- :func:`rl_rows`: one row per turn; ``prompt`` (the messages the model saw), ``completion`` (its reply),
  ``reward`` (the turn's), ``episode_return`` and ``advantage``: the return minus a running mean
  of returns for the same game and role, taken before this episode updates it (SPIRAL's role-conditioned
  advantage estimation). Episodes are read in the order given.
- :func:`preference_rows`: ``prompt``/``chosen``/``rejected`` pairs from decision traces: an unparsable
  or illegal reply against the legal reply that followed it (a rethink, or the env's re-ask), and, where
  a majority vote chose the move, each sample that voted for another move against the winning sample.

>>> rows = sft_rows(episodes, outcome="win", game="chess")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Collection, Iterable, Iterator, Mapping

from llm_arena_env.agents.base import Attempt, Verdict
from llm_arena_env.core.outcome import Outcome
from llm_arena_env.training.trajectory import Trajectory, Turn, conversation, trajectories_from_episode

TRAIN_EXTRA_HINT = "pip install 'llm-arena-env[train]'"


def require_datasets() -> Any:
    """The ``datasets`` module, or an ImportError that says how to install it."""
    try:
        import datasets
    except ImportError as error:
        raise ImportError(f"this needs the Hugging Face `datasets` library, from the `train` extra: {TRAIN_EXTRA_HINT}") from error
    return datasets


# ---------------------------------------------------------------------------------------------- input


def iter_trajectories(source: Iterable[Any]) -> Iterator[Trajectory]:
    """Trajectories from episodes (records or their dicts) and trajectories, in order. Those of episodes
    that ended in a transport error are left out: no one played them, so there is nothing to learn."""
    for item in source:
        if isinstance(item, Trajectory):
            found: Iterable[Trajectory] = (item,)
        elif hasattr(item, "to_dict") and hasattr(item, "steps"):
            found = trajectories_from_episode(item.to_dict())
        elif isinstance(item, Mapping):
            found = trajectories_from_episode(item)
        else:
            raise TypeError(f"expected episode records, their dicts, or Trajectory objects; got {type(item).__name__}")
        yield from (t for t in found if t.outcome != Outcome.ERROR.value)


@dataclass(frozen=True)
class TrajectoryFilter:
    """Which trajectories to keep. ``None`` keeps all; a string or a collection of strings lists the
    accepted values. ``player`` matches the seat (``white``) or the agent spec (``hf:Qwen/...``);
    ``min_score`` needs the game's Main Score (games without one fail it)."""

    outcome: str | Collection[str] | None = None
    game: str | Collection[str] | None = None
    player: str | Collection[str] | None = None
    min_score: float | None = None
    min_return: float | None = None

    def __call__(self, trajectory: Trajectory) -> bool:
        if not _accepts(self.outcome, trajectory.outcome) or not _accepts(self.game, trajectory.game):
            return False
        if self.player is not None and not (_accepts(self.player, trajectory.player) or _accepts(self.player, trajectory.agent)):
            return False
        if self.min_score is not None and (trajectory.score is None or trajectory.score < self.min_score):
            return False
        return self.min_return is None or trajectory.episode_return >= self.min_return


def _accepts(wanted: str | Collection[str] | None, value: str) -> bool:
    if wanted is None:
        return True
    return value == wanted if isinstance(wanted, str) else value in wanted


def _metadata(trajectory: Trajectory) -> dict[str, Any]:
    return {
        "game": trajectory.game,
        "player": trajectory.player,
        "agent": trajectory.agent,
        "outcome": trajectory.outcome,
        "episode_return": trajectory.episode_return,  # not "return": columns become reward-function arguments
        "score": trajectory.score,
        "episode_id": trajectory.episode_id,
        "seed": trajectory.seed,
    }


def _assistant(text: str) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": text}]


# ---------------------------------------------------------------------------------------------- SFT


def sft_rows(source: Iterable[Any], *, include_illegal: bool = False, include_detours: bool = False,
             per_turn: bool = False, **filters: Any) -> list[dict[str, Any]]:
    """One chat per player per episode: ``messages`` plus metadata (game, player, agent, outcome,
    episode_return, score, episode_id, seed). Players with no reply left to learn from are skipped.
    ``per_turn``: one row per kept turn (with its ``turn`` index), the env's prompt and the reply."""
    keep = TrajectoryFilter(**filters)
    table = []
    for trajectory in iter_trajectories(source):
        turns = [t for t in trajectory.turns if include_illegal or t.legal]
        if not turns or not keep(trajectory):
            continue
        if per_turn:
            table += [{"messages": conversation([t], detours=include_detours), "turn": t.index, **_metadata(trajectory)}
                      for t in turns]
        else:
            table.append({"messages": conversation(turns, detours=include_detours), **_metadata(trajectory)})
    return table


# ---------------------------------------------------------------------------------------------- RL


class RoleBaseline:
    """A running mean of returns per (game, role): ``b <- decay * b + (1 - decay) * return``, from 0."""

    def __init__(self, decay: float = 0.95):
        if not 0.0 <= decay < 1.0:
            raise ValueError(f"decay must be in [0, 1), got {decay!r}")
        self.decay = decay
        self.values: dict[tuple[str, str], float] = {}

    def advantage(self, game: str, role: str, episode_return: float) -> float:
        """``episode_return`` minus the baseline before this episode; then the baseline takes it in."""
        key = (game, role)
        before = self.values.get(key, 0.0)
        self.values[key] = self.decay * before + (1.0 - self.decay) * episode_return
        return episode_return - before


def rl_rows(source: Iterable[Any], *, decay: float = 0.95, baseline: RoleBaseline | None = None,
            legal_only: bool = False, **filters: Any) -> list[dict[str, Any]]:
    """One row per turn: ``prompt``, ``completion``, ``reward``, ``episode_return``, ``advantage``, ``legal``,
    ``turn`` and the trajectory's metadata. The baseline sees every trajectory, filtered out or not, so a
    filter does not change the advantages of the rows it keeps. Pass ``baseline`` to carry it across calls."""
    keep = TrajectoryFilter(**filters)
    baseline = baseline if baseline is not None else RoleBaseline(decay)
    table = []
    for trajectory in iter_trajectories(source):
        advantage = baseline.advantage(trajectory.game, trajectory.player, trajectory.episode_return)
        if not keep(trajectory):
            continue
        for turn in trajectory.turns:
            if legal_only and not turn.legal:
                continue
            table.append({
                "prompt": [dict(m) for m in turn.messages],
                "completion": _assistant(turn.completion),
                "reward": turn.reward,
                "advantage": advantage,
                "legal": turn.legal,
                "turn": turn.index,
                **_metadata(trajectory),
            })
    return table


# ---------------------------------------------------------------------------------------------- preference


def preference_rows(source: Iterable[Any], **filters: Any) -> list[dict[str, Any]]:
    """Pairs ``prompt``/``chosen``/``rejected`` with ``source`` ("unparsable", "illegal" or "vote"), ``turn``
    (the turn whose reply is chosen) and the trajectory's metadata."""
    keep = TrajectoryFilter(**filters)
    table = []
    for trajectory in iter_trajectories(source):
        if keep(trajectory):
            meta = _metadata(trajectory)
            table += [{**pair, **meta} for pair in _pairs(trajectory.turns)]
    return table


def _pairs(turns: Iterable[Turn]) -> Iterator[dict[str, Any]]:
    """Walk one player's turns; failures wait for the legal reply that follows them (the same move's retries)."""
    failures: list[tuple[tuple, str, str]] = []  # (prompt, rejected reply, source)
    previous: Turn | None = None
    for turn in turns:
        if previous is not None and turn.index != previous.index + 1:
            failures = []  # the retries ended without a legal reply (or this is a new move)
        fallback = tuple(turn.messages)
        failures += [f for a in turn.attempts[:-1] if (f := _failure(a, fallback))]
        if not turn.legal:
            final = Attempt.from_dict(turn.attempts[-1]) if turn.attempts else None
            unparsed = final is not None and final.verdict is Verdict.UNPARSED
            failures.append((tuple(turn.messages), turn.completion, "unparsable" if unparsed else "illegal"))
        else:
            for prompt, rejected, kind in failures:
                yield from _pair(prompt, turn.completion, rejected, kind, turn)
            yield from _vote_pairs(turn)
            failures = []
        previous = turn


def _failure(data: Mapping[str, Any], fallback: tuple) -> tuple[tuple, str, str] | None:
    """An attempt rejected before the final one: could not be parsed, or was judged illegal (a transport
    failure says nothing about the model's reply)."""
    attempt = Attempt.from_dict(data)
    prompt = attempt.prompt or fallback
    if attempt.verdict is Verdict.REJECTED:
        return prompt, attempt.raw_output, "illegal"
    if attempt.verdict is Verdict.UNPARSED and not attempt.votes:
        return prompt, attempt.raw_output, "unparsable"
    return None


def _vote_pairs(turn: Turn) -> Iterator[dict[str, Any]]:
    """Samples of the vote that chose this turn's move, where they voted for another move, against the winner."""
    if not turn.attempts or not turn.attempts[-1].get("votes"):
        return
    vote = turn.attempts[-1]
    for sample in reversed(turn.attempts[:-1]):
        if sample.get("votes") or sample.get("prompt") != vote.get("prompt"):
            break  # the samples of an earlier round
        voted = Attempt.from_dict(sample).verdict not in (Verdict.UNPARSED, Verdict.ERROR)
        if voted and sample.get("parsed") != vote.get("parsed"):
            yield from _pair(tuple(vote.get("prompt") or turn.messages), str(vote.get("raw_output", "")),
                             str(sample.get("raw_output", "")), "vote", turn)


def _pair(prompt: tuple, chosen: str, rejected: str, kind: str, turn: Turn) -> Iterator[dict[str, Any]]:
    if chosen != rejected:
        yield {"prompt": [dict(m) for m in prompt], "chosen": _assistant(chosen), "rejected": _assistant(rejected),
               "source": kind, "turn": turn.index}


# ---------------------------------------------------------------------------------------------- datasets

ROWS = {"sft": sft_rows, "rl": rl_rows, "preference": preference_rows}


def rows(kind: str, source: Iterable[Any], **options: Any) -> list[dict[str, Any]]:
    """The rows of ``kind`` ("sft", "rl" or "preference")."""
    if kind not in ROWS:
        raise ValueError(f"kind must be one of {', '.join(ROWS)}, got {kind!r}")
    return ROWS[kind](source, **options)


def to_dataset(table: list[dict[str, Any]], kind: str | None = None) -> Any:
    """Rows as a ``datasets.Dataset`` (scores-like nested values stay as the rows hold them). An empty
    table of a known ``kind`` still has its columns, so that an empty export loads like a full one."""
    datasets = require_datasets()
    if not table and kind is not None:
        features = empty_features(kind)
        return datasets.Dataset.from_dict({name: [] for name in features}, features=features)
    return datasets.Dataset.from_list(table)


def empty_features(kind: str) -> Any:
    """The columns of ``kind`` rows as ``datasets.Features`` (nested metadata such as scores left out)."""
    from datasets import Features, Value

    if kind not in ROWS:
        raise ValueError(f"kind must be one of {', '.join(ROWS)}, got {kind!r}")
    chat = [{"role": Value("string"), "content": Value("string")}]
    meta = {"game": Value("string"), "player": Value("string"), "agent": Value("string"),
            "outcome": Value("string"), "episode_return": Value("float64"), "score": Value("float64"),
            "episode_id": Value("string"), "seed": Value("int64")}
    columns = {
        "sft": {"messages": chat},
        "rl": {"prompt": chat, "completion": chat, "reward": Value("float64"), "advantage": Value("float64"),
               "legal": Value("bool"), "turn": Value("int64")},
        "preference": {"prompt": chat, "chosen": chat, "rejected": chat, "source": Value("string"),
                       "turn": Value("int64")},
    }[kind]
    return Features({**columns, **meta})


def sft_dataset(source: Iterable[Any], **options: Any) -> Any:
    """:func:`sft_rows` as a ``datasets.Dataset``."""
    require_datasets()
    return to_dataset(sft_rows(source, **options))


def rl_dataset(source: Iterable[Any], **options: Any) -> Any:
    """:func:`rl_rows` as a ``datasets.Dataset``."""
    require_datasets()
    return to_dataset(rl_rows(source, **options))


def preference_dataset(source: Iterable[Any], **options: Any) -> Any:
    """:func:`preference_rows` as a ``datasets.Dataset``."""
    require_datasets()
    return to_dataset(preference_rows(source, **options))


def to_json_line(row: Mapping[str, Any]) -> str:
    """A row as one JSON line (NaN as null, so that other readers can load it)."""
    return json.dumps(_no_nan(row), ensure_ascii=False)


def _no_nan(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Mapping):
        return {k: _no_nan(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_no_nan(v) for v in value]
    return value
