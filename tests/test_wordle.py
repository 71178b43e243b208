"""Wordle and its two variants: feedback on hand-worked guesses, the reply format, whole episodes."""

from __future__ import annotations

import json
import math

import pytest

import llm_arena_env
from llm_arena_env.core.outcome import EndReason, Outcome
from llm_arena_env.core.text_env import IllegalAction
from llm_arena_env.games.dialogue.wordle import (
    check_guess_form,
    feedback,
    format_feedback,
    generate_instances,
    parse_reply,
)

APPLE = {"target_word": "apple", "target_word_clue": "A fruit that keeps the doctor away"}
WRONG = ["grape", "lemon", "melon", "peach", "olive"]


def guess(word, why="because"):
    return f"explanation: {why}\nguess: {word}"


def agree(verdict="yes"):
    return f"explanation: looks right\nagreement: {verdict}"


def wordle(game="wordle", **kwargs):
    env = llm_arena_env.make(f"dialogue/{game}", **kwargs)
    env.reset(seed=0, options={"instance": APPLE})
    return env


def play(env, *replies):
    for reply in replies:
        env.step(reply)


@pytest.mark.parametrize("target, word, expected", [
    ("apple", "papal", "p<yellow> a<yellow> p<green> a<red> l<yellow>"),  # 2 p's, 1 a in the target
    ("abbey", "bobby", "b<yellow> o<red> b<green> b<red> y<green>"),  # the third b finds no b left
    ("crane", "eerie", "e<red> e<red> r<yellow> i<red> e<green>"),  # the green e uses the only e
    ("spree", "eerie", "e<yellow> e<red> r<green> i<red> e<green>"),
    ("apple", "apple", "a<green> p<green> p<green> l<green> e<green>"),
    ("lemon", "crypt", "c<red> r<red> y<red> p<red> t<red>"),
])
def test_feedback_colours_repeated_letters_in_two_passes(target, word, expected):
    assert format_feedback(feedback(target, word)) == expected


@pytest.mark.parametrize("text, content, explanation", [
    ("explanation: common letters\nguess: crane", "crane", "common letters"),
    ("explanation: x\nGUESS: CRANE", "crane", "x"),  # the guess keyword in any case (clembench)
    ("explanation: x\nguess: crane  \n", "crane", "x"),  # trailing space ignored
    ("explanation: x guess: crane", "crane", "x guess: crane"),
])
def test_reply_format_accepts(text, content, explanation):
    reply = parse_reply(text, "guess:")
    assert (reply.content, reply.explanation) == (content, explanation)


@pytest.mark.parametrize("text", [
    "guess: crane\nexplanation: x",  # must start with the explanation
    "explanation: x\nguess: crane\nthat is all",  # three lines
    "explanation: x\n\nguess: crane",  # a blank line is a line (clembench)
    "Explanation: x\nguess: crane",  # the explanation keyword in its case, first (clembench)
    "  explanation: x\nguess: crane",
    "explanation: x guess: crane\nguess: slate",  # two guesses
    "explanation: x",
    "crane",
    "",
])
def test_reply_format_rejects(text):
    with pytest.raises(IllegalAction):
        parse_reply(text, "guess:")


@pytest.mark.parametrize("word", ["cr ne", "cran3", "cranes", "", "😀😀😀😀😀"])
def test_guess_form_rejects(word):
    with pytest.raises(IllegalAction):
        check_guess_form(word, 5)


@pytest.mark.parametrize("game, round_found, main_score", [
    ("wordle", 1, 100.0), ("wordle", 3, 100.0), ("wordle", 4, 50.0), ("wordle", 5, 30.0), ("wordle", 6, 20.0),
    ("wordle_withclue", 1, 100.0), ("wordle_withclue", 3, 33.33), ("wordle_withclue", 6, 16.67),
])
def test_a_perfect_guesser_succeeds_with_the_score_of_its_round(game, round_found, main_score):
    env = wordle(game)
    play(env, *[guess(w) for w in WRONG[:round_found - 1]], guess("apple"))
    assert env.infos["guesser"]["outcome"] is Outcome.SUCCESS
    scores = env.infos["guesser"]["scores"]
    assert scores["Success"] == 1 and scores["Main Score"] == main_score and scores["Guess Repetitions"] == 0
    assert scores["Request Count"] == round_found


def test_feedback_and_clue_reach_the_guesser():
    env = wordle("wordle_withclue")
    first = env.observe("guesser")["text"]
    assert first.endswith("clue: A fruit that keeps the doctor away") and "apple" not in first
    env.step(guess("papal"))
    assert env.observe("guesser")["text"].startswith("guess_feedback: p<yellow> a<yellow> p<green> a<red> l<yellow>")


def test_six_wrong_guesses_lose_and_repeats_are_counted():
    env = wordle()
    play(env, *[guess(w) for w in ["grape", "grape", "lemon", "melon", "peach", "olive"]])
    scores = env.infos["guesser"]["scores"]
    assert env.infos["guesser"]["outcome"] is Outcome.FAILURE
    assert (scores["Lose"], scores["Main Score"], scores["Guess Repetitions"]) == (1, 0.0, 1)


