"""clembench's clean up variants (st_, hybrid_, mm_clean_up): its verdicts replayed (golden), their own rules.

The instance files under tests/data/clembench_v3/clean_up/ are ours, in clembench's layout (our grids,
prompts and a background picture drawn for the test); the golden files are clembench's game master's
verdicts on them (scripts/clembench_diff_clean_up.py --game ...)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import llm_arena_env
from llm_arena_env.games.dialogue import clean_up_rules as rules
from tests.clembench_v3_replay import replay

HERE = Path(__file__).parent
FOLDER = HERE / "data" / "clembench_v3" / "clean_up"
VARIANTS = ("st_clean_up", "hybrid_clean_up", "mm_clean_up")


def _instances(game: str) -> Path:
    return FOLDER / "in" / f"{game.removesuffix('_clean_up')}_instances.json"


def _golden(game: str) -> list[dict]:
    return json.loads((HERE / "golden" / "clembench_v3" / f"{game}.json").read_text(encoding="utf-8"))["cases"]


CASES = [(game, case) for game in VARIANTS for case in _golden(game)]


@pytest.mark.parametrize("game, case", CASES, ids=[f"{g}-{c['experiment']}-{c['game_id']}-{c['case']}" for g, c in CASES])
def test_clembench_verdicts_replay(game, case):
    assert replay(f"dialogue/{game}", case, _instances(game)) == []


@pytest.mark.parametrize("game", VARIANTS)
def test_golden_files_cover_perfect_play_rule_and_format_breaks(game):
    cases = _golden(game)
    assert {c["experiment"] for c in cases} == {"3obj_en", "5obj_en"}
    perfect = [c for c in cases if c["case"] == "perfect"]
    assert perfect and all(c["outcome"] == "success" and c["scores"]["Main Score"] == 100 for c in perfect)
    assert all(c["outcome"] == "aborted" for c in cases if c["case"] == "format_mistakes_abort")
    assert any(c["scores"]["Invalid Moves"] > 0 for c in cases if c["case"] == "invalid_moves")
    if game != "hybrid_clean_up":
        # numbers in messages are forbidden: each costs a penalty, yet a "finished!" with one still ends the game
        restricted = [c for c in cases if c["case"] == "restricted_message"]
        assert restricted and all(c["scores"]["Parse Errors"] == 2 and c["outcome"] == "success" for c in restricted)


def test_each_variant_refuses_another_modalitys_instances():
    with pytest.raises(ValueError, match="'hybrid' modality.*dialogue/st_clean_up"):
        env = llm_arena_env.make("dialogue/hybrid_clean_up", instances=str(_instances("st_clean_up")))
        env.reset(seed=0, options={"instance": ("3obj_en", 0)})


def test_on_a_semantic_grid_objects_may_stand_on_anchors_and_the_x_axis_counts_in_fives():
    board = rules.Board("╔══════════╗\n║◌◌[♦♦]◌◌◌◌║\n╚══════════╝", [{"id": "A", "coord": [1, 1]}],
                        check_empty=False, tick_block=5)
    messages = {"obj_not_found": "no $object", "out_of_bounds": "out", "not_empty": "taken", "successful": "ok"}
    assert board.move("A", 4, 1, messages) == (True, "ok")
    assert str(board).splitlines()[:3] == [" 1    6    ", "╔══════════╗", "║◌◌[A♦]◌◌◌◌║ 1"]
    assert board.move("A", 11, 1, messages) == (True, "ok")  # the frame too: only the picture's edge bounds it
    assert board.move("A", 12, 1, messages)[0] is False


def test_picture_boards_match_objects_by_kind_and_take_their_edges():
    one = rules.PictureBoard(100, 50, [{"id": "A", "freepik_id": 7, "coord": [0, 0]},
                                       {"id": "B", "freepik_id": 9, "coord": [10, 0]}])
    two = rules.PictureBoard(100, 50, [{"id": "A", "freepik_id": 9, "coord": [10, 0]},
                                       {"id": "B", "freepik_id": 7, "coord": [3, 4]}])
    assert one.distance_sum(two) == 5.0  # kind 7: (0,0)-(3,4); kind 9 already aligned
    messages = {"obj_not_found": "no $object", "out_of_bounds": "out $x,$y", "successful": "moved $object"}
    assert two.move("B", 100, 50, messages) == (True, "moved B")
    assert two.move("B", 101, 50, messages) == (False, "out 101,50")
    assert one.distance_sum(two) == pytest.approx(math_dist((0, 0), (100, 50)))


def math_dist(a, b):
    return float(np.hypot(a[0] - b[0], a[1] - b[1]))


def test_mm_clean_up_finds_clembenchs_background_in_the_checkout_and_draws_the_board():
    env = llm_arena_env.make("dialogue/mm_clean_up", instances=str(_instances("mm_clean_up")), image_size=64)
    env.reset(seed=0, options={"instance": ("3obj_en", 0)})
    assert env.picture_path == FOLDER / "resources" / "backgrounds" / "room.png"
    before = env.observe("player_1")["image"]
    assert before.shape == (64, 64, 3) and before.std() > 0
    ids = [o for o in env.boards["player_1"].coords]
    env.step("SAY: Hello.")
    env.step("SAY: Hello.")
    env.step(f"MOVE: {ids[0]}, (120, 80)")
    assert not np.array_equal(env.observe("player_1")["image"], before)


def test_mm_clean_up_says_where_a_background_is_missing(tmp_path):
    data = json.loads(_instances("mm_clean_up").read_text(encoding="utf-8"))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "mm.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="no background picture .*room.png.*clembench="):
        llm_arena_env.make("dialogue/mm_clean_up", instances=str(tmp_path / "in" / "mm.json"))


@pytest.mark.parametrize("game", ("clean_up",) + VARIANTS)
def test_each_variant_plays_its_shipped_instances_to_the_end_with_its_scripted_player(game):
    from llm_arena_env.games.dialogue.clean_up_variants import scripted_move

    env = llm_arena_env.make(f"dialogue/{game}", image_size=32)
    env.reset(seed=0)
    while env.result is None:
        env.step(scripted_move(env, env.agent_selection))
    assert env.infos["player_1"]["scores"]["Success"] == 1 and env.infos["player_1"]["requests"]["Violated Request Count"] == 0
