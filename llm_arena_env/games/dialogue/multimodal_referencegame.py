"""dialogue/multimodal_referencegame: clembench's multimodal reference game. Describe the target among three
pictures so that the other player picks it out.

Make it::

    env = llm_arena_env.make("dialogue/multimodal_referencegame")                                # our pictures
    env = llm_arena_env.make("dialogue/multimodal_referencegame", clembench="/path/to/clembench")  # clembench's
    env.reset(seed=0, options={"instance": ("letter_grids", 0)})

Players: ``describer`` sees the target and two distractors (target first) and replies ``Expression: <one
line>``; ``guesser`` sees the three pictures in its own order, is told the describer's whole reply and
replies ``Answer: first`` (or ``second``, ``third``, a digit or ``1st``... as the instance's pattern
allows). One exchange per episode. ``observe(...)["image"]`` shows the player's three pictures side by side,
left to right, each scaled into a third of a square of ``image_size``.

Formats, read by the instance's own patterns (``player_1_response_pattern``, ``player_2_response_pattern``:
matched at the start of the raw reply, any case), as clembench's game master and scorer read them: the
describer's reply must match with nothing in its ``remainder`` group (a second line aborts); the guesser's
must match, and its ``content`` group is the answer even when more text follows (clembench's game master
rejects that, its scorer reads the answer again and counts it). A reply that does not match aborts.

Outcomes: the target's name (``target_image_name``, a list such as ``["first", "1st", "1"]``): Success,
Main Score 100; another: Lose, Main Score 0; aborted: Main Score NaN. Measures: ``Generated Expression
Length`` (characters of the describer's whole reply), ``Generated Expression Number of Tokens``
(space-separated), ``Aborted at Player 1``, ``Aborted at Player 2``.

clembench 2.0 under clemcore 3.3 scores every answer its game master accepts as aborted at player 2 (the
game master logs ``parse_correct``/``parse_wrong`` where its scorer looks for ``parse``), so only answers
with extra text count there. ``score_accepted_answers=False`` reproduces that; the default scores them
(docs/clembench-deviations-v2-multimodal.md).

Instances: clembench's ``multimodal_referencegame/in/instances.json`` layout (``player_1_first_image`` ...
``player_2_third_image``, the prompt headers with ``TARGET_EXPRESSION``, the patterns). Picture paths resolve
against the clembench checkout (``clembench=PATH``, or the folder above the game folder of
``instances=PATH``), else against ``image_root`` (default: the folder above ``in/``); see ``pictures.py``.
The package ships its own pictures (drawn grids), not clembench's.

Keywords of ``make``: ``clembench``, ``image_root``, ``score_accepted_answers``, plus DialogueEnv's and
TextEnv's; the observation mode defaults to "text+image".
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from llm_arena_env.games.dialogue import pictures
from llm_arena_env.games.dialogue.base import DialogueEnv, IllegalAction
from llm_arena_env.games.dialogue.referencegame import ORDINALS, target_names

GAME = "multimodal_referencegame"
SEATS = {"describer": 1, "guesser": 2}
PICTURE_KEYS = ("first", "second", "third")

DESCRIBER_HEADER = (
    "Three pictures are shown to you, side by side. The first one, on the left, is the target; the other two "
    "are distractors. Another player sees the same three pictures in another order and must find the target "
    "from your words alone.\nDescribe the target so that it cannot be mistaken for the other two. Reply with one "
    "line that starts with \"Expression: \" and nothing else.")
GUESSER_HEADER = (
    "Three pictures are shown to you, side by side: the first on the left, the second in the middle, the third "
    "on the right. Another player described one of them:\n\nTARGET_EXPRESSION\n\nWhich picture is described? "
    "Reply with \"Answer: \" followed by first, second or third, and nothing else.")
EXPRESSION_PATTERN = r"expression:\s(?P<content>[^\n]+)\n*(?P<remainder>[^\n]*)"
ANSWER_PATTERN = r"answer:\s(?P<content>first|second|third|1|2|3)\n*(?P<remainder>[^\n]*)"


def read_reply(pattern: str, text: str) -> tuple[str, bool]:
    """``(content, exact)`` of a reply read by an instance's pattern at its start, in any case: ``exact`` when
    its ``remainder`` group (if any) is empty. ``IllegalAction`` when the pattern does not match."""
    match = re.compile(pattern, re.IGNORECASE).match(text)
    if match is None:
        raise IllegalAction(f"the reply does not match the expected format {pattern!r}")
    groups = match.groupdict()
    return str(groups.get("content") or match.group(0)), not groups.get("remainder")


class MultimodalReferenceGameEnv(DialogueEnv):
    """clembench's multimodal reference game (see the module docstring)."""

    game_name = GAME
    metadata = {**DialogueEnv.metadata, "name": GAME}
    has_picture = True  # each player's three pictures

    def __init__(self, *, clembench: str | Path | None = None, image_root: str | Path | None = None,
                 instances: Any = None, observation_mode: str = "text+image", score_accepted_answers: bool = True,
                 **kwargs: Any):
        self.clembench, instances, self.image_root = pictures.checkout_paths(GAME, clembench, instances, image_root)
        self.score_accepted_answers = bool(score_accepted_answers)
        super().__init__(list(SEATS), instances=instances, observation_mode=observation_mode, **kwargs)
        for experiment, instance in self.instance_set.entries():  # a missing picture fails now, not at a reset
            self._picture_files(instance, f"instance {instance.get('game_id', '?')!r} of experiment {experiment.name!r}")

    def _picture_files(self, instance: dict[str, Any], where: str = "") -> dict[str, list[Path | str]]:
        try:
            return {agent: [pictures.locate(str(instance[f"player_{seat}_{key}_image"]), clembench=self.clembench,
                                            image_root=self.image_root) for key in PICTURE_KEYS]
                    for agent, seat in SEATS.items()}
        except FileNotFoundError as error:
            raise FileNotFoundError(f"{GAME} {where}: {error}; pass clembench=<your clembench checkout> "
                                    "or image_root=<its folder>") from None

    # ------------------------------------------------------------------ the game

    def _setup(self, instance: dict[str, Any], experiment: dict[str, Any]) -> None:
        self.picture_files = self._picture_files(
            instance, f"instance {instance.get('game_id', '?')!r} of experiment {experiment.get('name', '')!r}")
        self.target_names = target_names(instance["target_image_name"])
        self.target_name = next((n for n in self.target_names if n in ORDINALS), self.target_names[0])
        self.patterns = {"describer": instance.get("player_1_response_pattern") or EXPRESSION_PATTERN,
                         "guesser": instance.get("player_2_response_pattern") or ANSWER_PATTERN}
        self.guesser_header = instance.get("player_2_prompt_header") or GUESSER_HEADER
        self.expression: str | None = None
        self.answer: str | None = None
        self._shown: dict[str, np.ndarray] = {}
        self.tell("describer", instance.get("player_1_prompt_header") or DESCRIBER_HEADER)

    def _current_agent(self) -> str:
        return "describer" if self.expression is None else "guesser"

    def _parse_action(self, agent: str, text: str) -> tuple[str, bool]:
        content, exact = read_reply(self.patterns[agent], text)
        if agent == "describer" and not exact:
            raise IllegalAction("the expression must be one line, with nothing after it")
        return (text, exact) if agent == "describer" else (content.lower(), exact)

    def _play(self, agent: str, move: tuple[str, bool]) -> None:
        if agent == "describer":
            self.expression = move[0]  # clembench passes the whole reply on, tag included
            self.tell("guesser", self.guesser_header.replace("TARGET_EXPRESSION", self.expression))
            return
        self.answer, exact = move
        if exact and not self.score_accepted_answers:
            self.abort_game("clembench 2.0 scores an answer its game master accepts as aborted")
            return
        success = self.answer in self.target_names
        self.end_game(success=success, main_score=100.0 if success else 0.0,
                      detail=f"picked the {self.answer} picture; the target was the {self.target_name}")

    def _measures(self) -> dict[str, float]:
        expression = self.expression
        return {
            "Generated Expression Length": math.nan if expression is None else len(expression),
            "Generated Expression Number of Tokens": math.nan if expression is None else len(expression.split(" ")),
            "Aborted at Player 1": int(self.aborted and expression is None),
            "Aborted at Player 2": int(self.aborted and expression is not None),
        }

    def _render_image(self, agent: str | None) -> np.ndarray:
        seat = agent or "guesser"
        if seat not in self._shown:
            shown = [pictures.open_picture(f, self.image_root) for f in self.picture_files[seat]]
            self._shown[seat] = pictures.side_by_side(shown, self.image_size)
        return self._shown[seat]

    def _render_text(self) -> str:
        names = ", ".join(Path(str(f)).name for f in self.picture_files["guesser"])
        return f"{super()._render_text()}\n\nguesser's pictures: {names}; target: {self.target_name}"


