"""Differential harness for mm_mapworld_specificroom: clembench's own game master and scorer, fed
scripted replies (see ``scripts/clembench_diff_mm_mapworld.py``, whose cases it plays too)::

    /tmp/clemvenv16b/bin/python scripts/clembench_diff_mm_mapworld_specificroom.py --clembench /path/to/clembench \\
        --instances tests/data/clembench_mm/mm_mapworld/mm_mapworld_specificroom/in/instances.json \\
        --out tests/golden/clembench_v2/mm_mapworld_specificroom.json

Added per instance: the shortest walk to the target then DONE, the same with a step into a wall first,
and one step past the target then DONE. ``tests/test_mm_mapworld.py`` replays the file through
``dialogue/mm_mapworld_specificroom``.
"""

from __future__ import annotations

import clembench_diff_mm_mapworld as mapworld
import clembench_harness as harness

SCORES = mapworld.SCORES + ("finding",)


def _shortest(instance: dict) -> list[str]:
    """The directions of a shortest walk from the start to the target (breadth first)."""
    doors, start, target = mapworld._doors(instance), mapworld._room(instance["start"]), mapworld._room(instance["target"])
    paths = {start: []}
    queue = [start]
    while queue:
        at = queue.pop(0)
        for nxt in doors.get(at, []):
            if nxt not in paths:
                paths[nxt] = paths[at] + [mapworld.NAMES[(nxt[0] - at[0], nxt[1] - at[1])]]
                queue.append(nxt)
    return paths[target]


def cases(experiment: dict, instance: dict) -> dict[str, list[str]]:
    found = mapworld.cases(experiment, instance)
    walk = [mapworld.reply(f"GO: {d}") for d in _shortest(instance)]
    done = mapworld.reply("DONE")
    target = mapworld._room(instance["target"])
    beyond = mapworld.NAMES[next((b[0] - target[0], b[1] - target[1]) for b in mapworld._doors(instance)[target])]
    wall = found["wall_then_walk"][0]
    found.update({
        "to_target": walk + [done],
        "wall_then_to_target": [wall] + walk + [done],
        "past_target": walk + [mapworld.reply(f"GO: {beyond}"), done],
    })
    return found


GAME = harness.Game("mm_mapworld_specificroom", "mm_mapworld/mm_mapworld_specificroom", cases, SCORES,
                    {"PathWalker": "walker"}, version=2, players=1)


if __name__ == "__main__":
    harness.main(__doc__, GAME)
