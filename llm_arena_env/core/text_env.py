"""The base class of every game: a PettingZoo AEC env with text (and image) observations.

A game subclasses :class:`TextEnv` and fills in a few hooks; this class owns what every game shares:
the observation dict of DESIGN.md, seeding, the illegal-action policy, rewards, outcomes and scores in
``infos``, and rendering. Observations are built only when ``observe`` is called, so stepping is cheap.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np
from gymnasium import logger, spaces
from gymnasium.utils import seeding
from pettingzoo import AECEnv

from llm_arena_env.core import outcome as oc
from llm_arena_env.core.metrics import ABORTED
from llm_arena_env.core.notation import PLAIN, Notation
from llm_arena_env.core.outcome import EndReason, Outcome, Result
from llm_arena_env.core.prompting import PromptParts
from llm_arena_env.core.render import text_to_image
from llm_arena_env.core.spaces import FreeText, observation_space

OBSERVATION_MODES = ("text", "image", "text+image", "tensor")
DEFAULT_ANSWER_FORMAT = "End your reply with your move on its own line, as: Final Answer: <move>"


class PromptFields(Mapping[str, str]):
    """Named prompt fields computed only when a template asks for them (some, like a SAN move list, are costly)."""

    def __init__(self, makers: Mapping[str, Callable[[], str]]):
        self._makers = makers

    def __getitem__(self, name: str) -> str:
        if name not in self._makers:
            raise KeyError(f"unknown prompt field {{{name}}}; this game has: {', '.join(sorted(self._makers))}")
        return self._makers[name]()

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


class IllegalAction(Exception):
    """Raised by a game's parsing hooks: the action breaks a rule or cannot be read. The message says why."""


