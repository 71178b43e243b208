"""Pure rules of the image game: grids, the two reply formats, the F1 score, the instance generator.

A grid is a tuple of rows, each a tuple of cells; a cell is an upper-case letter or :data:`EMPTY` ("▢").
In text a grid is one row per line, cells separated by one space, as clembench writes it.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Mapping, Sequence

EMPTY = "▢"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
COMMAND_TAG = "Command:"  # clembench's current tag; its v0.9/v1.0 files used "Instruction:"
INSTRUCTION_TAG = "Instruction:"
DONE_WORD = "DONE"

Grid = tuple[tuple[str, ...], ...]

_CELL = f"[A-Z{EMPTY}]"


def empty_grid(size: int = 5) -> Grid:
    return tuple(tuple(EMPTY for _ in range(size)) for _ in range(size))


def grid_to_text(grid: Grid) -> str:
    return "\n".join(" ".join(row) for row in grid)


def text_to_grid(text: str) -> Grid:
    """A grid from its text (a target grid from an instance file); rows may be surrounded by blank lines."""
    rows = [line.split() for line in text.strip().split("\n") if line.strip()]
    return tuple(tuple(cells) for cells in rows)


def parse_drawn_grid(text: str, size: int = 5) -> Grid | None:
    """The follower's reply as a grid, or None when it is not exactly a ``size`` x ``size`` grid.

    clembench's pattern: optional blank lines, then ``size`` lines of ``size`` cells (A-Z or ▢), the cells
    separated by one whitespace character, then optional blank lines. Nothing else may be in the reply.
    """
    row_pattern = re.compile(rf"(?:{_CELL}\s){{{size - 1}}}{_CELL}")
    lines = text.strip("\n").split("\n")
    if len(lines) != size or not all(row_pattern.fullmatch(line) for line in lines):
        return None
    return tuple(tuple(line[0::2]) for line in lines)


@dataclass(frozen=True)
class Instruction:
    """What the giver said: an instruction to relay, or DONE."""

    text: str  # the line as sent, "Command: put an X in the top left"
    done: bool


def instruction_patterns(tag: str = COMMAND_TAG) -> tuple[str, str]:
    """The giver's reply patterns for ``tag`` (``(instruction, done)``), read as clembench's current
    instances read theirs: the tag at the very start in any case, one space, the rest of that one line;
    DONE alone after the tag (spaces around allowed, nothing else, not even a dot)."""
    word = re.escape(tag.rstrip(":"))
    return rf"{word}: [^\n]+\n?\Z", rf"\s*{word}\s*:\s*done\s*\Z"


def parse_instruction(reply: str, patterns: tuple[str, str] | None = None) -> Instruction | None:
    """The giver's reply, or None when it breaks the format.

    ``patterns``: ``(instruction, done)`` regular expressions, matched at the start of the raw reply in any
    case (an instance's ``player_1_response_pattern`` and ``player_1_terminate_pattern``); by default
    :func:`instruction_patterns` of ``Command:``. The instruction relayed is the reply's first line.
    """
    instruction, done = patterns or instruction_patterns()
    if re.match(done, reply, re.IGNORECASE):
        return Instruction(reply, done=True)
    if re.match(instruction, reply, re.IGNORECASE):
        return Instruction(reply.split("\n")[0], done=False)
    return None


@dataclass(frozen=True)
class GridScore:
    """Precision, recall and F1 of a drawn grid, each 0-100 and rounded as clembench rounds them."""

    precision: float
    recall: float
    f1: float


def score_grid(target: Grid, drawn: Grid) -> GridScore:
    """clembench's cell scores: recall over the target's letters, precision over the drawn letters.

    Letters are compared without case. A grid of another size scores 0; so does an empty drawing (clembench
    divides by zero there and keeps the previous turn's score; 0 is the honest value).
    """
    if len(target) != len(drawn) or any(len(a) != len(b) for a, b in zip(target, drawn)):
        return GridScore(0.0, 0.0, 0.0)
    pairs = [(t.lower(), d.lower()) for t_row, d_row in zip(target, drawn) for t, d in zip(t_row, d_row)]
    target_letters = [(t, d) for t, d in pairs if t != EMPTY.lower()]
    drawn_letters = [(t, d) for t, d in pairs if d != EMPTY.lower()]
    recall = round(sum(t == d for t, d in target_letters) / len(target_letters), 4) if target_letters else 0.0
    precision = round(sum(t == d for t, d in drawn_letters) / len(drawn_letters), 4) if drawn_letters else 0.0
    f1 = 0.0 if precision == 0 or recall == 0 else round(2 * precision * recall / (precision + recall), 4)
    return GridScore(round(100 * precision), round(100 * recall), round(100 * f1))


def changed_cells(before: Grid, after: Grid) -> int:
    """How many cells differ between two grids of the same size (letters compared without case)."""
    return sum(a.lower() != b.lower() for row_a, row_b in zip(before, after) for a, b in zip(row_a, row_b))


# ---------------------------------------------------------------------------------------------- instances

EXPERIMENTS = ("compact_grids", "random_grids")


def compact_grid(pattern: Sequence[str], letter: str) -> Grid:
    """A curated pattern (rows of "X" and "." strings) drawn with ``letter``."""
    return tuple(tuple(letter if c == "X" else EMPTY for c in row) for row in pattern)


def random_grid(rng: random.Random, letters: int, letter: str, size: int = 5) -> Grid:
    """``letters`` random cells set to ``letter`` (cells may repeat, so fewer can be filled, as in clembench)."""
    cells = [[EMPTY] * size for _ in range(size)]
    for _ in range(min(size * size, letters)):
        cells[rng.randrange(size)][rng.randrange(size)] = letter
    return tuple(tuple(row) for row in cells)


def generate_instances(patterns: Mapping[str, Sequence[str]], seed: int, per_experiment: int | None = None) -> dict:
    """clembench's two experiments: the curated compact patterns, and random grids of 5 to 10 cells.

    Each curated pattern gets a random letter; its random twin gets as many cells (at most 10) in another
    random letter. Returns clembench's ``instances.json`` layout.
    """
    rng = random.Random(seed)
    names = sorted(name for name in patterns if not name.startswith("_"))  # "_about" notes
    if per_experiment is not None:
        names = names[:per_experiment]
    compact, scattered = [], []
    for name in names:
        letter = rng.choice(ALPHABET)
        compact.append((name, compact_grid(patterns[name], letter)))
        filled = sum(row.count("X") for row in patterns[name])
        scattered.append((f"random_{len(scattered)}", random_grid(rng, rng.randint(5, max(5, min(filled, 10))), letter)))
    experiments = []
    for experiment, grids in zip(EXPERIMENTS, (compact, scattered)):
        instances = [
            {
                "game_id": game_id,
                "name": name,
                "target_grid": grid_to_text(grid),
                "grid_dimension": len(grid),
                "number_of_letters": sum(cell != EMPTY for row in grid for cell in row),
            }
            for game_id, (name, grid) in enumerate(grids)
        ]
        experiments.append({"name": experiment, "game_instances": instances})
    return {"experiments": experiments}
