"""dialogue/privateshared: reply formats, kappa on hand-worked labels, probes, perfect and rule-breaking play."""

from __future__ import annotations

import json
import math

import pytest

import llm_arena_env
from llm_arena_env.core.outcome import EndReason, Outcome
from llm_arena_env.games.dialogue import privateshared
from llm_arena_env.games.dialogue import privateshared_rules as rules
from llm_arena_env.games.dialogue.instances import RESOURCES
from llm_arena_env.games.dialogue.privateshared import Phase

P = "answerer"


def make(instance=("travel-booking", 0), **kwargs):
    env = llm_arena_env.make("dialogue/privateshared", **kwargs)
    env.reset(seed=0, options={"instance": instance})
    return env


def probed_slot(env):
    return env.probe_queue[env.probe_index][0]


def play(env, said=None, answer=None, probe=None):
    """Play to the end. By default: answer each request with its value, and each probe truthfully."""
    said = set() if said is None else said
    while env.result is None:
        if env.phase is Phase.PROBE:
            slot = probed_slot(env)
            env.step(probe(env, slot) if probe else ("ASIDE: Yes, I did." if slot in said else "ASIDE: No, not yet."))
        else:
            slot = env.order[env.round]
            env.step(answer(env, slot) if answer else f"ANSWER: That would be {env.slots[slot]}.")
            said.add(slot)


# ---------------------------------------------------------------------------------------------- formats

@pytest.mark.parametrize("reply", ["ANSWER: Oslo.", "ANSWER:Oslo", "ANSWER: I leave from Oslo.\n\n", "  ANSWER: Oslo "])
def test_slot_answers_accept_the_documented_form(reply):
    assert rules.parse_slot_answer(reply).rstrip(".").endswith("Oslo")


@pytest.mark.parametrize("reply", ["Oslo", "Answer: Oslo", "ASIDE: Oslo", "ANSWER: Oslo.\nAnything else?",
                                   "I think ANSWER: Oslo", ""])
def test_slot_answers_reject_everything_else(reply):
    assert rules.parse_slot_answer(reply) is None


@pytest.mark.parametrize("reply, value", [("ASIDE: yes", True), ("ASIDE: Yes, I told them.", True),
                                          ("ASIDE: YES", True), ("ASIDE:no", False), ("ASIDE: No, not yet.\n", False),
                                          ("ASIDE: nope", False)])  # only the start counts, as in clembench
def test_probe_answers_read_yes_or_no_at_the_start(reply, value):
    assert rules.parse_probe_answer(reply) is value


@pytest.mark.parametrize("reply", ["yes", "ANSWER: yes", "ASIDE: maybe", "ASIDE: I think yes",
                                   "ASIDE: yes\nbecause I said so", "Aside: yes", ""])
def test_probe_answers_reject_everything_else(reply):
    assert rules.parse_probe_answer(reply) is None


def test_probes_get_more_insistent_on_retries():
    assert rules.probe_question("Does X know?", 0) == "ME: Does X know? Answer this question with yes or no and then stop."
    assert rules.probe_question("Does X know?", 1).startswith("ME: Please answer this question carefully. Does X know?")


def test_cohen_kappa_on_hand_worked_labels():
    # agreement 3/4; chance: 1/2 x 1/4 + 1/2 x 3/4 = 1/2; kappa = (3/4 - 1/2) / (1 - 1/2) = 1/2
    assert rules.cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0]) == 0.5
    assert rules.cohen_kappa([1, 0, 1, 0], [1, 0, 1, 0]) == 1.0
    assert rules.cohen_kappa([1, 0, 1, 0], [0, 1, 0, 1]) == -1.0
    assert math.isnan(rules.cohen_kappa([1, 1], [1, 1]))  # chance agreement 1, as scikit-learn