class TextEnv(AECEnv):
    """Base of every game. Subclasses implement the hooks in the second half of this class.

    The illegal-action policy: an action the game rejects (``check_action`` says why) is never applied.
    With ``max_illegal_actions=0`` (the default) the offender forfeits at once (clembench's "aborted",
    game_arena's forfeit). With ``max_illegal_actions=N`` the same player is asked again, the reason in its
    next observation, up to N times **per turn**: the count starts afresh once one of its actions is
    accepted, as game_arena's retries count per move and clembench's wordle re-prompts per guess; the N+1st
    rejection in a row forfeits. ``illegal_action_counts`` (and ``infos[agent]["illegal_actions"]`` at
    the end) count every rejection of the episode."""

    metadata = {"render_modes": ["human", "ansi", "rgb_array"], "name": "text_env", "is_parallelizable": False}

    #: Size of the finite action set, or None for free-text games. Sets ``action_mask`` and the int ids.
    num_actions: int | None = None
    #: Shape of the numeric observation of ``observation_mode="tensor"``; None where the game has none.
    observation_shape: tuple[int, ...] | None = None
    #: The least and greatest values of that tensor (numbers, or arrays that broadcast to its shape): its ``Box``.
    observation_bounds: tuple[Any, Any] = (-np.inf, np.inf)
    #: Longest action string a player may send; longer ones are rejected before the game reads them.
    max_action_length: int = 20_000
    #: The game's prompt: a ``str.format`` template over the fields of ``_prompt_fields``.
    default_prompt_template: str = "{state}\n\n{answer_format}"
    #: Whether the game is drawn as a picture; a game whose only picture would be its text refuses image
    #: observations (``render_mode="rgb_array"`` still draws its text, for people watching).
    has_picture: bool = True

    def __init__(
        self,
        players: Sequence[str],
        *,
        render_mode: str | None = None,
        observation_mode: str = "text",
        image_size: int = 512,
        max_illegal_actions: int = 0,
        prompt_template: str | None = None,
        answer_format: str = DEFAULT_ANSWER_FORMAT,
    ):
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']}, got {render_mode!r}")
        if observation_mode not in OBSERVATION_MODES:
            raise ValueError(f"observation_mode must be one of {OBSERVATION_MODES}, got {observation_mode!r}")
        if "image" in observation_mode and not self.has_picture:
            raise ValueError(f"{self.metadata['name']} has no picture, only text: use observation_mode='text'")
        if not isinstance(max_illegal_actions, int) or max_illegal_actions < 0:
            raise ValueError(f"max_illegal_actions must be an int >= 0, got {max_illegal_actions!r}")
        if not isinstance(image_size, int) or not 16 <= image_size <= 4096:
            raise ValueError(f"image_size must be an int from 16 to 4096, got {image_size!r}")
        super().__init__()
        self.prompt_template = self.default_prompt_template if prompt_template is None else prompt_template
        self.answer_format = answer_format
        self.possible_agents = list(players)
        self.agents = list(players)
        self.render_mode = render_mode
        self.observation_mode = observation_mode
        self.image_size = image_size
        self.max_illegal_actions = max_illegal_actions
        image_shape = (image_size, image_size, 3) if "image" in observation_mode else None
        if observation_mode == "tensor":  # PettingZoo classic's {"observation", "action_mask"}, for RL libraries
            if self.observation_shape is None or self.num_actions is None:
                raise ValueError(f"{type(self).__name__} has no numeric observation; observation_mode='tensor' "
                                 "needs a game with a finite move set and an observation tensor")
            low, high = (np.broadcast_to(np.asarray(bound, np.float32), self.observation_shape)
                         for bound in self.observation_bounds)
            obs_space = spaces.Dict({
                "observation": spaces.Box(low, high, self.observation_shape, np.float32),
                "action_mask": spaces.Box(0, 1, (self.num_actions,), np.int8),
            })
        else:
            obs_space = observation_space(num_actions=self.num_actions, image_shape=image_shape)
        act_space = spaces.Discrete(self.num_actions) if self.num_actions else FreeText(self.max_action_length)
        self.observation_spaces = {a: obs_space for a in players}
        self.action_spaces = {a: act_space for a in players}
        self.np_random, self.np_random_seed = seeding.np_random()
        self.result: Result | None = None
        self._start_episode()
        if observation_mode != "tensor":
            self._observation_text(self.agent_selection)  # a template naming unknown fields fails here, not mid-run

    # ------------------------------------------------------------------ the AEC API

    def observation_space(self, agent: str) -> spaces.Space:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space:
        return self.action_spaces[agent]

    def reset(self, seed: int | None = None, options: dict | None = None) -> None:
        if seed is not None:
            self.np_random, self.np_random_seed = seeding.np_random(seed)
        self._start_episode(options or {})

    def step(self, action: Any) -> None:
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        self._cumulative_rewards[agent] = 0.0
        self._clear_rewards()
        try:
            move = self._read(agent, action)
        except IllegalAction as rejection:
            self._reject(agent, action, str(rejection))
        else:
            self._rejections[agent] = None
            self._rejected_this_turn[agent] = 0  # max_illegal_actions counts per turn
            self.infos[agent].pop("rejection", None)
            self.last_move = (agent, self._move_text(agent, action))
            self._apply(agent, move)
            result = self._result()
            if result is not None:
                self._finish(result)
            else:
                self.agent_selection = self._current_agent()
        self._accumulate_rewards()
        if self.render_mode == "human":
            self.render()

    def check_action(self, agent: str, action: Any) -> tuple[bool, str]:
        """Would ``agent`` be allowed to play ``action`` now? Returns ``(ok, reason)``; changes nothing."""
        try:
            self._read(agent, action)
        except IllegalAction as rejection:
            return False, str(rejection)
        return True, ""

    def observe(self, agent: str) -> dict[str, Any]:
        to_move = agent == self.agent_selection and self.result is None
        if self.observation_mode == "tensor":
            mask = np.zeros(self.num_actions, dtype=np.int8)
            if to_move:
                mask[list(self._legal_action_ids(agent))] = 1
            return {"observation": np.asarray(self._observation_tensor(agent), dtype=np.float32).reshape(
                self.observation_shape), "action_mask": mask}
        return self.text_observation(agent)

    def text_observation(self, agent: str) -> dict[str, Any]:
        """The observation dict of the text modes, in every mode: agents that read text (LLMs, random,
        engines) play against tensor-mode learners through it.

        - ``"text"``: what is new for this player now, ready to show a model or a person;
        - ``"messages"``: the whole chat for this player, ending with the current user message;
        - ``"legal_actions"``: the legal moves in the game's notation (player to move only; empty for
          free-text games);
        - ``"notation"``: the structured state that generic wrappers read instead of the prompt text: a
          :class:`~llm_arena_env.core.notation.Notation` bound to this position, through which the game
          says how its moves may be written and why a move breaks its rules (the game's ``_notation`` hook;
          the plain default for the other players and for games without one);
        - ``"action_mask"`` (games with a finite action set) and ``"image"`` (image modes)."""
        to_move = agent == self.agent_selection and self.result is None
        text = self._observation_text(agent)
        rejection = self._rejections.get(agent)
        if rejection and to_move:
            text = f"{rejection}\nPlease try again.\n\n{text}"
        obs: dict[str, Any] = {
            "text": text,
            "messages": tuple(self._messages(agent, text)),
            "legal_actions": tuple(self._legal_actions(agent)) if to_move else (),
            "notation": self._notation(agent) if to_move else PLAIN,
        }
        if self.num_actions is not None:
            mask = np.zeros(self.num_actions, dtype=np.int8)
            if to_move:
                mask[list(self._legal_action_ids(agent))] = 1
            obs["action_mask"] = mask
        if "image" in self.observation_mode:
            obs["image"] = self._render_image(agent)
        return obs

    def render(self) -> str | np.ndarray | None:
        if self.render_mode is None:
            logger.warn("render() was called without a render_mode; pass render_mode='ansi' or 'rgb_array' to make().")
            return None
        if self.render_mode == "rgb_array":
            return self._render_image(None)
        text = self._render_text()
        if self.render_mode == "human":
            print(text)
            return None
        return text

    def close(self) -> None:
        pass

    @property
    def illegal_action_counts(self) -> dict[str, int]:
        """How many actions of each player were rejected in this episode."""
        return dict(self._illegal_counts)

    # ------------------------------------------------------------------ shared machinery

    def _start_episode(self, options: dict | None = None) -> None:
        self.agents = list(self.possible_agents)
        self.rewards = {a: 0.0 for a in self.agents}
        self._cumulative_rewards = {a: 0.0 for a in self.agents}
        self.terminations = {a: False for a in self.agents}
        self.truncations = {a: False for a in self.agents}
        self.infos = {a: {} for a in self.agents}
        self.result = None
        self._rejections: dict[str, str | None] = {a: None for a in self.agents}
        self._rejected_this_turn = {a: 0 for a in self.agents}  # what max_illegal_actions limits
        self._illegal_counts = {a: 0 for a in self.agents}  # every rejection of the episode, reported
        self.last_move: tuple[str, str] | None = None  # (player, action as text) of the last accepted action
        self._new_game(options or {})
        self.agent_selection = self._current_agent()

    def _read(self, agent: str, action: Any) -> Any:
        """Turn a string or int action into the game's move, or raise IllegalAction with the reason."""
        if self.result is not None:
            raise IllegalAction("the game is over")
        if agent != self.agent_selection:
            raise IllegalAction(f"it is not {agent}'s turn but {self.agent_selection}'s")
        if isinstance(action, str):
            if len(action) > self.max_action_length:
                raise IllegalAction(f"the action is too long ({len(action)} characters, at most {self.max_action_length})")
            return self._parse_action(agent, action)
        if isinstance(action, (int, np.integer)) and not isinstance(action, (bool, np.bool_)):
            if self.num_actions is None:
                raise IllegalAction("this game takes text actions, not integer ids")
            if not 0 <= action < self.num_actions:
                raise IllegalAction(f"action id {action} is out of range 0..{self.num_actions - 1}")
            return self._parse_action_id(agent, int(action))
        kind = "integer ids or text" if self.num_actions is not None else "text"
        raise IllegalAction(f"actions must be {kind}, got {type(action).__name__}")

    def _move_text(self, agent: str, action: Any) -> str:
        """An accepted ``action`` as text, before it is played: an int id as the legal move it stands for."""
        if isinstance(action, str):
            return action.strip()
        names = dict(zip(self._legal_action_ids(agent), self._legal_actions(agent)))
        return str(names.get(int(action), action))

    def _reject(self, agent: str, action: Any, reason: str) -> None:
        self._illegal_counts[agent] += 1
        self._rejected_this_turn[agent] += 1
        shown = action[:200] + "..." if isinstance(action, str) and len(action) > 200 else action
        message = f"Your action {shown!r} was rejected: {reason}."
        self.infos[agent]["rejection"] = reason
        if self._rejected_this_turn[agent] > self.max_illegal_actions:
            self._finish(self._forfeit(agent, message))
        else:
            self._rejections[agent] = message

    def _finish(self, result: Result) -> None:
        self.result = result
        truncated = result.reason is EndReason.MAX_TURNS
        scores = {ABORTED: float(result.reason is EndReason.ILLEGAL_ACTION), **result.scores}
        for a in self.agents:
            self.rewards[a] = float(result.rewards.get(a, 0.0))
            (self.truncations if truncated else self.terminations)[a] = True
            self.infos[a].update(
                outcome=result.outcomes[a],
                end_reason=result.reason,
                end_detail=result.detail,
                illegal_actions=self._illegal_counts[a],
                scores=scores,
            )

    def _messages(self, agent: str, text: str) -> list[dict[str, str]]:
        """The chat for ``agent``. Board games: one self-contained prompt per turn."""
        system = self._system_prompt(agent)
        messages = [{"role": "system", "content": system}] if system else []
        messages.append({"role": "user", "content": text})
        return messages

    def _forfeit(self, offender: str, message: str) -> Result:
        """The result when ``offender`` breaks the rules once too often. Competitive games: it loses."""
        rewards, outcomes = oc.forfeit(self.possible_agents, offender)
        return Result(rewards, outcomes, EndReason.ILLEGAL_ACTION, f"{offender}: {message}")

    # ------------------------------------------------------------------ hooks for games

    @classmethod
    def prompt_parts(cls, kwargs: Mapping[str, Any]) -> PromptParts | None:
        """What this game's prompt can be built from, given the keyword arguments it is registered with
        (read by ``agents.prompts.prompt_options`` before the env is made); None: the game's prompt is its
        own state text."""
        return None

    def _new_game(self, options: dict) -> None:
        """Set up a new episode, drawing any randomness from ``self.np_random``."""
        raise NotImplementedError

    def _current_agent(self) -> str:
        """The player to act now."""
        raise NotImplementedError

    def _parse_action(self, agent: str, text: str) -> Any:
        """The game's move for ``text``, or raise IllegalAction. Must not change any state."""
        raise NotImplementedError

    def _parse_action_id(self, agent: str, action_id: int) -> Any:
        """The game's move for an int id in range, or raise IllegalAction. Games with ``num_actions`` define it."""
        raise IllegalAction("this game takes text actions, not integer ids")

    def _apply(self, agent: str, move: Any) -> None:
        """Play a move that the parsing hooks accepted."""
        raise NotImplementedError

    def _result(self) -> Result | None:
        """The result if the episode has ended (by the rules or a turn limit), else None."""
        raise NotImplementedError

    def _observation_text(self, agent: str) -> str:
        """What ``agent`` sees now: the prompt template filled with the game's fields."""
        fields = {"answer_format": lambda: self.answer_format, **self._prompt_fields(agent)}
        try:
            return self.prompt_template.format_map(PromptFields(fields))
        except (KeyError, IndexError, ValueError) as error:
            raise ValueError(f"bad prompt_template: {error}") from None

    def _prompt_fields(self, agent: str) -> dict[str, Callable[[], str]]:
        """The named parts of ``agent``'s prompt, each a function so only the ones a template uses are built.

        Every game has ``state`` (everything a player needs, as one text); most add finer parts."""
        raise NotImplementedError

    def _system_prompt(self, agent: str) -> str:
        return ""

    def _legal_actions(self, agent: str) -> list[str]:
        """The legal moves of the player to act, in the game's notation; [] for free-text games."""
        return []

    def _notation(self, agent: str) -> Notation:
        """The game's notation in the current position, for the player to move (see core.notation)."""
        return PLAIN

    def _legal_action_ids(self, agent: str) -> list[int]:
        """The int ids of the legal moves of the player to act (games with ``num_actions``)."""
        return []

    def _observation_tensor(self, agent: str) -> np.ndarray:
        """What ``agent`` sees now as numbers, of shape ``observation_shape`` (games that set it)."""
        raise NotImplementedError

    def _render_text(self) -> str:
        """The whole state as text, for ``render_mode="ansi"`` and people watching."""
        return self._observation_text(self.agent_selection)

    def _render_image(self, agent: str | None) -> np.ndarray:
        """An HxWx3 uint8 picture of what ``agent`` sees (None: the whole state). Default: the text, drawn."""
        return text_to_image(self._render_text() if agent is None else self._observation_text(agent), self.image_size)


__all__ = ["TextEnv", "IllegalAction", "Outcome", "EndReason", "Result"]
