"""Differential harness for dond: clembench's own Deal or No Deal game master and scorer, fed scripted replies.

Runs in a separate virtualenv with clemcore (the version clembench pins, >=3.7,<4) and nltk, against a
checkout of https://github.com/clembench/clembench; it imports nothing from llm_arena_env::

    python3 -m venv /tmp/clemvenv16 && /tmp/clemvenv16/bin/pip install 'clemcore>=3.7,<4'
    /tmp/clemvenv16/bin/python scripts/clembench_diff_dond.py --clembench /path/to/clembench \\
        --instances tests/data/dond_instances.json --out tests/golden/clembench_v3/dond.json

For every instance of the given file it plays a fixed list of scripted cases (a perfect player, clashing
proposals, each rule break, each format break) through clembench's game master, scores the episode with
clembench's scorer, and writes per case: the replies, what clembench showed each player before each
reply, the outcome, the episode scores (Main Score, Sum of Points, Pareto Optimal) and the request
counts. ``tests/test_dond.py`` replays the file through ``dialogue/dond`` and asserts the same.
With ``--instances`` pointing at clembench's own ``dond/in/instances*.json`` (and ``--out`` elsewhere), the
same cases measure agreement on clembench's instances; the golden files under tests/ hold only instances
we wrote.
"""

from __future__ import annotations


import clembench_harness as harness

SCORES = ("Main Score", "Aborted", "Lose", "Success", "Sum of Points", "Pareto Optimal")
PREFIX = {"en": "Proposal", "de": "Vorschlag", "it": "Proposta"}


# ---------------------------------------------------------------------- scripted players


def _proposal(language: str, counts: list[int], instance: dict, *, plural_for_one: bool = False,
              inflect: bool = False) -> str:
    parts = []
    for n, one, many in zip(counts, instance["item_types"], instance["item_types_plural"]):
        if n:
            name = many if (n != 1 or plural_for_one) else one
            parts.append(f"{n} {one.capitalize() + 'es' if inflect else name}")
    return f"[{PREFIX[language]}: {', '.join(parts)}]"


def _best_split(instance: dict) -> tuple[list[int], list[int]]:
    """Every item to whoever values it more (ties to player b): the largest sum, Pareto optimal."""
    a = [n if va > vb else 0 for n, va, vb in zip(instance["item_counts"], instance["player_a_values"],
                                                  instance["player_b_values"])]
    return a, [n - x for n, x in zip(instance["item_counts"], a)]


def cases(experiment: dict, instance: dict) -> dict[str, list[str]]:
    """Scripted replies, in the order the game asks for them (player a first)."""
    lang = experiment["language"]
    rounds = experiment["max_turns"]
    best_a, best_b = _best_split(instance)
    everything = instance["item_counts"]
    nothing = [0] * len(everything)
    too_many = list(everything)
    too_many[0] += 1
    first = instance["item_types"][0]
    talk = ["Which items do you value most?", "I value some items more than others; let us split by value."]
    return {
        "perfect_early": [talk[0], talk[1], _proposal(lang, best_a, instance), _proposal(lang, best_b, instance)],
        "talk_to_timeout": [talk[i % 2] for i in range(2 * rounds)]
        + [_proposal(lang, best_a, instance), _proposal(lang, best_b, instance)],
        "b_proposes_first": [talk[0], _proposal(lang, best_b, instance), _proposal(lang, best_a, instance)],
        "clash_both_want_all": [_proposal(lang, everything, instance), _proposal(lang, everything, instance)],
        "a_takes_all": [_proposal(lang, everything, instance), f"[{PREFIX[lang]}:]"],
        "empty_proposals_trailing_comma": [f"[{PREFIX[lang].lower()}: ,]", f"[{PREFIX[lang]}:]"],
        "plural_for_single_items": [_proposal(lang, best_a, instance, plural_for_one=True),
                                    _proposal(lang, best_b, instance, plural_for_one=True)],
        "inflected_item_names": [_proposal(lang, best_a, instance, inflect=True), _proposal(lang, best_b, instance)],
        "text_around_proposal": [f"Fine by me. {_proposal(lang, best_a, instance)} Thanks!",
                                 f"{_proposal(lang, best_b, instance)}\nDone."],
        # rule breaks (clembench: aborted, the reply counted as parsed)
        "rule_message_after_timeout": [talk[i % 2] for i in range(2 * rounds)] + ["One more thing to say."],
        "rule_message_after_proposal": [_proposal(lang, best_a, instance), "Why did you propose already?"],
        "rule_more_than_available": [talk[0], _proposal(lang, too_many, instance)],
        # format breaks (clembench: aborted, a violated request)
        "format_wrong_prefix": [talk[0], f"[Offer: 1 {first}]"],
        "format_number_in_words": [f"[{PREFIX[lang]}: one {first}]"],
        "format_unknown_item": [talk[0], talk[1], f"[{PREFIX[lang]}: 1 unicorn]"],
        "format_item_twice": [f"[{PREFIX[lang]}: 1 {first}, 1 {first}]"],
        "format_no_space": [f"[{PREFIX[lang]}: 1{first}]"],
    }


GAME = harness.Game("dond", "dond", cases, SCORES, ("player_a", "player_b"))


if __name__ == "__main__":
    harness.main(__doc__, GAME)
