"""Taboo: the stem check on hand-worked clues, the formats, and whole episodes."""

from __future__ import annotations

import json
import math

import pytest

import llm_arena_env
from llm_arena_env.core.outcome import EndReason, Outcome
from llm_arena_env.core.text_env import IllegalAction
from llm_arena_env.games.dialogue.taboo import CLUE_PREFIX, clue_violations, generate_instances, parse_prefixed

APPLE = {"target_word": "apple", "related_word": ["fruit", "tree", "pie"]}


def taboo(**kwargs):
    env = llm_arena_env.make("dialogue/taboo", **kwargs)
    env.reset(seed=0, options={"instance": APPLE})
    return env


def play(env, *replies):
    for reply in replies:
        env.step(reply)


@pytest.mark.parametrize("clue, offending", [
    ("It is like a pineapple", []),  # only contains the target as a substring
    ("Applesauce is made from it", []),
    ("Apples grow on these", ["apples"]),  # a morphological variant
    ("APPLE", ["apple"]),
    ("It is fruity and red", []),  # stem "fruiti" differs from "fruit"
    ("Fruits that are red", ["fruits"]),
    ("Trees bear it", ["trees"]),
    ("a baked apple-pie filling", ["apple", "pie"]),  # hyphens split words
    ("Newton's apple's fall", ["apple"]),
])
def test_clue_stem_check_on_hand_worked_clues(clue, offending):
    assert [v.clue_word for v in clue_violations(clue, "apple", ["fruit", "tree", "pie"])] == offending


def test_stop_words_in_the_clue_are_ignored():
    assert clue_violations("you climb up it", "ladder", ["up", "rungs"]) == []
    assert clue_violations("you climb upward", "ladder", ["climbing"])[0].taboo_word == "climbing"


@pytest.mark.parametrize("text, expected", [
    ("CLUE: a red fruit", "a red fruit"),
    ("CLUE:a red fruit \n", "a red fruit"),
    ("CLUE: grows on trees\nand is red", "grows on trees\nand is red"),
    ("CLUE:", ""),  # clembench plays an empty clue on
    ("CLUE: 123 ?", "123 ?"),
])
def test_clue_format_accepts(text, expected):
    assert parse_prefixed(text, CLUE_PREFIX) == expected


@pytest.mark.parametrize("text", ["clue: a red fruit", "Clue: red", "  CLUE: red", "\nCLUE: red", "**CLUE:** red",
                                  "My CLUE: red", "", "GUESS: apple"])
def test_clue_format_rejects(text):
    with pytest.raises(IllegalAction):
        parse_prefixed(text, CLUE_PREFIX)


@pytest.mark.parametrize("rounds_needed, main_score", [(1, 100.0), (2, 50.0), (3, 100 / 3)])
def test_a_perfect_pair_succeeds_with_the_top_score_for_its_round(rounds_needed, main_score):
    env = taboo()
    for _ in range(rounds_needed - 1):
        play(env, "CLUE: a red snack that keeps the doctor away", "GUESS: cherry")
    play(env, "CLUE: a crunchy round snack", "GUESS: Apple.")
    assert env.result.reason is EndReason.GAME_OVER
    assert all(env.infos[p]["outcome"] is Outcome.SUCCESS for p in ("describer", "guesser"))
    scores = env.infos["guesser"]["scores"]
    assert scores["Success"] == 1 and scores["Main Score"] == pytest.approx(main_score)
    assert scores["Request Count"] == rounds_needed and scores["Request Success Ratio"] == 1.0  # clembench: one a round
    assert scores["Repetition-Guesser"] == max(0, rounds_needed - 2)  # "cherry" again in round 2


def test_each_player_sees_only_its_side():
    env = taboo()
    play(env, "CLUE: a crunchy round snack")
    guesser = env.observe("guesser")["messages"]
    assert len(guesser) == 1 and guesser[0]["content"].endswith("\n\nCLUE: a crunchy round snack")
    assert "apple" not in guesser[0]["content"] and "fruit" not in guesser[0]["content"]
    env.step("GUESS: pear")
    describer = env.observe("describer")["messages"]
    assert [m["role"] for m in describer] == ["user", "assistant", "user"]
    assert describer[2]["content"] == "GUESS: pear" and "Target word: apple" in describer[0]["content"]


def test_a_taboo_word_loses_and_ends_the_game():
    env = taboo()
    env.step("CLUE: apples grow on these")
    assert env.result.reason is EndReason.GAME_OVER and "apples" in env.result.detail
    scores = env.infos["describer"]["scores"]
    assert env.infos["describer"]["outcome"] is Outcome.FAILURE
    assert (scores["Lose"], scores["Aborted"], scores["Main Score"]) == (1, 0, 0.0)
    assert all(env.terminations.values())


