"""Differential harness for multimodal_referencegame: clembench's own game master and scorer, fed scripted
replies.

Runs in a venv with clemcore 3.3.x (the version clp-research/clembench pins) against a checkout of
https://github.com/clp-research/clembench::

    /tmp/clemvenv/bin/python scripts/clembench_diff_multimodal_referencegame.py --clembench /path/to/clembench \\
        --instances tests/data/multimodal_referencegame/in/instances.json \\
        --out tests/golden/clembench_v2/multimodal_referencegame.json

Per instance: the right answer in each spelling the target's names allow (label, digit, "1st"), a wrong
answer, lower-case tags, trailing blank lines, and the replies clembench's game master rejects but its scorer
reads again (a label followed by more text on its line or on the next), then the format breaks of each
player (no tag, no space after the tag, a second line, an empty reply). ``tests/test_multimodal_referencegame.py``
replays the file through ``dialogue/multimodal_referencegame``.
"""

from __future__ import annotations

import clembench_v2_driver as driver

SCORES = ("Main Score", "Aborted", "Lose", "Success", "Aborted at Player 1", "Aborted at Player 2",
          "Generated Expression Length", "Generated Expression Number of Tokens")
ORDINALS = ("first", "second", "third")
DIGITS = {"first": ("1", "1st"), "second": ("2", "2nd"), "third": ("3", "3rd")}


def cases(experiment: dict, instance: dict) -> dict[str, list[str]]:
    target = next(n for n in instance["target_image_name"] if n in ORDINALS)
    wrong = next(n for n in ORDINALS if n != target)
    digit, nth = DIGITS[target]
    said = "Expression: the one with the red square in the corner"
    return {
        "perfect": [said, f"Answer: {target}"],
        "wrong": [said, f"Answer: {wrong}"],
        "digit": [said, f"Answer: {digit}"],
        "ordinal_suffix": [said, f"Answer: {nth}"],  # the pattern reads the digit, then "st" is left over
        "lower_case_tags": [said.lower(), f"answer: {target.upper()}"],
        "trailing_newlines": [said + "\n\n", f"Answer: {target}\n"],
        "single_word": ["Expression: square", f"Answer: {target}"],
        "answer_more_text": [said, f"Answer: {target} image"],
        "answer_second_line": [said, f"Answer: {target}\nIt has the red square."],
        "wrong_more_text": [said, f"Answer: {wrong}."],
        "format_p1_no_tag": ["The one with the red square."],
        "format_p1_two_lines": [said + "\nIt is the first one."],
        "format_p1_no_space": ["Expression:square"],
        "format_p1_leading_space": [" " + said],
        "format_p1_empty": [""],
        "format_p2_no_tag": [said, target],
        "format_p2_no_space": [said, f"Answer:{target}"],
        "format_p2_other_word": [said, "Answer: fourth"],
        "format_p2_leading_text": [said, f"My answer: {target}"],
        "format_p2_empty": [said, ""],
    }


if __name__ == "__main__":
    driver.main(__doc__, "multimodal_referencegame", "multimodal_referencegame", cases, 2, SCORES,
                roles={"InstructionGiver": "describer", "InstructionFollower": "guesser"})
