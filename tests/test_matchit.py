"""dialogue/matchit_ascii: the turn script, flags and decisions, grid pairs, perfect and rule-breaking play."""

from __future__ import annotations

import json
import math
import random

import pytest

import llm_arena_env
from llm_arena_env.core.outcome import EndReason, Outcome
from llm_arena_env.games.dialogue import matchit
from llm_arena_env.games.dialogue import matchit_rules as rules
from llm_arena_env.games.dialogue.matchit_rules import Move, Step

L_SHAPE = ("X....", "X....", "X....", "X....", "XXXXX")
GRID_A = rules.to_text(L_SHAPE)
GRID_B = rules.to_text(rules.flip_columns(L_SHAPE))


def make(grid_b=GRID_B, **kwargs):
    env = llm_arena_env.make("dialogue/matchit_ascii", **kwargs)
    env.reset(seed=0, options={"instance": {"grid_a": GRID_A, "grid_b": grid_b, "decision_turn": 3}})
    return env


def play(env, decide=None):
    """Every step in its format; decisions right unless ``decide(player)`` says otherwise."""
    n = 0
    while env.result is None:
        move = env.steps[env.step_index].move
        if move is Move.DECISION:
            same = env.same if decide is None else decide(env.agent_selection)
            env.step(f"DECISION: {'same grid' if same else 'different grids'}")
        else:
            env.step(f"{move.value.upper()}: message {n}")
        n += 1
    return n


# ---------------------------------------------------------------------------------------------- rules

def test_the_script_follows_clembench():
    steps = rules.script(3)
    assert steps[:3] == (Step("a", Move.DESCRIPTION), Step("b", Move.DESCRIPTION), Step("b", Move.QUESTION))
    assert steps[3:7] == (Step("a", Move.ANSWER), Step("a", Move.QUESTION), Step("b", Move.ANSWER), Step("b", Move.QUESTION))
    assert steps[-3:] == (Step("b", Move.ANSWER), Step("b", Move.DECISION), Step("a", Move.DECISION))
    assert len(steps) == 16
    assert sum(s.move is Move.QUESTION for s in steps if s.player == "a") == 3  # each asks 3 questions
    assert sum(s.move is Move.QUESTION for s in steps if s.player == "b") == 3
    assert len(rules.script(1)) == 8


@pytest.mark.parametrize("reply, ok", [("DESCRIPTION: an L shape", True), ("\n\nDESCRIPTION: an L\nmore", True),
                                       ("  DESCRIPTION: x", True), ("DESCRIPTION:an L", False),
                                       ("Description: an L", False), ("My DESCRIPTION: an L", False), ("", False)])
def test_the_flag_is_the_first_word(reply, ok):
    assert rules.has_flag(reply, "DESCRIPTION:") is ok


@pytest.mark.parametrize("reply, value", [("DECISION: same grid", True), ("decision: Same Grid.", True),
                                          ("DECISION: different grids.\n", False), (" DECISION: different grids", False),
                                          ("DECISION: same", None), ("DECISION: same grid, I think", None),
                                          ("DECISION: different grid", None), ("same grid", None)])
def test_decisions_must_be_exactly_a_label(reply, value):
    assert rules.read_decision(reply, "DECISION:", rules.SAME, rules.DIFFERENT) is value


def test_grid_transformations():
    assert rules.flip_columns(L_SHAPE) == ("....X", "....X", "....X", "....X", "XXXXX")
    assert rules.flip_rows(L_SHAPE) == ("XXXXX", "X....", "X....", "X....", "X....")
    assert rules.turn(L_SHAPE) == ("XXXXX", "X....", "X....", "X....", "X....")  # the left column becomes the top row
    assert rules.turn(("X....",) + (".....",) * 4) == ("....X",) + (".....",) * 4  # top left goes to top right
    edited = rules.edit_two(random.Random(0), L_SHAPE)
    assert sum(a != b for ra, rb in zip(L_SHAPE, edited) for a, b in zip(ra, rb)) == 2
    assert rules.to_text(L_SHAPE).split("\n")[0] == "X ▢ ▢ ▢ ▢"


# ---------------------------------------------------------------------------------------------- play

def test_two_right_decisions_succeed_with_the_top_score():
    env = make()
    assert play(env) == 16
    scores = env.infos["player_a"]["scores"]
    assert all(env.infos[p]["outcome"] is Outcome.SUCCESS for p in env.possible_agents)
    assert scores["Main Score"] == 100 and scores["Player Score"] == 100 and scores["Request Count"] == 16
    env = make(grid_b=GRID_A)
    play(env)
    assert env.same and env.infos["player_b"]["scores"]["Success"] == 1


