"""dialogue/mm_mapworld_graphs: clembench's map world in which the walker also draws the map. Each reply
carries the walker's graph of the rooms seen so far; the last one is compared with the real map.

Played as :mod:`dialogue/mm_mapworld <llm_arena_env.games.dialogue.mm_mapworld>` (same pictures, moves,
turn limit and scores, clembench's folder ``mm_mapworld/mm_mapworld_graphs``), but the reply is
``{"action": "GO: north", "description": "...", "graph": {"nodes": [...], "edges": {"north": [[a, b]],
...}}}``, read by the instance's pattern alone (its first group the action, its third the graph; the
reply is not parsed as JSON). Measures: as mm_mapworld's, with ``efficiency`` spelt so (clembench), plus
``graph_similarity``: 100 x (1 - n(d)) for the graph edit distance ``d`` between the last graph given
and the real map (rooms and doors; names do not matter), ``n(d) = 2 / (1 + e^(-d/2)) - 1``; 0 when no
graph was given. A graph that is not JSON counts as empty (clembench). Main Score is mm_mapworld's.
"""

from __future__ import annotations

import json
import math
from typing import Any

from llm_arena_env.games.dialogue import mm_mapworld_rules as rules
from llm_arena_env.games.dialogue.base import IllegalAction
from llm_arena_env.games.dialogue.mm_mapworld import TEXTS, MmMapWorldEnv, generate_instances as _tree_instances
from llm_arena_env.games.dialogue.mm_mapworld import next_direction, visited_rooms

MEASURES = ("moves", "valid_moves", "invalid_moves", "visited", "seen", "efficiency", "exploration", "graph_similarity")


def read_reply(text: str, patterns: rules.Patterns) -> tuple[str | None, str]:
    """``(direction or None for DONE, the graph's text)``, by the pattern's groups as clembench reads them."""
    text = text.replace("\n", "").strip()
    for name in rules.DIRECTIONS:
        text = text.replace(name.capitalize(), name).replace(name.upper(), name)
    found = patterns.reply.search(text)
    if not found:
        raise IllegalAction('Reply with {"action": "...", "description": "...", "graph": {"nodes": [...], "edges": {...}}} only.')
    action, graph = found.group(1), found.group(3)
    if patterns.done.search(action):
        return None, graph
    move = patterns.move.search(action)
    if not move:
        raise IllegalAction('The action must be "GO: <direction>" or "DONE".')
    return move.group(1).lower(), graph


def graph_similarity(graph_text: str, world: rules.Map) -> float:
    """clembench's similarity (0-1) of a walker's graph to the map, by exact graph edit distance."""
    import networkx as nx

    drawn = nx.Graph()
    try:
        info = json.loads(graph_text)
        drawn.add_nodes_from(info["nodes"])
        for pairs in info["edges"].values():
            drawn.add_edges_from(tuple(p) for p in pairs if len(p) == 2)
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
        drawn = nx.Graph()  # clembench: a graph that is not JSON is empty (it crashes on other bad shapes)
    real = nx.Graph()
    real.add_nodes_from(world.rooms)
    real.add_edges_from(world.doors)
    distance = nx.graph_edit_distance(drawn, real)
    return 1 - 2 * (1 / (1 + math.exp(-0.5 * distance)) - 0.5)


class MmMapWorldGraphsEnv(MmMapWorldEnv):
    """clembench's mm_mapworld_graphs (see the module docstring)."""

    game_name = "mm_mapworld_graphs"
    clembench_folder = "mm_mapworld_graphs"

    def _setup(self, instance: dict[str, Any], experiment: dict[str, Any]) -> None:
        self.graphs: list[str] = []
        super()._setup(instance, experiment)

    def _parse_action(self, agent: str, text: str) -> tuple[str | None, str]:
        return read_reply(text, self.patterns)

    def _play(self, agent: str, move: tuple[str | None, str]) -> None:
        direction, graph = move
        self.graphs.append(graph)
        super()._play(agent, direction)

    def _score(self) -> tuple[bool, float, dict[str, float]]:
        result = rules.scores(self.world, self.moves)
        measures = {k: result[k] for k in MEASURES if k in result}
        measures["efficiency"] = result["effieciency"]
        measures["graph_similarity"] = 100 * graph_similarity(self.graphs[-1], self.world) if self.graphs else 0
        return result["all visited"], result["Main Score"], measures

    def _measures(self) -> dict[str, float]:
        return {k: math.nan for k in MEASURES} if self.aborted else {}


GRAPH_TEXTS = {
    **TEXTS,
    "initial_prompt": TEXTS["initial_prompt"].replace(
        'reply with exactly one JSON object: {"description": "<one sentence about the room>", "action": "GO: <direction>"}',
        'reply with exactly one JSON object: {"action": "GO: <direction>", "description": "<one sentence about the '
        'room>", "graph": {"nodes": [<room names>], "edges": {"north": [[<from>, <to>]], "south": [], "east": [], '
        '"west": []}}}, the graph being your map of the rooms seen so far'),
    "response_regex": r'^\{\s*"action":\s*"([^\{]*?)"\s*,\s*"description":\s*"([^\{]*?)"\s*,\s*"graph":\s*'
                      r'(\{\s*"nodes"\s*:\s*\[.*\]\s*,\s*"edges"\s*:\s*\{.*\})\s*\}$',
}


def generate_instances(seed: int = 0) -> dict:
    """The shipped set: mm_mapworld's maps and pictures, with the graph-drawing prompt and pattern."""
    data = _tree_instances(seed)
    for experiment in data["experiments"]:
        for instance in experiment["game_instances"]:
            instance.update(GRAPH_TEXTS)
            instance["imgs"] = {k: "../mm_mapworld/" + v for k, v in instance["imgs"].items()}
    return data


# ---------------------------------------------------------------------- the scripted player

def scripted_move(env: Any, agent: str) -> str:
    """The mm_mapworld walker that also reports the map of the rooms it has visited and the doors between
    them."""
    game = env.unwrapped
    seen = visited_rooms(game)
    direction = next_direction(game, set(game.world.rooms) - seen)
    action = "DONE" if direction is None else f"GO: {direction}"
    by_delta = {delta: name for name, delta in rules.DELTAS.items()}
    name = "{0[0]},{0[1]}".format
    edges: dict[str, list[list[str]]] = {d: [] for d in rules.DIRECTIONS}
    for a, b in game.world.doors:
        if a in seen and b in seen:
            edges[by_delta[(b[0] - a[0], b[1] - a[1])]].append([name(a), name(b)])
    graph = json.dumps({"nodes": sorted(name(r) for r in seen), "edges": edges})
    return f'{{"action": "{action}", "description": "a room of the house", "graph": {graph}}}'
