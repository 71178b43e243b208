"""DialogueEnv's contract, on a tiny game defined here: a hinter hints at a secret word, a guesser guesses."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from pettingzoo.test import api_test, render_test, seed_test

from llm_arena_env.core.outcome import EndReason, Outcome
from llm_arena_env.games.dialogue.base import DialogueEnv, IllegalAction
from llm_arena_env.games.dialogue.instances import InstanceSet, choose, load_instances

INSTANCES = {"experiments": [
    {"name": "easy", "rounds": 2, "game_instances": [{"game_id": 0, "secret": "cat"}, {"game_id": 1, "secret": "dog"}]},
    {"name": "hard", "game_instances": [{"game_id": 0, "secret": "eel"}]},
]}


class Hint(DialogueEnv):
    """HINT: <text> without the secret (saying it loses); GUESS: <word>; `rounds` tries; "pass" guesses are violations."""

    def __init__(self, rounds: int = 3, **kwargs):
        self.rounds = rounds
        kwargs.setdefault("instances", INSTANCES)
        super().__init__(["hinter", "guesser"], **kwargs)

    def _setup(self, instance, experiment):
        self.secret = instance.get("secret", "cat")
        self.max_rounds = experiment.get("rounds", self.rounds)
        self.round = 0
        self.to_move = "hinter"
        self.guesses: list[str] = []
        self.tell("hinter", f"Make your partner guess {self.secret!r}. Reply HINT: <text>.")
        self.tell("guesser", "Guess the word from the hints. Reply GUESS: <word>.")

    def _current_agent(self):
        return self.to_move

    def _parse_action(self, agent, text):
        prefix = "HINT:" if agent == "hinter" else "GUESS:"
        if not text.startswith(prefix) or not text[len(prefix):].strip().isprintable() or not text[len(prefix):].strip():
            raise IllegalAction(f"start your reply with {prefix} and some text")
        return text[len(prefix):].strip().lower()

    def _play(self, agent, move):
        if agent == "hinter":
            if self.secret in move:
                self.end_game(success=False, main_score=0, detail="the hint gave the word away")
                return
            self.tell("guesser", f"HINT: {move}")
            self.to_move = "guesser"
            return
        self.guesses.append(move)
        self.round += 1
        if move == "pass":
            self.count_violation()
        if move == self.secret:
            self.end_game(success=True, main_score=100 / self.round, detail="guessed")
        elif self.round >= self.max_rounds:
            self.end_game(success=False, main_score=0, detail="out of rounds")
        else:
            self.tell("hinter", f"Your partner guessed {move!r}. Give another hint.")
            self.to_move = "hinter"

    def _measures(self):
        return {"Guesses": len(self.guesses)}


def play(env, *replies):
    for reply in replies:
        env.step(reply)


def test_pettingzoo_api_seed_and_render_tests_pass():
    api_test(Hint(), num_cycles=30)
    seed_test(lambda: Hint(max_illegal_actions=2), num_cycles=30)
    render_test(lambda render_mode=None: Hint(render_mode=render_mode))
    with pytest.raises(ValueError, match="no picture"):  # its only picture would be its text
        Hint(observation_mode="text+image")


def test_each_player_sees_only_its_own_side_of_the_dialogue():
    env = Hint()
    env.reset(seed=0, options={"instance": ("easy", 0)})
    first = env.observe("hinter")
    assert first["messages"] == ({"role": "user", "content": "Make your partner guess 'cat'. Reply HINT: <text>."},)
    assert first["legal_actions"] == ()
    env.step("HINT: it meows")
    guesser = env.observe("guesser")
    assert guesser["text"] == "Guess the word from the hints. Reply GUESS: <word>.\n\nHINT: it meows"
    assert [m["role"] for m in guesser["messages"]] == ["user"]
    assert "cat" not in str(guesser["messages"])  # never the other player's instructions
    env.step("GUESS: lion")
    hinter = env.observe("hinter")["messages"]
    assert [m["role"] for m in hinter] == ["user", "assistant", "user"]
    assert hinter[1] == {"role": "assistant", "content": "HINT: it meows"}
    assert hinter[2]["content"] == "Your partner guessed 'lion'. Give another hint."
    env.step("HINT: purrs")
    guesser = env.observe("guesser")["messages"]
    assert [m["content"] for m in guesser[1:]] == ["GUESS: lion", "HINT: purrs"]


def test_success_scores_and_request_counts():
    env = Hint()
    env.reset(seed=0, options={"instance": ("easy", 0)})
    play(env, "HINT: it meows", "GUESS: lion", "HINT: a pet that purrs", "GUESS: cat")
    assert env.result.reason is EndReason.GAME_OVER
    assert all(env.infos[a]["outcome"] is Outcome.SUCCESS for a in env.possible_agents)
    assert env.rewards == {"hinter": 0.5, "guesser": 0.5}
    scores = env.infos["guesser"]["scores"]
    assert {k: scores[k] for k in ("Aborted", "Lose", "Success", "Request Count", "Parsed Request Count",
                                   "Violated Request Count", "Request Success Ratio", "Main Score")} == {
        "Aborted": 0, "Lose": 0, "Success": 1, "Request Count": 4, "Parsed Request Count": 4,
        "Violated Request Count": 0, "Request Success Ratio": 1.0, "Main Score": 50.0}
    assert scores["Guesses"] == 2
    assert env.infos["hinter"]["requests"] == {"Request Count": 2, "Parsed Request Count": 2, "Violated Request Count": 0}
    assert all(env.terminations.values())


def test_a_rule_violation_loses_and_a_format_violation_aborts():
    env = Hint()
    env.reset(seed=0, options={"instance": ("easy", 0)})
    env.step("HINT: rhymes with cat")
    assert env.infos["hinter"]["outcome"] is Outcome.FAILURE and env.result.reason is EndReason.GAME_OVER
    assert env.infos["hinter"]["scores"]["Lose"] == 1 and env.infos["hinter"]["scores"]["Main Score"] == 0

    env.reset(seed=0, options={"instance": ("easy", 0)})
    play(env, "HINT: meows", "lion")  # no GUESS: prefix
    assert env.result.reason is EndReason.ILLEGAL_ACTION
    assert all(env.infos[a]["outcome"] is Outcome.ABORTED for a in env.possible_agents)
    assert env.rewards == {"hinter": 0.0, "guesser": 0.0}
    scores = env.infos["hinter"]["scores"]
    assert scores["Aborted"] == 1 and scores["Success"] == 0 and scores["Lose"] == 0 and math.isnan(scores["Main Score"])
    assert scores["Request Count"] == 2 and scores["Violated Request Count"] == 1 and scores["Request Success Ratio"] == 0.5
    assert scores["Guesses"] == 0  # the game's measures are there even when aborted
    env.step(None)  # the game is over: a dead step, nothing counted
    assert sum(c.requests for c in env.request_counts.values()) == 2


def test_reasking_counts_violations_and_keeps_the_rejected_reply_out_of_history():
    env = Hint(max_illegal_actions=2)
    env.reset(seed=0, options={"instance": ("easy", 0)})
    env.step("no prefix")
    obs = env.observe("hinter")
    assert "rejected: start your reply with HINT:" in obs["text"] and len(obs["messages"]) == 1
    play(env, "HINT: meows", "GUESS: pass", "HINT: purrs", "GUESS: cat")
    scores = env.infos["hinter"]["scores"]
    assert scores["Request Count"] == 5 and scores["Violated Request Count"] == 2  # one rejected, one counted by the game
    assert scores["Success"] == 1 and scores["Parsed Request Count"] == 3


def test_instances_by_index_pair_dict_and_seeded_draw():
    env = Hint()
    env.reset(options={"instance": 2})
    assert env.secret == "eel" and env.experiment["name"] == "hard"
    env.reset(options={"instance": ("easy", 1)})
    assert env.secret == "dog" and env.max_rounds == 2  # the experiment's parameter wins over make's
    env.reset(options={"instance": {"secret": "owl"}})
    assert env.secret == "owl" and env.max_rounds == 3 and env.experiment == {}
    drawn = set()
    for seed in range(12):
        env.reset(seed=seed)
        again = Hint()
        again.reset(seed=seed)
        assert again.secret == env.secret
        drawn.add(env.secret)
    assert drawn == {"cat", "dog", "eel"}
    with pytest.raises(ValueError, match="out of range"):
        env.reset(options={"instance": 3})
    with pytest.raises(ValueError, match="no experiment 'medium'"):
        env.reset(options={"instance": ("medium", 0)})


def test_a_users_instance_file_loads(tmp_path):
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(INSTANCES))
    env = Hint(instances=str(path))
    assert len(env.instance_set) == 3
    assert load_instances([{"secret": "x"}]).experiments[0].name == "default"
    assert load_instances(INSTANCES).to_dict() == INSTANCES
    with pytest.raises(ValueError, match="game_instances"):
        load_instances({"experiments": [{"name": "x"}]})
    assert choose(InstanceSet(()), None, np.random.default_rng(0)) == ({}, {})


def test_max_replies_ends_the_episode_as_a_loss():
    env = Hint(rounds=10, max_replies=3)
    env.reset(seed=0, options={"instance": {"secret": "cat"}})
    play(env, "HINT: meows", "GUESS: dog", "HINT: purrs")
    assert env.result.reason is EndReason.MAX_TURNS and all(env.truncations.values())
    assert env.infos["guesser"]["outcome"] is Outcome.FAILURE and env.infos["guesser"]["scores"]["Lose"] == 1


def test_reset_clears_history_counts_and_transcript():
    env = Hint(render_mode="ansi")
    env.reset(seed=0, options={"instance": ("easy", 0)})
    play(env, "HINT: meows", "GUESS: dog")
    assert "[hinter -> GM] HINT: meows" in env.render()
    env.reset(seed=0, options={"instance": ("easy", 0)})
    assert len(env.observe("hinter")["messages"]) == 1 and env.request_counts["hinter"].requests == 0
    assert "meows" not in env.render() and env.replies == 0