def test_main_score_is_the_harmonic_mean_of_slot_accuracy_and_truncated_kappa():
    probes = [rules.ProbeResult(0, "a", 1, 1), rules.ProbeResult(0, "b", 1, 0), rules.ProbeResult(1, "a", 0, 0),
              rules.ProbeResult(1, "b", 0, 0)]
    measures = rules.episode_measures(probes, [True, True], 2)
    assert measures["Kappa"] == 0.5 and measures["Accuracy"] == 0.75
    assert measures["Main"] == pytest.approx(100 * 2 * 1 * 0.5 / 1.5)
    wrong = [rules.ProbeResult(0, "a", 1, 0), rules.ProbeResult(0, "b", 0, 1)]
    assert rules.episode_measures(wrong, [True], 2)["Truncated Kappa"] == 0 and rules.episode_measures(wrong, [True], 2)["Main"] == 0


# ---------------------------------------------------------------------------------------------- play

def test_a_perfect_answerer_succeeds_with_the_top_score():
    env = make()
    play(env)
    scores = env.infos[P]["scores"]
    assert env.infos[P]["outcome"] is Outcome.SUCCESS and env.result.reason is EndReason.GAME_OVER
    assert scores["Main Score"] == 100 and scores["Success"] == 1 and scores["Kappa"] == 1
    assert scores["Slot-Filling-Accuracy"] == 1 and scores["Played Probe Rounds"] == 6
    assert scores["Request Count"] == 6 * 5 + 5 and scores["Violated Request Count"] == 0


def test_probes_are_asides_and_requests_form_the_dialogue():
    env = make()
    first = env.observe(P)["messages"]
    assert [m["role"] for m in first] == ["user", "assistant", "user"] and first[1]["content"] == "Ok."
    assert first[2]["content"].startswith("ME: ") and "Answer this question with yes or no" in first[2]["content"]
    assert "WHAT: Travel" in first[0]["content"]
    for _ in range(5):
        env.step("ASIDE: no")
    request = env.observe(P)["messages"]
    assert len(request) == 3 and request[2]["content"].startswith("TRAVEL-AGENT: ")  # the probes left no trace
    env.step(f"ANSWER: {env.slots[env.order[0]]}")
    env.step("ASIDE: no")
    assert [m["role"] for m in env.observe(P)["messages"]] == ["user", "assistant", "user", "assistant", "user"]


def test_an_unreadable_probe_is_reasked_then_aborts():
    env = make()
    before = env.observe(P)["text"]
    env.step("I am not sure.")
    again = env.observe(P)["text"]
    assert env.result is None and again != before and again.startswith("ME: Please answer this question carefully.")
    assert "rejected" not in again  # clembench's re-ask is the reworded probe only
    env.step("ASIDE: no")  # read on the second try: the next probe comes
    assert env.probe_index == 1 and env.request_counts[P].violated == 1
    for _ in range(5):
        env.step("maybe")
    scores = env.infos[P]["scores"]
    assert env.result.reason is EndReason.ILLEGAL_ACTION and env.infos[P]["outcome"] is Outcome.ABORTED
    assert scores["Aborted"] == 1 and math.isnan(scores["Main Score"]) and math.isnan(scores["Kappa"])
    assert scores["Violated Request Count"] == 6 and scores["Request Count"] == 7


def test_a_request_answered_out_of_format_is_a_violation_and_the_game_goes_on():
    env = make()
    for _ in range(5):
        env.step("ASIDE: no")
    env.step("Oslo, I think.")  # clembench: a violated request, no probes this round, the next request follows
    assert env.result is None and env.unwrapped.phase.name == "REQUEST" and env.unwrapped.round == 1
    assert env.unwrapped.request_counts[P].violated == 1


