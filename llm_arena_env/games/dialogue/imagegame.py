"""dialogue/imagegame: clembench's image game. A giver describes a letter grid, a follower redraws it.

Make it::

    env = llm_arena_env.make("dialogue/imagegame")          # the shipped instances
    env.reset(seed=0, options={"instance": ("compact_grids", 3)})

Roles and turns (players ``giver``, ``follower``):

- ``giver`` sees the 5x5 target grid (letters and "▢" for empty cells) and sends one instruction per turn,
  one line: ``Command: put an X in the top left``. ``Command: DONE`` ends the game. The tag and
  DONE are read in any case; a reply over several lines, or without the tag, is a format violation (as
  clembench's instance patterns say; an instance's own ``player_1_response_pattern``,
  ``player_1_terminate_pattern`` and ``player_2_response_pattern`` are used where it has them, and
  clembench's older files, whose prompts say ``Instruction:``, are read with that tag).
- ``follower`` gets each instruction as it was written and replies with the whole grid so far and nothing
  else: 5 lines of 5 cells (A-Z or ▢) separated by single spaces (blank lines around it are allowed).
- After each grid the giver is asked "What is your next command?". At most ``2 * grid_size ** 2`` turns
  (``max_rounds``; clembench's limit) are played; then the game ends as if the giver had said DONE.

Outcomes: a format violation by either player aborts the episode (Main Score NaN). Otherwise the last
drawn grid is scored against the target: precision over the drawn letters, recall over the target's
letters (letters compared without case), F1; each 0-100, rounded as clembench rounds them.
Main Score = F1; Success when F1 >= 99, else Lose. An episode ended by DONE before any grid scores 0.

Measures in ``infos[p]["scores"]``: ``Precision``, ``Recall``, ``F1``, ``Average Changed Cell Count`` (cells
changed per turn), ``Average Generated Instruction Length`` (characters), ``Average Generated Expression
Number of Tokens`` (words); NaN when aborted.

Keywords of ``make`` (defaults): ``grid_size=5`` (an instance's ``grid_dimension`` wins),
``max_rounds=None`` (2 * grid_size ** 2), ``instances`` (a path or dict in clembench's layout; clembench's own
imagegame files load and play, their prompt headers included), plus DialogueEnv's and TextEnv's keywords.

Instances: experiments ``compact_grids`` (curated shapes in ``resources/imagegame/grids.json``, one random
letter each) and ``random_grids`` (5 to 10 random cells of one letter), from :func:`generate_instances`.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from llm_arena_env.games.dialogue import imagegame_rules as rules
from llm_arena_env.games.dialogue.base import DialogueEnv, IllegalAction

RESOURCES = Path(__file__).parent / "resources" / "imagegame"
NEXT_QUESTION = "What is your next command?"

GIVER_HEADER = """Let us play a drawing game. There is an empty grid of {size} by {size} cells:

{empty}

Cells can hold letters. Here is an example of a filled grid:

{example}

Describe the grid I give you to your partner, one step at a time, so that they can draw it. You do not need \
to mention the empty cells (shown as "▢"); only say where the letters are. After each step, wait until I ask \
"What is your next command?", then give the next step. Keep the size of the grid in mind. When you have \
described everything, say "Command: DONE".

For the example grid, the steps could be:

What is your next instruction?
Command: Put an E in the second row, third column

What is your next instruction?
Command: Fill the whole last row with X

What is your next instruction?
Command: DONE

Always answer with one line that starts with "Command:". Here is your grid, {size} by {size}:"""

FOLLOWER_HEADER = """Let us draw together. We start from an empty grid of {size} by {size} cells:

{empty}

I will give you instructions such as "put an X in the top left corner". Apply each instruction to the grid \
and answer with the whole grid, like this:

Command: put an X in the top left corner

X ▢ ▢ ▢ ▢
▢ ▢ ▢ ▢ ▢
▢ ▢ ▢ ▢ ▢
▢ ▢ ▢ ▢ ▢
▢ ▢ ▢ ▢ ▢

