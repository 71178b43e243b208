"""dialogue/clean_up: clembench's verdicts replayed (golden), command reading, boards, metrics."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import llm_arena_env
from llm_arena_env.core.outcome import EndReason
from llm_arena_env.games.dialogue import clean_up_rules as rules
from tests.clembench_v3_replay import replay

HERE = Path(__file__).parent
INSTANCES = HERE / "data" / "clean_up_instances.json"
GOLDEN = HERE / "golden" / "clembench_v3" / "clean_up.json"
GOLDEN_CASES = json.loads(GOLDEN.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", GOLDEN_CASES, ids=[f"{c['experiment']}-{c['game_id']}-{c['case']}" for c in GOLDEN_CASES])
def test_clembench_verdicts_replay(case):
    assert replay("dialogue/clean_up", case, INSTANCES) == []


def test_golden_file_covers_perfect_play_timeouts_and_aborts():
    seen = {(c["case"], c["outcome"]) for c in GOLDEN_CASES}
    assert {("perfect", "success"), ("talk_to_round_limit", "success"), ("format_mistakes_abort", "aborted")} <= seen
    assert any(c["scores"]["Main Score"] == 100 for c in GOLDEN_CASES)


# ------------------------------------------------------------------------------------------ rules

SAY = re.compile(r"(?P<head>.*)SAY: (?P<message>[^\n]+)(?P<tail>.*)", re.DOTALL)
MOVE = re.compile(r"(?P<head>.*)MOVE: (?P<obj>[^,]+), \((?P<x>\d+), ?(?P<y>\d+)\)(?P<tail>.*)", re.DOTALL)


@pytest.mark.parametrize("text, key", [
    ("MOVE: A, (1, 1)", "invalid_start"), ("Hi SAY: x", "head"), ("SAY: x\nbye", "tail"),
    ("Hi SAY: x\nbye", "head_tail"), ("SAY: x\nMOVE: A, (1, 1)", "several_commands"), ("hello", "invalid_format"),
])
def test_commands_are_checked_in_clembenchs_order(text, key):
    with pytest.raises(rules.CommandError) as error:
        rules.read_command(text, SAY, MOVE, must_say=key == "invalid_start")
    assert error.value.key == key


def test_a_long_reply_is_read_in_linear_time():
    # clembench's patterns retried from every position would take seconds on this
    with pytest.raises(rules.CommandError):
        rules.read_command("x" * 20_000, SAY, MOVE, must_say=False)
    assert rules.read_command("`MOVE: A, (99999999999999999999999, 1)`", SAY, MOVE, must_say=False).x > 10 ** 17


def test_moves_need_an_empty_cell_on_the_board():
    board = rules.Board("╔══╗\n║◌◌║\n║◌◌║\n╚══╝", [{"id": "A", "coord": [1, 1]}, {"id": "B", "coord": [2, 2]}])
    messages = {"obj_not_found": "no $object", "out_of_bounds": "out $x,$y", "not_empty": "taken by $object",
                "successful": "ok\n$grid"}
    assert board.move("A", 2, 2, messages) == (False, "taken by B")
    assert board.move("A", 0, 0, messages) == (False, "taken by ╔")
    assert board.move("A", 4, 1, messages) == (False, "out 4,1")
    done, text = board.move("A", 2, 1, messages)
    assert done and text == "ok\n 12\n╔══╗\n║◌A║ 1\n║◌B║ 2\n╚══╝\n"


# ------------------------------------------------------------------------------------------ the env

def test_malformed_replies_cost_penalties_and_abort_at_the_end_of_a_round():
    env = llm_arena_env.make("dialogue/clean_up", instances=str(INSTANCES))
    env.reset(seed=0, options={"instance": ("3obj_en", 0)})
    for _ in range(env.max_penalties + 1):
        env.step("no command here")
        assert env.result is None and env.agent_selection == "player_1"
    env.step("SAY: sorry")
    env.step("SAY: fine")
    assert env.result.reason is EndReason.ILLEGAL_ACTION
    assert env.infos["player_1"]["requests"]["Violated Request Count"] == env.max_penalties + 1
