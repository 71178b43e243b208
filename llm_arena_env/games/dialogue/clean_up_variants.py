"""clembench's clean up in its other modalities, each a game under clembench's name (its ``clemgame.json``).

Make them::

    env = llm_arena_env.make("dialogue/st_clean_up", instances="/path/to/clembench/clean_up/in/st_instances.json")
    env = llm_arena_env.make("dialogue/hybrid_clean_up", instances=".../clean_up/in/hybrid_instances_de.json")
    env = llm_arena_env.make("dialogue/mm_clean_up", clembench="/path/to/clembench")  # mm_instances.json

The rules, replies, messages and scores are ``dialogue/clean_up``'s (see that module), with these
differences, as clembench's game master has them:

- ``st_clean_up`` (modality ``semantic_text``): a wide text grid whose background objects are anchors. An
  object may go onto any cell inside the grid (walls and other objects included); the x axis is numbered in
  blocks of five. Text only.
- ``hybrid_clean_up`` (modality ``hybrid``): the text grid's rules; each player's board is a picture of its
  grid (clembench draws the text grid into an image at run time). Observations carry the player's current
  board as ``observe(...)["image"]``; clembench attaches it to the first prompt and after each own move.
- ``mm_clean_up`` (modality ``image``): objects (icons) at pixel coordinates on a background picture. Any
  place inside the picture, its edges included, takes an object; the two players' objects are matched by
  their ``freepik_id`` (their letters differ between the boards). The background is the instance's
  ``background`` file: clembench's instances name a path on its authors' machine, so a path that does not
  exist is looked up by the part after ``clean_up/`` in the clembench checkout (``clembench=``, or found
  above ``clean_up/in/`` of ``instances=``). clembench downloads each icon from its ``url`` at run time;
  here the objects are drawn as lettered discs (no download during a game), so the picture is not
  clembench's pixel for pixel.

The shipped sets (:func:`generate_instances`) are ours: our grids and English prompts; for
``mm_clean_up`` a plain drawn background and lettered discs. Deviations: docs/clembench-deviations-v3.md.
"""

from __future__ import annotations

import random
from pathlib import Path, PurePath
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from llm_arena_env.core.render import font
from llm_arena_env.games.dialogue import clean_up, clean_up_rules as rules
from llm_arena_env.games.dialogue.clean_up import PLAYER_1, PLAYER_2, CleanUpEnv, draw_instance
from llm_arena_env.games.dialogue import pictures
from llm_arena_env.games.dialogue.clembench_dir import checkout_instances

GAME_FOLDER = "clean_up"  # clembench's folder of the four games
_DRAWN_SIZE = (480, 320)  # the plain background of our drawn mm instances


