"""A single-agent ``gymnasium.Env`` view of any game: one learning seat, the others played by given agents.

>>> env = SingleAgentEnv("openspiel/tic_tac_toe", opponents=["random"])  # the learner takes the first seat
>>> observation, info = env.reset(seed=0)
>>> observation, reward, terminated, truncated, info = env.step("x(1,1)")

Observations are the game's observation dicts (text, messages, legal actions, and image or action mask
where the game has them), in the game's own observation space. Actions are strings (``FreeText``) in
free-text games. Where the game has a finite move set, the action space is ``Discrete`` (its int ids;
strings are still passed on) and :meth:`SingleAgentEnv.action_masks` gives the legal ones, as
sb3-contrib's ``MaskablePPO`` asks. With ``game_kwargs={"observation_mode": "tensor"}`` the observation is
the game's numeric tensor alone, in a ``Box`` space, so classic RL code needs no glue:

>>> env = SingleAgentEnv("openspiel/connect_four", ["random"], game_kwargs={"observation_mode": "tensor"})
>>> MaskablePPO("MlpPolicy", env).learn(50_000)

The reward is the learner's: everything it received since its last action, the other players' moves
included.

Opponents are agents (anything with ``act`` or ``decide``) or agent spec strings (``"random"``,
``"stockfish:3"``). Spec opponents are made again at every seeded ``reset``, with seeds derived from it,
so that the same seed plays the same episode; agent objects are used as they are (seed them yourself).

``reset`` plays the opponents until the learner is to move. In the rare game that ends before then (an
opponent forfeits at once), ``reset`` returns the learner's final observation with the outcome in
``info``, and the next ``step`` reports the end without playing its action.

An opponent whose model call failed for good (:attr:`Decision.transport_error`) plays no move: as in the
arena (arena/episode.py), the episode ends there, reported as truncated (the game did not decide it) with
reward 0 for the rest and ``info["outcome"] == "error"``, ``info["end_reason"] == "error"`` and the failure
in ``info["error"]`` (player, agent, kind, message). A failure every later call would repeat (a rejected
key, a missing model: :func:`~llm_arena_env.agents.errors.is_fatal`) raises
:class:`~llm_arena_env.agents.errors.FatalModelError` instead of ending every episode at once.
"""

from __future__ import annotations

import copy
from typing import Any, Mapping, Sequence

import gymnasium

from llm_arena_env.agents.base import Decision, decide
from llm_arena_env.agents.errors import EpisodeError, FatalModelError, is_fatal
from llm_arena_env.core.spaces import FreeText

DEFAULT_MAX_ACTION_LENGTH = 20_000


def opponent_failure(decision: Decision, player: str, agent: Any) -> dict[str, str] | None:
    """The failure of an opponent's model call, where ``decision`` ends on one (None where it is a move):
    ``{"player", "agent", "kind", "message"}``, as an arena record's ``error``. Such a decision is not a
    move and must not be played. A fatal kind raises :class:`~llm_arena_env.agents.errors.FatalModelError`."""
    failed = decision.transport_error
    if failed is None:
        return None
    error = EpisodeError(player, str(agent), failed.error_kind or "local", failed.error)
    if is_fatal(error.kind):
        raise FatalModelError(error)
    return error.to_dict()


