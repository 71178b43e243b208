"""dialogue/dond: clembench's verdicts replayed (golden), proposal parsing, scores, rewards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import llm_arena_env
from llm_arena_env.core.outcome import EndReason, Outcome
from llm_arena_env.games.dialogue import dond_rules as rules
from tests.clembench_v3_replay import replay

HERE = Path(__file__).parent
INSTANCES = HERE / "data" / "dond_instances.json"
GOLDEN = HERE / "golden" / "clembench_v3" / "dond.json"
GOLDEN_CASES = json.loads(GOLDEN.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", GOLDEN_CASES, ids=[f"{c['experiment']}-{c['game_id']}-{c['case']}" for c in GOLDEN_CASES])
def test_clembench_verdicts_replay(case):
    assert replay("dialogue/dond", case, INSTANCES) == []


def test_golden_file_covers_every_mode_language_and_ending():
    seen = {(c["experiment"], c["outcome"]) for c in GOLDEN_CASES}
    for experiment in ("coop_en", "semi_en", "comp_en", "semi_de", "coop_it"):
        for outcome in ("success", "failure", "aborted"):
            assert (experiment, outcome) in seen, (experiment, outcome)


# ------------------------------------------------------------------------------------------ rules

ITEMS = rules.Items(("book", "hat", "ball"), ("books", "hats", "balls"), (2, 1, 3))


@pytest.mark.parametrize("text, counts", [
    ("[Proposal: 2 books, 1 hat]", [2, 1, 0]),
    ("Deal! [proposal: 1 balls, 1 book,] see you", [1, 0, 1]),
    ("[PROPOSAL:]", [0, 0, 0]),
    ("[Proposal: 3 ball]", [0, 0, 3]),          # singular for many still matches
    ("[Proposal: 5 books]", [5, 0, 0]),          # too many is a rule for the game, not the syntax
])
def test_proposals_parse(text, counts):
    assert rules.find_proposal(text, ITEMS, "en") == counts


@pytest.mark.parametrize("text", ["[Offer: 1 book]", "[Proposal: one book]", "[Proposal: 1 unicorn]",
                                  "[Proposal: 1 book, 1 books]", "[Proposal: 1book]", "[Proposal: 1 red book]",
                                  "[Proposal: ² book]"])
def test_malformed_proposals_are_rejected(text):
    with pytest.raises(rules.ProposalError):
        rules.find_proposal(text, ITEMS, "en")


def test_a_message_without_brackets_is_no_proposal():
    assert rules.find_proposal("I would like the books, please.", ITEMS, "en") is None


def test_semi_main_score_measures_the_largest_pareto_improvement():
    # a: book 2, hat 2, ball 2 (total 12); b: book 0, hat 4, ball 2 (total 10)
    deal = rules.Deal("semi", (2, 1, 3), (2, 2, 2), (0, 4, 2), (2, 0, 0), (0, 1, 3))
    assert deal.agreed and deal.improvement == 0 and deal.main_score == 100
    worse = rules.Deal("semi", (2, 1, 3), (2, 2, 2), (0, 4, 2), (1, 0, 0), (0, 1, 3))
    assert worse.improvement == 2 and worse.main_score == pytest.approx(100 * (1 - 2 / 12))


# ------------------------------------------------------------------------------------------ the env

def make(instance=("semi_en", 0)):
    env = llm_arena_env.make("dialogue/dond", instances=str(INSTANCES))
    env.reset(seed=0, options={"instance": instance})
    return env


def test_a_proposal_is_secret_and_the_other_player_must_answer_with_one():
    env = make()
    env.step("Hello, which items do you like?")
    env.step("[Proposal: 1 " + env.items.plurals[0] + "]")
    text = env.observe("player_a")["text"]
    assert "[Proposal" not in text and "secret proposal" in text
    env.step("I still want to talk.")
    assert env.result.reason is EndReason.ILLEGAL_ACTION
    assert env.infos["player_a"]["requests"]["Violated Request Count"] == 0  # a rule break, parsed (clembench)


def test_rewards_follow_each_players_points_in_semi():
    env = make()
    counts, a, b = env.items.counts, env.values["player_a"], env.values["player_b"]
    a_gets = [n if x > y else 0 for n, x, y in zip(counts, a, b)]
    b_gets = [n - g for n, g in zip(counts, a_gets)]
    env.step(f"[Proposal: {', '.join(f'{n} {t}' for n, t in zip(a_gets, env.items.plurals) if n)}]")
    env.step(f"[Proposal: {', '.join(f'{n} {t}' for n, t in zip(b_gets, env.items.plurals) if n)}]")
    assert env.infos["player_a"]["outcome"] is Outcome.SUCCESS
    assert env.rewards["player_a"] == pytest.approx(rules.points(a_gets, a) / rules.points(counts, a))
    assert env.rewards["player_b"] == pytest.approx(rules.points(b_gets, b) / rules.points(counts, b))


@pytest.mark.parametrize("reply", ["", "   \n", "\x00hi", "🙂🙂"])
def test_empty_or_wordless_messages_are_rejected_and_can_be_retried(reply):
    env = llm_arena_env.make("dialogue/dond", instances=str(INSTANCES), max_illegal_actions=1)
    env.reset(seed=0, options={"instance": ("coop_en", 0)})
    env.step(reply)
    assert env.result is None and env.agent_selection == "player_a" and env.infos["player_a"]["rejection"]
    env.step("Let us talk.")
    assert env.agent_selection == "player_b"


def test_shipped_instances_follow_clembenchs_constraints():
    env = llm_arena_env.make("dialogue/dond")
    for experiment, instance in env.instance_set.entries():
        counts, a, b = instance["item_counts"], instance["player_a_values"], instance["player_b_values"]
        assert 3 <= len(counts) <= 5 and 5 <= sum(counts) <= 8
        assert rules.points(counts, a) == rules.points(counts, b) == 10
        assert all(x or y for x, y in zip(a, b)) and any(x and y for x, y in zip(a, b))


@pytest.mark.parametrize("text", ["a [b] [c]", "[ no close\n[Proposal: 1 book]", "[[x]]", "]x[y]", "[a\nb]", "[]", "x"])
def test_the_first_bracket_pair_is_found_as_clembenchs_regex_finds_it(text):
    import re

    found = re.search(r"\[(.*?)\]", text)
    assert rules._first_bracketed(text) == (found.group(1) if found else None)
