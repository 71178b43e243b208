"""dialogue/matchit: clembench's MatchIt with pictures. Two players find out whether their pictures are the same.

Make it::

    env = llm_arena_env.make("dialogue/matchit")                                # our own pictures
    env = llm_arena_env.make("dialogue/matchit", clembench="/path/to/clembench")  # clembench's own instances
    env.reset(seed=0, options={"instance": ("similar_image", 0)})

The rules, turns and scores are dialogue/matchit_ascii's (``matchit.py``, ``matchit_rules.py``); here each
player sees a picture instead of a grid: ``observe("player_a")["image"]`` is picture A, letterboxed into a
square of ``image_size``, ``observe("player_b")["image"]`` picture B (clembench shows it with the player's
first prompt; here it is in every observation of that player). Decisions are the whole reply ``DECISION:
same image`` or ``DECISION: different images`` (an experiment's ``solution`` / ``wrong_solution`` win).

Instances: clembench's ``matchit/in/instances*.json`` layout (``image_a``, ``image_b``, ``decision_turn``;
the prompts, flags and labels in the experiment). Pictures are files (resolved as ``pictures.py`` says:
against the clembench checkout, ``clembench=PATH`` or the folder above the game folder of
``instances=PATH``, else ``image_root``) or web addresses, as in clembench's own sets (Visual Genome): an
address is read from ``image_root/<its file name>`` where that file exists, else downloaded when the
picture is first observed (an ``OSError`` from ``observe`` says which could not be read); ``observation_mode=
"text"`` plays without the pictures. The
package ships its own drawn pictures, not clembench's.

Keywords of ``make``: ``clembench``, ``image_root``, plus matchit_ascii's (``decision_turn``,
``same_label="same image"``, ``different_label="different images"``) and DialogueEnv's and TextEnv's; the
observation mode defaults to "text+image".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from llm_arena_env.games.dialogue import matchit_rules as rules
from llm_arena_env.games.dialogue import pictures
from llm_arena_env.games.dialogue.matchit import PLAYERS, MatchItEnv
from llm_arena_env.games.dialogue.matchit_rules import Move

GAME = "matchit"
SAME, DIFFERENT = "same image", "different images"  # clembench's labels for the version with pictures

INITIAL_PROMPT = """We are playing a game together. You see a picture, and I see a picture that only I can see. \
We want to find out whether they are the same picture.
First describe your picture. Then I will give you my description, and we will ask each other questions about \
the pictures. Start your short description with "$FLAG$" and add nothing else."""
D_REPROMPT = ("Now decide: are your picture and mine the same picture? Write \"$FLAG$ $SOL_SAME$\" if you think "
              "they are, or \"$FLAG$ $SOL_DIFF$\" if you think they are different pictures. Add nothing else.")


class MatchItImagesEnv(MatchItEnv):
    """clembench's MatchIt with pictures (see the module docstring)."""

    game_name = GAME
    metadata = {**MatchItEnv.metadata, "name": GAME}
    has_picture = True  # each player's own picture
    initial_prompt = INITIAL_PROMPT
    decision_prompt = D_REPROMPT

    def __init__(self, *, clembench: str | Path | None = None, image_root: str | Path | None = None,
                 instances: Any = None, observation_mode: str = "text+image", same_label: str = SAME,
                 different_label: str = DIFFERENT, **kwargs: Any):
        self.clembench, instances, self.image_root = pictures.checkout_paths(GAME, clembench, instances, image_root)
        self._pictures: dict[Path | str, np.ndarray] = {}  # shown pictures, by file or address
        super().__init__(instances=instances, observation_mode=observation_mode, same_label=same_label,
                         different_label=different_label, **kwargs)
        for experiment, instance in self.instance_set.entries():  # a missing file fails now, not at a reset
            self._picture_files(instance, f"instance {instance.get('game_id', '?')!r} of experiment {experiment.name!r}")

    def _picture_files(self, instance: dict[str, Any], where: str) -> dict[str, Path | str]:
        try:
            return {p: pictures.locate(str(instance[f"image_{p}"]), clembench=self.clembench, image_root=self.image_root)
                    for p in ("a", "b")}
        except FileNotFoundError as error:
            raise FileNotFoundError(f"{GAME} {where}: {error}; pass clembench=<your clembench checkout> "
                                    "or image_root=<its folder>") from None

    def _read_pair(self, instance: dict[str, Any]) -> bool:
        self.picture_files = self._picture_files(instance, f"instance {instance.get('game_id', '?')!r}")
        return self.picture_files["a"] == self.picture_files["b"]

    def _first_prompt(self, player: str) -> str:
        return self.prompt

    def _render_image(self, agent: str | None) -> np.ndarray:
        # read when first shown (an address is downloaded then, once per env), never at make or reset
        where = self.picture_files["b" if agent == PLAYERS["b"] else "a"]
        if where not in self._pictures:
            picture = pictures.open_picture(where, self.image_root)
            self._pictures[where] = pictures.side_by_side([picture], self.image_size)
        return self._pictures[where]

    def _render_text(self) -> str:
        names = {p: Path(str(f)).name for p, f in self.picture_files.items()}
        return (f"{super(MatchItEnv, self)._render_text()}\n\npicture A: {names['a']}; picture B: {names['b']}; "
                f"right decision: {self.labels[self.same]}")


