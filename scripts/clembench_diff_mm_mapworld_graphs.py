"""Differential harness for mm_mapworld_graphs: clembench's own game master and scorer, fed scripted
replies (the walks of ``scripts/clembench_diff_mm_mapworld.py``, in this game's reply format)::

    /tmp/clemvenv16b/bin/python scripts/clembench_diff_mm_mapworld_graphs.py --clembench /path/to/clembench \\
        --instances tests/data/clembench_mm/mm_mapworld/mm_mapworld_graphs/in/instances.json \\
        --out tests/golden/clembench_v2/mm_mapworld_graphs.json

Per instance: a depth-first walk drawing the true map as it goes, the same walk with an empty graph, with a
graph that is not JSON, and with a wrong door; DONE at once, one step, a step into a wall, back and forth,
DONE at the 19th and 20th reply, lower-case "done", and the format breaks (no graph, the keys of
mm_mapworld's reply, a bare action, an unknown direction, an empty reply). ``tests/test_mm_mapworld.py``
replays the file through ``dialogue/mm_mapworld_graphs``.
"""

from __future__ import annotations

import json

import clembench_diff_mm_mapworld as mapworld
import clembench_harness as harness

SCORES = ("Main Score", "Aborted", "Success", "Lose", "moves", "valid_moves", "invalid_moves", "visited", "seen",
          "efficiency", "exploration", "graph_similarity")
EMPTY = {"nodes": [], "edges": {"north": [], "south": [], "east": [], "west": []}}


def reply(action: str, graph: object = EMPTY) -> str:
    graph = graph if isinstance(graph, str) else json.dumps(graph)
    return '{"action": "%s", "description": "A room.", "graph": %s}' % (action, graph)


def _walk_with_graphs(instance: dict, steps: list[str], wrong: bool = False) -> list[str]:
    """The replies of ``steps``, each with the map of the rooms seen so far (names from ``cats``)."""
    doors, at = mapworld._doors(instance), mapworld._room(instance["start"])
    delta = {v: k for k, v in mapworld.NAMES.items()}
    name = lambda r: instance["cats"][f"({r[0]}, {r[1]})"]  # noqa: E731
    graph = {"nodes": [name(at)], "edges": {"north": [], "south": [], "east": [], "west": []}}
    replies = []
    for step in steps:
        nxt = (at[0] + delta[step][0], at[1] + delta[step][1])
        replies.append(reply(f"GO: {step}", graph))
        if nxt in doors.get(at, []):
            graph = json.loads(json.dumps(graph))
            if name(nxt) not in graph["nodes"]:
                graph["nodes"].append(name(nxt))
                graph["edges"][step].append([name(at), name(nxt)])
            at = nxt
    if wrong:
        graph["edges"]["north"].append([graph["nodes"][0], "Nowhere"])
    return replies + [reply("DONE", graph)]


def cases(experiment: dict, instance: dict) -> dict[str, list[str]]:
    walk = mapworld._depth_first(instance)
    base = mapworld.cases(experiment, instance)
    out = json.loads(base["one_step"][0])["action"].split()[-1]
    back = {"north": "south", "south": "north", "east": "west", "west": "east"}[out]
    wall = json.loads(base["wall_then_walk"][0])["action"].split()[-1]
    shuttle = [reply(f"GO: {out if i % 2 == 0 else back}") for i in range(19)]
    return {
        "depth_first_true_map": _walk_with_graphs(instance, walk),
        "depth_first_empty_graph": [reply(f"GO: {d}") for d in walk] + [reply("DONE")],
        "depth_first_graph_not_json": [reply(f"GO: {d}") for d in walk] + [reply("DONE", '{"nodes": [a], "edges": {}}')],
        "depth_first_wrong_door": _walk_with_graphs(instance, walk, wrong=True),
        "done_at_once": [reply("DONE")],
        "one_step": [reply(f"GO: {out}"), reply("DONE")],
        "wall_then_walk": _walk_with_graphs(instance, [wall] + walk),
        "back_and_forth": shuttle[:6] + [reply("DONE")],
        "done_at_reply_19": shuttle[:18] + [reply("DONE")],
        "done_at_reply_20": shuttle[:19] + [reply("DONE")],
        "lower_case_done": [reply(f"GO: {out.upper()}"), reply("done")],
        "format_no_graph": [mapworld.reply(f"GO: {out}")],
        "format_plain_action": [f"GO: {out}"],
        "format_unknown_direction": [reply(f"GO: {out}"), reply("GO: up")],
        "format_empty": [""],
    }


GAME = harness.Game("mm_mapworld_graphs", "mm_mapworld/mm_mapworld_graphs", cases, SCORES, {"PathWalker": "walker"},
                    version=2, players=1)


if __name__ == "__main__":
    harness.main(__doc__, GAME)
