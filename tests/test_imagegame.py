"""dialogue/imagegame: grid and instruction formats, F1 on hand-worked grids, perfect and rule-breaking play."""

from __future__ import annotations

import json
import math

import pytest

import llm_arena_env
from llm_arena_env.core.outcome import EndReason, Outcome
from llm_arena_env.games.dialogue import imagegame
from llm_arena_env.games.dialogue import imagegame_rules as rules

E = rules.EMPTY
TARGET = f"{E} {E} P {E} {E}\n{E} {E} {E} P {E}\nP P P P P\n{E} {E} {E} P {E}\n{E} {E} P {E} {E}"


def grid(text: str) -> rules.Grid:
    return rules.text_to_grid(text)


def make(**kwargs):
    env = llm_arena_env.make("dialogue/imagegame", **kwargs)
    env.reset(seed=0, options={"instance": {"target_grid": TARGET, "grid_dimension": 5}})
    return env


def play_perfectly(env):
    """One instruction per letter row; the follower applies each and sends the grid so far."""
    cells = [[E] * 5 for _ in range(5)]
    for r, row in enumerate(env.target):
        letters = [(c, x) for c, x in enumerate(row) if x != E]
        if not letters:
            continue
        env.step(f"Command: in row {r + 1} put {letters[0][1]} in columns {', '.join(str(c + 1) for c, _ in letters)}")
        for c, x in letters:
            cells[r][c] = x
        env.step("\n".join(" ".join(row) for row in cells))
    env.step("Command: DONE")


# ---------------------------------------------------------------------------------------------- formats

@pytest.mark.parametrize("reply", [TARGET, f"\n{TARGET}\n", f"\n\n{TARGET}\n\n", TARGET.replace(" ", "\t", 1)])
def test_drawn_grid_accepts_the_documented_variants(reply):
    assert rules.parse_drawn_grid(reply) == grid(TARGET)


@pytest.mark.parametrize("reply", [
    TARGET.lower(),  # lower-case letters
    "\n".join(TARGET.split("\n")[:4]),  # 4 rows
    TARGET + f"\n{E} {E} {E} {E} {E}",  # 6 rows
    TARGET.replace("P P P P P", f"P P P P P {E}"),  # 6 cells in a row
    TARGET.replace("P P P P P", "P  P P P P"),  # two spaces
    "Here is the grid:\n" + TARGET,  # extra text
    TARGET + "\nDone.",
    TARGET.replace("P P P P P", "P P 1 P P"),
    "",
])
def test_drawn_grid_rejects_everything_else(reply):
    assert rules.parse_drawn_grid(reply) is None


@pytest.mark.parametrize("reply, done", [
    ("Command: put an X in the top left", False),
    ("command: fill row 2 with B", False),
    ("COMMAND: put an A in the middle\n", False),
    ("Command: DONE", True),
    ("command: done", True),
    ("Command:  Done  ", True),
    ("Command: DONE.", False),  # clembench: not its DONE pattern, so an instruction, relayed as it is
    ("Command: Done, that is all", False),
])
def test_instruction_accepts_the_tag_in_any_case_and_done(reply, done):
    instruction = rules.parse_instruction(reply)
    assert instruction is not None and instruction.done is done


@pytest.mark.parametrize("reply", ["put an X in the top left", "Command:", "Command:put X", " Command: put X",
                                   "Command: put X top left\nCommand: put Y below",
                                   "Sure! Command: put X", "DONE", ""])
def test_instruction_rejects_everything_else(reply):
    assert rules.parse_instruction(reply) is None


def test_f1_on_hand_worked_grids():
    target = grid(TARGET)  # 9 letters
    assert rules.score_grid(target, target) == rules.GridScore(100, 100, 100)
    # 5 of the 9 letters right, nothing else drawn: precision 1, recall 5/9 = 0.5556, F1 = 0.7143
    partial = grid(TARGET.replace("P P P P P", f"{E} {E} P {E} {E}"))
    assert rules.score_grid(target, partial) == rules.GridScore(100, 56, 71)
    # all 9 right plus one wrong letter and one P where the target is empty: precision 9/11, recall 1
    extra = grid(TARGET.replace(f"{E} {E} P {E} {E}\n{E} {E} {E} P", f"X {E} P {E} P\n{E} {E} {E} P", 1))
    assert rules.score_grid(target, extra) == rules.GridScore(82, 100, 90)
    assert rules.score_grid(target, grid(TARGET.replace("P", "p"))).f1 == 100  # letters compare without case
    assert rules.score_grid(target, grid(TARGET.replace("P", "Q"))).f1 == 0
    assert rules.score_grid(target, rules.empty_grid(5)) == rules.GridScore(0, 0, 0)
    assert rules.score_grid(target, rules.empty_grid(4)) == rules.GridScore(0, 0, 0)


# ---------------------------------------------------------------------------------------------- play

def test_a_perfect_pair_succeeds_with_the_top_score():
    env = make()
    play_perfectly(env)
    scores = env.infos["giver"]["scores"]
    assert env.result.reason is EndReason.GAME_OVER
    assert all(env.infos[p]["outcome"] is Outcome.SUCCESS for p in env.possible_agents)
    assert scores["Success"] == 1 and scores["Main Score"] == 100 and scores["F1"] == 100
    assert scores["Request Count"] == 11 and scores["Violated Request Count"] == 0  # 5 instructions, 5 grids, DONE
    assert scores["Average Changed Cell Count"] == 1.8  # 9 letters in 5 turns
    assert env.rewards == {"giver": 1.0, "follower": 1.0}


