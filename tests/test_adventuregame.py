"""dialogue/adventuregame: clembench's verdicts replayed (golden), the command grammar, the format breaks,
definitions read from a clembench-style folder, and the scripted player."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

import llm_arena_env
from llm_arena_env.core.outcome import Outcome
from llm_arena_env.games.dialogue import adventuregame
from llm_arena_env.games.dialogue.adventuregame_rules import CommandFailed, World, load_definitions, parse_command, solve
from llm_arena_env.games.dialogue.instances import RESOURCES
from tests.clembench_v3_replay import replay

HERE = Path(__file__).parent
INSTANCES = RESOURCES / "adventuregame" / "instances.json"  # ours, in clembench's layout
DEFINITIONS = RESOURCES / "adventuregame" / "definitions"
GOLDEN = HERE / "golden" / "clembench_v2" / "adventuregame.json"
GOLDEN_CASES = json.loads(GOLDEN.read_text(encoding="utf-8"))["cases"]
SHIPPED = json.loads(INSTANCES.read_text(encoding="utf-8"))


def _replay(case: dict) -> list[str]:
    """clembench's verdict against ours: outcome, every score, the request counts. The texts shown differ
    by design (rooms are described in our own words; clembench's order is Python's set order)."""
    return [p for p in replay("dialogue/adventuregame", case, INSTANCES) if "another text" not in p]


@pytest.mark.parametrize("case", GOLDEN_CASES, ids=[f"{c['experiment']}-{c['game_id']}-{c['case']}" for c in GOLDEN_CASES])
def test_clembench_verdicts_replay(case):
    assert _replay(case) == []


def test_golden_file_covers_every_experiment_ending_and_fail_type():
    experiments = {e["name"] for e in SHIPPED["experiments"]}
    endings = {(c["experiment"], "aborted" if c["scores"]["Aborted"] else c["scores"]["Success"]) for c in GOLDEN_CASES}
    assert endings == {(e, end) for e in experiments for end in ("aborted", 0, 1)}
    seen = {name for c in GOLDEN_CASES for name, v in c["scores"].items() if v}
    for fail_type in ("lark_exception", "malformed_command", "undefined_action_verb", "undefined_repr_str",
                      "manipulating_room", "taking_from_inventory", "domain_trait_type_mismatch", "entity_not_accessible",
                      "entity_state_mismatch", "entity_already_inventory", "going_to_current_room", "no_exit_to",
                      "inventory_limit_exceeded", "turn_limit_loss", "hallucination_count", "bad_plan_follow_ratio"):
        assert fail_type in seen, fail_type
    assert {c["scores"]["Main Score"] for c in GOLDEN_CASES if not c["scores"]["Aborted"]} >= {0, 100}


def test_clembench_grammar_readings_replay():
    """clembench's grammar (lark, built from our definitions) on 1,400 word sequences, against our reader."""
    recorded = json.loads((HERE / "golden" / "clembench_v2" / "adventuregame_commands.json").read_text())["commands"]
    definitions = load_definitions(DEFINITIONS, SHIPPED["experiments"][0]["game_instances"][0])
    differ = []
    for command, theirs in recorded:
        try:
            ours = parse_command(command, definitions)
        except CommandFailed:  # a command lark cannot read at all
            ours = None
        if ours != theirs:
            differ.append((command, ours, theirs))
    assert differ == [] and len(recorded) > 1000


@pytest.mark.parametrize("text, parsed", [
    ("go to the hall", {"type": "go", "arg1": "hall"}),
    ("Go Garden Shed", {"type": "go", "arg1": "garden shed"}),
    ("take the tea pot.", {"type": "take", "arg1": "tea pot"}),
    ("pick up mug", {"type": "take", "arg1": "mug", "prep": "up"}),
    ("take mug out of chest", {"type": "take", "arg1": "mug", "prep": "out of", "arg2": "chest"}),
    ("take the old chest", {"type": "take", "arg1": "chest"}),  # "old" is an adjective of the definitions
    ("put lamp on the oak desk", {"type": "put", "arg1": "lamp", "prep": "on", "arg2": "desk"}),
    ("put lamp desk", {"type": "put", "arg1": "lamp", "arg2": "desk"}),
    ("take mug on", {"type": "take", "arg1": "mug on"}),  # a preposition needs a thing after it
    ("take the big red mug", {"type": "unknown", "arg1": "take"}),  # three words are no thing
    ("done", {"type": "done"}),
    ("done now", {"type": "unknown", "arg1": "done"}),
    ("dance wildly", {"type": "unknown", "arg1": "dance"}),
])
def test_commands_are_read_as_clembench_grammar_reads_them(text, parsed):
    definitions = load_definitions(DEFINITIONS, SHIPPED["experiments"][0]["game_instances"][0])
    assert parse_command(text, definitions) == parsed


