"""The reference game: formats, grids and distractors, whole episodes, text and image observations."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest

import llm_arena_env
from llm_arena_env.core.outcome import EndReason, Outcome
from llm_arena_env.core.text_env import IllegalAction
from llm_arena_env.games.dialogue.referencegame import (
    distance,
    generate_instances,
    grid_categories,
    grid_text,
    nearest_distractors,
    parse_answer,
    parse_expression,
)

TOP = grid_text(["XXXXX", ".....", ".....", ".....", "....."])
BOTTOM = grid_text([".....", ".....", ".....", ".....", "XXXXX"])
MIDDLE = grid_text([".....", ".....", "XXXXX", ".....", "....."])
INSTANCE = {"player_1_target_grid": TOP, "player_1_second_grid": MIDDLE, "player_1_third_grid": BOTTOM,
            "player_2_first_grid": MIDDLE, "player_2_second_grid": BOTTOM, "player_2_third_grid": TOP,
            "target_grid_name": "third"}


def game(**kwargs):
    env = llm_arena_env.make("dialogue/referencegame", **kwargs)
    env.reset(seed=0, options={"instance": INSTANCE})
    return env


@pytest.mark.parametrize("text, expected", [
    ("Expression: the top row is filled", "the top row is filled"),
    ("expression:the top row\n", "the top row"),
    ("EXPRESSION:\nthe top row", "the top row"),
    ("Expression: ?!", "?!"),  # clembench's pattern takes any text
])
def test_expression_format_accepts(text, expected):
    assert parse_expression(text) == expected


@pytest.mark.parametrize("text", ["the top row", "Expression: top row\nIt is the first one", "Expression:", "",
                                  "I say Expression: top", "  Expression: top row"])
def test_expression_format_rejects_in_strict_mode(text):
    with pytest.raises(IllegalAction):
        parse_expression(text)


def test_liberal_mode_takes_the_tag_anywhere_or_none():
    assert parse_expression("I say Expression: top row\nmore", strict=False) == "top row"
    assert parse_expression("the top row", strict=False) == "the top row"
    assert parse_answer("I think the answer is the Second one.", strict=False) == "second"


@pytest.mark.parametrize("text, expected", [("Answer: first", "first"), ("answer:SECOND", "second"), ("Answer: third \n", "third"),
                                            ("Answer: 1", "first"), ("Answer: first.", "first"), ("Answer: 3 grid", "third")])
def test_answer_format_accepts(text, expected):
    assert parse_answer(text) == expected


@pytest.mark.parametrize("text", [" Answer: first", "first", "Answer: fourth", "Answer: first\nbecause", "Answer: 4", ""])
def test_answer_format_rejects_in_strict_mode(text):
    with pytest.raises(IllegalAction):
        parse_answer(text)


def test_distance_and_nearest_distractors():
    two_rows = grid_text(["XXXXX", "XXXXX", ".....", ".....", "....."])
    assert distance(TOP, MIDDLE) == 10 and distance(TOP, two_rows) == 5 and distance(TOP, TOP) == 0
    grids = [TOP, MIDDLE, two_rows, BOTTOM]
    assert nearest_distractors(grids, 0) == (2, 1)  # two_rows (5), then the first of the two at 10
    assert nearest_distractors(grids, 2) == (0, 1)


def test_generated_instances_use_the_nearest_grids_of_the_target_category():
    data = generate_instances(seed=0)
    categories = grid_categories(random.Random(0))
    assert [e["name"] for e in data["experiments"]] == list(categories)
    for experiment in data["experiments"]:
        grids = categories[experiment["name"]]
        assert len(experiment["game_instances"]) == 12
        for instance in experiment["game_instances"]:
            target = grids.index(instance["player_1_target_grid"])
            assert [grids[i] for i in nearest_distractors(grids, target)] == [
                instance["player_1_second_grid"], instance["player_1_third_grid"]]
            assert instance[f"player_2_{instance['target_grid_name']}_grid"] == instance["player_1_target_grid"]
    assert generate_instances(seed=0) == data and generate_instances(seed=1) != data


def test_a_perfect_pair_succeeds():
    env = game()
    describer = env.observe("describer")["text"]
    assert describer.index(TOP) < describer.index(MIDDLE)  # the target comes first for the describer
    env.step("Expression: only the top row is filled")
    guesser = env.observe("guesser")
    assert len(guesser["messages"]) == 1 and guesser["text"].count("X X X X X") == 3
    assert "Expression: only the top row is filled" in guesser["text"] and "Target" not in guesser["text"]
    env.step("Answer: third")
    scores = env.infos["guesser"]["scores"]
    assert env.infos["describer"]["outcome"] is Outcome.SUCCESS and scores["Main Score"] == 100.0
    assert scores["Generated Expression Length"] == len("only the top row is filled")
    assert scores["Generated Expression Number of Tokens"] == 6 and scores["Aborted at Player 1"] == 0


def test_a_wrong_pick_loses():
    env = game()
    env.step("Expression: the top row")
    env.step("Answer: first")
    assert env.infos["guesser"]["outcome"] is Outcome.FAILURE and env.infos["guesser"]["scores"]["Main Score"] == 0.0


@pytest.mark.parametrize("replies, at_player", [(["top row"], 1), (["Expression: top row", "third"], 2)])
def test_format_violations_abort_and_say_where(replies, at_player):
    env = game()
    for reply in replies:
        env.step(reply)
    scores = env.infos["describer"]["scores"]
    assert env.result.reason is EndReason.ILLEGAL_ACTION and math.isnan(scores["Main Score"])
    assert scores[f"Aborted at Player {at_player}"] == 1 and scores[f"Aborted at Player {3 - at_player}"] == 0
    assert math.isnan(scores["Generated Expression Length"]) == (at_player == 1)


def test_image_observations_draw_the_grids_instead_of_writing_them():
    env = game(observation_mode="image", image_size=96)
    obs = env.observe("describer")
    assert "X X X X X" not in obs["text"] and "shown in the image" in obs["text"]
    assert obs["image"].shape == (96, 96, 3) and obs["image"].dtype == np.uint8 and obs["image"].std() > 0
    assert not np.array_equal(obs["image"], env.observe("guesser")["image"])
    env.step("Expression: the top row")
    assert "X X X X X" not in env.observe("guesser")["text"]
    both = game(observation_mode="text+image", image_size=64)
    assert "X X X X X" in both.observe("describer")["text"] and both.observe("describer")["image"].shape == (64, 64, 3)


def test_junk_ends_the_game_cleanly():
    env = game(max_illegal_actions=1)
    env.step(b"junk")
    env.step("\x00")
    assert env.result.reason is EndReason.ILLEGAL_ACTION and env.infos["describer"]["scores"]["Request Count"] == 2


def test_a_clembench_format_instance_file_loads_and_plays(tmp_path):
    instance = {"game_id": 3, **INSTANCE, "lang": "en",
                "player_1_prompt_header": f"Describe the target.\n{TOP}\nStart with Expression:",
                "player_2_prompt_header": "Which grid is it?\nTARGET_EXPRESSION\nStart with Answer:"}
    path = tmp_path / "instances.json"
    path.write_text(json.dumps({"experiments": [{"name": "line_grids_rows", "game_instances": [instance]}]}))
    env = llm_arena_env.make("dialogue/referencegame", instances=str(path))
    env.reset(seed=5)
    assert env.observe("describer")["text"].startswith("Describe the target.")
    env.step("Expression: top row filled")
    assert env.observe("guesser")["text"] == "Which grid is it?\nExpression: top row filled\nStart with Answer:"
    env.step("Answer: third")
    assert env.infos["guesser"]["scores"]["Success"] == 1