def test_a_format_violation_aborts():
    env = taboo()
    play(env, "CLUE: crunchy snack", "I think it is an apple")
    assert env.result.reason is EndReason.ILLEGAL_ACTION
    assert all(env.infos[p]["outcome"] is Outcome.ABORTED for p in ("describer", "guesser"))
    scores = env.infos["guesser"]["scores"]
    assert scores["Aborted"] == 1 and scores["Lose"] == 0 and math.isnan(scores["Main Score"])
    assert scores["Violated Request Count"] == 1


def test_three_wrong_guesses_lose_and_repetitions_are_counted():
    env = taboo()
    play(env, "CLUE: red snack", "GUESS: cherry", "CLUE: red snack", "GUESS: cherry", "CLUE: crunchy", "GUESS: pear")
    scores = env.infos["guesser"]["scores"]
    assert env.infos["guesser"]["outcome"] is Outcome.FAILURE and scores["Main Score"] == 0.0
    assert scores["Repetition-Guesser"] == 1 and scores["Repetition-Describer"] == 1


def test_max_turns_is_a_make_keyword():
    env = taboo(max_turns=1)
    play(env, "CLUE: red snack", "GUESS: cherry")
    assert env.result is not None and env.infos["guesser"]["scores"]["Lose"] == 1


def test_junk_ends_the_game_cleanly():
    env = taboo(max_illegal_actions=2)
    for _ in range(3):
        env.step("\x00 junk")
    assert env.result.reason is EndReason.ILLEGAL_ACTION and env.infos["describer"]["scores"]["Request Count"] == 3


def test_generated_instances_are_seeded_and_banded():
    data = generate_instances(seed=0)
    assert [e["name"] for e in data["experiments"]] == ["high_en", "medium_en", "low_en"]
    assert all(len(e["game_instances"]) == 20 for e in data["experiments"])
    zipfs = [[i["target_word_zipf"] for i in e["game_instances"]] for e in data["experiments"]]
    assert min(zipfs[0]) >= 4.5 and max(zipfs[1]) < 4.5 <= min(zipfs[0]) and max(zipfs[2]) < 3.5 <= min(zipfs[1])
    assert generate_instances(seed=0) == data and generate_instances(seed=1) != data
    assert all(len(i["related_word"]) == 3 for e in data["experiments"] for i in e["game_instances"])


def test_a_clembench_format_instance_file_loads_and_plays(tmp_path):
    clembench_file = {"experiments": [{
        "name": "high_en", "max_turns": 2,
        "describer_initial_prompt": "Describe $TARGET_WORD$ in $N$ turns; avoid:\n$REL_WORD$\nStart with CLUE:",
        "guesser_initial_prompt": "Guess the word in $N$ turns. Start with GUESS:",
        "game_instances": [{"game_id": 7, "target_word": "violin", "related_word": ["strings", "bow", "instrument"]}],
    }]}
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(clembench_file))
    env = llm_arena_env.make("dialogue/taboo", instances=str(path))
    env.reset(seed=0)
    assert env.observe("describer")["text"] == ("Describe violin in 2 turns; avoid:\n- strings\n- bow\n- instrument\n"
                                                "Start with CLUE:")
    play(env, "CLUE: a small fiddle played under the chin", "GUESS: viola", "CLUE: it is a fiddle")
    assert env.observe("guesser")["messages"][0]["content"].startswith("Guess the word in 2 turns.")
    env.step("GUESS: violin")
    assert env.infos["guesser"]["scores"]["Main Score"] == 50.0
    env.reset(options={"instance": ("high_en", 7)})
    assert env.target == "violin"


# clembench's own instances hold taboo entries of several words (instances.json: "strong-minded",
# "down-to-earth", "trouble-shoot"); its check_clue stems each whole entry, so no single clue word matches.
@pytest.mark.parametrize("clue, offending", [
    ("a strong leader", []),  # one word of the entry alone: allowed, as in clembench
    ("someone very minded to act alone", []),
    ("a strong-minded person", ["strong minded"]),  # the whole entry, hyphenated or not
    ("strong minded and alone", ["strong minded"]),
    ("Strongly Minded", ["strongly minded"]),  # stems of the entry's words, in order
    ("minded strong", []),  # not in the entry's order
    ("a strongminded one", ["strongminded"]),  # the entry written as one word
])
def test_a_taboo_entry_of_several_words_is_taboo_as_a_whole(clue, offending):
    found = clue_violations(clue, "independent", ["autarkical", "strong-minded", "separate"])
    assert [v.clue_word for v in found] == offending
    assert all(v.taboo_word == "strong-minded" for v in found)


def test_a_several_word_entry_in_an_instance_is_played_as_clembench_plays_it():
    env = llm_arena_env.make("dialogue/taboo")
    env.reset(seed=0, options={"instance": {"target_word": "dessert", "related_word": ["ice cream", "sweet", "cake"]}})
    play(env, "CLUE: served cold, like ice", "GUESS: sorbet")  # "ice" alone: allowed
    assert env.unwrapped.result is None
    play(env, "CLUE: ice cream is one")
    assert env.unwrapped.result.outcomes["describer"] is Outcome.FAILURE
    assert "ice cream" in env.unwrapped.result.detail
