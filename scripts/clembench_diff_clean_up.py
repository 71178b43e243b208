"""Differential harness for clean_up (text): clembench's own game master and scorer, fed scripted replies.

Runs in the clemcore venv (see ``scripts/clembench_diff_dond.py``; clean_up also needs matplotlib, regex,
requests and sympy there) against a checkout of https://github.com/clembench/clembench::

    /tmp/clemvenv16/bin/python scripts/clembench_diff_clean_up.py --clembench /path/to/clembench \\
        --instances tests/data/clean_up_instances.json --out tests/golden/clembench_v3/clean_up.json

Per instance: a perfect pair (player 2 copies player 1's layout, then they finish), talking until the
round limit, finishing at once, player 2 asking to finish, every format mistake until the penalties abort
the game, and every kind of invalid move. The command words come from each instance's patterns, so the
German, Italian and Chinese files play. ``tests/test_clean_up.py`` replays the file through
``dialogue/clean_up``.
"""

from __future__ import annotations

import re

import clembench_v3_driver as driver

SCORES = ("Main Score", "Aborted", "Success", "Distance Score", "Consistency Score", "Coverage Score",
          "Penalty Score", "Shifts", "End Distance Sum", "Init Distance Sum", "Expected Distance Sum", "Penalties",
          "Rounds", "Valid Moves", "Invalid Moves", "Parse Errors")


def _word(pattern: str) -> str:
    return re.match(r"\(\?P<head>\.\*\)([^:：\[ ]+)", pattern).group(1)


def _copy_moves(instance: dict) -> list[tuple[str, int, int]]:
    """Player 2's moves that put its objects where player 1's stand (skipping blocked ones)."""
    grid = [list(row) for row in instance["background"].strip().split("\n")]
    mine = {o["id"]: tuple(o["coord"]) for o in instance["objects_2"]}
    goal = {o["id"]: tuple(o["coord"]) for o in instance["objects_1"]}
    moves, changed = [], True
    while changed:
        changed = False
        for obj, target in goal.items():
            if obj in mine and mine[obj] != target and target not in mine.values():
                moves.append((obj, *target))
                mine[obj] = target
                changed = True
    del grid
    return moves


def cases(experiment: dict, instance: dict) -> dict[str, list[str]]:
    say, move = _word(instance["say_pattern"]), _word(instance["move_pattern"])
    ask, answer = instance["terminate_question"], instance["terminate_answer"]
    rounds, penalties = instance["max_rounds"], instance["max_penalties"]

    def s(text: str) -> str:
        return f"{say}: {text}"

    def m(obj: str, x: int, y: int) -> str:
        return f"{move}: {obj}, ({x}, {y})"

    ids = [o["id"] for o in instance["objects_1"]]
    copy = _copy_moves(instance)
    perfect = [s("Put your objects where mine are; I tell you where.")]
    for obj, x, y in copy:
        perfect += [m(obj, x, y), s(f"{obj} goes to ({x}, {y}).")]
    perfect += [s(ask), s(answer)]
    talk = [s(f"Message {i}.") for i in range(2 * rounds)]
    mistakes = [m(ids[0], 1, 1), f"Hello {s('hi')}", f"{s('hi')}\nBye", f"Hi {s('x')}\nBye",
                f"{s('hi')}\n{m(ids[0], 1, 1)}", "Let me think."]
    format_abort = (mistakes * penalties)[: penalties + 1] + [s("Sorry."), s("Fine.")]
    wall = (0, 0)
    bad_moves = [s("Let us start."), m("?", 1, 1), m(ids[0], 99, 1), m(ids[0], *wall),
                 m(ids[0], *instance["objects_2"][1]["coord"]), s("Sorry, I will only talk."), s(ask), s(answer)]
    return {
        "perfect": perfect,
        "talk_to_round_limit": talk,
        "finish_at_once": [s(f"Shall we stop? {ask}"), s(answer)],
        "player_2_asks": [s("Hello."), s(ask), s(answer)],
        "answer_without_question": [s("Hello."), s(answer), s(ask), s(answer)],
        "backticks": [f"`{s('Hello.')}`", f"```\n{s(ask)}\n```", f"`{s(answer)}`"],
        "format_mistakes_abort": format_abort,
        "invalid_moves": bad_moves,
    }


if __name__ == "__main__":
    driver.main(__doc__, "clean_up", "clean_up", cases, ("player_1", "player_2"), SCORES)
