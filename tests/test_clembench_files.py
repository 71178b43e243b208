"""clembench's own file layouts load unchanged: game folders for the CLI, textmapworld's map instances,
wordle's older experiment layout. Every file here is written by the test, in clembench's layout."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import llm_arena_env
from llm_arena_env.arena.results import load_episodes
from llm_arena_env.cli import main
from llm_arena_env.games.dialogue.clembench_dir import clembench_games
from llm_arena_env.games.dialogue.wordle import clembench_setup
from llm_arena_env.games.grid.mapworld.clembench import read_instance

TABOO = {"experiments": [{"name": "high_en", "max_turns": 3, "game_instances": [
    {"game_id": 0, "target_word": "river", "related_word": ["water", "stream", "flow"]},
    {"game_id": 1, "target_word": "garden", "related_word": ["flower", "plant", "yard"]}]}]}


def write_folder(root: Path, spec, files: dict[str, dict]) -> Path:
    (root / "in").mkdir(parents=True)
    (root / "clemgame.json").write_text(json.dumps(spec), encoding="utf-8")
    for name, data in files.items():
        (root / "in" / name).write_text(json.dumps(data), encoding="utf-8")
    return root


def test_a_clembench_game_folder_names_its_games_and_instance_files(tmp_path):
    folder = write_folder(tmp_path / "wordle", [{"game_name": "wordle"}, {"game_name": "wordle_withclue",
                                                                          "instances": "instances_withclue"}],
                          {"instances.json": {}, "instances_withclue.json": {}})
    assert clembench_games(folder) == [("dialogue/wordle", str(folder / "in" / "instances.json")),
                                       ("dialogue/wordle_withclue", str(folder / "in" / "instances_withclue.json"))]
    with pytest.raises(ValueError, match="no clemgame.json"):
        clembench_games(tmp_path)
    adventure = write_folder(tmp_path / "adventuregame", {"game_name": "adventuregame"}, {"instances.json": {}})
    assert clembench_games(adventure) == [("dialogue/adventuregame", str(adventure / "in" / "instances.json"))]
    other = write_folder(tmp_path / "other", {"game_name": "hellogame"}, {"instances.json": {}})
    with pytest.raises(ValueError, match="no counterpart"):
        clembench_games(other)


def test_the_cli_plays_every_instance_of_a_clembench_folder(tmp_path, capsys):
    folder = write_folder(tmp_path / "taboo", {"game_name": "taboo"}, {"instances.json": TABOO})
    code = main(["run", "--clembench", str(folder), "--players", "random", "random", "--no-progress",
                 "--results-root", str(tmp_path / "results"), "--run-name", "clem"])
    assert code == 0, capsys.readouterr().err
    records = load_episodes(tmp_path / "results" / "clem")
    assert len(records) == 2 and {r["game"] for r in records} == {"dialogue/taboo"}
    code = main(["run", "--clembench", str(tmp_path), "--players", "random", "random"])
    assert code == 2 and "no clemgame.json" in capsys.readouterr().err


# Named rooms on a 3x3 grid, clembench's (x, y) cells with north = y + 1; the Directions field is clembench's own
# record of each room's exits, which the map built here must reproduce.
NAMED = {
    "game_id": "0", "Grid_Dimension": "3", "Current_Position": "Hall",
    "Mapping": "{(0, 0): 'Hall', (1, 0): 'Kitchen', (1, 1): 'Pantry', (0, 1): 'Study'}",
    "Graph_Edges": "[('Hall', 'Kitchen'), ('Kitchen', 'Pantry'), ('Hall', 'Study')]",
    "Directions": "[('Hall', ['east', 'north']), ('Kitchen', ['west', 'north']), ('Pantry', ['south']), "
                  "('Study', ['south'])]",
    "Move_Construction": "^GO:\\s*(north|east|west|south)$", "Stop_Construction": "^DONE$",
    "Specific_Room": "Pantry",
}
UNNAMED = {**{k: v for k, v in NAMED.items() if k not in ("Mapping", "Specific_Room")},
           "Graph_Nodes": "[(0, 0), (1, 0), (1, 1)]", "Graph_Edges": "[((0, 0), (1, 0)), ((1, 0), (1, 1))]",
           "Current_Position": "(1, 1)"}


def test_a_clembench_textmapworld_map_keeps_its_rooms_exits_start_and_target():
    read = read_instance(NAMED)
    names = read.map.names
    exits = {names[cell]: sorted(read.map.exits(cell)) for cell in names}
    assert exits == {room: sorted(ways) for room, ways in ast.literal_eval(NAMED["Directions"])}
    assert names[read.start] == "Hall" and names[read.target] == "Pantry"
    unnamed = read_instance(UNNAMED)
    assert unnamed.map.names[unnamed.start] == "(1, 1)" and sorted(unnamed.map.exits(unnamed.start)) == ["south"]
    with pytest.raises(ValueError, match="not a clembench textmapworld instance"):
        read_instance({"Grid_Dimension": "3"})


@pytest.mark.parametrize("game_id", ["grid/textmapworld", "grid/textmapworld_specificroom",
                                     "grid/textmapworld_graphreasoning"])
def test_textmapworld_plays_clembench_instance_files(tmp_path, game_id):
    path = tmp_path / "instances.json"
    path.write_text(json.dumps({"experiments": [{"name": "small", "game_instances": [NAMED, UNNAMED]}]}))
    env = llm_arena_env.make(game_id, instances=str(path))
    env.reset(seed=0, options={"instance": ("small", "0")})
    assert "Hall" in env.observe("player")["text"]
    env.step("go: north")  # the instance's own pattern, matched in any case
    assert env.unwrapped.map.names[env.unwrapped.here] == "Study"
    env.step("GO: up")
    assert env.unwrapped.result is not None or "rejection" in env.infos["player"]


def test_textmapworld_find_takes_the_target_room_from_the_instance():
    env = llm_arena_env.make("grid/textmapworld_specificroom", instances={"experiments": [
        {"name": "far", "game_instances": [NAMED]}]})
    env.reset(seed=5)
    for move in ("GO: east", "GO: north", "DONE"):
        env.step(move)
    assert env.infos["player"]["scores"]["Success"] == 1.0


def test_wordle_reads_clembenchs_older_experiment_layout():
    older = {"name": "high_frequency_words_no_clue_no_critic", "use_clue": "False",
             "common_config": {"max_word_length": 5, "max_attempts_per_game": 4, "max_retry_per_error": 2},
             "english_words": ["stone", "house"], "system_definition": "Be a wizard.",
             "guesser_prompt": "[{'role': 'user', 'content': ' Guess the word.'}]", "guesser_critic_prompt": "[]"}
    setup = clembench_setup(older)
    assert (setup["rounds"], setup["retries"], setup["length"]) == (4, 2, 5)
    assert setup["words"] == ["stone", "house"] and setup["guesser_prompt"] == "Be a wizard. Guess the word."
    assert setup["critic_prompt"] is None
    env = llm_arena_env.make("dialogue/wordle", instances={"experiments": [
        {**older, "game_instances": [{"game_id": 1, "target_word": "stone"}]}]})
    env.reset(seed=0)
    assert env.observe("guesser")["text"].startswith("Be a wizard. Guess the word.")
    env.step("explanation: a rock\nguess: house")
    assert env.unwrapped.rounds == 4 and env.unwrapped.result is None


def test_clembench_textmapworld_rules_walls_turn_limit_and_efficient_moves():
    from llm_arena_env.games.grid.mapworld.clembench import best_first_steps

    read = read_instance(NAMED)
    cell = {name: c for c, name in read.map.names.items()}
    # From the Hall, the shortest walk past both unvisited neighbours goes to the Study (a dead end) first:
    # Hall-Study-Hall-Kitchen; via the Kitchen the walk must take the new Pantry before turning back.
    assert best_first_steps(read.map, cell["Hall"], {cell["Hall"]}) == {cell["Study"]}
    env = llm_arena_env.make("grid/textmapworld", instances={"experiments": [{"name": "small", "game_instances": [NAMED]}]})
    env.reset(seed=0)
    env.step("GO: west")  # a wall: clembench answers "not valid" and the walk goes on
    assert env.unwrapped.result is None and "rejection" not in env.infos["player"]
    assert "not valid" in env.observe("player")["text"] and env.unwrapped.map.names[env.unwrapped.here] == "Hall"
    for _ in range(19):
        env.step("GO: north" if env.unwrapped.map.names[env.unwrapped.here] == "Hall" else "GO: south")
    scores = env.infos["player"]["scores"]  # 20 replies without DONE: clembench counts the episode as aborted
    assert scores["Aborted"] == 1 and scores["Success"] == 0
