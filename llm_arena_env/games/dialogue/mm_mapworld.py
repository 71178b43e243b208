"""dialogue/mm_mapworld: clembench's multimodal map world. Walk through rooms seen as pictures, visit
every one with as few moves as possible, and say when you are done.

Make it::

    env = llm_arena_env.make("dialogue/mm_mapworld")                                # our own rooms
    env = llm_arena_env.make("dialogue/mm_mapworld", clembench="/path/to/clembench")  # clembench's own
    env.reset(seed=0, options={"instance": ("small", 0)})

One player, ``walker``; the game master describes where the walker can go. Each turn the walker sees the
picture of the room it is in (``observe(...)["image"]``, letterboxed into a square of ``image_size``) and
the directions with a door, and replies ``{"description": "<the room>", "action": "GO: north"}`` (or
``"DONE"``), matched by the instance's own patterns after line breaks are removed, the ends trimmed and
direction words lower-cased (clembench). A reply that does not match, is not JSON, or has another action
aborts the episode. A direction without a door is a move that stays in the room (an invalid move, told
so). The 20th reply ends the episode as aborted, whatever it says (clembench's turn limit).

Scores of a played episode (clembench's scorer, its names kept): Success when every room was visited;
``exploration`` (100 x rooms visited / rooms), ``effieciency`` (100 x share of moves that were a first
step of a shortest walk to the unvisited rooms next to visited ones, as clembench searches them), Main
Score their harmonic mean; ``moves``, ``valid_moves``, ``invalid_moves``, ``visited``, ``seen``. Aborted:
every measure NaN.

Instances: clembench's ``mm_mapworld/mm_mapworld_main/in/instances.json`` layout. Room pictures are paths
like ``../clembench/mm_mapworld/mm_mapworld_main/resources/images/X.jpg`` (relative to where clembench
runs): they resolve against the clembench folder, given as ``clembench=PATH`` or found above the
``mm_mapworld`` folder of ``instances=PATH``; other paths resolve against ``image_root`` (default: the
folder above ``in/``). The package ships its own small maps and drawn rooms, not clembench's pictures.
The observation mode defaults to "text+image". clembench's optional re-prompt (``"reprompt": true``, in none of its instance files) is not supported.
"""

from __future__ import annotations

import math
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from llm_arena_env.games.dialogue import mm_mapworld_rules as rules
from llm_arena_env.games.dialogue.base import DialogueEnv, IllegalAction
from llm_arena_env.games.dialogue.cloudgame import letterbox
from llm_arena_env.games.dialogue.instances import RESOURCES

FAMILY = "mm_mapworld"  # clembench's folder of the family; its games are subfolders
MEASURES = ("moves", "valid_moves", "invalid_moves", "visited", "seen", "effieciency", "exploration")


