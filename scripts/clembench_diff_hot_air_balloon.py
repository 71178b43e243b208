"""Differential harness for hot_air_balloon: clembench's own game master and scorer, fed scripted replies.

Runs in the clemcore venv (see ``scripts/clembench_diff_dond.py``) against a checkout of
https://github.com/clembench/clembench (the game lives in its ``air_balloon_survival`` folder)::

    /tmp/clemvenv16/bin/python scripts/clembench_diff_hot_air_balloon.py --clembench /path/to/clembench \\
        --instances tests/data/hot_air_balloon_instances.json --out tests/golden/clembench_v3/hot_air_balloon.json

Per instance: a perfect pair, a negotiation with a refusal, an overweight deal, a recovered format
mistake, each format mistake until patience runs out, each rule mistake until patience runs out, too many
replies without a proposal, a set spread over two lines, a doubled refusal, and patience shared between a
rule and a format mistake. ``tests/test_hot_air_balloon.py`` replays the file through
``dialogue/hot_air_balloon``.
"""

from __future__ import annotations


import clembench_harness as harness

SCORES = ("Main Score", "Aborted", "Lose", "Success", "Normalized Utility Player 1", "Normalized Utility Player 2",
          "Harmonic Mean Score", "Violations Player 1", "Violations Player 2", "Total Violations")


def _set(items) -> str:
    return "{" + ", ".join(repr(i) for i in sorted(items)) + "}"


def _fitting(instance: dict, order: list[str]) -> list[str]:
    """Items taken in ``order`` while they fit under the weight limit."""
    chosen, weight = [], 0
    for item in order:
        if weight + instance["item_weights"][item] <= instance["max_weight"]:
            chosen.append(item)
            weight += instance["item_weights"][item]
    return chosen


def _word(pattern: str) -> str:
    """The tag word of an instance's pattern: '^\\s*STRATEGIC REASONING:\\s*...' -> 'STRATEGIC REASONING'."""
    return pattern.split(":")[0].lstrip("^").replace("\\s*", "").strip()


def cases(experiment: dict, instance: dict) -> dict[str, list[str]]:
    agree, refuse, propose, argue, reason = (_word(instance[k]) for k in (
        "agree_tag", "refusal_tag", "proposal_tag", "argument_tag", "strategic_reasoning_tag"))
    sr = f"{reason}: {{'I should keep what matters most to me.'}}\n" if instance["strategic_reasoning"] else ""
    weights, p1, p2 = instance["item_weights"], instance["player1_preferences"], instance["player2_preferences"]
    items = sorted(weights)
    deal_1 = _fitting(instance, sorted(items, key=lambda i: -p1[i]))
    deal_2 = _fitting(instance, sorted(items, key=lambda i: -p2[i]))

    def say(*parts: str) -> str:
        return sr + f"{argue}: {{'Let us keep the most useful items.'}}\n" + "\n".join(parts)

    no_argument = sr + f"{propose}: {_set(deal_1)}"
    untagged = "Hello there! " + say(f"{propose}: {_set(deal_1)}")
    bad_set = say(f"{propose}: {{" + ", ".join(deal_1) + "}")
    unknown = say(f"{propose}: {{'unicorn', " + _set(deal_1)[1:])
    found = {
        "perfect": [say(f"{propose}: {_set(deal_1)}"), say(f"{agree}: {_set(deal_1)}")],
        "refuse_then_agree": [say(f"{propose}: {_set(deal_1)}"),
                              say(f"{refuse}: {_set(deal_1)}", f"{propose}: {_set(deal_2)}"),
                              say(f"{agree}: {_set(deal_2)}")],
        "overweight_deal": [say(f"{propose}: {_set(items)}"), say(f"{agree}: {_set(items)}")],
        "format_then_recovered": [no_argument, say(f"{propose}: {_set(deal_1)}"), say(f"{agree}: {_set(deal_1)}")],
        "format_no_argument": [no_argument] * 3,
        "format_untagged_text": [untagged] * 3,
        "format_invalid_set": [bad_set] * 3,
        "rule_unknown_item": [unknown] * 3,
        "rule_agree_not_proposed": [say(f"{agree}: {_set(deal_1)}")] * 3,
        "rule_refuse_not_proposed": [say(f"{refuse}: {_set(deal_1)}")] * 3,
        "empty_turn_limit": [say()] * (instance["empty_turn_limit"] + 1),
        "set_over_two_lines": [say(f"{propose}: {{" + ",\n".join(repr(i) for i in deal_1) + "}"),
                               say(f"{propose}: {_set(deal_2)}"), say(f"{agree}: {_set(deal_2)}")],
        "double_refusal": [say(f"{propose}: {_set(deal_1)}"), say(f"{refuse}: {_set(deal_1)}", f"{refuse}: {_set(deal_1)}")],
        "patience_shared": [unknown, no_argument, no_argument],
        "player_2_runs_out": [say(f"{propose}: {_set(deal_1)}"), untagged, bad_set, no_argument],
    }
    if instance["strategic_reasoning"]:
        found["format_no_reasoning"] = [f"{argue}: {{'hi'}}\n{propose}: {_set(deal_1)}"] * 3
    return found


GAME = harness.Game("hot_air_balloon", "air_balloon_survival", cases, SCORES, ("player_1", "player_2"))


if __name__ == "__main__":
    harness.main(__doc__, GAME)
