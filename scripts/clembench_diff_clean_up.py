"""Differential harness for clean_up and its variants: clembench's own game master and scorer, fed scripted replies.

Runs in the clemcore venv (see ``scripts/clembench_diff_dond.py``; clean_up also needs matplotlib, regex,
requests and sympy there) against a checkout of https://github.com/clembench/clembench, from the
checkout's root (clembench's hybrid and image boards read their font and write their pictures relative
to it)::

    cd /path/to/clembench && /tmp/clemvenv16/bin/python $REPO/scripts/clembench_diff_clean_up.py \\
        --clembench . --instances $REPO/tests/data/clean_up_instances.json --out $REPO/tests/golden/clembench_v3/clean_up.json

``--game st_clean_up``, ``hybrid_clean_up`` or ``mm_clean_up`` plays that variant (its ``st_``, ``hybrid_``
or ``mm_`` instance file). For ``mm_clean_up`` the harness mends two things clembench needs from outside
its checkout: the background path of its instances (a path on its authors' machine) is looked up under the
checkout's ``clean_up/`` folder, and the icons it downloads from freepik are replaced by one small picture
(no network here; the icons' pixels play no part in the rules).

Per instance: a perfect pair (player 2 copies player 1's layout, then they finish), talking until the
round limit, finishing at once, player 2 asking to finish, every format mistake until the penalties abort
the game, and every kind of invalid move. The command words come from each instance's patterns, so the
German, Italian and Chinese files play. ``tests/test_clean_up.py`` replays the file through
``dialogue/clean_up``.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path, PurePath
from typing import Any

import clembench_harness as harness

SCORES = ("Main Score", "Aborted", "Success", "Distance Score", "Consistency Score", "Coverage Score",
          "Penalty Score", "Shifts", "End Distance Sum", "Init Distance Sum", "Expected Distance Sum", "Penalties",
          "Rounds", "Valid Moves", "Invalid Moves", "Parse Errors")


def _word(pattern: str) -> str:
    return re.match(r"\(\?P<head>\.\*\)([^:：\[ ]+)", pattern).group(1)


def _copy_moves(instance: dict) -> list[tuple[str, int, int]]:
    """Player 2's moves that put its objects where player 1's stand (skipping blocked ones); on pictures
    the objects are matched by their freepik_id, their letters differ."""
    grid = [list(row) for row in instance["background"].strip().split("\n")]
    mine = {o["id"]: tuple(o["coord"]) for o in instance["objects_2"]}
    if instance.get("modality") == "image":
        where = {o["freepik_id"]: tuple(o["coord"]) for o in instance["objects_1"]}
        goal = {o["id"]: where[o["freepik_id"]] for o in instance["objects_2"]}
    else:
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
    # variants that forbid numbers (and words such as "row") in messages get messages without them
    plain = bool(instance.get("restricted_patterns"))
    perfect = [s("Put your objects where mine are; I tell you where.")]
    for obj, x, y in copy:
        perfect += [m(obj, x, y), s(f"{obj} goes where mine is." if plain else f"{obj} goes to ({x}, {y}).")]
    perfect += [s(ask), s(answer)]
    talk = [s(f"Message {_letters(i)}." if plain else f"Message {i}.") for i in range(2 * rounds)]
    mistakes = [m(ids[0], 1, 1), f"Hello {s('hi')}", f"{s('hi')}\nBye", f"Hi {s('x')}\nBye",
                f"{s('hi')}\n{m(ids[0], 1, 1)}", "Let me think."]
    format_abort = (mistakes * penalties)[: penalties + 1] + [s("Sorry."), s("Fine.")]
    wall = (0, 0)
    far = 99999 if instance.get("modality") == "image" else 99  # pictures are hundreds of pixels wide
    bad_moves = [s("Let us start."), m("?", 1, 1), m(ids[0], far, 1), m(ids[0], *wall),
                 m(ids[0], *instance["objects_2"][1]["coord"]), s("Sorry, I will only talk."), s(ask), s(answer)]
    found = {}
    if plain:  # a message with a forbidden number costs a penalty; "finished!" in it still ends the game
        found["restricted_message"] = [s("Hello."), s("Move it by 2."), s("Sorry."), s(ask), s(f"{answer} 3")]
    return found | {
        "perfect": perfect,
        "talk_to_round_limit": talk,
        "finish_at_once": [s(f"Shall we stop? {ask}"), s(answer)],
        "player_2_asks": [s("Hello."), s(ask), s(answer)],
        "answer_without_question": [s("Hello."), s(answer), s(ask), s(answer)],
        "backticks": [f"`{s('Hello.')}`", f"```\n{s(ask)}\n```", f"`{s(answer)}`"],
        "format_mistakes_abort": format_abort,
        "invalid_moves": bad_moves,
    }


def _letters(number: int) -> str:
    return "".join("abcdefghij"[int(d)] for d in str(number))


def find_pictures(benchmark: Any) -> None:
    """mm_clean_up only: backgrounds found in the checkout, icons not downloaded (see the module docstring)."""
    pic_state = type(benchmark).create_game_master.__globals__["PicState"]
    module = sys.modules[pic_state.__module__]
    checkout = Path(benchmark.game_path)
    opened = pic_state.set_background

    def set_background(self, background: str) -> None:
        parts = PurePath(background).parts
        if not Path(background).exists() and "clean_up" in parts:
            background = str(checkout.joinpath(*parts[len(parts) - parts[::-1].index("clean_up"):]))
        opened(self, background)

    class Icon:
        content = _icon_png()

        def raise_for_status(self) -> None:
            return None

    pic_state.set_background = set_background
    module.requests = type("requests", (), {"get": staticmethod(lambda url, *a, **k: Icon())})


def _icon_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (32, 32), (200, 60, 60, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


GAME = harness.Game("clean_up", "clean_up", cases, SCORES, ("player_1", "player_2"), patch=find_pictures,
                    variants=("st_clean_up", "hybrid_clean_up", "mm_clean_up"))


if __name__ == "__main__":
    harness.main(__doc__, GAME)
