"""Reference game (clembench): describe one of three 5x5 grids so that the other player picks it out.

>>> env = llm_arena_env.make("dialogue/referencegame")                           # grids as text
>>> env = llm_arena_env.make("dialogue/referencegame", observation_mode="image")  # grids as a picture

Players: ``describer`` sees the target grid and two distractors and replies ``Expression: <description>``;
``guesser`` sees the three grids in another order, gets the expression and replies ``Answer: first``,
``Answer: second`` or ``Answer: third``. One exchange per episode.

Formats (``mode="strict"``, clembench's default, as its English patterns read them): the raw reply starts
with the tag (any case; no leading space), the expression is one line, the answer is the tag and a label
(``first``/``second``/``third`` or ``1``/``2``/``3``), the rest of its line free, no further line.
``mode="liberal"``: the tag may be missing or anywhere and more text may follow; the first label counts.

Outcomes: a reply out of format aborts (Main Score NaN); the right grid: Success, Main Score 100; a wrong
one: Lose, Main Score 0. Measures: ``Generated Expression Length`` (characters), ``Generated Expression
Number of Tokens`` (space-separated), ``Aborted at Player 1``, ``Aborted at Player 2``.

Observations: with ``observation_mode="image"`` the grids are not in the text but drawn in the
observation's picture (the describer's: target, distractor, distractor; the guesser's: first, second,
third); ``"text+image"`` has both. This is also clembench's multimodal reference game.

Grids (``X`` filled, ``▢`` empty) come in six categories, the experiments: rows, columns, diagonals and
random fills (generated), letters and shapes (curated in ``resources/referencegame/shapes.json``). The two
distractors of a target are the grids of its category nearest to it (fewest differing cells). Instances
use clembench's keys (``player_1_target_grid``, ``player_2_first_grid``, ..., ``target_grid_name``); a
clembench referencegame ``instances.json`` plays unchanged, with its own prompt headers, its own reply
patterns (``player_1_response_pattern``, ``player_2_response_pattern``, matched at the start of the raw
reply in any case, so ``Answer: 3`` is fine where the pattern allows it) and modes (``p1_mode``,
``p2_mode``), and its target names (a list such as ``["first", "1"]``, or the text of one).
"""

from __future__ import annotations

import ast
import itertools
import json
import random
import re
from typing import Any, Sequence

import numpy as np

from llm_arena_env.games.dialogue.base import DialogueEnv, IllegalAction
from llm_arena_env.games.dialogue.draw import draw_grids
from llm_arena_env.games.dialogue.instances import RESOURCES

ORDINALS = ("first", "second", "third")
FILLED, EMPTY = "X", "▢"
SIZE = 5

DESCRIBER_PROMPT = """Let's play a game. You see three grids. Another player sees the same three grids, in a different order, and has to find the target grid from your description alone.
{grids}
Describe the target grid so that it can be told apart from the other two. Reply with one line that starts with "Expression:" followed by your description, and nothing else."""

GUESSER_PROMPT = """Let's play a game. You see three grids. Another player sees them too and describes one of them.
{grids}
The other player's description:
{expression}

Which grid is described? Reply with exactly one of "Answer: first", "Answer: second" or "Answer: third", and nothing else."""


# ---------------------------------------------------------------------- grids, testable alone

def grid_text(bitmap: Sequence[str]) -> str:
    """A text grid from rows of "X" and ".": cells separated by spaces, rows by newlines."""
    return "\n".join(" ".join(FILLED if cell == "X" else EMPTY for cell in row) for row in bitmap)


def _bitmap(cells: set[tuple[int, int]]) -> list[str]:
    return ["".join("X" if (r, c) in cells else "." for c in range(SIZE)) for r in range(SIZE)]


def line_grids(columns: bool) -> list[str]:
    """Every grid with one or two full rows (or columns) filled."""
    grids = []
    for count in (1, 2):
        for lines in itertools.combinations(range(SIZE), count):
            cells = {(i, line) if columns else (line, i) for line in lines for i in range(SIZE)}
            grids.append(grid_text(_bitmap(cells)))
    return grids


def diagonal_grids() -> list[str]:
    """The two diagonals, both together, and the diagonals shifted by one cell."""
    down = {(i, i) for i in range(SIZE)}
    up = {(i, SIZE - 1 - i) for i in range(SIZE)}
    shapes = [down, up, down | up]
    for shift in (1, -1):
        shapes.append({(r, c + shift) for r, c in down if 0 <= c + shift < SIZE})
        shapes.append({(r, c + shift) for r, c in up if 0 <= c + shift < SIZE})
    return [grid_text(_bitmap(cells)) for cells in shapes]


def random_grids(rng: random.Random, count: int = 12, filled: int = 10) -> list[str]:
    """``count`` different grids with ``filled`` random cells each."""
    grids: list[str] = []
    all_cells = [(r, c) for r in range(SIZE) for c in range(SIZE)]
    while len(grids) < count:
        grid = grid_text(_bitmap(set(rng.sample(all_cells, filled))))
        if grid not in grids:
            grids.append(grid)
    return grids


