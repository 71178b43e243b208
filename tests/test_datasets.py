"""Converters from recorded episodes to SFT, RL and preference rows and Hugging Face datasets."""

from __future__ import annotations

import sys

import pytest

import llm_arena_env
from llm_arena_env.agents import RandomAgent
from llm_arena_env.arena.episode import play_episode
from llm_arena_env.training import datasets as conv
from llm_arena_env.wrappers import MajorityVote, Parse, Rethink
from tests.test_trajectory import ScriptedModel, SometimesIllegal

TTT = "openspiel/tic_tac_toe"


def _step(player, action, accepted=True, raw=None):
    attempt = {"raw_output": raw or action, "prompt": [{"role": "user", "content": f"{player}, your move"}],
               "parsed": action, "legal": None}
    return {"player": player, "observation": f"{player}, your move", "decision": {"action": action, "attempts": [attempt]},
            "action": action, "accepted": accepted, "rejection": "" if accepted else "illegal"}


def _episode(game, rewards, *, scores=None, agents=None, steps=None):
    """A hand-made episode dict: each player acts once, then the episode ends with ``rewards``."""
    outcomes = {p: "win" if r > 0 else "loss" if r < 0 else "draw" for p, r in rewards.items()}
    return {"game": game, "seed": 0, "agents": agents or {p: "random" for p in rewards},
            "steps": steps if steps is not None else [_step(p, f"move-{p}") for p in rewards],
            "rewards": rewards, "outcomes": outcomes, "end_reason": "game_over", "scores": scores or {}}


@pytest.fixture(scope="module")
def random_games():
    return [play_episode(llm_arena_env.make(TTT), [RandomAgent(s), RandomAgent(s + 50)], seed=s, game=TTT).to_dict()
            for s in range(12)]


