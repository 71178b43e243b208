"""dialogue/cloudgame: clembench's verdicts replayed (golden), the picture in the observations, instance
paths against a clembench-style folder, and the answer format."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import llm_arena_env
from llm_arena_env.core.outcome import EndReason, Outcome
from llm_arena_env.games.dialogue import cloudgame
from tests.clembench_v3_replay import replay

HERE = Path(__file__).parent
GAME_FOLDER = HERE / "data" / "cloudgame"  # clembench's layout: in/instances.json, resources/images/
INSTANCES = GAME_FOLDER / "in" / "instances.json"
GOLDEN = HERE / "golden" / "clembench_v2" / "cloudgame.json"
GOLDEN_CASES = json.loads(GOLDEN.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", GOLDEN_CASES, ids=[f"{c['experiment']}-{c['game_id']}-{c['case']}" for c in GOLDEN_CASES])
def test_clembench_verdicts_replay(case):
    assert replay("dialogue/cloudgame", case, INSTANCES) == []


@pytest.mark.parametrize("case", GOLDEN_CASES[:15], ids=[c["case"] for c in GOLDEN_CASES[:15]])
def test_the_picture_is_shown_from_the_instance_file(case):
    env = llm_arena_env.make("dialogue/cloudgame", instances=str(INSTANCES), image_size=32)
    env.reset(seed=0, options={"instance": (case["experiment"], case["game_id"])})
    shown = case["seen"][0]["images"]
    assert env.picture_path == GAME_FOLDER / shown[0]
    assert np.array_equal(env.observe("speaker")["image"], cloudgame.letterbox(GAME_FOLDER / shown[0], 32))


def test_golden_file_covers_every_experiment_and_ending():
    seen = {(c["experiment"], "aborted" if c["scores"]["Aborted"] else c["scores"]["Success"]) for c in GOLDEN_CASES}
    assert seen == {(e, end) for e in ("yes", "no") for end in ("aborted", 0, 1)}


def test_clembench_folder_gives_instances_and_pictures(tmp_path):
    (tmp_path / "cloudgame").mkdir()
    for part in ("in", "resources"):
        (tmp_path / "cloudgame" / part).symlink_to(GAME_FOLDER / part)
    env = llm_arena_env.make("dialogue/cloudgame", clembench=str(tmp_path))
    env.reset(seed=0, options={"instance": ("no", 1)})
    assert env.picture_path == tmp_path / "cloudgame" / "resources" / "images" / "clear_b.png"


def test_a_missing_picture_fails_at_make_and_names_it(tmp_path):
    data = json.loads(INSTANCES.read_text())
    data["experiments"][0]["game_instances"][0]["image"] = "resources/images/gone.jpg"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "instances.json").write_text(json.dumps(data))
    (tmp_path / "resources").symlink_to(GAME_FOLDER / "resources")
    with pytest.raises(FileNotFoundError, match="gone.jpg.*clembench="):
        llm_arena_env.make("dialogue/cloudgame", instances=str(tmp_path / "in" / "instances.json"))
    with pytest.raises(ValueError, match="no cloudgame folder"):
        llm_arena_env.make("dialogue/cloudgame", clembench=str(tmp_path))


def test_the_picture_is_in_the_observation_unless_text_alone_is_asked_for():
    assert "image" in llm_arena_env.make("dialogue/cloudgame").observe("speaker")
    blind = llm_arena_env.make("dialogue/cloudgame", observation_mode="text")
    blind.reset(seed=0)
    assert "image" not in blind.observe("speaker")


def test_a_perfect_episode_scores_100_and_a_format_break_aborts():
    env = llm_arena_env.make("dialogue/cloudgame")
    env.reset(seed=0, options={"instance": ("yes", 0)})
    assert "clouds" in env.observe("speaker")["text"] and env.observe("speaker")["image"].std() > 0
    env.step("Yes")
    assert "chickens" in env.observe("speaker")["text"]
    env.step("Yes")
    info = env.infos["speaker"]
    assert info["outcome"] is Outcome.SUCCESS and info["scores"]["Main Score"] == 100
    env.reset(seed=0, options={"instance": ("no", 2)})
    env.step("No, there are none")
    assert env.result.reason is EndReason.ILLEGAL_ACTION and math.isnan(env.infos["speaker"]["scores"]["Main Score"])


@pytest.mark.parametrize("reply, read", [("Yes", "yes"), ("NO\n", "no"), ("yes.", "yes."), (" no", " no")])
def test_a_reply_is_read_as_clembench_compares_it(reply, read):
    assert cloudgame.read_answer(reply) == read


@pytest.mark.parametrize("reply", ["", "Yes No", "Yes,", "maybe", "Yes\nNo", "." * 3])
def test_a_reply_that_is_not_one_yes_or_no_is_rejected(reply):
    with pytest.raises(cloudgame.IllegalAction):
        cloudgame.read_answer(reply)


def test_shipped_instances_are_what_the_generator_makes():
    shipped = json.loads((cloudgame.RESOURCES / "cloudgame" / "instances.json").read_text())
    assert shipped == cloudgame.generate_instances()