def distance(a: str, b: str) -> int:
    """How many cells differ between two grids of the same shape."""
    return sum(x != y for x, y in zip(a.split(), b.split()))


def nearest_distractors(grids: Sequence[str], target: int) -> tuple[int, int]:
    """The indices of the two grids nearest to ``grids[target]`` (ties: the earlier one)."""
    others = sorted((distance(grids[target], g), i) for i, g in enumerate(grids) if i != target)
    return others[0][1], others[1][1]


def grid_categories(rng: random.Random) -> dict[str, list[str]]:
    """Every category of grids: the experiments of the reference game."""
    shapes = json.loads((RESOURCES / "referencegame" / "shapes.json").read_text(encoding="utf-8"))
    return {
        "line_grids_rows": line_grids(columns=False),
        "line_grids_columns": line_grids(columns=True),
        "diagonal_grids": diagonal_grids(),
        "letter_grids": [grid_text(b) for b in shapes["letter_grids"].values()],
        "shape_grids": [grid_text(b) for b in shapes["shape_grids"].values()],
        "random_grids": random_grids(rng),
    }


# ---------------------------------------------------------------------- formats, testable alone

def parse_expression(text: str, strict: bool = True) -> str:
    """The expression of ``Expression: <one line>``; raises IllegalAction otherwise.

    Strict (clembench's rule): the raw reply starts with the tag (any case), some text follows on the
    tag's line (or the next), and nothing but newlines after that line."""
    if strict:
        match = re.match(r"expression:\s*(?P<content>[^\n]+)\n*(?P<rest>[\s\S]*)", text, re.IGNORECASE)
        if match is None:
            raise IllegalAction("the reply must start with 'Expression:' followed by the description")
        if match.group("rest"):
            raise IllegalAction("the expression must be a single line, with nothing after it")
        return match.group("content").strip()
    reply = text.strip()
    match = re.search(r"expression:\s*(?P<content>[^\n]+)", reply, re.IGNORECASE) or re.match(r"(?P<content>[^\n]+)", reply)
    if match is None or not any(ch.isalnum() for ch in match.group("content")):
        raise IllegalAction("the reply must give a description, after 'Expression:'")
    return match.group("content").strip()


def parse_answer(text: str, strict: bool = True) -> str:
    """"first", "second" or "third" from ``Answer: <ordinal>``; raises IllegalAction otherwise.

    Strict (clembench's rule): the raw reply starts with the tag (any case) and a label, "first", "second",
    "third" or the digits 1-3; the rest of that line is free, no other line may follow."""
    if strict:
        match = re.match(r"answer:\s*(first|second|third|1|2|3)[^\n]*\n*(?P<rest>[\s\S]*)", text, re.IGNORECASE)
        if match is None or match.group("rest"):
            raise IllegalAction("the reply must be 'Answer: first', 'Answer: second' or 'Answer: third'")
    else:
        match = re.search(r"\b(first|second|third|1|2|3)\b", text.strip(), re.IGNORECASE)
        if match is None:
            raise IllegalAction("the reply must be 'Answer: first', 'Answer: second' or 'Answer: third'")
    label = match.group(1).lower()
    return ORDINALS[int(label) - 1] if label.isdigit() else label


def match_pattern(pattern: str, text: str, strict: bool) -> re.Match:
    """A clembench instance's response pattern, applied as its game master does: matched at the start of the
    raw reply, any case; in strict mode its ``remainder`` group must be empty. Raises IllegalAction."""
    match = re.compile(pattern, re.IGNORECASE).match(text)
    if match is None:
        raise IllegalAction(f"the reply does not match the instance's pattern {pattern!r}")
    if strict and (match.groupdict().get("remainder") or ""):
        raise IllegalAction("nothing may follow the expected reply (strict mode)")
    return match


def target_names(value: Any) -> tuple[str, ...]:
    """The names the target grid answers to: clembench stores a list (``["first", "1"]``), older files the
    text of one (``"['first', '1']"``) or a single name."""
    if isinstance(value, str) and value.strip().startswith("["):
        value = ast.literal_eval(value.strip())
    names = value if isinstance(value, (list, tuple)) else [value]
    return tuple(str(name).strip().lower() for name in names)


# ---------------------------------------------------------------------- the env

