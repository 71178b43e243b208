"""Map worlds: maps, moves and their rejections, exploration and efficiency, graph reports, target rooms."""

from __future__ import annotations

import math

import numpy as np
import pytest

import llm_arena_env
from llm_arena_env.core.outcome import EndReason, Outcome
from llm_arena_env.games.grid.mapworld.graph import OPPOSITE, RoomMap, generate
from llm_arena_env.games.grid.mapworld.pictures import ROOM_TYPES

LINE = RoomMap(1, 3, {(0, 0): "Kitchen", (0, 1): "Office", (0, 2): "Garage"},
               frozenset({frozenset({(0, 0), (0, 1)}), frozenset({(0, 1), (0, 2)})}))


def make_env(game_id="grid/textmapworld", instance=None, seed=0, **kwargs):
    env = llm_arena_env.make(game_id, **kwargs)
    env.reset(seed=seed, options={"instance": instance} if instance else None)
    return env


def exploring_walk(room_map: RoomMap, start) -> list[str]:
    """Depth-first: into every unseen room, back when a room has no unseen exit left; no walk back at the end."""
    walk, seen = [], {start}

    def visit(cell):
        for direction, other in room_map.exits(cell).items():
            if other not in seen:
                seen.add(other)
                walk.append(direction)
                last_new[0] = len(walk)
                visit(other)
                walk.append(OPPOSITE[direction])

    last_new = [0]
    visit(start)
    return walk[:last_new[0]]


@pytest.mark.parametrize("seed", range(6))
def test_generated_maps_are_connected_with_unique_names(seed):
    room_map = generate(np.random.default_rng(seed), 4, 4, 7, ROOM_TYPES, loops=2)
    assert len(room_map.names) == 7 == len(set(room_map.names.values()))
    assert set(room_map.distances(room_map.rooms[0])) == set(room_map.names)
    neighbours = {frozenset((a, b)) for a in room_map.names for b in room_map.names
                  if abs(a[0] - b[0]) + abs(a[1] - b[1]) == 1}
    assert room_map.corridors <= neighbours
    assert len(room_map.corridors) == 6 + min(2, len(neighbours) - 6)  # a tree, plus the loops there is room for
    assert room_map == generate(np.random.default_rng(seed), 4, 4, 7, ROOM_TYPES, loops=2)


@pytest.mark.parametrize("seed", range(5))
def test_an_agent_that_visits_every_room_gets_full_exploration(seed):
    env = make_env(seed=seed, rooms=6)
    walk = exploring_walk(env.map, env.here)
    for direction in walk:
        assert env.result is None
        env.step(f"GO: {direction}")
    env.step("DONE")
    scores = env.infos["player"]["scores"]
    assert scores["exploration"] == 100.0 and scores["Success"] == 1.0
    assert scores["moves"] == len(walk) and scores["efficiency"] == pytest.approx(100 * 5 / len(walk))
    assert scores["Main Score"] == pytest.approx(2 * 100 * scores["efficiency"] / (100 + scores["efficiency"]))
    assert env.infos["player"]["outcome"] is Outcome.SUCCESS and env.rewards["player"] == scores["Main Score"] / 100


def test_efficiency_drops_with_each_move_into_a_room_already_seen():
    env = make_env(instance=LINE)
    for command in ["GO: east", "GO: west", "go:EAST", "GO: east", "DONE"]:  # new, seen, seen, new
        env.step(command)
    scores = env.infos["player"]["scores"]
    assert (scores["moves"], scores["efficiency"], scores["exploration"]) == (4, 50.0, 100.0)
    assert scores["Main Score"] == pytest.approx(200 / 3)
    env = make_env(instance=LINE)
    env.step(4)  # DONE at once: no move, so no efficiency, and a third of the house seen
    assert env.infos["player"]["scores"]["efficiency"] == 0.0
    assert env.infos["player"]["scores"]["exploration"] == pytest.approx(100 / 3)


