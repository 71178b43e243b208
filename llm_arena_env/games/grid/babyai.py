"""BabyAI: grid-world missions in words, on the maintained ``minigrid`` package.

    env = llm_arena_env.make("grid/babyai", env_id="BabyAI-GoToRedBall-v0", observation_mode="text+image")

One player (``"player"``). ``env_id`` is any registered BabyAI (or MiniGrid) environment: missions such as
"go to the red ball", "pick up a blue key", "open the yellow door", "put the green ball next to the
purple box". Each reset seeds minigrid from the env's own generator, so the same seed gives the same level.

- Actions: ``turn left``, ``turn right``, ``go forward``, ``pick up``, ``drop``, ``toggle`` (opens doors
  and boxes), any case, or ids 0-5 (minigrid's own action ids). All six are always legal, as in minigrid:
  an action that does nothing still uses a step.
- Observations: the mission and a description of what the agent sees in its 7x7 view, in words, as in
  BALROG's BabyAI-Text ("a red ball 1 step left and 2 steps forward", "a wall 3 steps forward"), what is
  right in front of it, and what it carries. The image is minigrid's own rendering of the level, the
  agent's view highlighted; ``observation_mode="image"`` leaves the description out of the text.
- ``observation_mode="tensor"``: minigrid's own encoding of the agent's view, ``view[x, y] = (object,
  colour, state)`` indices (minigrid's ``obs["image"]``, 7x7x3 by default, the agent at the middle of the
  bottom row facing up, what it carries in its own cell), as float32; the mission is not in it (it is in
  the text observation), as with minigrid's ``ImgObsWrapper``: train on one mission, or on envs whose mission
  the view shows. All six action ids are always in the mask.
- End: the mission is done (success), or minigrid's step limit (truncated, failure).
- Reward: minigrid's (1 - 0.9 x steps / step limit on success, else 0). Scores in the final ``infos``:
  ``Main Score`` = 100 x success, ``Success``, ``steps``, ``reward``.

Version history: v0, first version.
"""

from __future__ import annotations

from typing import Any, Callable

import gymnasium
import numpy as np

from llm_arena_env.core.extras import require

require("minigrid", extra="babyai", purpose="grid/babyai")  # importing it registers the BabyAI environments
from minigrid.core.constants import IDX_TO_COLOR, IDX_TO_OBJECT, STATE_TO_IDX  # noqa: E402

from llm_arena_env.core.metrics import MAIN_SCORE, SUCCESS
from llm_arena_env.core.outcome import EndReason, Result
from llm_arena_env.core.text_env import IllegalAction, TextEnv
from llm_arena_env.games.grid.draw import resize
from llm_arena_env.games.grid.outcomes import aborted, team_result

ACTIONS = ("turn left", "turn right", "go forward", "pick up", "drop", "toggle")  # minigrid's ids 0-5
IDX_TO_STATE = {index: state for state, index in STATE_TO_IDX.items()}
TILE = 16  # minigrid draws tiles at this size (it caches each kind); the picture is then scaled
ANSWER_FORMAT = f"Reply with one action: {', '.join(ACTIONS)}."


def describe_view(view: np.ndarray) -> list[str]:
    """What an agent sees, in words, from minigrid's egocentric encoding ``view[x, y] = (object, colour, state)``.

    The agent stands at the middle of the bottom row, facing up (towards y = 0)."""
    size = view.shape[0]
    me_x, me_y = size // 2, size - 1
    things, walls = [], {}
    for y in range(size):
        for x in range(size):
            kind = IDX_TO_OBJECT[int(view[x, y, 0])]
            if kind in ("unseen", "empty", "floor", "agent") or (x, y) == (me_x, me_y):
                continue
            right, forward = x - me_x, me_y - y
            where = _offset(right, forward)
            if kind == "wall":
                # Only the nearest wall straight ahead, to the left and to the right, as BALROG does.
                side = "forward" if right == 0 else None if forward else "left" if right < 0 else "right"
                if side and (side not in walls or abs(right) + forward < walls[side][0]):
                    walls[side] = (abs(right) + forward, f"a wall {where}")
                continue
            things.append(f"{_name(view[x, y])} {where}")
    return things + [text for _, (_, text) in sorted(walls.items())]


def _offset(right: int, forward: int) -> str:
    parts = []
    if right:
        parts.append(f"{abs(right)} step{'s' if abs(right) > 1 else ''} {'right' if right > 0 else 'left'}")
    if forward:
        parts.append(f"{forward} step{'s' if forward > 1 else ''} forward")
    return " and ".join(parts)


def _name(cell: np.ndarray) -> str:
    kind, colour = IDX_TO_OBJECT[int(cell[0])], IDX_TO_COLOR.get(int(cell[1]), "")
    if kind == "door":
        state = IDX_TO_STATE.get(int(cell[2]), "closed")
        return f"{'an' if state == 'open' else 'a'} {state} {colour} door"
    if kind in ("goal", "lava"):
        return f"the {kind}" if kind == "goal" else "lava"
    return f"a {colour} {kind}"


