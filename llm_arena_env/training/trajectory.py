"""Trajectories: what one player saw, said and got in one episode, turn by turn.

Two ways to get them, both giving the same records:

- From the arena's records (the usual path): ``trajectories_from_episode(record.to_dict())`` turns an
  :class:`~llm_arena_env.arena.episode.EpisodeRecord` dict (as saved in ``episode.json``) into one
  :class:`Trajectory` per player, in seat order.
- From a hand-written AEC loop: wrap the env in
  :class:`~llm_arena_env.training.record.RecordTrajectories`, play through it, and call
  ``env.trajectories()`` at the end. To keep the model's raw output and attempts, call
  ``env.record(player, decision)`` right after ``env.step(decision.action)``; without it a turn's
  completion is the action itself. ``play_episode(env, agents, on_step=env.record_step)`` does this.

Interface (frozen, JSON-ready through ``to_dict`` / ``from_dict``):

``Turn``
    ``index`` (the step's position in the episode, all players counted), ``player``, ``messages`` (the
    prompt of the attempt that produced the action: the observation's chat, plus any rethink feedback),
    ``completion`` (that attempt's raw model output; for non-LLM agents the action), ``action`` (what was
    sent to the env), ``legal`` (the env accepted it), ``reward`` (reward received for this turn: rewards
    arriving between this turn and the player's next go to this turn; from episode records, whose
    rewards are final outcomes, the whole return sits on the player's last turn), ``attempts``
    (``Attempt.to_dict()`` of every attempt, in order), ``observation`` (the observation text),
    ``rejection`` (the env's reason, where it rejected the action). ``observed_messages`` is the chat
    the env showed (the first attempt's prompt).
``Trajectory``
    ``game``, ``game_kwargs``, ``seed``, ``options`` (reset options; ``instance`` is ``options["instance"]``),
    ``episode_id``, ``player``, ``agent`` (spec string), ``turns``, ``episode_return`` (the sum of the
    player's rewards), ``outcome`` (win/loss/draw/aborted/...), ``scores`` (the game's episode scores),
    ``end_reason``. ``score`` is the clembench "Main Score" where the game has one (else None).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from llm_arena_env.core.metrics import MAIN_SCORE  # noqa: F401  (read here, re-exported for callers)

if TYPE_CHECKING:
    from llm_arena_env.arena.records import EpisodeRecord, StepRecord

Message = Mapping[str, str]


@dataclass(frozen=True)
class Turn:
    """One action of one player, with the prompt and raw output that produced it."""

    index: int
    player: str
    messages: tuple[Message, ...]
    completion: str
    action: str
    legal: bool
    reward: float = 0.0
    attempts: tuple[Mapping[str, Any], ...] = ()
    observation: str = ""
    rejection: str = ""

    @property
    def observed_messages(self) -> tuple[Message, ...]:
        """The chat the env showed before any rethink: the first attempt's prompt, else ``messages``."""
        first = tuple(self.attempts[0].get("prompt") or ()) if self.attempts else ()
        return first or self.messages

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["messages"] = [dict(m) for m in self.messages]
        data["attempts"] = [dict(a) for a in self.attempts]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Turn:
        return cls(**{**data, "messages": plain_messages(data.get("messages")), "attempts": tuple(data.get("attempts", ()))})


@dataclass(frozen=True)
class Trajectory:
    """One player's side of one episode."""

    game: str
    player: str
    turns: tuple[Turn, ...]
    episode_return: float
    outcome: str
    agent: str = ""
    seed: int | None = None
    game_kwargs: Mapping[str, Any] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    episode_id: str = ""
    scores: Mapping[str, Any] = field(default_factory=dict)
    end_reason: str = ""

    @property
    def instance(self) -> Any:
        """The game instance the episode was played on, where one was given in the reset options."""
        return self.options.get("instance")

    @property
    def score(self) -> float | None:
        """The game's main score (clembench's 0-100 "Main Score"); None where it has none or it is NaN."""
        value = self.scores.get(MAIN_SCORE)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value):
            return None
        return float(value)

    @property
    def legal_rate(self) -> float | None:
        """Share of this player's actions the env accepted; None if it never acted."""
        return sum(t.legal for t in self.turns) / len(self.turns) if self.turns else None

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data.update(turns=[t.to_dict() for t in self.turns], game_kwargs=dict(self.game_kwargs),
                    options=dict(self.options), scores=dict(self.scores))
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Trajectory:
        return cls(**{**data, "turns": tuple(Turn.from_dict(t) for t in data.get("turns", ()))})


# ---------------------------------------------------------------------------------------------- records


