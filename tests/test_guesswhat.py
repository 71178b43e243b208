"""dialogue/guesswhat: reply formats, banned questions, the speed score, perfect and rule-breaking play."""

from __future__ import annotations

import json
import math

import pytest

import llm_arena_env
from llm_arena_env.core.outcome import EndReason, Outcome
from llm_arena_env.games.dialogue import guesswhat
from llm_arena_env.games.dialogue import guesswhat_rules as rules

CANDIDATES = ["ostrich", "parrot", "cobra", "lizard", "elephant", "giraffe", "ant", "butterfly"]
INSTANCE = {"target_word": "cobra", "candidate_list": CANDIDATES}


def make(**kwargs):
    env = llm_arena_env.make("dialogue/guesswhat", **kwargs)
    env.reset(seed=0, options={"instance": dict(INSTANCE)})
    return env


def ask(env, *questions_and_answers):
    for question, answer in questions_and_answers:
        env.step(f"QUESTION: {question}")
        env.step(f"ANSWER: {answer}")


# ---------------------------------------------------------------------------------------------- formats

@pytest.mark.parametrize("reply, expected", [
    ("QUESTION: Is it an animal?", rules.Question("QUESTION: Is it an animal?")),
    ("QUESTION: Is it an animal", rules.Question("QUESTION: Is it an animal")),
    ("QUESTION: Can it fly? \n", rules.Question("QUESTION: Can it fly? \n")),  # relayed as sent
    ("QUESTION: Is the target word an animal?", rules.Question("QUESTION: Is the target word an animal?")),
    ("GUESS: Cobra", rules.Guess("cobra")),
    ("GUESS: cobra.", rules.Guess("cobra")),
    ("GUESS: 'cobra'", rules.Guess("cobra")),
])
def test_guesser_replies_accept_the_documented_forms(reply, expected):
    assert rules.parse_guesser(reply) == expected


@pytest.mark.parametrize("reply, reason", [
    ("Is it an animal?", "start your reply with"),
    ("question: is it an animal?", "start your reply with"),
    ("  QUESTION: Can it fly?", "start your reply with"),  # clembench reads the raw reply
    ("QUESTION: Is it red? QUESTION: Is it big?", "only one question"),
    ("QUESTION: Is it red? Or blue?", "end with its question mark"),
    ("QUESTION: Is it red? I think so.", "end with its question mark"),
    ("GUESS: polar bear", "exactly one word"),
    ("GUESS: ", "exactly one word"),
    ("QUESTION: Does the target word start with the letter c?", "specific letters"),
    ("QUESTION: Is the first letter of the target word c?", "specific letters"),
    ("QUESTION: Does the target word have exactly 5 letters?", "length"),
    ("QUESTION: Does the target word have more than two syllables?", "syllables"),
    ("QUESTION: Is the target word a noun?", "part of speech"),
    ("QUESTION: Is the target word 'cobra'?", "without the 'GUESS:' format"),
])
def test_guesser_replies_out_of_format_or_banned_are_rejected(reply, reason):
    with pytest.raises(rules.InvalidReply, match=reason):
        rules.parse_guesser(reply)


@pytest.mark.parametrize("reply", list(rules.ANSWER_VARIATIONS))
def test_answers_accept_clembench_variations(reply):
    assert rules.parse_answer(reply) == reply.strip()


@pytest.mark.parametrize("reply", ["yes", "ANSWER: yes.", "ANSWER: maybe", "ANSWER: Yes, it is.", "ANSWER:yes", "",
                                   " ANSWER: yes", "ANSWER: yes\n"])  # clembench: exactly one of its variations
def test_answers_reject_everything_else(reply):
    with pytest.raises(rules.InvalidReply):
        rules.parse_answer(reply)


def test_speed_is_full_within_five_turns_then_falls_to_zero():
    assert [round(rules.speed(t), 2) for t in range(1, 9)] == [100, 100, 100, 100, 100, 66.67, 33.33, 0]


# ---------------------------------------------------------------------------------------------- play

def test_a_perfect_guesser_succeeds_with_the_top_score():
    env = make()
    ask(env, ("Is it a reptile?", "yes"), ("Does it have legs?", "No"))
    env.step("GUESS: cobra")
    scores = env.infos["guesser"]["scores"]
    assert all(env.infos[p]["outcome"] is Outcome.SUCCESS for p in env.possible_agents)
    assert scores["Success"] == 1 and scores["Main Score"] == 100 and scores["Speed"] == 100 and scores["Turns"] == 3
    assert scores["Request Count"] == 3  # clembench: one request per round


def test_each_player_sees_only_its_side():
    env = make()
    guesser = env.observe("guesser")["text"]
    assert "List of candidate words: ostrich, parrot, cobra" in guesser and "at most 7 questions" in guesser
    assert "Target word" not in guesser
    env.step("QUESTION: Is it a reptile?")
    answerer = env.observe("answerer")["messages"]
    assert len(answerer) == 1 and answerer[0]["content"].endswith("Target word: cobra\n\nQUESTION: Is it a reptile?")
    assert "ostrich" not in answerer[0]["content"]
    env.step("ANSWER: Yes.")
    assert env.observe("guesser")["messages"][-1] == {"role": "user", "content": "ANSWER: Yes."}


