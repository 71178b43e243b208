"""Pure rules of matchit_ascii: the turn script, the reply flags and decisions, grid pairs and instances.

Grids are 5 lines of 5 cells, "X" or "▢", separated by spaces (clembench's ASCII grids).
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass
from typing import Mapping, Sequence

EMPTY = "▢"
DEFAULT_FLAGS = {"description": "DESCRIPTION:", "question": "QUESTION:", "answer": "ANSWER:", "decision": "DECISION:"}
SAME, DIFFERENT = "same grid", "different grids"  # clembench's decision labels for the ASCII version


class Move(str, enum.Enum):
    """What a reply must be at a step; its value is the key of its flag."""

    DESCRIPTION = "description"
    QUESTION = "question"
    ANSWER = "answer"
    DECISION = "decision"


@dataclass(frozen=True)
class Step:
    player: str  # "a" or "b"
    move: Move


def script(decision_turn: int) -> tuple[Step, ...]:
    """clembench's order of replies for a game that decides in round ``decision_turn``.

    Round 0: A describes, B describes and asks. Rounds 1 to decision_turn: each answers the other's last
    question and asks one (each asks ``decision_turn`` questions in all), except that in the decision round
    B answers and then decides. Last, A decides.
    """
    steps = [Step("a", Move.DESCRIPTION), Step("b", Move.DESCRIPTION), Step("b", Move.QUESTION)]
    for round_ in range(1, decision_turn + 1):
        steps += [Step("a", Move.ANSWER), Step("a", Move.QUESTION), Step("b", Move.ANSWER)]
        steps.append(Step("b", Move.DECISION if round_ == decision_turn else Move.QUESTION))
    steps.append(Step("a", Move.DECISION))
    return tuple(steps)


def first_word(reply: str) -> str | None:
    """The first space-separated word of the first non-empty line (clembench reads the flag there)."""
    lines = [line for line in reply.strip().split("\n") if line]
    return lines[0].split(" ")[0] if lines else None


def has_flag(reply: str, flag: str) -> bool:
    return first_word(reply) == flag


def read_decision(reply: str, flag: str, same: str, different: str) -> bool | None:
    """True for "same", False for "different", None for anything else. The whole reply must be the flag and
    one label (case-insensitive, dots and newlines around it ignored), as clembench compares it."""
    text = reply.strip().lower().strip(".\n")
    if text == f"{flag} {same}".lower():
        return True
    if text == f"{flag} {different}".lower():
        return False
    return None


# ---------------------------------------------------------------------------------------------- grids

Grid = tuple[str, ...]  # rows of "X" and "." (the curated form)


def to_text(grid: Grid) -> str:
    return "\n".join(" ".join("X" if c == "X" else EMPTY for c in row) for row in grid)


def normalize(text: str) -> str:
    """A grid text without surrounding blank lines and with single spaces, for comparing two grids."""
    return "\n".join(" ".join(line.split()) for line in text.strip().split("\n") if line.strip())


def flip_rows(grid: Grid) -> Grid:  # mirror along the horizontal axis
    return tuple(reversed(grid))


def flip_columns(grid: Grid) -> Grid:  # mirror along the vertical axis
    return tuple(row[::-1] for row in grid)


def turn(grid: Grid) -> Grid:  # a quarter turn clockwise
    return tuple("".join(grid[len(grid) - 1 - r][c] for r in range(len(grid))) for c in range(len(grid[0])))


def edit_two(rng: random.Random, grid: Grid) -> Grid:
    """The grid with two distinct random cells inverted."""
    cells = [list(row) for row in grid]
    for index in rng.sample(range(len(grid) * len(grid[0])), 2):
        r, c = divmod(index, len(grid[0]))
        cells[r][c] = "." if cells[r][c] == "X" else "X"
    return tuple("".join(row) for row in cells)


EXPERIMENTS = ("same_grid", "similar_grid_1", "similar_grid_2", "different_grid")


def make_pair(rng: random.Random, grids: Mapping[str, Grid], experiment: str, name: str) -> tuple[Grid, Grid]:
    """A pair for one difficulty: the same grid; a flipped or turned copy that differs (similar_grid_1);
    a copy with two cells inverted (similar_grid_2); or another grid (different_grid)."""
    grid = grids[name]
    if experiment == "same_grid":
        return grid, grid
    if experiment == "similar_grid_1":
        variants = [v for v in (flip_rows(grid), flip_columns(grid), turn(grid)) if v != grid]
        if not variants:
            raise ValueError(f"grid {name!r} looks the same flipped and turned")
        return grid, rng.choice(variants)
    if experiment == "similar_grid_2":
        return grid, edit_two(rng, grid)
    other = rng.choice([n for n in sorted(grids) if grids[n] != grid])
    return grid, grids[other]


def generate_instances(grids: Mapping[str, Sequence[str]], seed: int, per_experiment: int = 10,
                       decision_turn: int = 3) -> dict:
    """clembench's four difficulties, ``per_experiment`` pairs each, in its ``instances.json`` layout (the
    decision labels as the experiment's ``solution`` and ``wrong_solution``)."""
    rng = random.Random(seed)
    grids = {n: tuple(g) for n, g in grids.items() if not n.startswith("_")}
    asymmetric = sorted(n for n, g in grids.items() if len({g, flip_rows(g), flip_columns(g), turn(g)}) > 1)
    experiments = []
    for experiment in EXPERIMENTS:
        pool = asymmetric if experiment == "similar_grid_1" else sorted(grids)
        instances = []
        for game_id, name in enumerate(rng.sample(pool, per_experiment)):
            grid_a, grid_b = make_pair(rng, grids, experiment, name)
            if rng.random() < 0.5:  # who holds the original should not matter
                grid_a, grid_b = grid_b, grid_a
            instances.append({"game_id": game_id, "grid_a": to_text(grid_a), "grid_b": to_text(grid_b),
                              "decision_turn": decision_turn})
        solution = SAME if experiment == "same_grid" else DIFFERENT
        experiments.append({"name": experiment, "flags": dict(DEFAULT_FLAGS), "solution": solution,
                            "wrong_solution": DIFFERENT if solution == SAME else SAME, "game_instances": instances})
    return {"experiments": experiments}