class BabyAIEnv(TextEnv):
    """A minigrid environment played in words; see the module docstring."""

    metadata = {**TextEnv.metadata, "name": "babyai"}
    num_actions = len(ACTIONS)
    max_action_length = 100

    def __init__(self, env_id: str = "BabyAI-GoToRedBall-v0", max_steps: int | None = None, **kwargs: Any):
        if not isinstance(env_id, str) or env_id not in gymnasium.registry:
            raise ValueError("env_id must be a registered minigrid environment such as 'BabyAI-GoToRedBall-v0', "
                             f"got {env_id!r}")
        extra = {} if max_steps is None else {"max_steps": max_steps}
        self.env_id = env_id
        self.minigrid = gymnasium.make(env_id, **extra)
        self.grid_env = self.minigrid.unwrapped
        view_space = getattr(self.minigrid.observation_space, "spaces", {}).get("image")
        if view_space is not None:  # tensor mode: minigrid's (object, colour, state) indices of the view
            self.observation_shape = tuple(view_space.shape)
            self.observation_bounds = (0, [max(IDX_TO_OBJECT), max(IDX_TO_COLOR), max(STATE_TO_IDX.values())])
        kwargs.setdefault("answer_format", ANSWER_FORMAT)
        super().__init__(["player"], **kwargs)

    def _new_game(self, options: dict) -> None:
        self.view, _ = self.minigrid.reset(seed=int(self.np_random.integers(2**31 - 1)))
        self.steps = 0
        self.reward = 0.0
        self.done = self.truncated = False

    def _current_agent(self) -> str:
        return "player"

    def _observation_tensor(self, agent: str) -> np.ndarray:
        return self.view["image"]

    def _parse_action(self, agent: str, text: str) -> int:
        name = " ".join(text.lower().split())
        if name not in ACTIONS:
            raise IllegalAction(f"say one action: {', '.join(ACTIONS)}")
        return ACTIONS.index(name)

    def _parse_action_id(self, agent: str, action_id: int) -> int:
        return action_id

    def _apply(self, agent: str, action: int) -> None:
        self.view, reward, self.done, self.truncated, _ = self.minigrid.step(action)
        self.reward += float(reward)
        self.steps += 1

    def _result(self) -> Result | None:
        if not (self.done or self.truncated):
            return None
        success = self.done and self.reward > 0
        reason = EndReason.MAX_TURNS if self.truncated and not self.done else EndReason.GAME_OVER
        detail = "mission done" if success else "step limit reached" if self.truncated else "mission failed"
        return team_result(self.possible_agents, success, self._scores(success), reward=self.reward, reason=reason,
                           detail=detail)

    def _forfeit(self, offender: str, message: str) -> Result:
        return aborted(self.possible_agents, f"{offender}: {message}", self._scores(False))

    def _scores(self, success: bool) -> dict[str, float]:
        return {MAIN_SCORE: 100.0 * success, SUCCESS: float(success), "steps": float(self.steps),
                "reward": self.reward}

    def close(self) -> None:
        self.minigrid.close()

    # ------------------------------------------------------------------ what the player sees

    def _legal_actions(self, agent: str) -> list[str]:
        return list(ACTIONS)

    def _legal_action_ids(self, agent: str) -> list[int]:
        return list(range(len(ACTIONS)))

    def _prompt_fields(self, agent: str) -> dict[str, Callable[[], str]]:
        return {
            "mission": lambda: self.grid_env.mission,
            "view": self._view_text,
            "status": self._status,
            "state": self._state,
        }

    def _state(self) -> str:
        rules = f"You are an agent in a grid world. Your mission: {self.grid_env.mission}."
        if self.observation_mode == "image":
            return f"{rules} The image shows the world; the agent is the red triangle, pointing the way it faces, " \
                   f"and the lighter cells are what it sees.\n{self._status()}"
        return f"{rules}\n{self._view_text()}\n{self._status()}"

    def _view_text(self) -> str:
        seen = describe_view(self.view["image"])
        lines = ["You see:"] + [f"- {thing}" for thing in seen] if seen else ["You see nothing around you."]
        ahead = self.view["image"][self.view["image"].shape[0] // 2, -2]
        kind = IDX_TO_OBJECT[int(ahead[0])]
        lines.append(f"Right in front of you: {'nothing' if kind in ('empty', 'floor', 'unseen') else _name(ahead)}.")
        return "\n".join(lines)

    def _status(self) -> str:
        carried = self.grid_env.carrying
        holding = f"a {carried.color} {carried.type}" if carried is not None else "nothing"
        return f"You carry {holding}. Steps taken: {self.steps} of at most {self.grid_env.max_steps}."

    def _render_text(self) -> str:
        legend = ("Legend: two characters per cell, the object (W wall, A ball, K key, B box, D door, G goal) and its "
                  "colour's initial; >>, <<, ^^, VV is you, facing that way.")
        return f"Mission: {self.grid_env.mission}\n{self.grid_env.pprint_grid()}\n{legend}\n{self._status()}"

    def _render_image(self, agent: str | None) -> np.ndarray:
        return resize(self.grid_env.get_frame(highlight=True, tile_size=TILE), self.image_size)


# ---------------------------------------------------------------------- the scripted player

def scripted_move(env: Any, agent: str) -> str:
    """minigrid's own BabyAI bot, planning afresh from the current state (it sees the whole level)."""
    from minigrid.utils.baby_ai_bot import BabyAIBot

    action = BabyAIBot(env.unwrapped.grid_env).replan()
    return ACTIONS[int(action)]