class ReferenceGameEnv(DialogueEnv):
    """The reference game; see the module docstring."""

    game_name = "referencegame"
    metadata = {**DialogueEnv.metadata, "name": "referencegame"}
    has_picture = True

    def __init__(self, mode: str = "strict", **kwargs: Any):
        if mode not in ("strict", "liberal"):
            raise ValueError(f"mode must be 'strict' or 'liberal', got {mode!r}")
        self.strict = mode == "strict"
        super().__init__(["describer", "guesser"], **kwargs)

    def _setup(self, instance: dict[str, Any], experiment: dict[str, Any]) -> None:
        try:
            self.describer_grids = [instance[f"player_1_{k}_grid"] for k in ("target", "second", "third")]
            self.guesser_grids = [instance[f"player_2_{k}_grid"] for k in ORDINALS]
            self.target_names = target_names(instance["target_grid_name"])
        except KeyError as missing:
            raise ValueError(f"a referencegame instance needs {missing}") from None
        self.target_name = next((n for n in self.target_names if n in ORDINALS), self.target_names[0])
        # a clembench instance's own reply patterns and modes (absent in ours: the parsers above apply)
        self.patterns = (instance.get("player_1_response_pattern"), instance.get("player_2_response_pattern"))
        default = "strict" if self.strict else "liberal"
        self.modes = (instance.get("p1_mode", default) == "strict", instance.get("p2_mode", default) == "strict")
        self.expression: str | None = None
        self.answer: str | None = None
        self._header = instance.get("player_2_prompt_header")  # a clembench instance's own prompts
        self._images: dict[Any, np.ndarray] = {}
        prompt = instance.get("player_1_prompt_header") or DESCRIBER_PROMPT.format(grids=self._grids_text("describer"))
        self.tell("describer", prompt)

    def _grids_text(self, agent: str) -> str:
        if self.observation_mode == "image":
            names = "the target, then the two others" if agent == "describer" else "first, second and third"
            return f"\nThe grids are shown in the image, from left to right: {names}.\n"
        if agent == "describer":
            labels = ("Target grid", "Distractor grid 1", "Distractor grid 2")
            grids = self.describer_grids
        else:
            labels = ("First grid", "Second grid", "Third grid")
            grids = self.guesser_grids
        return "".join(f"\n{label}:\n{grid}\n" for label, grid in zip(labels, grids))

    def _current_agent(self) -> str:
        return "describer" if self.expression is None else "guesser"

    def _parse_action(self, agent: str, text: str) -> str:
        seat = 0 if agent == "describer" else 1
        if self.patterns[seat]:
            match = match_pattern(self.patterns[seat], text, self.modes[seat])
            # clembench passes the whole expression reply on, and reads the answer's label
            return text if seat == 0 else str(match.groupdict().get("response", match.group(0))).strip().lower()
        return parse_expression(text, self.strict) if agent == "describer" else parse_answer(text, self.strict)

    def _play(self, agent: str, move: str) -> None:
        if agent == "describer":
            self.expression = move
            reply = move if self.patterns[0] else f"Expression: {move}"
            if self._header:
                self.tell("guesser", self._header.replace("TARGET_EXPRESSION", reply))
            else:
                self.tell("guesser", GUESSER_PROMPT.format(grids=self._grids_text("guesser"), expression=reply))
            return
        self.answer = move
        success = move in self.target_names
        self.end_game(success=success, main_score=100.0 if success else 0.0,
                      detail=f"picked the {move} grid; the target was the {self.target_name}")

    def _measures(self) -> dict[str, float]:
        expression = self.expression
        return {
            "Generated Expression Length": float("nan") if expression is None else len(expression),
            "Generated Expression Number of Tokens": float("nan") if expression is None else len(expression.split(" ")),
            "Aborted at Player 1": int(self.aborted and expression is None),
            "Aborted at Player 2": int(self.aborted and expression is not None),
        }

    def _render_image(self, agent: str | None) -> np.ndarray:
        if agent not in self._images:
            if agent == "describer":
                picture = draw_grids(self.describer_grids, ("target", "other", "other"), self.image_size, highlight=0)
            else:
                target = ORDINALS.index(self.target_name) if agent is None and self.target_name in ORDINALS else None
                picture = draw_grids(self.guesser_grids, ORDINALS, self.image_size, highlight=target)
            self._images[agent] = picture
        return self._images[agent]


# ---------------------------------------------------------------------- instances

def generate_instances(seed: int = 0, targets_per_category: int = 4) -> dict[str, Any]:
    """Per grid category, ``targets_per_category`` targets, each with its two nearest distractors and the
    target in each of the three positions for the guesser."""
    rng = random.Random(seed)
    experiments = []
    for category, grids in grid_categories(rng).items():
        instances = []
        for target in sorted(rng.sample(range(len(grids)), min(targets_per_category, len(grids)))):
            second, third = nearest_distractors(grids, target)
            described = [grids[target], grids[second], grids[third]]
            for position in range(3):
                shown = [described[1], described[2]]
                shown.insert(position, described[0])
                instances.append({
                    "game_id": len(instances),
                    "player_1_target_grid": described[0], "player_1_second_grid": described[1],
                    "player_1_third_grid": described[2],
                    "player_2_first_grid": shown[0], "player_2_second_grid": shown[1], "player_2_third_grid": shown[2],
                    "target_grid_name": ORDINALS[position],
                })
        experiments.append({"name": category, "game_instances": instances})
    return {"experiments": experiments}


# ---------------------------------------------------------------------- the scripted player

def scripted_move(env: Any, agent: str) -> str:
    """A winning pair: the describer names the filled cells of the target's first row, the guesser picks
    the grid that is the describer's target (as a perfect reader of the expression would)."""
    game = env.unwrapped
    if agent == "describer":
        first_row = str(game.describer_grids[0]).strip().splitlines()[0]
        return f"Expression: the grid whose first row reads {first_row}"
    target = game.describer_grids[0]
    label = ORDINALS[game.guesser_grids.index(target)] if target in game.guesser_grids else game.target_name
    return f"Answer: {label}"
