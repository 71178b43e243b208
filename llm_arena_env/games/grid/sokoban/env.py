"""Sokoban: push every box onto a goal.

    env = llm_arena_env.make("grid/sokoban", rows=7, cols=7, boxes=2, observation_mode="text+image")

One player (``"player"``). Levels are generated from the reset seed and solvable by construction (see
``generate.py``); ``reset(options={"instance": "<XSB level>"})`` plays a given level instead.

- Rule parameters: ``rows``, ``cols`` (outer walls included, 5 to 20), ``boxes`` (1 to a quarter of the
  inside), ``max_moves`` (the episode is truncated after that many moves), ``solver_nodes`` (the budget of
  the optimal solver that scores the episode).
- Actions: ``up``, ``down``, ``left``, ``right`` (any case), or their ids 0-3. Walking into a wall or pushing
  a box into a wall or another box is rejected with the reason. ``legal_actions`` lists the allowed moves.
- Observations: the board in ASCII with row and column numbers and a legend, where you and the boxes
  are, and the move count. ``observation_mode="image"`` leaves the board out of the text and shows it only
  in the image; ``"text+image"`` gives both. Each turn's prompt is self-contained.
- End: solved (success), a deadlock (a box that can never reach a goal again: failure, the game ends
  early), or ``max_moves`` (truncated, failure).
- Reward 1 when solved, else 0. Scores in the final ``infos``: ``Main Score`` = 100 x optimal moves / your
  moves when solved (100 when the solver found no solution in its budget), 0 otherwise; ``Success``,
  ``moves``, ``pushes``, ``boxes_on_goals``, ``boxes``, ``optimal_moves`` (-1 when the solver ran out of
  budget: large levels).

Version history: v0, first version.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from llm_arena_env.core.outcome import EndReason, Result
from llm_arena_env.core.text_env import IllegalAction, TextEnv
from llm_arena_env.core.metrics import MAIN_SCORE, SUCCESS
from llm_arena_env.games.grid.outcomes import aborted, team_result
from llm_arena_env.games.grid.sokoban.draw import IMAGE_LEGEND, draw_level
from llm_arena_env.games.grid.sokoban.generate import generate, max_boxes
from llm_arena_env.games.grid.sokoban.rules import (
    LEGEND,
    MOVES,
    Level,
    MoveError,
    deadlock,
    legal_moves,
    move,
    push_distances,
)
from llm_arena_env.games.grid.sokoban.solve import DEFAULT_MAX_NODES, solve

ACTIONS = tuple(MOVES)  # id i is ACTIONS[i]
RULES = ("Sokoban. Push every box onto a goal. You move one cell up, down, left or right; walking into a box "
         "pushes it one cell further. You cannot pull boxes, and you cannot push a box into a wall or another "
         "box. A box stuck where it can never reach a goal ends the game.")
ANSWER_FORMAT = "Reply with one move: up, down, left or right."


def _int_in(name: str, value: Any, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{name} must be an int from {low} to {high}, got {value!r}")
    return value


class SokobanEnv(TextEnv):
    """Sokoban with generated levels; see the module docstring."""

    metadata = {**TextEnv.metadata, "name": "sokoban"}
    num_actions = len(ACTIONS)
    observation_bounds = (0.0, 1.0)  # tensor mode's planes are 0/1
    max_action_length = 100

    def __init__(self, rows: int = 7, cols: int = 7, boxes: int = 2, max_moves: int = 120,
                 solver_nodes: int = DEFAULT_MAX_NODES, **kwargs: Any):
        self.rows = _int_in("rows", rows, 5, 20)
        self.cols = _int_in("cols", cols, 5, 20)
        self.boxes = _int_in("boxes", boxes, 1, max_boxes(rows, cols))
        self.max_moves = _int_in("max_moves", max_moves, 1, 100_000)
        self.solver_nodes = _int_in("solver_nodes", solver_nodes, 0, 10**8)
        kwargs.setdefault("answer_format", ANSWER_FORMAT)
        self.observation_shape = (4, self.rows, self.cols)  # tensor mode: walls, goals, boxes, player
        super().__init__(["player"], **kwargs)

    # ------------------------------------------------------------------ game flow

    def _new_game(self, options: dict) -> None:
        instance = options.get("instance")
        if isinstance(instance, Level):
            self.level = instance
        elif isinstance(instance, str):
            self.level = Level.from_text(instance)
        elif instance is None:
            self.level = generate(self.np_random, self.rows, self.cols, self.boxes)
        else:
            raise ValueError("options['instance'] must be an XSB level string or a Level, "
                             f"got {type(instance).__name__}")
        self.start_level = self.level
        self.distances = push_distances(self.level)
        self.moves = 0
        self.pushes = 0
        self.stuck: str | None = deadlock(self.level, self.distances)  # a given level may start stuck
        self._optimal: int | None = None

    def _current_agent(self) -> str:
        return "player"

    def _observation_tensor(self, agent: str) -> np.ndarray:
        level = self.level
        if (level.rows, level.cols) != (self.rows, self.cols):
            raise ValueError(f"this level is {level.rows}x{level.cols}; tensor observations need the env's "
                             f"{self.rows}x{self.cols} (make the env with rows and cols of the level)")
        planes = np.zeros(self.observation_shape, dtype=np.float32)
        for plane, cells in enumerate((level.walls, level.goals, level.boxes, {level.player})):
            for row, col in cells:
                planes[plane, row, col] = 1.0
        return planes

    def _parse_action(self, agent: str, text: str) -> tuple[Level, bool]:
        name = text.strip().lower()
        if name not in MOVES:
            raise IllegalAction(f"say one move: {', '.join(ACTIONS)}")
        return self._try(name)

    def _parse_action_id(self, agent: str, action_id: int) -> tuple[Level, bool]:
        return self._try(ACTIONS[action_id])

    def _try(self, name: str) -> tuple[Level, bool]:
        try:
            return move(self.level, name)
        except MoveError as error:
            raise IllegalAction(str(error)) from None

    def _apply(self, agent: str, move_: tuple[Level, bool]) -> None:
        self.level, pushed = move_
        self.moves += 1
        if pushed:
            self.pushes += 1
            self.stuck = deadlock(self.level, self.distances)

    def _result(self) -> Result | None:
        if self.level.solved:
            return team_result(self.possible_agents, True, self._scores(solved=True), reward=1.0, detail="solved")
        if self.stuck:
            return team_result(self.possible_agents, False, self._scores(), reward=0.0,
                               detail=f"deadlock: {self.stuck}")
        if self.moves >= self.max_moves:
            return team_result(self.possible_agents, False, self._scores(), reward=0.0, reason=EndReason.MAX_TURNS,
                               detail=f"{self.max_moves} moves played")
        return None

    def _forfeit(self, offender: str, message: str) -> Result:
        return aborted(self.possible_agents, f"{offender}: {message}", self._scores())

    def optimal_moves(self) -> int | None:
        """The fewest moves that solve this episode's level, or None beyond the solver's budget."""
        if self._optimal is None:
            solution = solve(self.start_level, self.solver_nodes)
            self._optimal = -1 if solution is None else len(solution)
        return None if self._optimal < 0 else self._optimal

    def _scores(self, solved: bool = False) -> dict[str, float]:
        optimal = self.optimal_moves()
        main = 0.0
        if solved:
            main = 100.0 if optimal is None else 100.0 * min(1.0, optimal / max(1, self.moves))
        return {
            MAIN_SCORE: main,
            SUCCESS: float(solved),
            "moves": float(self.moves),
            "pushes": float(self.pushes),
            "boxes_on_goals": float(len(self.level.boxes & self.level.goals)),
            "boxes": float(len(self.level.boxes)),
            "optimal_moves": float(-1 if optimal is None else optimal),
        }

    # ------------------------------------------------------------------ what players see

    def _legal_actions(self, agent: str) -> list[str]:
        return legal_moves(self.level)

    def _legal_action_ids(self, agent: str) -> list[int]:
        return [ACTIONS.index(name) for name in legal_moves(self.level)]

    def _prompt_fields(self, agent: str) -> dict[str, Callable[[], str]]:
        return {
            "rules": lambda: RULES,
            "board": self.board_text,
            "legend": lambda: f"Legend: {LEGEND}. Cells are (row, column), counted from 0 at the top left.",
            "status": self._status,
            "state": self._state,
        }

    def _state(self) -> str:
        if self.observation_mode == "image":
            return f"{RULES}\n\nThe board is shown in the image: {IMAGE_LEGEND}.\n\n{self._status()}"
        legend = f"Legend: {LEGEND}. Cells are (row, column), counted from 0 at the top left."
        return f"{RULES}\n\n{self.board_text()}\n{legend}\n\n{self._status()}"

    def _status(self) -> str:
        level = self.level
        lines = [f"Boxes on goals: {len(level.boxes & level.goals)} of {len(level.boxes)}. "
                 f"Moves: {self.moves} of at most {self.max_moves}."]
        if self.observation_mode != "image":
            lines.insert(0, f"You are at {level.player}. Boxes at: {', '.join(map(str, sorted(level.boxes)))}. "
                            f"Goals at: {', '.join(map(str, sorted(level.goals)))}.")
        return "\n".join(lines)

    def board_text(self) -> str:
        """The board in XSB symbols with row numbers on the left and column numbers on top."""
        level = self.level
        width = len(str(level.rows - 1))
        header = []
        if level.cols > 10:
            header.append(" " * (width + 1) + "".join(str(c // 10) if c >= 10 else " " for c in range(level.cols)))
        header.append(" " * (width + 1) + "".join(str(c % 10) for c in range(level.cols)))
        rows = [f"{r:>{width}} {line}" for r, line in enumerate(level.to_text().splitlines())]
        return "\n".join(header + rows)

    def _render_text(self) -> str:
        return f"{self.board_text()}\nLegend: {LEGEND}.\n{self._status()}"

    def _render_image(self, agent: str | None) -> np.ndarray:
        return draw_level(self.level, self.image_size)


# ---------------------------------------------------------------------- the scripted player

def scripted_move(env: Any, agent: str) -> str:
    """A solver: the first move of an optimal solution from the current position (any legal move where the
    solver finds none within its budget)."""
    game = env.unwrapped
    solution = solve(game.level)
    return solution[0] if solution else legal_moves(game.level)[0]
