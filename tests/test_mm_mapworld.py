"""dialogue/mm_mapworld: clembench's verdicts replayed (golden), the room pictures in the observations,
picture paths against a clembench folder, the reply format and clembench's efficiency search."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import llm_arena_env
from llm_arena_env.core.outcome import EndReason, Outcome
from llm_arena_env.games.dialogue import mm_mapworld, mm_mapworld_graphs, mm_mapworld_specificroom, mm_mapworld_rules as rules
from tests.clembench_v3_replay import replay

HERE = Path(__file__).parent
CLEMBENCH = HERE / "data" / "clembench_mm"  # clembench's layout, our own instances and pictures
INSTANCES = CLEMBENCH / "mm_mapworld" / "mm_mapworld_main" / "in" / "instances.json"
GOLDEN = HERE / "golden" / "clembench_v2" / "mm_mapworld.json"
GOLDEN_CASES = json.loads(GOLDEN.read_text(encoding="utf-8"))["cases"]
ROOM_INSTANCES = CLEMBENCH / "mm_mapworld" / "mm_mapworld_specificroom" / "in" / "instances.json"
ROOM_CASES = json.loads((HERE / "golden" / "clembench_v2" / "mm_mapworld_specificroom.json").read_text())["cases"]
GRAPH_INSTANCES = CLEMBENCH / "mm_mapworld" / "mm_mapworld_graphs" / "in" / "instances.json"
GRAPH_CASES = json.loads((HERE / "golden" / "clembench_v2" / "mm_mapworld_graphs.json").read_text())["cases"]


@pytest.mark.parametrize("case", GOLDEN_CASES, ids=[f"{c['experiment']}-{c['game_id']}-{c['case']}" for c in GOLDEN_CASES])
def test_clembench_verdicts_replay(case):
    assert replay("dialogue/mm_mapworld", case, INSTANCES) == []


@pytest.mark.parametrize("case", ROOM_CASES, ids=[f"{c['experiment']}-{c['game_id']}-{c['case']}" for c in ROOM_CASES])
def test_clembench_verdicts_replay_specificroom(case):
    assert replay("dialogue/mm_mapworld_specificroom", case, ROOM_INSTANCES) == []


@pytest.mark.parametrize("case", GRAPH_CASES, ids=[f"{c['experiment']}-{c['game_id']}-{c['case']}" for c in GRAPH_CASES])
def test_clembench_verdicts_replay_graphs(case):
    assert replay("dialogue/mm_mapworld_graphs", case, GRAPH_INSTANCES) == []


def test_graphs_golden_file_covers_endings_and_graph_similarities():
    played = [c["scores"] for c in GRAPH_CASES if not c["scores"]["Aborted"]]
    assert {s["Success"] for s in played} == {0, 1} and any(c["scores"]["Aborted"] for c in GRAPH_CASES)
    assert len({round(s["graph_similarity"], 6) for s in played}) >= 3


def test_graphs_the_true_map_scores_100_and_a_missing_graph_aborts():
    world = rules.Map(((0, 0), (1, 0)), (((0, 0), (1, 0)), ((1, 0), (0, 0))), (0, 0))
    drawn = '{"nodes": ["hall", "kitchen"], "edges": {"east": [["hall", "kitchen"]]}}'
    assert mm_mapworld_graphs.graph_similarity(drawn, world) == 1
    assert mm_mapworld_graphs.graph_similarity("{not json", world) < mm_mapworld_graphs.graph_similarity(drawn, world)
    env = llm_arena_env.make("dialogue/mm_mapworld_graphs", instances=str(GRAPH_INSTANCES))
    env.reset(seed=0, options={"instance": ("small", 0)})
    env.step('{"description": "A room.", "action": "GO: east"}')
    assert env.infos["walker"]["outcome"] is Outcome.ABORTED and math.isnan(env.infos["walker"]["scores"]["graph_similarity"])


def test_specificroom_golden_file_covers_every_experiment_and_ending():
    seen = {(c["experiment"], "aborted" if c["scores"]["Aborted"] else c["scores"]["Success"]) for c in ROOM_CASES}
    assert seen == {(e, end) for e in ("on", "close", "far") for end in ("aborted", 0, 1)}


def test_specificroom_names_the_goal_and_scores_finding_it():
    env = llm_arena_env.make("dialogue/mm_mapworld_specificroom", instances=str(ROOM_INSTANCES))
    env.reset(seed=0, options={"instance": ("far", 1)})  # the target is a wine_cellar, one door away
    assert "find the wine cellar" in env.observe("walker")["text"]
    for action in ("GO: west", "DONE"):
        env.step(json.dumps({"description": "A room.", "action": action}))
    scores = env.infos["walker"]["scores"]
    assert scores["Success"] == 1 and scores["Main Score"] == scores["finding"] == 100 and scores["effieciency"] == 100


def test_golden_file_covers_every_experiment_and_ending():
    seen = {(c["experiment"], "aborted" if c["scores"]["Aborted"] else c["scores"]["Success"]) for c in GOLDEN_CASES}
    assert seen == {(e, end) for e in ("small", "medium_cycle") for end in ("aborted", 0, 1)}


@pytest.mark.parametrize("case", [c for c in GOLDEN_CASES if c["case"] == "depth_first"], ids=lambda c: f"{c['experiment']}-{c['game_id']}")
def test_each_turn_shows_the_picture_of_the_room_clembench_shows(case):
    env = llm_arena_env.make("dialogue/mm_mapworld", instances=str(INSTANCES), image_size=32)
    env.reset(seed=0, options={"instance": (case["experiment"], case["game_id"])})
    for reply, seen in zip(case["replies"], case["seen"]):
        (path,) = seen["images"]  # '../clembench/mm_mapworld/...', relative to where clembench runs
        expected = CLEMBENCH.joinpath(*Path(path).parts[2:])
        assert np.array_equal(env.observe("walker")["image"], mm_mapworld.letterbox(expected, 32))
        env.step(reply)


def test_the_clembench_folder_gives_instances_and_pictures():
    env = llm_arena_env.make("dialogue/mm_mapworld", clembench=str(CLEMBENCH))
    assert env.clembench == CLEMBENCH and len(env.instance_set) == 4
    with pytest.raises(ValueError, match="no mm_mapworld/mm_mapworld_main folder"):
        llm_arena_env.make("dialogue/mm_mapworld", clembench=str(HERE))


def test_a_missing_picture_fails_at_make_and_says_how_to_fix_it(tmp_path):
    data = json.loads(INSTANCES.read_text())
    room = next(iter(data["experiments"][0]["game_instances"][0]["imgs"]))
    data["experiments"][0]["game_instances"][0]["imgs"][room] = "../clembench/mm_mapworld/x/gone.jpg"
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(data))
    with pytest.raises(FileNotFoundError, match="gone.jpg.*clembench="):
        llm_arena_env.make("dialogue/mm_mapworld", instances=str(path), clembench=str(CLEMBENCH))


def test_reprompting_instances_are_refused():
    data = json.loads(INSTANCES.read_text())
    data["experiments"][0]["game_instances"][0]["reprompt"] = True
    env = llm_arena_env.make("dialogue/mm_mapworld", instances=str(INSTANCES))
    with pytest.raises(ValueError, match="reprompt"):
        env.reset(seed=0, options={"instance": data["experiments"][0]["game_instances"][0]})


def test_a_walk_through_every_room_succeeds_and_a_bad_reply_aborts():
    env = llm_arena_env.make("dialogue/mm_mapworld", instances=str(INSTANCES))
    env.reset(seed=0, options={"instance": ("small", 0)})  # rooms (0,0)-(1,0)-(1,1)-(2,1) in a row
    assert "Doors lead: east." in env.observe("walker")["text"]
    for action in ("GO: East", "GO: north", "GO: east", "DONE"):
        env.step(json.dumps({"description": "A room.", "action": action}))
    scores = env.infos["walker"]["scores"]
    assert env.infos["walker"]["outcome"] is Outcome.SUCCESS and scores["Main Score"] == 100 and scores["visited"] == 4
    env.reset(seed=0, options={"instance": ("small", 0)})
    env.step("GO: east")
    assert env.result.reason is EndReason.ILLEGAL_ACTION and math.isnan(env.infos["walker"]["scores"]["exploration"])


@pytest.mark.parametrize("reply, direction", [
    ('{"description": "x", "action": "GO: NORTH"}', "north"),
    ('{"description": "x",\n "action": "go:west"}', "west"),
    ('  {"description": "x", "action": "done"}  ', None),
])
def test_a_reply_is_read_as_clembench_reads_it(reply, direction):
    patterns = rules.Patterns.from_instance(mm_mapworld.TEXTS)
    assert rules.read_reply(reply, patterns) == direction


def test_the_best_first_moves_lead_to_the_nearest_unseen_rooms():
    # a row (0,0)-(1,0)-(2,0) plus (1,1) above the middle; from the middle, every frontier room is one step away
    world = rules.Map(((0, 0), (1, 0), (2, 0), (1, 1)),
                      tuple(d for a, b in [((0, 0), (1, 0)), ((1, 0), (2, 0)), ((1, 0), (1, 1))] for d in ((a, b), (b, a))),
                      (1, 0))
    assert rules.best_first_moves(world, (1, 0), {(1, 0)}) == {((1, 0), (0, 0)), ((1, 0), (2, 0)), ((1, 0), (1, 1))}
    # once (0,0) is visited, going back through (1,0) is the only first step
    assert rules.best_first_moves(world, (0, 0), {(1, 0), (0, 0)}) == {((0, 0), (1, 0))}


@pytest.mark.parametrize("module", [mm_mapworld, mm_mapworld_specificroom, mm_mapworld_graphs])
def test_shipped_instances_are_what_the_generator_makes(module):
    name = module.__name__.rsplit(".", 1)[1]
    shipped = json.loads((mm_mapworld.RESOURCES / name / "instances.json").read_text())
    assert shipped == module.generate_instances()
