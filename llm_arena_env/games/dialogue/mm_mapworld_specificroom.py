"""dialogue/mm_mapworld_specificroom: clembench's map world with a goal. Find the room of a named kind
(the instance's ``target_cat``, e.g. "wine cellar") and say DONE in it.

Played as :mod:`dialogue/mm_mapworld <llm_arena_env.games.dialogue.mm_mapworld>` (same replies, pictures,
turn limit and format breaks, clembench's folder ``mm_mapworld/mm_mapworld_specificroom``); ``$GOAL$`` in
the first prompt is the target's kind, underscores as spaces. Scores of a played episode (clembench's):
Success and Main Score ``finding`` = 100 when the walker said DONE in the target room, else 0;
``effieciency`` = 100 / max(1, rooms on the path - the instance's ``dist``), the path counting the start
and every move (one into a wall too); ``moves``, ``valid_moves``, ``invalid_moves``, ``visited``,
``seen``. Experiments in clembench's file: ``on`` (start in the target), ``close``, ``far``.
"""

from __future__ import annotations

from typing import Any

from llm_arena_env.games.dialogue import mm_mapworld_rules as rules
from llm_arena_env.games.dialogue.mm_mapworld import TEXTS, MmMapWorldEnv, _random_map, ROOMS, next_direction

import numpy as np


class MmMapWorldSpecificRoomEnv(MmMapWorldEnv):
    """clembench's mm_mapworld_specificroom (see the module docstring)."""

    game_name = "mm_mapworld_specificroom"
    clembench_folder = "mm_mapworld_specificroom"

    def _setup(self, instance: dict[str, Any], experiment: dict[str, Any]) -> None:
        self.target = rules.room(instance["target"])
        self.target_kind = str(instance["target_cat"]).replace("_", " ")
        self.distance = int(instance["dist"])
        super()._setup(instance, experiment)

    def _instance_text(self, instance: dict[str, Any], key: str) -> str:
        text = super()._instance_text(instance, key)
        return text.replace("$GOAL$", self.target_kind) if key == "initial_prompt" else text

    def _score(self) -> tuple[bool, float, dict[str, float]]:
        walked = rules.scores(self.world, self.moves)
        found = self.room == self.target
        measures = {k: walked[k] for k in ("moves", "valid_moves", "invalid_moves", "visited", "seen")}
        measures["effieciency"] = 100 / max(1, 1 + len(self.moves) - self.distance)
        measures["finding"] = 100 * int(found)
        return found, 100.0 * found, measures


GOAL_PROMPT = TEXTS["initial_prompt"].replace(
    "and should see every room with as few moves as you can", "to find the $GOAL$ with as few moves as you can").replace(
    "once you have seen all rooms", "once you are in the $GOAL$")


def generate_instances(seed: int = 0) -> dict:
    """The shipped set: experiments "on" (start in the target), "close" and "far" (the target 1-2 and 3 or
    more doors away), 2 random 6-room tree maps each, over the pictures of dialogue/mm_mapworld."""
    rng = np.random.default_rng(seed)
    experiments = {"on": [], "close": [], "far": []}
    while any(len(v) < 2 for v in experiments.values()):
        rooms, links = _random_map(rng, 6)
        world = rules.Map(tuple(rooms), tuple(d for a, b in links for d in ((a, b), (b, a))), rooms[0])
        start, target = rooms[int(rng.integers(6))], rooms[int(rng.integers(6))]
        distance = _doors_between(world, start, target)
        name = "on" if distance == 0 else "close" if distance <= 2 else "far"
        if len(experiments[name]) == 2:
            continue
        names = [ROOMS[int(i)] for i in rng.permutation(len(ROOMS))[:6]]
        experiments[name].append({
            "game_id": len(experiments[name]),
            "nodes": [str(r) for r in rooms],
            "edges": [str(d) for d in world.doors],
            "imgs": {str(r): f"../mm_mapworld/images/{n}.png" for r, n in zip(rooms, names)},
            "cats": {str(r): n for r, n in zip(rooms, names)},
            "start": str(start), "target": str(target), "target_cat": names[rooms.index(target)], "dist": distance,
            **TEXTS, "initial_prompt": GOAL_PROMPT,
        })
    return {"experiments": [{"name": k, "game_instances": v} for k, v in experiments.items()]}


def _doors_between(world: rules.Map, start: rules.Room, target: rules.Room) -> int:
    reached, frontier, steps = {start}, {start}, 0
    while target not in reached:
        frontier = {b for r in frontier for b in world.neighbours(r)} - reached
        reached |= frontier
        steps += 1
    return steps


# ---------------------------------------------------------------------- the scripted player

def scripted_move(env: Any, agent: str) -> str:
    """A walker that reads the map: the shortest walk to the goal room, DONE there."""
    game = env.unwrapped
    direction = next_direction(game, {game.target})
    action = "DONE" if direction is None else f"GO: {direction}"
    return f'{{"description": "a room of the house", "action": "{action}"}}'