def test_sft_rows_are_chats_of_the_winners_moves(random_games):
    rows = conv.sft_rows(random_games, outcome="win")
    winners = sum(1 for e in random_games for o in e["outcomes"].values() if o == "win")
    assert len(rows) == winners > 0
    for row in rows:
        assert row["outcome"] == "win" and row["episode_return"] == 1.0 and row["game"] == TTT
        roles = [m["role"] for m in row["messages"]]
        assert roles == ["user", "assistant"] * (len(roles) // 2)
    played = [s["action"] for s in random_games[0]["steps"] if s["player"] == "player_0"]
    (first,) = [r for r in conv.sft_rows(random_games[:1], player="player_0")]
    assert [m["content"] for m in first["messages"] if m["role"] == "assistant"] == played


def test_sft_filters_by_player_spec_game_and_score():
    episodes = [
        _episode("dialogue/taboo", {"a": 1.0, "b": 1.0}, scores={"Main Score": 80.0}, agents={"a": "hf:m", "b": "random"}),
        _episode("dialogue/taboo", {"a": 0.0, "b": 0.0}, scores={"Main Score": float("nan")}),
        _episode("chess", {"a": 1.0, "b": -1.0}),
    ]
    assert [(r["game"], r["player"]) for r in conv.sft_rows(episodes, min_score=50)] == [("dialogue/taboo", "a"), ("dialogue/taboo", "b")]
    assert [r["score"] for r in conv.sft_rows(episodes, game="dialogue/taboo")] == [80.0, 80.0, None, None]
    assert [r["agent"] for r in conv.sft_rows(episodes, player="hf:m")] == ["hf:m"]
    assert len(conv.sft_rows(episodes, game=["chess"], outcome=("win", "loss"))) == 2
    assert len(conv.sft_rows(episodes, min_return=0.5)) == 3
    with pytest.raises(TypeError):
        conv.sft_rows(episodes, colour="white")


def test_sft_leaves_rejected_replies_out_unless_asked():
    steps = [_step("a", "bad", accepted=False), _step("a", "good")]
    episode = _episode("chess", {"a": 1.0}, steps=steps)
    assert [m["content"] for m in conv.sft_rows([episode])[0]["messages"] if m["role"] == "assistant"] == ["good"]
    assert len(conv.sft_rows([episode], include_illegal=True)[0]["messages"]) == 4


def test_rl_advantage_is_return_minus_the_running_mean_of_its_game_and_role():
    episodes = [_episode("g", {"a": 1.0, "b": -1.0}), _episode("g", {"a": -1.0, "b": 1.0}),
                _episode("h", {"a": 1.0, "b": -1.0}), _episode("g", {"a": 1.0, "b": -1.0})]
    rows = conv.rl_rows(episodes, decay=0.5)
    advantages = [(r["game"], r["player"], r["advantage"]) for r in rows]
    # a in g: returns 1, -1, 1 -> baselines 0, 0.5, -0.25 before each update
    assert [a for g, p, a in advantages if (g, p) == ("g", "a")] == [1.0, -1.5, 1.25]
    assert [a for g, p, a in advantages if (g, p) == ("g", "b")] == [-1.0, 1.5, -1.25]
    assert [a for g, p, a in advantages if g == "h"] == [1.0, -1.0]  # its own baseline, from 0
    row = rows[0]
    assert row["prompt"] == [{"role": "user", "content": "a, your move"}]
    assert row["completion"] == [{"role": "assistant", "content": "move-a"}]
    assert (row["reward"], row["episode_return"], row["legal"]) == (1.0, 1.0, True)
    # A filter keeps the advantages the unfiltered run gives.
    kept = conv.rl_rows(episodes, decay=0.5, player="a", game="g")
    assert [r["advantage"] for r in kept] == [1.0, -1.5, 1.25]


def test_role_baseline_checks_its_decay_and_carries_across_calls():
    with pytest.raises(ValueError, match="decay"):
        conv.RoleBaseline(1.0)
    baseline = conv.RoleBaseline(0.5)
    conv.rl_rows([_episode("g", {"a": 1.0})], baseline=baseline)
    assert conv.rl_rows([_episode("g", {"a": 1.0})], baseline=baseline)[0]["advantage"] == 0.5


def test_preference_pairs_from_a_rethink_after_an_unparsable_reply():
    env = llm_arena_env.make(TTT)
    model = ScriptedModel(["no idea", "Final Answer: x(1,1)"])
    record = play_episode(env, [Rethink(Parse(model), checker=env.check_action), RandomAgent(0)], seed=0)
    pairs = conv.preference_rows([record], player="player_0")
    assert pairs and all(p["source"] == "unparsable" for p in pairs)
    first = pairs[0]
    assert first["rejected"] == [{"role": "assistant", "content": "no idea"}]
    assert first["chosen"] == [{"role": "assistant", "content": "Final Answer: x(1,1)"}]
    assert first["prompt"] == [dict(m) for m in record.steps[0].attempts[0].prompt]


def test_preference_pairs_from_majority_vote_disagreements():
    env = llm_arena_env.make(TTT)
    model = ScriptedModel(["Final Answer: x(1,1)", "Final Answer: x(0,0)", "Final Answer: x(1,1)"])
    record = play_episode(env, [MajorityVote(Parse(model), n=3, seed=0), RandomAgent(0)], seed=0)
    first = [p for p in conv.preference_rows([record]) if p["turn"] == 0]
    assert [(p["source"], p["chosen"][0]["content"], p["rejected"][0]["content"]) for p in first] == [
        ("vote", "Final Answer: x(1,1)", "Final Answer: x(0,0)")]


def test_preference_pairs_from_the_envs_re_ask():
    episode = play_episode(llm_arena_env.make("chess", max_illegal_actions=1), [SometimesIllegal(0), SometimesIllegal(1)],
                           seed=0).to_dict()
    pairs = conv.preference_rows([episode])
    assert pairs and {p["source"] for p in pairs} == {"illegal"}
    steps = episode["steps"]
    for pair in pairs:
        rejected_step = steps[pair["turn"] - 1]  # the re-ask comes right after the rejected action
        assert not rejected_step["accepted"] and steps[pair["turn"]]["accepted"]
        assert pair["rejected"][0]["content"] == "I play no such move"
        assert pair["chosen"][0]["content"] == f"I play {steps[pair['turn']]['action']}"
        assert pair["prompt"][-1]["content"] == rejected_step["observation"]


def test_no_pair_after_a_rejection_that_ended_the_game():
    steps = [_step("a", "ok"), _step("b", "bad", accepted=False)]
    assert conv.preference_rows([_episode("chess", {"a": 1.0, "b": -1.0}, steps=steps)]) == []


def test_datasets_have_trl_columns(random_games):
    pytest.importorskip("datasets")
    sft = conv.sft_dataset(random_games, outcome="win")
    assert sft.num_rows > 0 and sft[0]["messages"][0]["role"] == "user"
    rl = conv.rl_dataset(random_games)
    assert {"prompt", "completion", "reward", "episode_return", "advantage"} <= set(rl.column_names)
    assert conv.preference_dataset(random_games).num_rows == 0  # random agents never fail: nothing to prefer


def test_without_datasets_the_error_names_the_train_extra(monkeypatch, random_games):
    monkeypatch.setitem(sys.modules, "datasets", None)  # `import datasets` now raises ImportError
    with pytest.raises(ImportError, match=r"llm-arena-env\[train\]"):
        conv.sft_dataset(random_games)
    assert conv.sft_rows(random_games)  # plain rows need nothing


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="episode records"):
        conv.sft_rows([42])
    with pytest.raises(ValueError, match="kind"):
        conv.rows("dpo", [])