def trajectories_from_episode(episode: EpisodeRecord | Mapping[str, Any]) -> list[Trajectory]:
    """One trajectory per player (seat order) from an episode record or its ``to_dict()`` dict.

    Records carry each player's total reward only; since rewards are final outcomes (DESIGN.md), it is
    put on the player's last turn. Players that never acted get a trajectory with no turns."""
    from llm_arena_env.arena.records import EpisodeRecord

    if not isinstance(episode, EpisodeRecord):
        missing = [key for key in ("game", "steps", "rewards") if key not in episode]
        if missing:
            raise ValueError(f"not an episode record (EpisodeRecord.to_dict()): missing {', '.join(missing)}")
        episode = EpisodeRecord.from_dict(episode)
    players = list(episode.agents or episode.rewards)
    turns: dict[str, list[Turn]] = {p: [] for p in players}
    for index, step in enumerate(episode.steps):
        turns.setdefault(step.player, []).append(_turn_from_step(index, step))
    rewards = episode.rewards
    for player, player_turns in turns.items():
        if player_turns:
            player_turns[-1] = _with_reward(player_turns[-1], rewards.get(player, 0.0))
    return [
        Trajectory(
            game=episode.game,
            player=player,
            turns=tuple(player_turns),
            episode_return=rewards.get(player, 0.0),
            outcome=str(episode.outcomes.get(player, "")),
            agent=episode.agents.get(player, ""),
            seed=episode.seed,
            game_kwargs=dict(episode.game_kwargs),
            options=dict(episode.options or {}),
            episode_id=episode.episode_id,
            scores=dict(episode.scores),
            end_reason=str(episode.end_reason or ""),
        )
        for player, player_turns in turns.items()
    ]


def _turn_from_step(index: int, step: StepRecord) -> Turn:
    last = step.attempts[-1] if step.attempts else None
    # Non-LLM agents record no prompt; the observation text is what they were shown.
    messages = plain_messages(last.prompt if last else None) or ({"role": "user", "content": step.observation},)
    return Turn(
        index=index,
        player=step.player,
        messages=messages,
        completion=last.raw_output if last else step.action,
        action=step.action,
        legal=step.accepted,
        attempts=tuple(a.to_dict() for a in step.attempts),
        observation=step.observation,
        rejection=step.rejection,
    )


def plain_messages(messages: Iterable[Mapping[str, Any]] | None) -> tuple[Message, ...]:
    """A chat as plain {role, content} dicts with text content (content parts joined)."""
    if not messages:
        return ()
    return tuple([
        {"role": str(m["role"]), "content": m["content"] if type(m["content"]) is str else _content(m["content"])}
        for m in messages
    ])


def _content(content: Any) -> str:
    """Message content as text; multimodal parts (``[{"type": "text", ...}, {"type": "image"}]``) keep their text."""
    if isinstance(content, str):
        return content
    return "".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping))


def _with_reward(turn: Turn, reward: float) -> Turn:
    return Turn(**{**{f.name: getattr(turn, f.name) for f in fields(turn)}, "reward": turn.reward + reward})


# ---------------------------------------------------------------------------------------------- wrapper


def conversation(turns: Sequence[Turn], *, completions: bool = True, detours: bool = True) -> list[dict[str, str]]:
    """The player's turns as one chat: the prompts as the env showed them, each turn's reply as assistant.

    Games that carry the conversation (dialogue) give prompts that extend the chat so far: only the new
    messages are added. Games with a self-contained prompt per turn (board games) start over each turn:
    their new user message is added (the system message once). Rethink feedback of a turn (its final
    prompt beyond what the env showed) is kept before the reply. ``completions=False`` uses the actions
    instead of the raw replies; ``detours=False`` leaves rethink feedback (and the failed replies in it) out,
    so that each prompt is followed by the reply the env accepted."""
    chat: list[dict[str, str]] = []
    env_view: list[tuple[str, str, frozenset[str]]] = []  # what the env's next prompt will repeat
    for turn in turns:
        shown = [dict(m) for m in turn.observed_messages]
        if _extends(shown, env_view):
            new = shown[len(env_view):]
        else:
            new = [m for m in shown if not (m["role"] == "system" and chat and chat[0] == m)]
        env_view = [(m["role"], m["content"], frozenset()) for m in shown]
        final = [dict(m) for m in turn.messages]
        detour = final[len(shown):] if detours and final[: len(shown)] == shown else []
        reply = turn.completion if completions else turn.action
        chat += new + detour + [{"role": "assistant", "content": reply}]
        env_view.append(("assistant", reply, frozenset({turn.action, turn.completion})))
    return chat


def _extends(prompt: list[dict[str, str]], env_view: list[tuple[str, str, frozenset[str]]]) -> bool:
    """Does ``prompt`` start with the chat so far (a reply may come back as the action or the raw text)?"""
    if not env_view or len(prompt) <= len(env_view):
        return False
    for message, (role, content, alternatives) in zip(prompt, env_view):
        if message["role"] != role or (message["content"] != content and message["content"] not in alternatives):
            return False
    return True


__all__ = ["Turn", "Trajectory", "trajectories_from_episode", "conversation"]