def test_each_player_sees_only_its_side():
    env = make()
    giver = env.observe("giver")["messages"]
    assert TARGET in giver[0]["content"] and giver[0]["content"].endswith("What is your next command?")
    env.step("Command: put P in row 3, all columns")
    follower = env.observe("follower")["messages"]
    assert len(follower) == 1 and follower[0]["content"].endswith("Command: put P in row 3, all columns")
    assert TARGET not in follower[0]["content"] and "P P P P P" not in follower[0]["content"].split("Command:")[0]
    env.step(f"{E} {E} {E} {E} {E}\n{E} {E} {E} {E} {E}\nP P P P P\n{E} {E} {E} {E} {E}\n{E} {E} {E} {E} {E}")
    giver = env.observe("giver")["messages"]
    assert [m["role"] for m in giver] == ["user", "assistant", "user"]
    assert giver[-1]["content"] == "What is your next command?"  # the drawn grid is not shown to the giver


def test_a_wrong_drawing_loses_with_its_f1():
    env = make()
    env.step("Command: put P in the whole middle row")
    env.step(f"{E} {E} {E} {E} {E}\n{E} {E} {E} {E} {E}\nP P P P P\n{E} {E} {E} {E} {E}\n{E} {E} {E} {E} {E}")
    env.step("Command: DONE")
    scores = env.infos["follower"]["scores"]
    assert env.infos["follower"]["outcome"] is Outcome.FAILURE
    assert scores["Lose"] == 1 and scores["Aborted"] == 0 and scores["Main Score"] == scores["F1"] == 71  # 5/9 recall


def test_done_before_any_drawing_scores_zero():
    env = make()
    env.step("Command: DONE")
    assert env.infos["giver"]["scores"]["Main Score"] == 0 and env.infos["giver"]["scores"]["Lose"] == 1


@pytest.mark.parametrize("replies", [["Put an X in the top left"], ["Command: put X\nand then Y"],
                                     ["Command: put P in row 3", "Sure, here it is:\n" + TARGET],
                                     ["Command: put P in row 3", TARGET.lower()]])
def test_format_violations_abort(replies):
    env = make()
    for reply in replies:
        env.step(reply)
    scores = env.infos["giver"]["scores"]
    assert env.result.reason is EndReason.ILLEGAL_ACTION
    assert all(env.infos[p]["outcome"] is Outcome.ABORTED for p in env.possible_agents)
    assert scores["Aborted"] == 1 and math.isnan(scores["Main Score"]) and math.isnan(scores["F1"])
    assert scores["Violated Request Count"] == 1 and all(env.terminations.values())


def test_the_game_stops_after_max_rounds():
    env = make(max_rounds=2)
    for _ in range(2):
        env.step("Command: put P in row 3")
        env.step(TARGET)
    assert env.result is not None and env.result.detail == "played all 2 turns"
    assert env.infos["giver"]["scores"]["Success"] == 1
    assert make().rounds_limit == 50  # clembench: grid_dimension * grid_dimension * 2


def test_junk_ends_the_game_cleanly():
    env = llm_arena_env.make("dialogue/imagegame")
    env.reset(seed=3)
    for junk in ["", "\x00", "🙂" * 20, "Command: ok", "no grid"]:
        if env.result is not None:
            break
        env.step(junk)
    assert env.result is not None and all(env.terminations.values())


# ---------------------------------------------------------------------------------------------- instances

def test_a_clembench_instance_file_loads_and_plays(tmp_path):
    clembench = {"experiments": [{"name": "compact_grids", "game_instances": [{
        "game_id": 0,
        "player_1_prompt_header": "HEADER ONE describe the grid.",
        "player_2_prompt_header": "HEADER TWO draw the grid.",
        "player_1_question": "What is your next command?",
        "grid_dimension": 5, "number_of_letters": 9,
        "player_1_response_pattern": "^command: [^\\n]+$",
        "player_1_terminate_pattern": "^\\s*command\\s*:\\s*done\\s*$",
        "player_2_response_pattern": "^\\n*(([A-Z▢] ){4}[A-Z▢]\\n){4}([A-Z▢] ){4}[A-Z▢]\\n*$",
        "fill_row": False, "fill_column": False,
        "target_grid": f"\n{TARGET}\n",
    }]}]}
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(clembench, ensure_ascii=False), encoding="utf-8")
    env = llm_arena_env.make("dialogue/imagegame", instances=str(path))
    env.reset(seed=0)
    assert env.observe("giver")["text"].startswith("HEADER ONE describe the grid.\n" + TARGET)
    env.step("Command: put P in row 3")
    assert env.observe("follower")["text"].startswith("HEADER TWO draw the grid.\nCommand:")
    env.step(TARGET)
    env.step("Command: DONE")
    assert env.infos["giver"]["scores"]["Main Score"] == 100


def test_generator_is_seeded_and_the_shipped_set_is_its_output():
    assert imagegame.generate_instances(seed=1) == imagegame.generate_instances(seed=1)
    assert imagegame.generate_instances(seed=1) != imagegame.generate_instances(seed=2)
    shipped = json.loads((imagegame.RESOURCES / "instances.json").read_text(encoding="utf-8"))
    assert shipped == imagegame.generate_instances(seed=0)
    names = [e["name"] for e in shipped["experiments"]]
    assert names == ["compact_grids", "random_grids"]
    for experiment in shipped["experiments"]:
        for instance in experiment["game_instances"]:
            target = rules.text_to_grid(instance["target_grid"])
            assert rules.parse_drawn_grid(instance["target_grid"]) == target  # a valid 5x5 grid
            assert len({c for row in target for c in row} - {E}) == 1  # one letter per grid
    random_counts = [i["number_of_letters"] for i in shipped["experiments"][1]["game_instances"]]
    assert all(1 <= n <= 10 for n in random_counts)