def scripted_move(env: MatchItImagesEnv, agent: str) -> str:
    """A valid reply for ``agent`` now: the step's flag and a text, and the right decision."""
    step = env.steps[env.step_index]
    flag = env.flags[step.move.value]
    if step.move is Move.DECISION:
        return f"{flag} {env.labels[env.same]}"
    return f"{flag} a scripted {step.move.value}"


# ---------------------------------------------------------------------- the shipped set

def draw_pictures(folder: Path, seed: int = 0) -> None:
    """The shipped pictures: four drawn scenes (``scene_N.png``) and ``scene_0_changed.png``, scene 0 with
    one shape of another colour."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    colours = [(200, 40, 40), (40, 150, 60), (40, 70, 200), (230, 190, 30), (120, 60, 160)]
    for n in range(4):
        shapes = [(int(rng.integers(0, 3)), int(rng.integers(4, 80)), int(rng.integers(4, 50)), int(rng.integers(0, 5)))
                  for _ in range(4)]
        for name, changed in ((f"scene_{n}.png", False), (f"scene_{n}_changed.png", True)):
            if changed and n:
                continue
            picture = Image.new("RGB", (96, 64), (235, 235, 225))
            draw = ImageDraw.Draw(picture)
            for i, (kind, x, y, colour) in enumerate(shapes):
                fill = colours[(colour + 1) % len(colours)] if changed and i == 0 else colours[colour]
                if kind == 0:
                    draw.rectangle([x, y, x + 12, y + 12], fill=fill)
                elif kind == 1:
                    draw.ellipse([x, y, x + 12, y + 12], fill=fill)
                else:
                    draw.polygon([(x, y + 12), (x + 6, y), (x + 12, y + 12)], fill=fill)
            picture.save(folder / name)


def generate_instances(seed: int = 0) -> dict:
    """The shipped set, in clembench's layout: same_image, similar_image and different_image, two pairs each."""
    pairs = {"same_image": [("scene_1", "scene_1"), ("scene_2", "scene_2")],
             "similar_image": [("scene_0", "scene_0_changed"), ("scene_0_changed", "scene_0")],
             "different_image": [("scene_1", "scene_3"), ("scene_2", "scene_0")]}
    experiments = []
    for name, chosen in pairs.items():
        solution = SAME if name == "same_image" else DIFFERENT
        experiments.append({
            "name": name, "flags": dict(rules.DEFAULT_FLAGS), "solution": solution,
            "wrong_solution": DIFFERENT if solution == SAME else SAME,
            "game_instances": [{"game_id": i, "image_a": f"images/{a}.png", "image_b": f"images/{b}.png", "decision_turn": 3}
                               for i, (a, b) in enumerate(chosen)]})
    return {"experiments": experiments}
