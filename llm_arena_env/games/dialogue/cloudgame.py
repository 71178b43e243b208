"""dialogue/cloudgame: clembench's cloud game. Does the picture show clouds? One word: Yes or No.

Make it::

    env = llm_arena_env.make("dialogue/cloudgame")                              # our own pictures
    env = llm_arena_env.make("dialogue/cloudgame", clembench="/path/to/clembench")  # clembench's own
    env.reset(seed=0, options={"instance": ("yes", 0)})

One player, ``speaker``, is shown a picture (``observe(...)["image"]``, the file letterboxed into a square
of ``image_size``) and asked the instance's question. Round 2 asks whether there are chickens in the
picture. Each reply must be one word, "yes" or "no" in any case, after line breaks are removed and spaces
and full stops trimmed from its ends; anything else aborts the episode (clembench).

Scoring, as clembench's game master and scorer give it:

- The right answer in *both* rounds is the experiment's name ("yes" or "no"), compared with the reply
  lower-cased but not trimmed: "Yes." or " Yes" are read but count as wrong. So in the "yes" experiment a
  truthful "No" to the chicken question loses.
- A played episode has Main Score 100, won or lost; Success is 1 when both answers were right, else Lose.
- clembench's game master has a scripted judge who answers "That seems right." after each round; nobody
  sees it. Its replies are counted in clembench's Request Count, not here (docs/clembench-deviations-v2.md).

Instances: clembench's layout, ``{"experiments": [{"name": "yes"|"no", "game_instances": [{"game_id": 0,
"image": "resources/images/1.jpg", "prompt": "..."}]}]}``. Image paths are relative to the game's folder:
``clembench/cloudgame`` with ``clembench=PATH`` (whose ``cloudgame/in/instances.json`` is then the default
set); the folder above ``in/`` for ``instances=.../in/instances.json``; ``image_root=`` overrides both. The
package ships its own pictures (drawn skies), not clembench's photographs. An instance given directly as a
dict names its right answer in ``"answer"``.

Keywords of ``make``: ``clembench``, ``image_root``, plus DialogueEnv's and TextEnv's; the observation
mode defaults to "text+image" (the game is about the picture; "text" plays without it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from llm_arena_env.games.dialogue import pictures
from llm_arena_env.games.dialogue.base import DialogueEnv, IllegalAction
from llm_arena_env.games.dialogue.clembench_dir import checkout_instances
from llm_arena_env.games.dialogue.instances import RESOURCES

GAME = "cloudgame"
ANSWERS = ("yes", "no")
CHICKEN_QUESTION = 'Are there any chickens in the picture? Answer with only "Yes" or "No".'
ROUNDS = 2


def read_answer(text: str) -> str:
    """The reply as clembench's game master compares it (line breaks removed, lower-cased, untrimmed);
    ``IllegalAction`` when it is not a single yes or no."""
    answer = text.replace("\n", "")
    core = answer.strip(" .")
    if len(core.split(" ")) != 1:
        raise IllegalAction("Reply with a single word: Yes or No.")
    if core.lower() not in ANSWERS:
        raise IllegalAction('Reply with "Yes" or "No" only.')
    return answer.lower()


def letterbox(path: Path, size: int) -> np.ndarray:
    """The picture at ``path`` scaled into a black ``size`` x ``size`` square, its proportions kept."""
    return pictures.side_by_side([pictures.open_picture(path)], size)


class CloudGameEnv(DialogueEnv):
    """clembench's cloud game (see the module docstring)."""

    game_name = GAME
    has_picture = True  # the instance's photograph

    def __init__(self, *, clembench: str | Path | None = None, image_root: str | Path | None = None,
                 instances: Any = None, observation_mode: str = "text+image", **kwargs: Any):
        _, instances = checkout_instances(GAME, clembench, instances)  # the checkout named here is used below
        if image_root is None:
            if clembench is not None:
                image_root = Path(clembench) / GAME
            elif isinstance(instances, (str, Path)):
                image_root = Path(instances).resolve().parent.parent  # <game folder>/in/instances.json
            else:
                image_root = RESOURCES / GAME
        self.image_root = Path(image_root)
        super().__init__(["speaker"], instances=instances, observation_mode=observation_mode, **kwargs)
        for experiment, instance in self.instance_set.entries():
            self._image_path(instance, experiment.name)  # a missing picture fails now, not at a reset

    def _image_path(self, instance: dict[str, Any], experiment: str = "") -> Path:
        path = self.image_root / str(instance.get("image", ""))
        if not path.is_file():
            where = f"instance {instance.get('game_id', '?')!r}" + (f" of experiment {experiment!r}" if experiment else "")
            raise FileNotFoundError(f"{GAME} {where}: no picture {instance.get('image')!r} under {self.image_root}; "
                                    "pass clembench=<your clembench checkout> or image_root=<its folder>")
        return path

    def _setup(self, instance: dict[str, Any], experiment: dict[str, Any]) -> None:
        self.answer = str(experiment.get("name", instance.get("answer", ""))).lower()
        if self.answer not in ANSWERS:
            raise ValueError(f"{GAME}: the right answer is the experiment's name, 'yes' or 'no'; got {self.answer!r}")
        self.picture_path = self._image_path(instance, experiment.get("name", ""))
        self._picture: np.ndarray | None = None
        self.round = 0
        self.right = True
        self.tell("speaker", str(instance["prompt"]))

    def _current_agent(self) -> str:
        return "speaker"

    def _parse_action(self, agent: str, text: str) -> str:
        return read_answer(text)

    def _play(self, agent: str, move: str) -> None:
        self.right = self.right and move == self.answer
        self.round += 1
        if self.round == ROUNDS:
            detail = "both answers right" if self.right else "an answer was not the experiment's"
            self.end_game(success=self.right, main_score=100.0, detail=detail)
        else:
            self.tell("speaker", CHICKEN_QUESTION)

    def _render_image(self, agent: str | None) -> np.ndarray:
        if self._picture is None:
            self._picture = letterbox(self.picture_path, self.image_size)
        return self._picture

    def _render_text(self) -> str:
        return f"{super()._render_text()}\n\npicture: {self.picture_path.name}; right answer: {self.answer}"