def test_invalid_directions_and_commands_are_rejected_with_the_reason():
    env = make_env(instance=LINE, max_illegal_actions=5)
    assert env.check_action("player", "GO: west") == (
        False, "there is no exit to the west from the Kitchen; the exits are east")
    assert env.check_action("player", "GO: up") == (
        False, "'up' is not a direction; the directions are north, east, south and west")
    assert env.check_action("player", "walk east")[1] == "say GO: <direction> (north, east, south or west) or DONE"
    assert env.check_action("player", 3)[0] is False  # id 3 is GO: west
    assert env.check_action("player", "GO: east\nGRAPH: {}")[1] == "reply with one line: GO: <direction> or DONE"
    env.step("GO: north")
    assert env.here == (0, 0) and "no exit to the north" in env.observe("player")["text"]
    obs = env.observe("player")
    assert obs["legal_actions"] == ("GO: east", "DONE") and obs["action_mask"].tolist() == [0, 1, 0, 0, 1]


def test_an_invalid_move_aborts_by_default_keeping_the_measures():
    env = make_env(instance=LINE)
    env.step("GO: east")
    env.step("GO: east")
    env.step("GO: east")
    info = env.infos["player"]
    assert info["outcome"] is Outcome.ABORTED and info["scores"]["Aborted"] == 1.0
    assert math.isnan(info["scores"]["Main Score"]) and info["scores"]["Success"] == 0.0 and info["scores"]["exploration"] == 100.0