def scripted_move(env: MultimodalReferenceGameEnv, agent: str) -> str:
    """A valid reply for ``agent`` now: an expression naming the target's place, then the right answer."""
    if agent == "describer":
        return "Expression: the target picture"
    return f"Answer: {env.target_name}"


# ---------------------------------------------------------------------- the shipped set

def draw_pictures(folder: Path, seed: int = 0) -> list[str]:
    """The shipped pictures: for each of two grid categories of dialogue/referencegame, a target and its two
    nearest distractors, drawn as grids (``<category>_<n>.png``). Returns the categories."""
    import random

    from PIL import Image

    from llm_arena_env.games.dialogue.draw import draw_grids
    from llm_arena_env.games.dialogue.referencegame import grid_categories, nearest_distractors

    folder.mkdir(parents=True, exist_ok=True)
    chosen = ("line_grids_rows", "letter_grids")
    categories = grid_categories(random.Random(seed))
    for category in chosen:
        grids = categories[category]
        second, third = nearest_distractors(grids, 0)
        for n, grid in enumerate((grids[0], grids[second], grids[third])):
            Image.fromarray(draw_grids([grid], [""], 96)).save(folder / f"{category}_{n}.png")
    return list(chosen)


def generate_instances(seed: int = 0) -> dict:
    """The shipped set, in clembench's layout: per category, the target in each of the guesser's three places."""
    experiments = []
    for category in ("line_grids_rows", "letter_grids"):
        files = [f"images/{category}_{n}.png" for n in range(3)]
        instances = []
        for position in range(3):
            shown = [files[1], files[2]]
            shown.insert(position, files[0])
            instances.append({
                "game_id": position,
                "player_1_prompt_header": DESCRIBER_HEADER,
                **{f"player_1_{key}_image": f for key, f in zip(PICTURE_KEYS, files)},
                "player_2_prompt_header": GUESSER_HEADER,
                **{f"player_2_{key}_image": f for key, f in zip(PICTURE_KEYS, shown)},
                "target_image_name": [ORDINALS[position], str(position + 1)],
                "player_1_response_pattern": EXPRESSION_PATTERN,
                "player_2_response_pattern": ANSWER_PATTERN,
            })
        experiments.append({"name": category, "game_instances": instances})
    return {"experiments": experiments}