def test_late_right_guesses_score_less():
    env = make()
    ask(env, *[("Is it a reptile?", "yes")] * 5)
    env.step("GUESS: cobra")
    assert env.infos["guesser"]["scores"]["Main Score"] == pytest.approx(66.667, abs=1e-3)


def test_a_wrong_guess_or_no_guess_loses():
    env = make()
    env.step("GUESS: lizard")
    scores = env.infos["guesser"]["scores"]
    assert env.infos["guesser"]["outcome"] is Outcome.FAILURE and scores["Lose"] == 1 and scores["Main Score"] == 0

    env = make()
    ask(env, *[("Is it a reptile?", "yes")] * 8)
    assert env.result is not None and env.result.detail == "no guess in 8 turns"
    assert env.infos["guesser"]["scores"]["Lose"] == 1 and env.infos["guesser"]["scores"]["Main Score"] == 0


@pytest.mark.parametrize("replies", [["Is it a reptile?"], ["QUESTION: Does the target word have exactly 5 letters?"],
                                     ["QUESTION: Is it a reptile?", "Yes, it is."]])
def test_format_and_content_violations_abort(replies):
    env = make()
    for reply in replies:
        env.step(reply)
    scores = env.infos["answerer"]["scores"]
    assert env.result.reason is EndReason.ILLEGAL_ACTION and scores["Aborted"] == 1 and math.isnan(scores["Main Score"])
    assert all(env.infos[p]["outcome"] is Outcome.ABORTED for p in env.possible_agents)


def test_junk_ends_the_game_cleanly():
    env = llm_arena_env.make("dialogue/guesswhat")
    env.reset(seed=1)
    env.step("🙂")
    assert env.result is not None and all(env.terminations.values())


# ---------------------------------------------------------------------------------------------- instances

def test_a_clembench_instance_file_loads_and_plays(tmp_path):
    clembench = {"experiments": [{
        "name": "Level_1", "max_turns": 8, "question_tag": "QUESTION:", "answer_tag": "ANSWER:", "guess_tag": "GUESS:",
        "answer_variations": ["ANSWER: yes", "ANSWER: no", "ANSWER: Yes.", "ANSWER: Yes", "ANSWER: No.", "ANSWER: No"],
        "letter_based_pattern": "(does the target word (start with the letter|contain the letter))",
        "direct_guess_pattern": "^is the target word\\s*(['\"])[^'\"]+?\\1\\s*\\?",
        "length_question_pattern": "does the target word (have|contain) (more|less|exactly) \\d+ (letters|letter)",
        "syllable_question_pattern": "does the target word (have|contain) (more than|less than|exactly) \\d+ syllables",
        "pos_question_pattern": "^is the target word (a|an)\\s+(noun|verb)\\s*\\?",
        "guesser_initial_prompt": "GUESSER PROMPT, at most $N$ questions. List of candidate words: $LIST$",
        "answerer_initial_prompt": "ANSWERER PROMPT about $TARGET WORD$.",
        "game_instances": [{"game_id": 0, "target_word": "Ostrich", "candidate_list": CANDIDATES}]}]}
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(clembench), encoding="utf-8")
    env = llm_arena_env.make("dialogue/guesswhat", instances=str(path))
    env.reset(seed=0)
    assert env.observe("guesser")["text"] == f"GUESSER PROMPT, at most 7 questions. List of candidate words: {', '.join(CANDIDATES)}"
    env.step("QUESTION: Can it fly?")
    assert env.observe("answerer")["text"] == "ANSWERER PROMPT about Ostrich.\n\nQUESTION: Can it fly?"
    env.step("ANSWER: No")
    env.step("GUESS: ostrich")
    assert env.infos["guesser"]["scores"]["Success"] == 1


def test_generator_is_seeded_and_the_shipped_set_is_its_output():
    shipped = json.loads((guesswhat.RESOURCES / "instances.json").read_text(encoding="utf-8"))
    assert shipped == guesswhat.generate_instances(seed=0)
    assert [e["name"] for e in shipped["experiments"]] == [f"{p}_{n}" for p in ("Level", "Abs_Level") for n in (1, 2, 3)]
    sets = json.loads((guesswhat.RESOURCES / "categories.json").read_text(encoding="utf-8"))
    for experiment in shipped["experiments"]:
        words = sets["abstract" if experiment["name"].startswith("Abs") else "concrete"]
        category = {w: c for c, subs in words.items() for members in subs.values() for w in members}
        level = int(experiment["name"][-1])
        seen: set[str] = set()
        for instance in experiment["game_instances"]:
            candidates = instance["candidate_list"]
            assert len(set(candidates)) == 8 and instance["target_word"] in candidates
            assert len({category[w] for w in candidates}) == rules.LEVELS[level][0]
            assert not seen & set(candidates)  # no word twice in one experiment
            seen |= set(candidates)
