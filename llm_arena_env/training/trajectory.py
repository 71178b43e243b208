"""Trajectories: what one player saw, said and got in one episode, turn by turn.

Two ways to get them, both giving the same records:

- From the arena's records (the usual path): ``trajectories_from_episode(record.to_dict())`` turns an
  :class:`~llm_arena_env.arena.episode.EpisodeRecord` dict (as saved in ``episode.json``) into one
  :class:`Trajectory` per player, in seat order.
- From a hand-written AEC loop: wrap the env in :class:`RecordTrajectories`, play through it, and call
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
from collections import abc
from dataclasses import dataclass, field, fields
from typing import Any, Iterable, Mapping, Sequence

from pettingzoo.utils.wrappers import BaseWrapper

from llm_arena_env.arena.episode import game_name

Message = Mapping[str, str]
MAIN_SCORE = "Main Score"  # clembench's 0-100 episode score (llm_arena_env.games.dialogue.scores)


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
        return cls(**{**data, "messages": _messages(data.get("messages")), "attempts": tuple(data.get("attempts", ()))})


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


def trajectories_from_episode(episode: Mapping[str, Any]) -> list[Trajectory]:
    """One trajectory per player (seat order) from an ``EpisodeRecord.to_dict()`` dict.

    Records carry each player's total reward only; since rewards are final outcomes (DESIGN.md), it is
    put on the player's last turn. Players that never acted get a trajectory with no turns."""
    missing = [key for key in ("game", "steps", "rewards") if key not in episode]
    if missing:
        raise ValueError(f"not an episode record (EpisodeRecord.to_dict()): missing {', '.join(missing)}")
    players = list(episode.get("agents") or episode["rewards"])
    turns: dict[str, list[Turn]] = {p: [] for p in players}
    for index, step in enumerate(episode["steps"]):
        turns.setdefault(step["player"], []).append(_turn_from_step(index, step))
    rewards = episode["rewards"]
    for player, player_turns in turns.items():
        if player_turns:
            player_turns[-1] = _with_reward(player_turns[-1], float(rewards.get(player, 0.0)))
    return [
        Trajectory(
            game=str(episode["game"]),
            player=player,
            turns=tuple(player_turns),
            episode_return=float(rewards.get(player, 0.0)),
            outcome=str((episode.get("outcomes") or {}).get(player, "")),
            agent=str((episode.get("agents") or {}).get(player, "")),
            seed=episode.get("seed"),
            game_kwargs=dict(episode.get("game_kwargs") or {}),
            options=dict(episode.get("options") or {}),
            episode_id=str(episode.get("episode_id") or ""),
            scores=dict(episode.get("scores") or {}),
            end_reason=str(episode.get("end_reason", "")),
        )
        for player, player_turns in turns.items()
    ]


def _turn_from_step(index: int, step: Mapping[str, Any]) -> Turn:
    decision = step.get("decision") or {}
    attempts = tuple(decision.get("attempts") or ())
    last = attempts[-1] if attempts else {}
    observation = str(step.get("observation", ""))
    # Non-LLM agents record no prompt; the observation text is what they were shown.
    messages = _messages(last.get("prompt")) or ({"role": "user", "content": observation},)
    return Turn(
        index=index,
        player=str(step["player"]),
        messages=messages,
        completion=str(last.get("raw_output", step.get("action", ""))),
        action=str(step.get("action", "")),
        legal=bool(step.get("accepted", False)),
        attempts=attempts,
        observation=observation,
        rejection=str(step.get("rejection", "")),
    )


def _messages(messages: Iterable[Mapping[str, Any]] | None) -> tuple[Message, ...]:
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


def _forward(name: str) -> property:
    """A property that reads and writes ``self.env.<name>``."""
    return property(lambda self: getattr(self.env, name), lambda self, value: setattr(self.env, name, value))