@pytest.mark.parametrize("wrong, player_score", [({"player_a"}, 50), ({"player_b"}, 50), ({"player_a", "player_b"}, 0)])
def test_a_wrong_decision_loses(wrong, player_score):
    env = make()
    play(env, decide=lambda player: player in wrong)  # "same" is wrong here
    scores = env.infos["player_a"]["scores"]
    assert env.infos["player_a"]["outcome"] is Outcome.FAILURE
    assert scores["Lose"] == 1 and scores["Main Score"] == 0 and scores["Player Score"] == player_score


def test_each_player_sees_only_its_grid_and_what_the_other_said():
    env = make()
    env.step("DESCRIPTION: an L on the left")
    b_first = env.observe("player_b")["messages"]
    assert len(b_first) == 1 and GRID_B in b_first[0]["content"] and GRID_A not in b_first[0]["content"]
    env.step("DESCRIPTION: an L on the right")
    b_second = env.observe("player_b")["messages"][-1]["content"]
    assert b_second.startswith("This is my DESCRIPTION: an L on the left\n") and "QUESTION:" in b_second
    env.step("QUESTION: Is your bottom row full?")
    a_now = env.observe("player_a")["messages"]
    assert a_now[-1]["content"] == ("This is my DESCRIPTION: an L on the right\nQUESTION: Is your bottom row full? "
                                    "Start your answer with \"ANSWER:\" and add nothing else.")
    assert all(GRID_B not in m["content"] for m in a_now)


@pytest.mark.parametrize("replies", [["an L shape"], ["DESCRIPTION: L", "DESCRIPTION: L", "ANSWER: yes"],
                                     ["DESCRIPTION: L", ""]])
def test_a_missing_flag_aborts(replies):
    env = make()
    for reply in replies:
        env.step(reply)
    scores = env.infos["player_b"]["scores"]
    assert env.result.reason is EndReason.ILLEGAL_ACTION and scores["Aborted"] == 1
    assert math.isnan(scores["Main Score"]) and math.isnan(scores["Player Score"])
    assert all(env.infos[p]["outcome"] is Outcome.ABORTED for p in env.possible_agents)


def test_a_decision_that_is_neither_label_aborts():
    env = make()
    while env.steps[env.step_index].move is not Move.DECISION:
        env.step(f"{env.steps[env.step_index].move.value.upper()}: text")
    env.step("DECISION: I think they differ")
    assert env.result.reason is EndReason.ILLEGAL_ACTION


def test_junk_ends_the_game_cleanly():
    env = llm_arena_env.make("dialogue/matchit_ascii")
    env.reset(seed=4)
    env.step("junk")
    assert env.result is not None and all(env.terminations.values())


# ---------------------------------------------------------------------------------------------- instances

def test_a_clembench_instance_file_loads_and_plays(tmp_path):
    clembench = {"experiments": [{
        "name": "same_grid",
        "game_instances": [{"game_id": 0, "grid_a": GRID_A, "grid_b": GRID_A, "decision_turn": 1}],
        "initial_prompt": "CLEMBENCH PROMPT. Start with \"DESCRIPTION:\". This is your grid:\n$GRID$",
        "q_reprompt": "ASK with \"QUESTION:\".", "d_reprompt": "DECIDE: \"DECISION: same grid\" or \"DECISION: different grids\".\n",
        "a_request": " ANSWER with \"ANSWER:\".", "desc_intro": "This is my ",
        "flags": {"description": "DESCRIPTION:", "question": "QUESTION:", "answer": "ANSWER:", "decision": "DECISION:"},
        "solution": "same grid", "wrong_solution": "different grids"}]}
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(clembench, ensure_ascii=False), encoding="utf-8")
    env = llm_arena_env.make("dialogue/matchit_ascii", instances=str(path))
    env.reset(seed=0)
    assert env.observe("player_a")["text"] == f"CLEMBENCH PROMPT. Start with \"DESCRIPTION:\". This is your grid:\n{GRID_A}"
    assert play(env) == 8
    assert env.infos["player_a"]["scores"]["Main Score"] == 100


def test_generator_is_seeded_and_the_shipped_set_is_its_output():
    shipped = json.loads((matchit.RESOURCES / "instances.json").read_text(encoding="utf-8"))
    assert shipped == matchit.generate_instances(seed=0)
    assert matchit.generate_instances(seed=7) == matchit.generate_instances(seed=7)
    for experiment in shipped["experiments"]:
        for instance in experiment["game_instances"]:
            a, b = instance["grid_a"].split("\n"), instance["grid_b"].split("\n")
            differing = sum(x != y for ra, rb in zip(a, b) for x, y in zip(ra.split(), rb.split()))
            if experiment["name"] == "same_grid":
                assert differing == 0 and experiment["solution"] == "same grid"
            else:
                assert differing > 0 and experiment["solution"] == "different grids"
            if experiment["name"] == "similar_grid_2":
                assert differing == 2