def _env(experiment: str = "home_deliver_three_basic_easy", game_id: int = 0, **kwargs):
    env = llm_arena_env.make("dialogue/adventuregame", **kwargs)
    env.reset(seed=0, options={"instance": (experiment, game_id)})
    return env


def test_a_rule_break_is_feedback_and_a_missing_tag_aborts():
    env = _env()
    assert "Your goal" in env.observe("adventurer")["text"] and "You are in the" in env.observe("adventurer")["text"]
    env.step("> fly to the moon")
    assert env.result is None and "fly" in env.observe("adventurer")["text"]
    env.step("I think I am done")
    info = env.infos["adventurer"]
    assert info["outcome"] is Outcome.ABORTED and math.isnan(info["scores"]["Main Score"])
    assert info["scores"]["undefined_action_verb"] == 1 and info["scores"]["hallucination_count"] == 1


def test_planning_needs_the_plan_line():
    env = _env("home_deliver_three_planning_easy")
    env.step("> " + env.instance["optimal_commands"][0])
    assert env.infos["adventurer"]["outcome"] is Outcome.ABORTED


def test_done_before_the_goal_loses_with_the_goals_reached():
    env = _env()
    env.step("> done")
    info = env.infos["adventurer"]
    assert info["outcome"] is Outcome.FAILURE and info["scores"]["Main Score"] == 0
    assert info["scores"]["hallucination_count"] == 1


@pytest.mark.parametrize("index", range(len([i for e in SHIPPED["experiments"] for i in e["game_instances"]])))
def test_the_scripted_player_solves_every_shipped_instance(index):
    env = llm_arena_env.make("dialogue/adventuregame")
    env.reset(seed=0, options={"instance": index})
    while env.result is None:
        env.step(adventuregame.scripted_move(env, env.agent_selection))
    info = env.infos["adventurer"]
    assert info["outcome"] is Outcome.SUCCESS and info["scores"]["Main Score"] == 100
    assert info["scores"]["turns_over_par"] == 1  # the optimal commands, then "> done"


def test_the_search_finds_the_shipped_optimal_length():
    instance = SHIPPED["experiments"][0]["game_instances"][0]
    world = World(instance, load_definitions(DEFINITIONS, instance))
    assert len(solve(world, limit=instance["optimal_turns"])) == instance["optimal_turns"]


def test_definitions_come_from_a_clembench_folder(tmp_path):
    game = tmp_path / "adventuregame"
    (game / "in").mkdir(parents=True)
    shutil.copy(INSTANCES, game / "in" / "instances.json")
    shutil.copytree(DEFINITIONS, game / "resources" / "definitions")
    env = llm_arena_env.make("dialogue/adventuregame", clembench=str(tmp_path))
    assert env.definitions_folder == game / "resources" / "definitions"
    (game / "resources" / "definitions" / "cottage_rooms.json").unlink()
    with pytest.raises(FileNotFoundError, match="cottage_rooms.json"):
        llm_arena_env.make("dialogue/adventuregame", clembench=str(tmp_path))
    with pytest.raises(ValueError, match="no adventuregame folder"):
        llm_arena_env.make("dialogue/adventuregame", clembench=str(tmp_path / "nowhere"))


def test_an_instance_with_a_field_of_the_wrong_type_fails_at_make(tmp_path):
    data = json.loads(INSTANCES.read_text())
    data["experiments"][0]["game_instances"][0]["max_turns"] = "fifty"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "instances.json").write_text(json.dumps(data))
    (tmp_path / "resources").mkdir()
    (tmp_path / "resources" / "definitions").symlink_to(DEFINITIONS)
    with pytest.raises(ValueError, match="max_turns"):
        llm_arena_env.make("dialogue/adventuregame", instances=str(tmp_path / "in" / "instances.json"))