class RecordTrajectories(BaseWrapper):
    """Records every action taken through it; ``trajectories()`` gives them, one per player.

    Overrides ``reset`` (starts a new recording), ``observe`` (keeps the acting player's observation, so
    recording costs no second observation) and ``step`` (records the turn and the rewards it brought).
    ``record(player, decision)`` attaches an agent's decision (a ``Decision`` or its dict) to the player's
    latest turn: call it right after ``env.step``. ``game`` and ``game_kwargs`` name the env in the
    records, as the arena's records do. Turns are kept as they come and made into records only by
    ``trajectories()``, so recording costs little per step."""

    # The attributes every AEC loop reads at each step, passed straight through: BaseWrapper's
    # ``__getattr__`` fallback costs more than a step of a cheap game.
    agents = _forward("agents")
    agent_selection = _forward("agent_selection")
    terminations = _forward("terminations")
    truncations = _forward("truncations")
    rewards = _forward("rewards")
    infos = _forward("infos")
    _cumulative_rewards = _forward("_cumulative_rewards")

    def __init__(self, env: Any, *, game: str | None = None, game_kwargs: Mapping[str, Any] | None = None,
                 episode_id: str = ""):
        super().__init__(env)
        self.game = game or game_name(env)
        self.game_kwargs = dict(game_kwargs or {})
        self.episode_id = episode_id
        self._agent_names: dict[str, str] = {}
        self._start(None, None)

    def reset(self, seed: int | None = None, options: dict | None = None) -> None:
        self.env.reset(seed=seed, options=options)
        self._start(seed, options)

    def observe(self, agent: str) -> Any:
        observation = self.env.observe(agent)
        if agent == self.env.agent_selection:
            self._seen = (agent, observation)
        return observation

    def step(self, action: Any) -> None:
        env = self.env
        player = env.agent_selection
        if env.terminations[player] or env.truncations[player]:
            env.step(action)
            return  # a finished player stepping out: nothing to record, and rewards were cleared
        seen = self._seen
        observation = seen[1] if seen is not None and seen[0] == player else env.observe(player)
        self._seen = None
        env.step(action)
        rejection = env.infos[player].get("rejection")
        # Only the text and chat are kept (not images or masks); a Turn is made of them by trajectories().
        if type(observation) is dict or isinstance(observation, abc.Mapping):
            text, messages = observation.get("text", ""), observation.get("messages")
        else:
            text, messages = observation, None
        self._turns[player].append([self._steps, text, messages, action, rejection, None, 0.0])
        self._steps += 1
        for other, reward in env.rewards.items():
            if reward:
                self._returns[other] += reward
                if self._turns[other]:
                    self._turns[other][-1][6] += reward
        for other in env.agents:  # a finished player's info is gone once it has stepped out: keep it now
            if other not in self._endings and (env.terminations[other] or env.truncations[other]):
                self._endings[other] = dict(env.infos[other])

    def record(self, player: str, decision: Any) -> None:
        """Attach ``decision`` (how ``player``'s latest action was chosen) to that turn."""
        if not self._turns.get(player):
            raise ValueError(f"{player!r} has taken no action to attach a decision to")
        self._turns[player][-1][5] = decision

    def record_step(self, step: Any) -> None:
        """``play_episode``'s ``on_step`` hook: records the decision of a ``StepRecord``."""
        self.record(step.player, step.decision)

    def name_agents(self, agents: Mapping[str, str]) -> None:
        """Name each player's agent (e.g. its spec string) in the trajectories."""
        self._agent_names = dict(agents)

    def trajectories(self) -> list[Trajectory]:
        """The episode so far (the whole one once it has ended), one trajectory per player, in seat order."""
        infos = {**self.env.infos, **self._endings}
        return [
            Trajectory(
                game=self.game,
                player=player,
                turns=tuple(_recorded_turn(player, *turn) for turn in self._turns[player]),
                episode_return=float(self._returns[player]),
                outcome=str(infos.get(player, {}).get("outcome", "")),
                agent=self._agent_names.get(player, ""),
                seed=self._seed,
                game_kwargs=dict(self.game_kwargs),
                options=dict(self._options),
                episode_id=self.episode_id,
                scores=dict(infos.get(player, {}).get("scores", {})),
                end_reason=str(infos.get(player, {}).get("end_reason", "")),
            )
            for player in self.env.possible_agents
        ]

    def _start(self, seed: int | None, options: Mapping[str, Any] | None) -> None:
        players = list(self.env.possible_agents)
        self._seed, self._options = seed, dict(options or {})
        self._seen: tuple[str, Any] | None = None
        self._turns: dict[str, list[list[Any]]] = {p: [] for p in players}
        self._returns = {p: 0.0 for p in players}
        self._steps = 0
        self._endings: dict[str, dict[str, Any]] = {}


def _recorded_turn(player: str, index: int, text: Any, messages: Any, action: Any, rejection: Any, decision: Any,
                   reward: float) -> Turn:
    """A Turn from what the wrapper kept: the observation, the action, the env's verdict, the decision if any."""
    text = str(text)
    messages = _messages(messages) or ({"role": "user", "content": text},)
    attempts = _attempt_dicts(decision)
    last = attempts[-1] if attempts else {}
    return Turn(
        index=index,
        player=player,
        messages=_messages(last.get("prompt")) or messages,
        completion=str(last.get("raw_output", action)),
        action=str(action),
        legal=rejection is None,
        reward=float(reward),
        attempts=attempts,
        observation=text,
        rejection=str(rejection or ""),
    )


def _attempt_dicts(decision: Any) -> tuple[dict[str, Any], ...]:
    """``Decision.to_dict()["attempts"]``, made faster for Decision objects (``asdict`` is slow)."""
    if decision is None:
        return ()
    if isinstance(decision, abc.Mapping):
        return tuple([dict(a) for a in decision.get("attempts") or ()])
    return tuple([_attempt_dict(a) for a in decision.attempts])


def _attempt_dict(attempt: Any) -> dict[str, Any]:
    """``Attempt.to_dict()`` without ``asdict``'s deep recursion: its fields are flat but for two."""
    data = dict(attempt.__dict__)
    data["prompt"] = [dict(m) for m in attempt.prompt]
    data["votes"] = dict(attempt.votes)
    return data


def conversation(turns: Sequence[Turn], *, completions: bool = True) -> list[dict[str, str]]:
    """The player's turns as one chat: the prompts as the env showed them, each turn's reply as assistant.

    Games that carry the conversation (dialogue) give prompts that extend the chat so far: only the new
    messages are added. Games with a self-contained prompt per turn (board games) start over each turn:
    their new user message is added (the system message once). Rethink feedback of a turn (its final
    prompt beyond what the env showed) is kept before the reply. ``completions=False`` uses the actions
    instead of the raw replies."""
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
        detour = final[len(shown):] if final[: len(shown)] == shown else []
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


__all__ = ["Turn", "Trajectory", "trajectories_from_episode", "RecordTrajectories", "conversation"]