def test_words_outside_the_list_are_reasked_five_times_then_abort():
    env = wordle()
    for attempt in range(5):
        env.step(guess("qxqxq"))
        assert env.result is None and "not a valid word" in env.observe("guesser")["text"]
    env.step(guess("apple"))  # a valid reply resets the count
    assert env.infos["guesser"]["scores"]["Main Score"] == 100.0 and env.round == 1

    env = wordle(max_retries=2)
    play(env, *[guess("qxqxq")] * 3)
    scores = env.infos["guesser"]["scores"]
    assert env.result.reason is EndReason.ILLEGAL_ACTION and scores["Aborted"] == 1
    # clembench counts every reply with a word outside the list as parsed, the aborting one too
    assert scores["Request Count"] == 3 and scores["Parsed Request Count"] == 3 and math.isnan(scores["Guess Repetitions"])


@pytest.mark.parametrize("bad", ["guess: apple", guess("apples"), guess("ap le"), "explanation: x\nguess: a\nguess: b"])
def test_format_and_form_violations_abort(bad):
    env = wordle()
    env.step(bad)
    assert env.result.reason is EndReason.ILLEGAL_ACTION
    assert env.infos["guesser"]["outcome"] is Outcome.ABORTED and math.isnan(env.infos["guesser"]["scores"]["Main Score"])


def test_allowed_words_is_a_make_keyword():
    env = wordle(allowed_words=["apple", "grape"])
    env.step(guess("lemon"))
    assert env.result is None and "not a valid word" in env.observe("guesser")["text"]


def test_critic_round_trip_and_measures():
    env = wordle("wordle_withcritic")
    assert env.possible_agents == ["guesser", "critic"]
    env.step(guess("grape", "a fruit"))
    critic = env.observe("critic")
    assert env.agent_selection == "critic"
    assert critic["text"].endswith("clue: A fruit that keeps the doctor away\nexplanation: a fruit\nguess: grape")
    env.step(agree("no"))
    assert env.agent_selection == "guesser" and "agreement: no" in env.observe("guesser")["text"]
    env.step(guess("lemon"))  # changes its guess after a disagreement; committed: feedback follows
    assert env.observe("guesser")["text"].startswith("guess_feedback: l<yellow> e<yellow>")
    play(env, guess("apple"), agree("yes"), guess("apple"))
    scores = env.infos["critic"]["scores"]
    assert env.infos["critic"]["outcome"] is Outcome.SUCCESS and scores["Main Score"] == 50.0
    assert scores["Request Count"] == 6
    assert scores["Repetition-Guesser-On-Critic-Agreement"] == 1.0
    assert scores["Non-Repetition-Guesser-On-Critic-Disagreement"] == 1.0
    assert scores["Repetition-Guesser-On-Critic-Disagreement"] == 0.0
    assert "apple" not in str(env.observe("critic")["messages"][0])


@pytest.mark.parametrize("bad", [agree("maybe"), "agreement: yes", "explanation: x\nagreement: yes\nagreement: no"])
def test_a_critic_out_of_format_aborts(bad):
    env = wordle("wordle_withcritic")
    play(env, guess("grape"), bad)
    assert env.result.reason is EndReason.ILLEGAL_ACTION and env.infos["critic"]["outcome"] is Outcome.ABORTED


def test_junk_ends_every_variant_cleanly():
    for game in ("wordle", "wordle_withclue", "wordle_withcritic"):
        env = wordle(game, max_illegal_actions=1)
        play(env, "\x1b[2J", "🙂" * 9)
        assert env.result.reason is EndReason.ILLEGAL_ACTION


def test_generated_instances_are_seeded_with_clues():
    data = generate_instances(seed=0)
    assert [e["name"] for e in data["experiments"]] == ["high_frequency", "medium_frequency", "low_frequency"]
    instances = [i for e in data["experiments"] for i in e["game_instances"]]
    assert len(instances) == 30 and all(len(i["target_word"]) == 5 and i["target_word_clue"] for i in instances)
    assert generate_instances(seed=0) == data and generate_instances(seed=1) != data


def test_a_clembench_format_instance_file_loads_and_plays(tmp_path):
    clembench_file = {"experiments": [{
        "name": "high_frequency_words_clue_no_critic",
        "common_config": {"n_turns": 3, "max_retry_per_error": {"NOT_VALID_WORD_FOR_GAME": 1}, "max_word_length": 5},
        "use_clue": True, "use_critic": False,
        "guesser_prompt": "Guess the word. Use explanation: and guess:",
        "guesser_critic_prompt": "",
        "lang_keywords": {"explanation_lang": "explanation:", "guess_lang": "guess:", "clue_lang": "clue:",
                          "guess_feedback_lang": "guess_feedback:", "agreement_lang": "agreement:",
                          "official_words_list": ["apple", "grape", "lemon"]},
        "game_instances": [{"game_id": 1, "target_word": "apple", "target_word_clue": "a fruit",
                            "target_word_difficulty": "high_frequency"}],
    }]}
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(clembench_file))
    env = llm_arena_env.make("dialogue/wordle_withclue", instances=str(path))
    env.reset(seed=0)
    assert env.observe("guesser")["text"] == "Guess the word. Use explanation: and guess:\n\nclue: a fruit"
    env.step(guess("melon"))  # a real word, but not in this file's list: asked again once
    assert env.result is None
    play(env, guess("grape"), guess("lemon"), guess("apple"))
    assert env.infos["guesser"]["scores"]["Main Score"] == 33.33  # round 3 of n_turns 3