def test_wrong_probes_and_missing_values_lose():
    env = make()
    play(env, probe=lambda env, slot: "ASIDE: no")
    scores = env.infos[P]["scores"]
    assert env.infos[P]["outcome"] is Outcome.FAILURE and scores["Lose"] == 1
    assert scores["Kappa"] == 0 and scores["Main Score"] == 0 and scores["Slot-Filling-Accuracy"] == 1

    env = make()
    play(env, answer=lambda env, slot: "ANSWER: I would rather not say.")
    scores = env.infos[P]["scores"]
    assert scores["Slot-Filling-Accuracy"] == 0 and scores["Main Score"] == 0 and scores["Lose"] == 1


def test_a_value_said_early_is_shared_from_then_on():
    env = make()
    for _ in range(5):
        env.step("ASIDE: no")
    first, second = env.order[0], env.order[1]
    env.step(f"ANSWER: {env.slots[first]}, and by the way {env.slots[second]}.")
    assert env.shared_from[second] == 0
    play(env, said={first, second})
    assert env.infos[P]["scores"]["Main Score"] == 100


def test_junk_ends_the_game_cleanly():
    env = llm_arena_env.make("dialogue/privateshared")
    env.reset(seed=5)
    for _ in range(10):
        if env.result is not None:
            break
        env.step("junk")
    assert env.result is not None and all(env.terminations.values())


# ---------------------------------------------------------------------------------------------- instances

def test_a_clembench_instance_file_loads_and_plays(tmp_path):
    clembench = {"experiments": [{"name": "job-interview", "game_instances": [{
        "game_id": 0,
        "tag": "RECRUITER",
        "slots": {"hobby": "Chess", "pet": "Parrot"},
        "initial_prompt": "CLEMBENCH PROMPT\n\nWHAT: Job\nHOBBY: Chess\nPET: Parrot",
        "request_order": ["pet", "hobby"],
        "requests": {"hobby": 3, "pet": 1},
        "probes": {"0": {"hobby": 7, "pet": 2}, "1": {"hobby": 0, "pet": 0}, "2": {"hobby": 1, "pet": 4}},
        "lang": "en",
    }]}]}
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(clembench), encoding="utf-8")
    env = llm_arena_env.make("dialogue/privateshared", instances=str(path))
    env.reset(seed=0)
    messages = env.observe(P)["messages"]
    assert messages[0]["content"].startswith("CLEMBENCH PROMPT")
    assert messages[2]["content"].startswith("ME: Does the recruiter know your hobby?")  # generic wording
    env.step("ASIDE: no")
    env.step("ASIDE: no")
    assert env.observe(P)["text"].startswith("RECRUITER: What is your pet?")
    play(env, said=set())
    assert env.infos[P]["scores"]["Main Score"] == 100 and env.infos[P]["scores"]["Played Probe Rounds"] == 3


def test_clembench_indices_pick_our_wordings_for_known_domains():
    env = make(instance={"tag": "WAITER", "slots": {"drink": "Cola", "main": "Ramen"}, "request_order": ["main", "drink"],
                         "requests": {"drink": 7, "main": 0}, "probes": {"0": {"drink": 4, "main": 1}}})
    drinks = privateshared.domains()["restaurant"]["slots"]["drink"]
    assert env.domain is privateshared.domains()["restaurant"]
    assert env.observe(P)["text"] == rules.probe_question(drinks["probes"][4 % len(drinks["probes"])], 0)


def test_generator_is_seeded_and_the_shipped_set_is_its_output():
    assert privateshared.generate_instances(seed=3) == privateshared.generate_instances(seed=3)
    shipped = json.loads((RESOURCES / "privateshared" / "instances.json").read_text(encoding="utf-8"))
    assert shipped == privateshared.generate_instances(seed=0)
    assert [e["name"] for e in shipped["experiments"]] == sorted(privateshared.domains())
    for name, domain in privateshared.domains().items():
        values = [v.lower() for spec in domain["slots"].values() for v in spec["values"]]
        # no value contains another's: saying one slot's value never shares another slot by accident
        assert not [(a, b) for a in values for b in values if a != b and a in b], name
