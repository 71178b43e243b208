"""Werewolf: hidden roles stay hidden, phases follow the rules, teams win and lose together."""

from __future__ import annotations

import pytest

import llm_arena_env
from llm_arena_env.arena.ratings import matches_from_episodes
from llm_arena_env.games.social.werewolf import deal_roles

# 7 players: two werewolves (player_0, player_1), a seer (player_2), a doctor (player_3), villagers
ROLES = {"player_0": "werewolf", "player_1": "werewolf", "player_2": "seer", "player_3": "doctor",
         "player_4": "villager", "player_5": "villager", "player_6": "villager"}


def game(**kwargs):
    env = llm_arena_env.make("social/werewolf", players=7, **kwargs)
    env.reset(seed=0, options={"roles": dict(ROLES)})
    return env


def default_move(env, agent):
    """A fixed, legal choice: the first choice listed, or a statement."""
    legal = env.observe(agent)["legal_actions"]
    return legal[0] if legal else f"{agent} here; I have nothing to hide."


def play_in_lockstep(first, second, moves_first, moves_second, watchers, steps=60):
    """Play both games with the same moves except where the move tables differ; ``watchers``' observations
    must stay identical throughout."""
    for _ in range(steps):
        if first.result is not None:
            break
        agent = first.agent_selection
        assert second.agent_selection == agent
        for watcher in watchers:
            a, b = first.observe(watcher), second.observe(watcher)
            assert (a["text"], a["messages"], a["legal_actions"]) == (b["text"], b["messages"], b["legal_actions"])
        step = len(first.public_log), agent
        first.step(moves_first.get(step, default_move(first, agent)))
        second.step(moves_second.get(step, default_move(second, agent)))
    assert second.result is not None or first.result is None


def night_move(env, agent, wanted):
    return {(len(env.public_log), agent): wanted}


def test_the_seers_finding_reaches_only_the_seer():
    first, second = game(), game()
    # at night the wolves, then the doctor, then the seer act; the seer inspects a wolf in one game only
    moves_a = {(1, "player_2"): "player_0"}
    moves_b = {(1, "player_2"): "player_5"}
    play_in_lockstep(first, second, moves_a, moves_b, [p for p in ROLES if p != "player_2"])
    seer_a = " ".join(m["content"] for m in first.observe("player_2")["messages"])
    assert "player_0 is a werewolf" in seer_a and "is a werewolf" not in second.observe("player_2")["text"]


def test_the_werewolves_talk_and_the_doctors_choice_stay_with_them():
    first, second = game(), game()
    # the first werewolf names different victims; the second names player_6 in both, so player_6 dies
    # in both games (ties go to the last werewolf); the doctor protects different players, not player_6
    moves_a = {(1, "player_0"): "player_4", (1, "player_1"): "player_6", (1, "player_3"): "player_3"}
    moves_b = {(1, "player_0"): "player_5", (1, "player_1"): "player_6", (1, "player_3"): "player_4"}
    play_in_lockstep(first, second, moves_a, moves_b, ["player_2", "player_4", "player_5", "player_6"])
    assert "player_6 was killed in the night" in first.public_log[1] == second.public_log[1]
    wolf_b = " ".join(m["content"] for m in second.observe("player_1")["messages"])
    assert "player_0 chose to kill player_5" in wolf_b


def test_nobody_but_the_werewolves_learns_a_role_from_the_start():
    swapped = {**ROLES, "player_2": "villager", "player_4": "seer"}
    first = game()
    second = llm_arena_env.make("social/werewolf", players=7)
    second.reset(seed=0, options={"roles": swapped})
    for watcher in ("player_0", "player_5", "player_6", "player_3"):
        assert first.observe(watcher)["text"] == second.observe(watcher)["text"]
    assert "The werewolves are player_0, player_1" in first.observe("player_1")["text"]
    assert "werewolves are" not in first.observe("player_4")["text"]


def test_a_protected_victim_survives_and_a_vote_eliminates_and_reveals():
    env = game()
    for move in ["player_4", "player_4", "player_4", "player_5"]:  # wolves, wolves, doctor protects, seer
        env.step(move)
    assert "Nobody died in the night" in env.public_log[1] and env.alive == list(ROLES)
    for agent in ROLES:
        env.step(f"I am {agent}.")
    assert env.observe(env.agent_selection)["legal_actions"][-1] == "nobody"
    for agent in ROLES:
        env.step("player_0" if agent != "player_0" else "player_2")
    assert "player_0 is eliminated; player_0 was a werewolf" in env.public_log[-2]
    assert "player_0" not in env.alive and env.result is None


def test_teams_win_together_with_scores_per_role_and_team():
    env = game()
    rounds = 0
    while env.result is None and rounds < 200:
        agent = env.agent_selection
        legal = env.observe(agent)["legal_actions"]
        # the werewolves kill; everyone votes for player_6, then player_5, ...: the village loses
        village = [p for p in env.alive if ROLES[p] != "werewolf"]
        if legal and ROLES[agent] == "werewolf" or legal and "nobody" in legal:
            env.step(village[-1] if village[-1] != agent else "nobody")
        else:
            env.step(default_move(env, agent))
        rounds += 1
    result = env.result
    assert result.detail == "the werewolves win"
    for agent, role in ROLES.items():
        expected = "win" if role == "werewolf" else "loss"
        assert env.infos[agent]["outcome"] == expected and env.infos[agent]["role"] == role
        assert env.infos[agent]["team"] == ("werewolves" if role == "werewolf" else "village")
        assert env.rewards[agent] == (1.0 if expected == "win" else -1.0)
    assert result.scores["Werewolves Won"] == 1.0 and result.scores["Survived werewolf"] == 1.0


def test_team_results_reduce_to_pairs_of_opponents_only():
    episode = {
        "agents": {"player_0": "wolf-model", "player_1": "wolf-model-2", "player_2": "a", "player_3": "b"},
        "outcomes": {"player_0": "win", "player_1": "win", "player_2": "loss", "player_3": "loss"},
        "teams": {"player_0": "werewolves", "player_1": "werewolves", "player_2": "village", "player_3": "village"},
    }
    matches, _ = matches_from_episodes([episode])
    assert sorted((m.a, m.b, m.score) for m in matches) == [
        ("wolf-model", "a", 1.0), ("wolf-model", "b", 1.0), ("wolf-model-2", "a", 1.0), ("wolf-model-2", "b", 1.0)]


@pytest.mark.parametrize("players", [5, 6, 7, 8])
def test_every_size_deals_one_seer_one_doctor_and_some_werewolves(players):
    roles = deal_roles(players)
    assert len(roles) == players and roles.count("seer") == roles.count("doctor") == 1
    assert 1 <= roles.count("werewolf") < players / 2
    with pytest.raises(ValueError, match="players"):
        llm_arena_env.make("social/werewolf", players=4)


def test_bad_replies_get_reasons_and_lose_for_the_team():
    env = game(max_illegal_actions=1)
    ok, reason = env.check_action("player_0", "player_1")  # a werewolf cannot kill a werewolf
    assert not ok and "choose one of" in reason
    env.step("\x00" * 50)
    assert "rejected" in env.observe("player_0")["text"]
    env.step("")
    assert env.infos["player_1"]["outcome"] == "loss" and env.infos["player_4"]["outcome"] == "win"