class MmMapWorldEnv(DialogueEnv):
    """clembench's mm_mapworld (see the module docstring)."""

    game_name = "mm_mapworld"
    has_picture = True  # the current room's picture
    clembench_folder = "mm_mapworld_main"  # the game's folder under clembench's mm_mapworld/

    def __init__(self, *, clembench: str | Path | None = None, image_root: str | Path | None = None,
                 instances: Any = None, observation_mode: str = "text+image", **kwargs: Any):
        if clembench is not None:
            folder = Path(clembench) / FAMILY / self.clembench_folder
            if not folder.is_dir():
                raise ValueError(f"clembench={str(clembench)!r} has no {FAMILY}/{self.clembench_folder} folder: "
                                 "give a clembench checkout")
            instances = folder / "in" / "instances.json" if instances is None else instances
        elif isinstance(instances, (str, Path)):
            parts = Path(instances).resolve().parts
            if FAMILY in parts:
                clembench = Path(*parts[:len(parts) - 1 - parts[::-1].index(FAMILY)])
        if image_root is None:
            image_root = Path(instances).resolve().parent.parent if isinstance(instances, (str, Path)) else RESOURCES / self.game_name
        self.clembench = None if clembench is None else Path(clembench)
        self.image_root = Path(image_root)
        super().__init__(["walker"], instances=instances, observation_mode=observation_mode, **kwargs)
        for experiment, instance in self.instance_set.entries():
            for path in instance["imgs"].values():  # a missing picture fails now, not at a reset
                self._picture_file(path, f"instance {instance.get('game_id', '?')!r} of experiment {experiment.name!r}")

    def _picture_file(self, path: str, where: str) -> Path:
        parts = PurePosixPath(path).parts
        if self.clembench is not None and FAMILY in parts:
            found = self.clembench.joinpath(*parts[parts.index(FAMILY):])
        else:
            found = self.image_root / path
        if not found.is_file():
            raise FileNotFoundError(f"{self.game_name} {where}: no picture {path!r} (looked for {found}); "
                                    "pass clembench=<your clembench checkout>")
        return found

    # ------------------------------------------------------------------ the game

    def _setup(self, instance: dict[str, Any], experiment: dict[str, Any]) -> None:
        if instance.get("reprompt"):
            raise ValueError(f"{self.game_name}: instances with \"reprompt\": true are not supported")
        self.world = rules.Map.from_instance(instance)
        self.patterns = rules.Patterns.from_instance(instance)
        self.pictures = {rules.room(k): v for k, v in instance["imgs"].items()}
        self.texts = {k: self._instance_text(instance, k) for k in ("initial_prompt", "success_response", "invalid_response")}
        self.room = self.world.start
        self.moves: list[tuple[rules.Room, rules.Room]] = []
        self.rounds = 0
        self._shown: dict[rules.Room, np.ndarray] = {}
        self.tell("walker", self.texts["initial_prompt"].replace("$INITIAL_DIRECTIONS$", self._directions()))

    def _instance_text(self, instance: dict[str, Any], key: str) -> str:
        return str(instance[key])

    def _directions(self) -> str:
        return ", ".join(self.world.directions(self.room))

    def _current_agent(self) -> str:
        return "walker"

    def _parse_action(self, agent: str, text: str) -> str | None:
        try:
            return rules.read_reply(text, self.patterns)
        except rules.FormatError as error:
            raise IllegalAction(str(error)) from None

    def _play(self, agent: str, move: str | None) -> None:
        self.rounds += 1
        if move is not None:
            old, self.room = self.room, self.world.step(self.room, move)
            self.moves.append((old, self.room))
        if self.rounds >= rules.MAX_ROUNDS:
            self.abort_game(f"reached the limit of {rules.MAX_ROUNDS} replies", violated=False)
        elif move is None:
            success, main_score, measures = self._score()
            self.end_game(success=success, main_score=main_score, detail="the walker said DONE", measures=measures)
        else:
            key = "success_response" if self.moves[-1][0] != self.room else "invalid_response"
            self.tell("walker", self.texts[key].replace("$DIRECTIONS$", self._directions()))

    def _score(self) -> tuple[bool, float, dict[str, float]]:
        """Success, Main Score and the measures of a played episode."""
        result = rules.scores(self.world, self.moves)
        return result["all visited"], result["Main Score"], {k: result[k] for k in MEASURES}

    def _measures(self) -> dict[str, float]:
        return {k: math.nan for k in MEASURES} if self.aborted else {}  # clembench's names, in every variant

    def _render_image(self, agent: str | None) -> np.ndarray:
        if self.room not in self._shown:
            path = self._picture_file(self.pictures[self.room], f"room {self.room}")
            self._shown[self.room] = letterbox(path, self.image_size)
        return self._shown[self.room]

    def _render_text(self) -> str:
        return f"{super()._render_text()}\n\nroom {self.room}; visited {len({self.world.start} | {b for _, b in self.moves})} of {len(self.world.rooms)}"


# ---------------------------------------------------------------------- the shipped set (our own)