class SingleAgentEnv(gymnasium.Env):
    """``env`` (a game id or a made env) as a gymnasium env for the player ``learner`` (default: the first seat).

    ``opponents``: one per other seat, as a list in seat order or a player -> agent mapping."""

    def __init__(self, env: Any, opponents: Sequence[Any] | Mapping[str, Any], *, learner: str | None = None,
                 game_kwargs: Mapping[str, Any] | None = None):
        if isinstance(env, str):
            import llm_arena_env

            env = llm_arena_env.make(env, **dict(game_kwargs or {}))
        elif game_kwargs:
            raise ValueError("game_kwargs apply only when env is a game id")
        players = list(env.possible_agents)
        self.learner = players[0] if learner is None else learner
        if self.learner not in players:
            raise ValueError(f"learner {self.learner!r} is not a player of this game; its players are {players}")
        self.env = env
        self.seats = [p for p in players if p != self.learner]
        self._specs = self._opponent_map(opponents)
        self.opponents = {p: self._make(agent, seed=None) for p, agent in self._specs.items()}
        self.tensor = getattr(env.unwrapped, "observation_mode", None) == "tensor"
        space = env.observation_space(self.learner)
        self.observation_space = space["observation"] if self.tensor else space
        action_space = env.action_space(self.learner)
        if not isinstance(action_space, gymnasium.spaces.Discrete):
            action_space = FreeText(getattr(env.unwrapped, "max_action_length", DEFAULT_MAX_ACTION_LENGTH), min_length=0)
        self.action_space = action_space
        self.metadata = {"render_modes": list(env.metadata.get("render_modes", [])), "render_fps": 1}
        self.render_mode = getattr(env, "render_mode", None)
        self._reward = 0.0
        self._over = False  # the game has ended
        self._reported = False  # and step() has said so
        self._error: dict[str, str] | None = None  # an opponent's failed model call ended the episode

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        super().reset(seed=seed)
        if seed is not None:
            self._remake_opponents(seed)
        self.env.reset(seed=seed, options=options)
        self._reward, self._over, self._reported, self._error = 0.0, False, False, None
        self._play_opponents()
        return self._observation(), self._info()

    def step(self, action: Any) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        if self._reported:
            raise RuntimeError("the episode is over; call reset() to start a new one")
        if not self._over:
            self.env.step(action)
            self._collect_reward()
            self._play_opponents()
        reward, self._reward = self._reward, 0.0
        terminated = truncated = False
        if self._over:
            self._reported = True
            truncated = self._error is not None or bool(self.env.truncations.get(self.learner, False))
            terminated = not truncated
        return self._observation(), reward, terminated, truncated, self._info()

    def action_masks(self) -> Any:
        """Which int actions are legal now (a bool array), for masked policies; games with a finite move set."""
        if not isinstance(self.action_space, gymnasium.spaces.Discrete):
            raise TypeError("this game has no finite move set, so no action mask")
        return self.env.observe(self.learner)["action_mask"].astype(bool)

    def render(self) -> Any:
        return self.env.render()

    def close(self) -> None:
        for agent in self.opponents.values():
            if callable(getattr(agent, "close", None)):
                agent.close()
        self.env.close()

    # ------------------------------------------------------------------ internals

    def _play_opponents(self) -> None:
        """Step the other players (and those whose game is over) until the learner is to move or has finished."""
        env = self.env
        while env.agents:
            player = env.agent_selection
            if env.terminations[player] or env.truncations[player]:
                if player == self.learner:
                    self._over = True
                    return
                env.step(None)
                continue
            if player == self.learner:
                return
            decision = decide(self.opponents[player], self._opponent_view(player))
            self._error = opponent_failure(decision, player, self.opponents[player])
            if self._error is not None:  # no move was made: the episode ends here, unscored
                self._over = True
                return
            env.step(decision.action)
            self._collect_reward()
        self._over = True

    def _opponent_view(self, player: str) -> dict[str, Any]:
        """What an opponent agent sees: the text observation, in tensor mode too (agents read text)."""
        return self.env.unwrapped.text_observation(player) if self.tensor else self.env.observe(player)

    def _collect_reward(self) -> None:
        self._reward += float(self.env.rewards.get(self.learner, 0.0))

    def _observation(self) -> Any:
        observation = copy.deepcopy(self.env.observe(self.learner))  # callers keep it; the env may reuse parts
        return observation["observation"] if self.tensor else observation

    def _info(self) -> dict[str, Any]:
        info = copy.deepcopy(dict(self.env.infos.get(self.learner, {})))
        if self._error is not None:
            info.update(outcome="error", end_reason="error", error=dict(self._error))
        return info

    def _opponent_map(self, opponents: Sequence[Any] | Mapping[str, Any]) -> dict[str, Any]:
        if isinstance(opponents, Mapping):
            if set(opponents) != set(self.seats):
                raise ValueError(f"opponents are given for {sorted(opponents)}, but the other seats are {self.seats}")
            return {p: opponents[p] for p in self.seats}
        opponents = list(opponents)
        if len(opponents) != len(self.seats):
            raise ValueError(f"{len(opponents)} opponents given for the {len(self.seats)} other seats {self.seats}")
        return dict(zip(self.seats, opponents))

    def _make(self, agent: Any, *, seed: int | None) -> Any:
        if isinstance(agent, str):
            from llm_arena_env.agents.specs import make_agent

            return make_agent(agent, seed=seed)
        if not (callable(getattr(agent, "act", None)) or callable(getattr(agent, "decide", None))):
            raise TypeError(f"an opponent must be an agent (with act or decide) or a spec string, got {agent!r}")
        return agent

    def _remake_opponents(self, seed: int) -> None:
        for index, (player, spec) in enumerate(self._specs.items()):
            if isinstance(spec, str):
                old = self.opponents[player]
                if callable(getattr(old, "close", None)):
                    old.close()
                self.opponents[player] = self._make(spec, seed=seed * 1000 + index)
