"""Differential harness for cloudgame: clembench's own game master and scorer, fed scripted replies.

Runs in a venv with clemcore 3.3.x (the version clp-research/clembench pins) against a checkout of
https://github.com/clp-research/clembench::

    /tmp/clemvenv/bin/python scripts/clembench_diff_cloudgame.py --clembench /path/to/clembench \\
        --instances tests/data/cloudgame/in/instances.json --out tests/golden/clembench_v2/cloudgame.json

clembench's cloudgame does not start as published: its game master calls ``Judge(self)`` while ``Judge``
takes no argument (a TypeError at setup). The harness lets ``Judge`` accept and ignore that argument,
which is the only change; everything else is clembench's code.

Per instance: the answer the game master counts as right in both rounds, a truthful chicken answer, a
wrong answer, and each formatting variant the game master treats specially (trailing period, leading
space, capitals, newline), then each format break that aborts (two words, another word, empty, a comma,
two lines), in the first and in the second round. ``tests/test_cloudgame.py`` replays the file through
``dialogue/cloudgame``.
"""

from __future__ import annotations

from typing import Any

import clembench_harness as harness

SCORES = ("Main Score", "Aborted", "Lose", "Success")


def patch_judge(benchmark: Any) -> None:
    """Let the game master's ``Judge(self)`` call work (see the module docstring)."""

    from clemcore.backends import CustomResponseModel
    from clemcore.clemgame import Player

    judge = type(benchmark).create_game_master.__globals__["Judge"]
    judge.__init__ = lambda self, *_ignored: Player.__init__(self, CustomResponseModel())


def cases(experiment: dict, instance: dict) -> dict[str, list[str]]:
    right = experiment["name"].capitalize()  # the game master compares both answers with the experiment name
    wrong = "No" if right == "Yes" else "Yes"
    return {
        "perfect": [right, right],
        "truthful_chickens": [right, "No"],
        "wrong_clouds": [wrong, "No"],
        "trailing_period": [right + ".", right],
        "leading_space": [" " + right, right],
        "space_period": [right.lower() + " .", right],
        "capitals": [right.upper(), right.upper()],
        "newline": [right + "\n", "\n" + right],
        "format_two_words": [right + " indeed"],
        "format_other_word": ["Maybe"],
        "format_empty": [""],
        "format_comma": [right + ","],
        "format_two_lines": [right + "\nNo"],
        "format_second_round": [right, "No chickens"],
        "format_second_round_word": [right, "Perhaps"],
    }


GAME = harness.Game("cloudgame", "cloudgame", cases, SCORES, version=2, players=1, patch=patch_judge)


if __name__ == "__main__":
    harness.main(__doc__, GAME)