ROOMS = ("kitchen", "bedroom", "bathroom", "garage", "attic", "cellar", "library", "hall")
TEXTS = {
    "initial_prompt": "You walk through a house, one room at a time, and should see every room with as few moves "
                      "as you can. Each turn reply with exactly one JSON object: {\"description\": \"<one sentence "
                      "about the room>\", \"action\": \"GO: <direction>\"}, or with \"DONE\" as the action once you "
                      "have seen all rooms. This is the first room. Doors lead: $INITIAL_DIRECTIONS$. Where do we go?",
    "success_response": "We walked into this room. Doors lead: $DIRECTIONS$. Where next?",
    "invalid_response": "There is no door that way; we are still here. Doors lead: $DIRECTIONS$. Where next?",
    "response_regex": r'^\{\s*"description":\s*"([^\{]*?)"\s*,\s*"action":\s*"([^\{]*?)"\s*\}$',
    "done_regex": "^DONE$",
    "move_regex": r"^GO:\s*(north|east|west|south)$",
    "reprompt": False,
    "use_images": True,
}


def draw_pictures(folder: Path) -> None:
    """The shipped room pictures: one per name in ROOMS, a wall colour and the room's name."""
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    for k, name in enumerate(ROOMS):
        colour = tuple(int(c) for c in np.random.default_rng(k).integers(60, 220, 3))
        picture = Image.new("RGB", (96, 64), colour)
        draw = ImageDraw.Draw(picture)
        draw.rectangle([0, 48, 95, 63], fill=(110, 80, 50))
        draw.text((6, 20), name, fill=(255, 255, 255))
        picture.save(folder / f"{name}.png")


def _random_map(rng: np.random.Generator, size: int) -> tuple[list[rules.Room], list[tuple[rules.Room, rules.Room]]]:
    """``size`` rooms on a 4x4 grid grown from (0, 0) by random doors to new neighbouring cells (a tree)."""
    rooms, links = [(0, 0)], []
    while len(rooms) < size:
        at = rooms[int(rng.integers(len(rooms)))]
        dx, dy = list(rules.DELTAS.values())[int(rng.integers(4))]
        there = (at[0] + dx, at[1] + dy)
        if there not in rooms and 0 <= there[0] < 4 and 0 <= there[1] < 4:
            rooms.append(there)
            links.append((at, there))
    return rooms, links


def generate_instances(seed: int = 0) -> dict:
    """The shipped set: experiments "small" (4 rooms) and "medium" (6), 3 random tree maps each."""
    rng = np.random.default_rng(seed)
    experiments = []
    for name, size in (("small", 4), ("medium", 6)):
        games = []
        for game_id in range(3):
            rooms, links = _random_map(rng, size)
            names = [ROOMS[int(i)] for i in rng.permutation(len(ROOMS))[:size]]
            both = [d for a, b in links for d in ((a, b), (b, a))]
            games.append({
                "game_id": game_id,
                "nodes": [str(r) for r in rooms],
                "edges": [str(d) for d in both],
                "imgs": {str(r): f"images/{n}.png" for r, n in zip(rooms, names)},
                "cats": {str(r): n for r, n in zip(rooms, names)},
                "start": str(rooms[int(rng.integers(size))]),
                **TEXTS,
            })
        experiments.append({"name": name, "game_instances": games})
    return {"experiments": experiments}


# ---------------------------------------------------------------------- the scripted player

def next_direction(game: MmMapWorldEnv, goals: set[rules.Room]) -> str | None:
    """The first direction of a shortest walk through the doors from the walker's room to one of ``goals``;
    None when the walker stands on a goal or none can be reached."""
    by_delta = {delta: name for name, delta in rules.DELTAS.items()}
    first: dict[rules.Room, str | None] = {game.room: None}
    frontier = [game.room]
    while frontier:
        at = frontier.pop(0)
        if at in goals:
            return first[at]
        for there in sorted(game.world.neighbours(at)):
            if there not in first:
                first[there] = first[at] or by_delta[(there[0] - at[0], there[1] - at[1])]
                frontier.append(there)
    return None


def visited_rooms(game: MmMapWorldEnv) -> set[rules.Room]:
    return {game.world.start, *(there for _, there in game.moves)}


def scripted_move(env: Any, agent: str) -> str:
    """A walker that reads the map: the shortest walk to the nearest room not yet visited, DONE when none is
    left."""
    game = env.unwrapped
    direction = next_direction(game, set(game.world.rooms) - visited_rooms(game))
    action = "DONE" if direction is None else f"GO: {direction}"
    return f'{{"description": "a room of the house", "action": "{action}"}}'