def test_sft_rows_leave_rethink_detours_out_unless_asked():
    env = llm_arena_env.make(TTT)
    model = ScriptedModel(["no idea", "Final Answer: x(1,1)"] * 5)
    record = play_episode(env, [Rethink(Parse(model), checker=env.check_action), RandomAgent(0)], seed=0)
    (row,) = conv.sft_rows([record], player="player_0")
    replies = [m["content"] for m in row["messages"] if m["role"] == "assistant"]
    assert "no idea" not in replies and replies  # only the replies the env accepted are targets
    (kept,) = conv.sft_rows([record], player="player_0", include_detours=True)
    assert "no idea" in [m["content"] for m in kept["messages"] if m["role"] == "assistant"]


def test_per_turn_sft_rows_hold_one_prompt_and_its_reply(random_games):
    whole = conv.sft_rows(random_games, player="player_0")
    turns = conv.sft_rows(random_games, player="player_0", per_turn=True)
    assert len(turns) == sum(sum(m["role"] == "assistant" for m in row["messages"]) for row in whole)
    for row in turns:
        assert [m["role"] for m in row["messages"]][-2:] == ["user", "assistant"]
        assert sum(m["role"] == "assistant" for m in row["messages"]) == 1
        assert isinstance(row["turn"], int)


def test_no_column_is_named_like_a_python_keyword(random_games):
    import keyword

    for kind in conv.ROWS:
        for row in conv.rows(kind, random_games):
            assert not [name for name in row if keyword.iskeyword(name)], kind


def test_an_empty_export_is_refused_and_an_empty_dataset_keeps_its_columns(tmp_path):
    pytest.importorskip("datasets")
    from llm_arena_env.training.export import export

    for kind, suffix in (("sft", "jsonl"), ("rl", "parquet"), ("preference", "jsonl")):
        with pytest.raises(ValueError, match="no rows"):
            export([], kind=kind, out=tmp_path / f"{kind}.{suffix}")
        assert not (tmp_path / f"{kind}.{suffix}").exists()
        empty = conv.to_dataset([], kind)
        assert empty.num_rows == 0 and set(empty.column_names) == set(conv.empty_features(kind))
