"""dialogue/hot_air_balloon: clembench's verdicts replayed (golden), tag reading, patience, scores."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import llm_arena_env
from llm_arena_env.core.outcome import EndReason, Outcome
from llm_arena_env.games.dialogue import hot_air_balloon_rules as rules
from tests.clembench_v3_replay import replay

HERE = Path(__file__).parent
INSTANCES = HERE / "data" / "hot_air_balloon_instances.json"
GOLDEN = HERE / "golden" / "clembench_v3" / "hot_air_balloon.json"
GOLDEN_CASES = json.loads(GOLDEN.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", GOLDEN_CASES, ids=[f"{c['experiment']}-{c['game_id']}-{c['case']}" for c in GOLDEN_CASES])
def test_clembench_verdicts_replay(case):
    assert replay("dialogue/hot_air_balloon", case, INSTANCES) == []


def test_golden_file_covers_every_experiment_and_ending():
    seen = {(c["experiment"], c["outcome"]) for c in GOLDEN_CASES}
    for experiment in ("equal_en", "inverse_en", "reasoning_off_en"):
        for outcome in ("success", "failure", "aborted"):
            assert (experiment, outcome) in seen, (experiment, outcome)


# ------------------------------------------------------------------------------------------ rules

TAGS = rules.Tags(r"AGREE:\s*\{.*?\}", r"REFUSE:\s*\{.*?\}", r"PROPOSAL:\s*\{.*?\}",
                  r"ARGUMENT:\s*\{(?:[^{}]|\{[^{}]*\})*\}", r"^\s*STRATEGIC REASONING:\s*\{(?:[^{}]|\{[^{}]*\})*\}",
                  True, True)


def test_a_reply_is_read_and_the_reasoning_is_not_shown():
    reply = rules.read_reply("STRATEGIC REASONING: {'secret'}\nARGUMENT: {'keep {the} rope'}\n"
                             "PROPOSAL: {'rope', 'map'}\nREFUSE: {'tent'}", TAGS)
    assert reply.proposals == ({"rope", "map"},) and reply.refusals == ({"tent"},) and reply.agreements == ()
    assert "secret" not in reply.shown and reply.shown.startswith("ARGUMENT")


@pytest.mark.parametrize("text, key", [
    ("ARGUMENT: {'x'}\nPROPOSAL: {'rope'}", "no_sr_prompt"),
    ("STRATEGIC REASONING: {'x'}\nPROPOSAL: {'rope'}", "no_argument_prompt"),
    ("STRATEGIC REASONING: {'x'}\nARGUMENT: {'x'} and more", "untagged_sequence_prompt"),
    ("STRATEGIC REASONING: {'x'}\nARGUMENT: {'x'}\nPROPOSAL: {rope}", "invalid_python_set_error"),
    ("", "no_sr_prompt"),
])
def test_malformed_replies_name_their_reprompt(text, key):
    with pytest.raises(rules.TagError) as error:
        rules.read_reply(text, TAGS)
    assert error.value.prompt_key == key


def test_a_deal_over_the_weight_limit_scores_zero():
    scoring = rules.Scoring("inverse", {"a": 5, "b": 5}, ({"a": 3, "b": 1}, {"a": 1, "b": 3}), 5, (3, 3), 4, 75.0)
    assert rules.deal_scores(scoring, {"a"})["Normalized Utility Player 1"] == 100
    assert rules.deal_scores(scoring, {"a", "b"})["Harmonic Mean Score"] == 0


# ------------------------------------------------------------------------------------------ the env

def make(instance=("inverse_en", 0)):
    env = llm_arena_env.make("dialogue/hot_air_balloon", instances=str(INSTANCES))
    env.reset(seed=0, options={"instance": instance})
    return env


def test_a_malformed_reply_is_reprompted_while_patience_lasts_then_aborts():
    env = make()
    for attempt in range(3):
        assert env.result is None and env.agent_selection == "player_1"
        env.step("just chatting")
    assert env.result.reason is EndReason.ILLEGAL_ACTION
    assert env.infos["player_1"]["outcome"] is Outcome.ABORTED
    assert env.infos["player_1"]["scores"]["Violations Player 1"] == 1
    assert math.isnan(env.infos["player_1"]["scores"]["Main Score"])
    # the reprompted replies stay in the player's history, followed by the reprompt
    history = env.observe("player_1")["messages"]
    assert [m["content"] for m in history if m["role"] == "assistant"] == ["just chatting"] * 2


def test_the_other_player_sees_the_argument_but_not_the_reasoning():
    env = make()
    env.step("STRATEGIC REASONING: {'my plan'}\nARGUMENT: {'take the rope'}\nPROPOSAL: {'rope'}")
    text = env.observe("player_2")["text"]
    assert "take the rope" in text and "my plan" not in text
