"""The recording env wrapper: every action taken through it becomes a turn of a trajectory.

See :mod:`llm_arena_env.training.trajectory` for the records it makes (the same ones the arena's episode
records give through ``trajectories_from_episode``).
"""

from __future__ import annotations

from collections import abc
from typing import Any, Mapping

from pettingzoo.utils.wrappers import BaseWrapper

from llm_arena_env.arena.episode import game_name
from llm_arena_env.training.trajectory import Trajectory, Turn, plain_messages


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
    messages = plain_messages(messages) or ({"role": "user", "content": text},)
    attempts = _attempt_dicts(decision)
    last = attempts[-1] if attempts else {}
    return Turn(
        index=index,
        player=player,
        messages=plain_messages(last.get("prompt")) or messages,
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