def draw_grid(board: rules.Board, cell: int = 24) -> Image.Image:
    """A picture of a text board, as clembench's hybrid game shows one: the axis numbers, empty cells light,
    walls and frames dark (the bundled font has no box-drawing glyphs), objects as letters on bright cells."""
    lines = str(board).splitlines()
    picture = Image.new("RGB", (cell * (max(map(len, lines)) + 1), cell * (len(lines) + 1)), (255, 255, 255))
    draw, glyphs = ImageDraw.Draw(picture), font(cell - 6)
    for row, line in enumerate(lines):
        for column, char in enumerate(line):
            x, y = cell // 2 + column * cell, cell // 2 + row * cell
            box = (x, y, x + cell - 1, y + cell - 1)
            if char in board.coords:
                draw.rectangle(box, fill=(255, 214, 102), outline=(200, 200, 200))
            elif char == rules.EMPTY:
                draw.rectangle(box, fill=(245, 245, 245), outline=(200, 200, 200))
                continue
            elif not char.isascii():  # a wall, a frame or an anchor's symbol
                draw.rectangle(box, fill=(90, 90, 90))
                continue
            draw.text((x + cell // 2, y + cell // 2), char, fill=(0, 0, 0), font=glyphs, anchor="mm")
    return picture


def draw_picture_instance(rng: random.Random, objects: int) -> dict[str, Any]:
    """An mm_clean_up instance of ours: our prompts, a plain background of ``_DRAWN_SIZE``, objects at pixels."""
    instance = draw_instance(rng, objects, "image")
    width, height = _DRAWN_SIZE
    kinds = {o["id"]: i for i, o in enumerate(instance["objects_1"])}
    for key in ("objects_1", "objects_2"):
        instance[key] = [{**o, "freepik_id": kinds[o["id"]], "coord": [rng.randrange(20, width - 20),
                                                                      rng.randrange(20, height - 20)]}
                         for o in instance[key]]
    instance["background"] = ""  # a plain picture of _DRAWN_SIZE
    for key in ("p1_initial_prompt", "p2_initial_prompt"):
        instance[key] += f"\n(The board is a picture of {width} x {height} pixels; coordinates are pixels.)"
    return instance


def generate_instances(game: str, seed: int = 0, per_experiment: int = 2) -> dict[str, Any]:
    """The shipped set of the variant ``game`` (``resources/<game>/instances.json``)."""
    if game == "mm_clean_up":
        return clean_up.generate_instances(seed, per_experiment, draw_picture_instance)
    modality = {"st_clean_up": "semantic_text", "hybrid_clean_up": "hybrid"}[game]
    return clean_up.generate_instances(seed, per_experiment, lambda rng, n: draw_instance(rng, n, modality))


class StCleanUpEnv(CleanUpEnv):
    """clembench's ``st_clean_up``: clean up on a semantic text grid (see the module docstring)."""

    game_name = "st_clean_up"
    modality = "semantic_text"

    def _board(self, instance: dict[str, Any], objects: list) -> rules.Board:
        return rules.Board(instance["background"], objects, check_empty=False, tick_block=5)


class HybridCleanUpEnv(CleanUpEnv):
    """clembench's ``hybrid_clean_up``: the text grid shown as a picture (see the module docstring)."""

    game_name = "hybrid_clean_up"
    modality = "hybrid"
    has_picture = True

    def __init__(self, *, observation_mode: str = "text+image", **kwargs: Any):
        super().__init__(observation_mode=observation_mode, **kwargs)

    def _render_image(self, agent: str | None) -> np.ndarray:
        return pictures.side_by_side([draw_grid(self.boards[agent or PLAYER_1])], self.image_size)


class MmCleanUpEnv(CleanUpEnv):
    """clembench's ``mm_clean_up``: icons on a background picture (see the module docstring)."""

    game_name = "mm_clean_up"
    modality = "image"
    has_picture = True

    def __init__(self, *, clembench: str | Path | None = None, instances: Any = None,
                 observation_mode: str = "text+image", **kwargs: Any):
        self.clembench, instances = checkout_instances(GAME_FOLDER, clembench, instances, "mm_instances.json")
        super().__init__(instances=instances, observation_mode=observation_mode, **kwargs)
        for experiment, instance in self.instance_set.entries():  # a missing picture fails now, not at a reset
            if instance.get("background"):  # "" is our plain drawn background
                self._background(str(instance.get("background", "")), f"instance {instance.get('game_id', '?')!r} "
                                                                         f"of experiment {experiment.name!r}")

    def _background(self, path: str, where: str = "") -> Path:
        found = Path(path)
        parts = PurePath(path).parts
        if not found.is_file() and self.clembench is not None and GAME_FOLDER in parts:
            found = self.clembench.joinpath(GAME_FOLDER, *parts[len(parts) - parts[::-1].index(GAME_FOLDER):])
        if not found.is_file():
            raise FileNotFoundError(f"mm_clean_up {where}: no background picture {path!r}"
                                    + (f" (nor {found})" if str(found) != path else "")
                                    + "; pass clembench=<your clembench checkout>")
        return found

    def _draw_instance(self) -> dict[str, Any]:
        return draw_picture_instance(random.Random(0), 3)

    def _board(self, instance: dict[str, Any], objects: list) -> rules.PictureBoard:
        if instance["background"]:
            self.picture_path: Path | None = self._background(instance["background"])
            with Image.open(self.picture_path) as picture:
                width, height = picture.size
        else:
            self.picture_path, (width, height) = None, _DRAWN_SIZE
        return rules.PictureBoard(width, height, objects)

    def _render_image(self, agent: str | None) -> np.ndarray:
        board = self.boards[agent or PLAYER_1]
        if self.picture_path is None:
            picture = Image.new("RGB", (board.width, board.height), (235, 232, 220))
        else:
            with Image.open(self.picture_path) as opened:
                picture = opened.convert("RGB")
        draw = ImageDraw.Draw(picture)
        radius = max(8, min(board.width, board.height) // 30)
        glyphs = font(radius)
        for obj, (x, y) in board.coords.items():
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(255, 255, 255), outline=(0, 0, 0), width=2)
            draw.text((x, y), obj, fill=(0, 0, 0), font=glyphs, anchor="mm")
        return pictures.side_by_side([picture], self.image_size)


def scripted_move(env: Any, agent: str) -> str:
    """A valid reply for ``agent`` in any variant: ask to finish, or agree when the other player has asked
    (the conformance suite's player; it does not clean up)."""
    game = env.unwrapped
    other = PLAYER_2 if agent == PLAYER_1 else PLAYER_1
    return f"SAY: {game.answer if game.finished[other] else game.question}"