PROMPT = 'Look at this picture. Are there clouds in the sky? Answer with one word only: "Yes" or "No".'


def draw_pictures(folder: Path, seed: int = 0) -> None:
    """The shipped pictures: three skies with clouds (``clouds_N.png``), three clear (``clear_N.png``)."""
    from PIL import ImageDraw

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for name, clouds in [(f"clouds_{i}.png", int(rng.integers(2, 5))) for i in range(3)] + [(f"clear_{i}.png", 0) for i in range(3)]:
        picture = Image.new("RGB", (96, 64), (95, 155, 230))
        draw = ImageDraw.Draw(picture)
        draw.rectangle([0, 48, 95, 63], fill=(70, 140, 60))
        draw.ellipse([70, 6, 84, 20], fill=(250, 220, 80))  # the sun
        for _ in range(clouds):
            x, y = int(rng.integers(0, 70)), int(rng.integers(2, 30))
            for dx in (0, 6, 12):
                draw.ellipse([x + dx, y + (dx % 4), x + dx + 12, y + (dx % 4) + 9], fill=(250, 250, 250))
        picture.save(folder / name)


def generate_instances(seed: int = 0) -> dict:
    """The shipped set: experiments "yes" and "no" over the pictures in ``resources/cloudgame/images``."""
    folder = RESOURCES / GAME / "images"
    return {"experiments": [
        {"name": name, "game_instances": [{"game_id": i, "image": f"images/{p.name}", "prompt": PROMPT}
                                          for i, p in enumerate(sorted(folder.glob(f"{stem}_*.png")))]}
        for name, stem in (("yes", "clouds"), ("no", "clear"))]}


# ---------------------------------------------------------------------- the scripted player

def scripted_move(env: Any, agent: str) -> str:
    """A right speaker (it reads the experiment's answer), both rounds."""
    return env.unwrapped.answer.capitalize()
