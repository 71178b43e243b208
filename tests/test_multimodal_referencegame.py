"""dialogue/multimodal_referencegame: clembench's verdicts replayed (golden), the pictures in the observations,
instance paths against a clembench-style folder, and the reply formats."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import llm_arena_env
from llm_arena_env.core.outcome import EndReason, Outcome
from llm_arena_env.games.dialogue import multimodal_referencegame as mmrg
from llm_arena_env.games.dialogue import pictures
from tests.clembench_v3_replay import replay

HERE = Path(__file__).parent
CLEMBENCH = HERE / "data" / "clembench_mm"  # clembench's layout: <game>/in/instances.json, <game>/resources/
INSTANCES = CLEMBENCH / "multimodal_referencegame" / "in" / "instances.json"
GOLDEN_CASES = json.loads((HERE / "golden" / "clembench_v2" / "multimodal_referencegame.json").read_text())["cases"]
IDS = [f"{c['experiment']}-{c['game_id']}-{c['case']}" for c in GOLDEN_CASES]
# Answers clembench's game master accepts as they are: its scorer then finds no "parse" event and scores the
# episode as aborted at player 2 (docs/clembench-deviations-v2-multimodal.md); here they are scored.
ACCEPTED = {"perfect": Outcome.SUCCESS, "wrong": Outcome.FAILURE, "digit": Outcome.SUCCESS,
            "lower_case_tags": Outcome.SUCCESS, "trailing_newlines": Outcome.SUCCESS, "single_word": Outcome.SUCCESS}


@pytest.mark.parametrize("case", GOLDEN_CASES, ids=IDS)
def test_clembench_verdicts_replay_exactly_with_its_scoring(case):
    assert replay("dialogue/multimodal_referencegame", case, INSTANCES, score_accepted_answers=False) == []


@pytest.mark.parametrize("case", GOLDEN_CASES, ids=IDS)
def test_by_default_accepted_answers_are_scored_and_all_else_is_clembench_s(case):
    if case["case"] not in ACCEPTED:
        assert replay("dialogue/multimodal_referencegame", case, INSTANCES) == []
        return
    assert case["scores"]["Aborted at Player 2"] == 1  # clembench's verdict on a well-formed answer
    env = llm_arena_env.make("dialogue/multimodal_referencegame", instances=str(INSTANCES), observation_mode="text")
    env.reset(seed=0, options={"instance": (case["experiment"], case["game_id"])})
    for reply in case["replies"]:
        env.step(reply)
    info = env.infos["guesser"]
    success = ACCEPTED[case["case"]] is Outcome.SUCCESS
    assert info["outcome"] is ACCEPTED[case["case"]]
    assert (info["scores"]["Main Score"], info["scores"]["Aborted"]) == (100.0 if success else 0.0, 0)
    assert info["scores"]["Generated Expression Length"] == case["scores"]["Generated Expression Length"]


def test_golden_file_covers_every_experiment_and_ending():
    seen = {(c["experiment"], "p1" if c["scores"]["Aborted at Player 1"] else "p2" if c["scores"]["Aborted at Player 2"]
             else c["scores"]["Success"]) for c in GOLDEN_CASES}
    assert seen == {(e, end) for e in ("colours", "shapes") for end in ("p1", "p2", 0, 1)}


@pytest.mark.parametrize("case", GOLDEN_CASES[:2], ids=IDS[:2])
def test_each_player_is_shown_its_three_pictures_in_order(case):
    env = llm_arena_env.make("dialogue/multimodal_referencegame", instances=str(INSTANCES), image_size=60)
    env.reset(seed=0, options={"instance": (case["experiment"], case["game_id"])})
    for reply, seen in zip(case["replies"], case["seen"]):
        agent = env.agent_selection
        files = [CLEMBENCH / Path(p).relative_to("../clembench") for p in seen["images"]]
        assert env.picture_files[agent] == files
        opened = [pictures.open_picture(f) for f in files]
        np.testing.assert_array_equal(env.observe(agent)["image"], pictures.side_by_side(opened, 60))
        env.step(reply)


def test_the_pictures_sit_side_by_side_left_to_right():
    red, blue = (np.full((4, 6, 3), c, np.uint8) for c in ((255, 0, 0), (0, 0, 255)))
    from PIL import Image

    square = pictures.side_by_side([Image.fromarray(red), Image.fromarray(blue), Image.fromarray(red)], 30)
    assert square.shape == (30, 30, 3)
    assert tuple(square[15, 5]) == (255, 0, 0) and tuple(square[15, 15]) == (0, 0, 255) and tuple(square[15, 25]) == (255, 0, 0)
    assert tuple(square[1, 15]) == (0, 0, 0)  # letterboxed: proportions kept


def test_a_clembench_folder_gives_instances_and_pictures(tmp_path):
    (tmp_path / "multimodal_referencegame").symlink_to(CLEMBENCH / "multimodal_referencegame")
    env = llm_arena_env.make("dialogue/multimodal_referencegame", clembench=str(tmp_path))
    env.reset(seed=0, options={"instance": ("shapes", 2)})
    assert env.picture_files["describer"][0] == tmp_path / "multimodal_referencegame" / "resources" / "shapes" / "yellow_circle.png"
    with pytest.raises(ValueError, match="no multimodal_referencegame folder"):
        llm_arena_env.make("dialogue/multimodal_referencegame", clembench=str(tmp_path / "nothing"))


def test_a_missing_picture_fails_at_make_and_names_it(tmp_path):
    data = json.loads(INSTANCES.read_text())
    data["experiments"][1]["game_instances"][0]["player_2_third_image"] = "../clembench/multimodal_referencegame/gone.png"
    game = tmp_path / "multimodal_referencegame"
    (game / "in").mkdir(parents=True)
    (game / "in" / "instances.json").write_text(json.dumps(data))
    (game / "resources").symlink_to(CLEMBENCH / "multimodal_referencegame" / "resources")
    with pytest.raises(FileNotFoundError, match="experiment 'shapes'.*gone.png.*clembench="):
        llm_arena_env.make("dialogue/multimodal_referencegame", instances=str(game / "in" / "instances.json"))


def test_an_instance_missing_a_picture_field_is_named_at_make():
    data = json.loads(INSTANCES.read_text())
    del data["experiments"][0]["game_instances"][1]["player_1_second_image"]
    with pytest.raises(ValueError, match="instance 1 of experiment 'colours'.*player_1_second_image"):
        llm_arena_env.make("dialogue/multimodal_referencegame", instances=data)


def test_text_mode_has_no_picture_and_image_modes_have_one():
    assert "image" not in llm_arena_env.make("dialogue/multimodal_referencegame", observation_mode="text").observe("describer")
    env = llm_arena_env.make("dialogue/multimodal_referencegame", image_size=48)
    env.reset(seed=0)
    assert env.observe("describer")["image"].shape == (48, 48, 3) and env.observe("describer")["image"].std() > 0


@pytest.mark.parametrize("reply, read", [("Expression: a red one", ("Expression: a red one", True)),
                                         ("expression: x\n\n", ("x", True)), ("Expression: x\ny", ("x", False))])
def test_the_expression_pattern_reads_one_line(reply, read):
    assert mmrg.read_reply(mmrg.EXPRESSION_PATTERN, reply)[1] is read[1]


@pytest.mark.parametrize("reply", ["", "Expression:x", " Expression: x", "The red one", "Answer: first"])
def test_a_reply_without_the_expression_tag_is_rejected(reply):
    with pytest.raises(mmrg.IllegalAction):
        mmrg.read_reply(mmrg.EXPRESSION_PATTERN, reply)


def test_a_two_line_expression_aborts_and_an_answer_with_more_text_counts():
    env = llm_arena_env.make("dialogue/multimodal_referencegame", observation_mode="text")
    env.reset(seed=0, options={"instance": ("letter_grids", 1)})
    env.step("Expression: the E\nI think")
    assert env.result.reason is EndReason.ILLEGAL_ACTION and env.infos["describer"]["scores"]["Aborted at Player 1"] == 1
    env.reset(seed=0, options={"instance": ("letter_grids", 1)})
    env.step("Expression: the E")
    assert "Expression: the E" in env.observe("guesser")["text"]
    env.step("Answer: second, the E")
    scores = env.infos["guesser"]["scores"]
    assert env.infos["guesser"]["outcome"] is Outcome.SUCCESS and scores["Main Score"] == 100
    assert scores["Generated Expression Length"] == len("Expression: the E")


def test_an_unreadable_answer_aborts_at_player_2():
    env = llm_arena_env.make("dialogue/multimodal_referencegame", observation_mode="text")
    env.reset(seed=0, options={"instance": ("letter_grids", 0)})
    env.step("Expression: the E")
    env.step("I think the first")
    scores = env.infos["guesser"]["scores"]
    assert (scores["Aborted"], scores["Aborted at Player 2"]) == (1, 1) and math.isnan(scores["Main Score"])


def test_scripted_moves_win_every_shipped_instance():
    env = llm_arena_env.make("dialogue/multimodal_referencegame", observation_mode="text")
    for experiment in env.instance_set.experiments:
        for instance in experiment.instances:
            env.reset(seed=0, options={"instance": (experiment.name, instance["game_id"])})
            for agent in ("describer", "guesser"):
                env.step(mmrg.scripted_move(env, agent))
            assert env.infos["describer"]["outcome"] is Outcome.SUCCESS


def test_shipped_instances_are_what_the_generator_makes():
    shipped = json.loads((pictures.RESOURCES / "multimodal_referencegame" / "instances.json").read_text())
    assert shipped == mmrg.generate_instances()
