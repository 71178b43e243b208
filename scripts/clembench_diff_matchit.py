"""Differential harness for matchit (the version with pictures): clembench's own game master and scorer, fed
scripted replies.

Runs in a venv with clemcore 3.3.x (the version clp-research/clembench pins) against a checkout of
https://github.com/clp-research/clembench::

    /tmp/clemvenv/bin/python scripts/clembench_diff_matchit.py --clembench /path/to/clembench \\
        --instances tests/data/matchit/in/instances.json --out tests/golden/clembench_v2/matchit.json

clembench's matchit game master was written for clemcore 2's rounds (a round ends when the turn passes back
to player A); clemcore 3's legacy master starts a round whenever player A is to reply, so with clemcore 3.3
player A is asked for its decision right after its second answer and player B never decides: no episode
can be won. The harness gives the game master clemcore 2's rounds back (a new round only when the turn has
just passed to player A), which is the only change; everything else is clembench's code.

The game master passes picture paths and addresses on to the model without reading them, so clembench's
own instance files (Visual Genome addresses) play here without a download.

Per instance: every reply in its format with both decisions right, both wrong, only A's or only B's wrong,
the spellings the game master reads (capitals and a full stop in a decision, text after the flag's line,
blank lines first), and the format breaks at each kind of step (another flag, a lower-case flag, no space
after the flag, an empty reply, a decision that is neither label) by either player.
``tests/test_matchit_images.py`` replays the file through ``dialogue/matchit``.
"""

from __future__ import annotations

from typing import Any

import clembench_v2_driver as driver

SCORES = ("Main Score", "Aborted", "Lose", "Success", "Player Score")


def patch_rounds(benchmark: Any) -> None:
    """Start a round only when the turn has just passed back to player A (see the module docstring)."""
    master = type(benchmark).create_game_master.__globals__["MatchIt"]
    should_pass = master._should_pass_turn

    def _should_pass_turn(self):
        self._passed = should_pass(self)
        return self._passed

    master._should_pass_turn = _should_pass_turn
    master._start_next_round = lambda self: getattr(self, "_passed", False) and self._current_player_idx == 0


def script(decision_turn: int) -> list[tuple[str, str]]:
    """``(player, flag key)`` of each reply in the order the game master asks for them."""
    steps = [("a", "description"), ("b", "description"), ("b", "question")]
    for round_ in range(1, decision_turn + 1):
        steps += [("a", "answer"), ("a", "question"), ("b", "answer")]
        steps.append(("b", "decision" if round_ == decision_turn else "question"))
    return steps + [("a", "decision")]


def replies(experiment: dict, decision_turn: int, decisions: dict[str, str] | None = None,
            change: dict[int, str] | None = None) -> list[str]:
    flags, right = experiment["flags"], experiment["solution"]
    out = []
    for index, (player, key) in enumerate(script(decision_turn)):
        if key == "decision":
            out.append(f"{flags[key]} {(decisions or {}).get(player, right)}")
        else:
            out.append(f"{flags[key]} {key} {index} of player {player.upper()}")
    for index, reply in (change or {}).items():
        out[index] = reply
    return out


def cases(experiment: dict, instance: dict) -> dict[str, list[str]]:
    turns = int(instance["decision_turn"])
    steps = script(turns)
    wrong = experiment["wrong_solution"]
    flags = experiment["flags"]
    first = {key: next(i for i, s in enumerate(steps) if s == (player, key))
             for player, key in [("a", "answer"), ("a", "question")]}
    b_decides = steps.index(("b", "decision"))
    out = {
        "perfect": replies(experiment, turns),
        "both_wrong": replies(experiment, turns, {"a": wrong, "b": wrong}),
        "a_wrong": replies(experiment, turns, {"a": wrong}),
        "b_wrong": replies(experiment, turns, {"b": wrong}),
        "decision_spelling": replies(experiment, turns, change={
            b_decides: f"{flags['decision']} {experiment['solution'].title()}.",
            len(steps) - 1: f"{flags['decision']} {experiment['solution'].upper()}\n"}),
        "more_lines": replies(experiment, turns, change={0: f"{flags['description']} a picture\nwith two lines",
                                                         2: f"\n\n{flags['question']} is there a dog?"}),
    }
    breaks = {
        "format_a_description_flag": (0, f"{flags['question']} a picture"),
        "format_b_description_lower": (1, f"{flags['description'].lower()} a picture"),
        "format_b_question_no_space": (2, f"{flags['question']}is there a dog?"),
        "format_a_answer_flag": (first["answer"], f"{flags['question']} why?"),
        "format_a_question_empty": (first["question"], ""),
        "format_b_decision_other": (b_decides, f"{flags['decision']} maybe"),
        "format_b_decision_flag": (b_decides, f"{flags['answer']} {experiment['solution']}"),
        "format_a_decision_text": (len(steps) - 1, f"{flags['decision']} {experiment['solution']}, I think"),
        "format_a_decision_leading_text": (len(steps) - 1, f"My {flags['decision']} {experiment['solution']}"),
    }
    for name, (index, reply) in breaks.items():
        out[name] = replies(experiment, turns)[:index] + [reply]
    return out


if __name__ == "__main__":
    driver.main(__doc__, "matchit", "matchit", cases, 2, SCORES, patch=patch_rounds,
                roles={"Player 1": "player_a", "Player 2": "player_b"})
