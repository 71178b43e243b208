"""Differential harness for mm_mapworld: clembench's own game master and scorer, fed scripted replies.

Runs in a venv with clemcore 3.3.x (the version clp-research/clembench pins) against a checkout of
https://github.com/clp-research/clembench (the game is ``mm_mapworld/mm_mapworld_main``)::

    /tmp/clemvenv/bin/python scripts/clembench_diff_mm_mapworld.py --clembench /path/to/clembench \\
        --instances tests/data/clembench_mm/mm_mapworld/mm_mapworld_main/in/instances.json \\
        --out tests/golden/clembench_v2/mm_mapworld.json

Per instance: a depth-first walk through every room then DONE, DONE at once, one step then DONE, a
direction without a door, back and forth, DONE at the 19th and at the 20th reply, 20 replies without
DONE, and the spellings and format breaks the game master reads (capitalised or upper-case directions,
lower-case "done", no space after "GO:", a reply over several lines, text around the JSON, keys in the
other order, a quote inside the description, an unknown direction, an empty reply). clembench's scorer
logs no request counts for this game, so none are recorded. ``tests/test_mm_mapworld.py`` replays the
file through ``dialogue/mm_mapworld``.
"""

from __future__ import annotations

import json

import clembench_harness as harness

SCORES = ("Main Score", "Aborted", "Success", "Lose", "moves", "valid_moves", "invalid_moves", "visited", "seen",
          "effieciency", "exploration")
NAMES = {(0, 1): "north", (0, -1): "south", (1, 0): "east", (-1, 0): "west"}


def _room(text: str) -> tuple[int, int]:
    x, y = text[1:-1].split(",")
    return int(x), int(y)


def _doors(instance: dict) -> dict[tuple, list[tuple]]:
    doors: dict[tuple, list[tuple]] = {}
    for edge in instance["edges"]:
        x1, y1, x2, y2 = (int(v) for v in edge.replace("(", "").replace(")", "").split(","))
        doors.setdefault((x1, y1), []).append((x2, y2))
    return doors


def _depth_first(instance: dict) -> list[str]:
    """The directions of a depth-first walk from the start that enters every room (no return at the end)."""
    doors, start = _doors(instance), _room(instance["start"])
    seen, steps = {start}, []

    def visit(at):
        for nxt in doors.get(at, []):
            if nxt not in seen:
                seen.add(nxt)
                steps.append(NAMES[(nxt[0] - at[0], nxt[1] - at[1])])
                visit(nxt)
                if len(seen) < len(doors):  # walk back only while rooms are left
                    steps.append(NAMES[(at[0] - nxt[0], at[1] - nxt[1])])
    visit(start)
    return steps


def reply(action: str, description: str = "A room.") -> str:
    return json.dumps({"description": description, "action": action})


def cases(experiment: dict, instance: dict) -> dict[str, list[str]]:
    start = _room(instance["start"])
    doors = _doors(instance)
    out = NAMES[(doors[start][0][0] - start[0], doors[start][0][1] - start[1])]
    back = {"north": "south", "south": "north", "east": "west", "west": "east"}[out]
    wall = next(d for d in NAMES.values() if d not in
                [NAMES[(b[0] - start[0], b[1] - start[1])] for b in doors[start]])
    walk = _depth_first(instance)
    go = [reply(f"GO: {d}") for d in walk]
    shuttle = [reply(f"GO: {out if i % 2 == 0 else back}") for i in range(19)]
    done = reply("DONE")
    return {
        "depth_first": go + [done],
        "done_at_once": [done],
        "one_step": [reply(f"GO: {out}"), done],
        "wall_then_walk": [reply(f"GO: {wall}")] + go + [done],
        "back_and_forth": shuttle[:6] + [done],
        "done_at_reply_19": shuttle[:18] + [done],
        "done_at_reply_20": shuttle[:19] + [done],
        "twenty_moves": shuttle + [reply(f"GO: {back}")],
        "capitalised": [reply(f"GO: {out.capitalize()}"), reply(f"GO: {back.upper()}"), reply("done")],
        "no_space": [reply(f"GO:{out}"), done],
        "several_lines": ['{\n  "description": "A room.",\n  "action": "GO: ' + out + '"\n}\n', done],
        "format_text_around": ["Let us go. " + reply(f"GO: {out}")],
        "format_plain_action": [f"GO: {out}"],
        "format_keys_swapped": [json.dumps({"action": f"GO: {out}", "description": "A room."})],
        "format_quote_in_description": ['{"description": "a "big" room", "action": "GO: ' + out + '"}'],
        "format_unknown_direction": [reply(f"GO: {out}"), reply("GO: up")],
        "format_empty": [reply(f"GO: {out}"), ""],
    }


GAME = harness.Game("mm_mapworld", "mm_mapworld/mm_mapworld_main", cases, SCORES, {"PathWalker": "walker"}, version=2,
                    players=1)


if __name__ == "__main__":
    harness.main(__doc__, GAME)