def test_the_turn_limit_truncates_and_messages_carry_the_walk():
    env = make_env(instance=LINE, max_turns=3)
    env.step("GO: east")
    messages = env.observe("player")["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[2]["content"] == "GO: east"
    assert messages[3]["content"].startswith("You went east. You are in the Office.")
    env.step("GO: west")
    env.step("GO: east")
    assert env.truncations["player"] and env.infos["player"]["end_reason"] is EndReason.MAX_TURNS
    assert env.infos["player"]["scores"]["turns"] == 3


def test_graph_reports_are_scored_against_the_walked_graph():
    env = make_env("grid/textmapworld_graphreasoning", instance=LINE)
    assert "GRAPH:" in env.observe("player")["text"]
    env.step('GO: east\nGRAPH: {"nodes": ["Kitchen"], "edges": []}')
    env.step('GO: west\nGRAPH: {"nodes": ["kitchen", "office"], "edges": [["Office", "west", "Kitchen"]]}')
    env.step("DONE")  # no report: the last one stands
    assert env.infos["player"]["scores"]["graph_similarity"] == 100.0

    env = make_env("grid/textmapworld_graphreasoning", instance=LINE, max_illegal_actions=3)
    env.step('GO: east\nGRAPH: {"edges": [["Kitchen", "north", "Office"]]}')  # right rooms, wrong direction
    assert env.check_action("player", "DONE\nGRAPH: [[[")[1].startswith("the graph must be JSON")
    assert "not a direction" in env.check_action("player", 'DONE\nGRAPH: {"edges": [["a", "up", "b"]]}')[1]
    env.step("DONE")
    assert env.infos["player"]["scores"]["graph_similarity"] == 50.0  # rooms F1 1, corridors F1 0


def test_finding_the_named_room():
    env = make_env("grid/textmapworld_specificroom", seed=3, rooms=6)
    target = env.map.names[env.target]
    assert f"Find the {target}" in env.observe("player")["messages"][0]["content"]
    path = _shortest_path(env.map, env.here, env.target)
    for direction in path:
        env.step(f"GO: {direction}")
    env.step("DONE")
    scores = env.infos["player"]["scores"]
    assert scores["Success"] == 1.0 and scores["Main Score"] == 100.0 and scores["path_efficiency"] == 100.0
    assert scores["distance_to_target"] == 0.0

    env = make_env("grid/textmapworld_specificroom", seed=3, rooms=6)
    env.step("DONE")  # still in the start room
    assert env.infos["player"]["outcome"] is Outcome.FAILURE and env.infos["player"]["scores"]["Main Score"] == 0.0
    assert env.infos["player"]["scores"]["distance_to_target"] == len(path)


def _shortest_path(room_map, start, goal):
    paths = {start: []}
    frontier = [start]
    while goal not in paths:
        cell = frontier.pop(0)
        for direction, other in room_map.exits(cell).items():
            if other not in paths:
                paths[other] = paths[cell] + [direction]
                frontier.append(other)
    return paths[goal]


def test_the_picture_form_hides_room_names_behind_pictures():
    env = make_env("grid/mapworld", image_size=96, seed=2)
    obs = env.observe("player")
    name = env.map.names[env.here]
    assert name not in obs["text"] and "shown in the image" in obs["text"]
    assert obs["image"].shape == (96, 96, 3)
    assert make_env("grid/mapworld", observation_mode="text", seed=2).observe("player")["text"].count(name) == 1
    with pytest.raises(ValueError, match="ask_graph"):
        llm_arena_env.make("grid/mapworld", ask_graph=True)


def test_describer_and_walker_take_turns_and_share_the_outcome():
    env = make_env("grid/mapworld", roles=2, image_size=64, seed=3, max_illegal_actions=2)
    assert env.agent_selection == "describer"
    describer = env.observe("describer")
    assert describer["action_mask"].tolist() == [0] * 5 + [1] * len(ROOM_TYPES)
    assert env.check_action("describer", "🙂🙂")[1] == "describe the room in words"
    assert env.check_action("describer", 0)[1].startswith("the describer describes the room")
    path = _shortest_path(env.map, env.here, env.target)
    went = None
    for direction in path:
        env.step(5 + ROOM_TYPES.index(env.map.names[env.here]))  # a canned description of the right room
        walker = env.observe("walker")
        assert env.agent_selection == "walker" and "It looks like" in walker["text"]
        assert env.last_move[0] == "describer"  # the env's (player, action), as every game keeps it
        assert walker["text"].startswith(f"You went {went}. " if went else "Your partner describes")
        went = direction
        assert env.check_action("walker", 7)[1].startswith("the walker's ids are 0 to 4")
        env.step(f"GO: {direction}")
    env.step("A room with what you are looking for.")
    env.step("DONE")
    assert env.rewards == {"describer": 1.0, "walker": 1.0}
    assert {info["outcome"] for info in env.infos.values()} == {Outcome.SUCCESS}
    assert env.infos["walker"]["scores"]["turns"] == len(path) + 1


def test_the_describer_rejects_hostile_input_without_losing_state():
    env = make_env("grid/mapworld", roles=2, image_size=32, max_illegal_actions=20)
    for action in ["", "\x00\x01\x1b[2J", "🙂" * 50, "x" * 100_000, None, -1, 10**12, 2.5, b"e4", 2, "a" * 2001]:
        ok, reason = env.check_action("describer", action)
        assert not ok and reason, action
        env.step(action)
        assert env.agent_selection == "describer" and env.infos["describer"]["rejection"] == reason
    assert env.check_action("describer", "Shelves\tof books,\nfloor to ceiling.") == (True, "")


def test_each_room_type_has_its_own_deterministic_picture():
    from llm_arena_env.games.grid.mapworld.pictures import room_picture

    pictures = [room_picture(room, 64).astype(int) for room in ROOM_TYPES]
    assert all(np.array_equal(p, room_picture(room, 64)) for p, room in zip(pictures, ROOM_TYPES))
    for i in range(len(pictures)):
        for j in range(i):
            assert np.abs(pictures[i] - pictures[j]).mean() > 10, (ROOM_TYPES[i], ROOM_TYPES[j])


@pytest.mark.parametrize("game_id, reveal", [("grid/textmapworld", True), ("grid/textmapworld", False),
                                             ("grid/mapworld", True)])
def test_map_pixels_change_only_in_the_slots_of_the_rooms_a_move_joins(game_id, reveal):
    from llm_arena_env.games.grid.draw import cell_boxes

    size = 200
    env = make_env(game_id, seed=4, rooms=8, image_size=size, render_mode="rgb_array", observation_mode="text+image")

    def picture():  # the whole map, or the map as far as the player knows it
        return env.render() if reveal else env.observe("player")["image"]

    before, start = picture(), env.here
    direction, there = next(iter(env.map.exits(start).items()))
    env.step(f"GO: {direction}")
    changed = np.any(picture() != before, axis=2)
    slots = cell_boxes(size, env.map.rows, env.map.cols)
    allowed = np.zeros_like(changed)
    for r, c in (start, there):
        left, top, right, bottom = slots[r][c]
        allowed[top:bottom, left:right] = True
        assert changed[top:bottom, left:right].any()
    assert not (changed & ~allowed).any()