Use capital letters and "▢" for empty cells. After each instruction, answer with the grid only and no \
other text."""

_EXAMPLE = (("▢",) * 5, ("▢", "▢", "E", "▢", "▢"), ("▢",) * 5, ("▢",) * 5, ("X",) * 5)
_MEASURES = ("Precision", "Recall", "F1", "Average Changed Cell Count", "Average Generated Instruction Length",
             "Average Generated Expression Number of Tokens")


def generate_instances(seed: int = 0) -> dict:
    """The shipped instance set: see :func:`imagegame_rules.generate_instances`."""
    patterns = json.loads((RESOURCES / "grids.json").read_text(encoding="utf-8"))
    return rules.generate_instances(patterns, seed)


class ImageGameEnv(DialogueEnv):
    """clembench's image game (see the module docstring)."""

    game_name = "imagegame"

    def __init__(self, grid_size: int = 5, max_rounds: int | None = None, **kwargs: Any):
        if not isinstance(grid_size, int) or not 2 <= grid_size <= 26:
            raise ValueError(f"grid_size must be an int from 2 to 26, got {grid_size!r}")
        if max_rounds is not None and (not isinstance(max_rounds, int) or max_rounds < 1):
            raise ValueError(f"max_rounds must be None or an int >= 1, got {max_rounds!r}")
        self.grid_size = grid_size
        self.max_rounds = max_rounds
        super().__init__(["giver", "follower"], **kwargs)

    # ------------------------------------------------------------------ game

    def _setup(self, instance: dict[str, Any], experiment: dict[str, Any]) -> None:
        if not instance.get("target_grid"):
            raise ValueError("an imagegame instance needs 'target_grid'")
        self.size = int(instance.get("grid_dimension", self.grid_size))
        self.target = rules.text_to_grid(instance["target_grid"])
        self.rounds_limit = self.max_rounds or 2 * self.size * self.size  # clembench's limit
        # the instance's own reply patterns; clembench's older files (no patterns) used "Instruction:"
        header = instance.get("player_1_prompt_header") or ""
        tag = rules.INSTRUCTION_TAG if rules.INSTRUCTION_TAG in header else rules.COMMAND_TAG
        defaults = rules.instruction_patterns(tag)
        self.giver_patterns = (instance.get("player_1_response_pattern") or defaults[0],
                               instance.get("player_1_terminate_pattern") or defaults[1])
        self.grid_pattern = instance.get("player_2_response_pattern")  # case-sensitive, as clembench reads it
        self.tag = tag
        self.round = 0
        self.drawn: rules.Grid | None = None
        self.instructions: list[str] = []
        self.changed: list[int] = []
        self.to_move = "giver"
        empty = rules.grid_to_text(rules.empty_grid(self.size))
        giver = instance.get("player_1_prompt_header") or GIVER_HEADER.format(
            size=self.size, empty=empty, example=rules.grid_to_text(_EXAMPLE))
        self.follower_header = instance.get("player_2_prompt_header") or FOLLOWER_HEADER.format(size=self.size, empty=empty)
        self.question = instance.get("player_1_question") or NEXT_QUESTION
        self.tell("giver", f"{giver}\n{rules.grid_to_text(self.target)}\n{self.question}")

    def _current_agent(self) -> str:
        return self.to_move

    def _parse_action(self, agent: str, text: str) -> Any:
        if agent == "giver":
            instruction = rules.parse_instruction(text, self.giver_patterns)
            if instruction is None:
                raise IllegalAction(f"reply with one line that starts with '{self.tag}', or '{self.tag} DONE'")
            return instruction
        if self.grid_pattern:
            grid = rules.text_to_grid(text) if re.match(self.grid_pattern, text) else None
        else:
            grid = rules.parse_drawn_grid(text, self.size)
        if grid is None:
            raise IllegalAction(f"reply with the grid only: {self.size} lines of {self.size} cells (A-Z or ▢) "
                                "separated by single spaces")
        return grid

    def _play(self, agent: str, move: Any) -> None:
        if agent == "giver":
            if move.done:
                self._score("the giver said DONE")
                return
            self.instructions.append(move.text)
            self.tell("follower", f"{self.follower_header}\n{move.text}" if self.round == 0 else move.text)
            self.to_move = "follower"
            return
        self.changed.append(rules.changed_cells(self.drawn or rules.empty_grid(self.size), move))
        self.drawn = move
        self.round += 1
        if self.round >= self.rounds_limit:
            self._score(f"played all {self.rounds_limit} turns")
            return
        self.tell("giver", self.question)
        self.to_move = "giver"

    def _score(self, detail: str) -> None:
        score = rules.score_grid(self.target, self.drawn) if self.drawn else rules.GridScore(0.0, 0.0, 0.0)
        turns = max(1, self.round)
        expressions = [i[len(self.tag):].strip() for i in self.instructions]
        measures = {
            "Precision": score.precision,
            "Recall": score.recall,
            "F1": score.f1,
            "Average Changed Cell Count": round(sum(self.changed) / turns, 4),
            "Average Generated Instruction Length": round(sum(len(e) for e in expressions) / turns, 4),
            "Average Generated Expression Number of Tokens": round(sum(len(e.split(" ")) for e in expressions) / turns, 4),
        }
        self.end_game(success=score.f1 >= 99, main_score=score.f1, detail=detail, measures=measures)

    def _measures(self) -> dict[str, float]:
        # What an aborted episode reports (clembench: NaN); a played ending passes the real values.
        return {name: math.nan for name in _MEASURES}

    # ------------------------------------------------------------------ display

    def _render_text(self) -> str:
        drawn = rules.grid_to_text(self.drawn) if self.drawn else "(nothing drawn yet)"
        return f"{super()._render_text()}\n\ntarget:\n{rules.grid_to_text(self.target)}\n\ndrawn:\n{drawn}"


# ---------------------------------------------------------------------- the scripted player

def scripted_move(env: Any, agent: str) -> str:
    """A winning pair: the giver dictates the target one row per turn, then says DONE; the follower draws
    the rows dictated so far."""
    game = env.unwrapped
    rows = [i for i, row in enumerate(game.target) if any(cell != rules.EMPTY for cell in row)] or [0]
    if agent == "giver":
        if game.round >= len(rows):
            return f"{game.tag} {rules.DONE_WORD}"
        return f"{game.tag} Row {rows[game.round] + 1} is {' '.join(game.target[rows[game.round]])}"
    told = set(rows[: game.round + 1])
    drawn = tuple(game.target[i] if i in told else tuple(rules.EMPTY for _ in range(game.size))
                  for i in range(game.size))
    return rules.grid_to_text(drawn)
