"""Self-play against frozen snapshots: the pool, the snapshot agent, and the callback."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

import torch  # noqa: E402

from llm_arena_env.training.generation import eos_token_ids  # noqa: E402
from llm_arena_env.training.grpo import GameRollout  # noqa: E402
from llm_arena_env.training.self_play import FrozenPolicyAgent, OpponentPool, snapshot_callback  # noqa: E402
from tests.test_grpo_rollout import KWARGS, FirstLegalMove  # noqa: E402
from tests.tiny_models import build_chat_model  # noqa: E402

GAME = "openspiel/tic_tac_toe"


@pytest.fixture()
def tiny(tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = build_chat_model(tmp_path / "model", seed=0)
    return AutoModelForCausalLM.from_pretrained(path), AutoTokenizer.from_pretrained(path)


def test_a_snapshot_stays_as_it_was_while_the_model_trains(tiny):
    model, tokenizer = tiny
    agent = FrozenPolicyAgent(model, tokenizer, max_new_tokens=3, temperature=0.0)
    observation = {"messages": ({"role": "user", "content": "You are x. Legal moves: x(1,1)"},),
                   "legal_actions": ("x(1,1)",), "text": ""}
    before = agent.decide(observation).attempts[0].raw_output
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(torch.randn_like(parameter))
    assert agent.decide(observation).attempts[0].raw_output == before
    assert not any(p.requires_grad for p in agent.model.parameters())


def test_episodes_draw_their_opponent_from_the_pool(tiny):
    model, tokenizer = tiny
    pool = OpponentPool(["random"], max_snapshots=2)
    snapshot = pool.add_snapshot(model, tokenizer, max_new_tokens=3)
    learner = FirstLegalMove(tokenizer, eos_token_ids(model, tokenizer))
    out = GameRollout(GAME, opponents=pool, game_kwargs=KWARGS).play([(s, "player_0") for s in range(12)], learner)
    # the snapshot of the random model forfeits its first move (the learner moved once); random plays on
    assert 1 in out["learner_turns"] and max(out["learner_turns"]) >= 3
    assert snapshot in pool and "random" in pool


def test_the_pool_keeps_the_latest_snapshots_and_the_callback_adds_them(tiny):
    model, tokenizer = tiny
    pool = OpponentPool(["random"], max_snapshots=2)
    callback = snapshot_callback(pool, every=2, max_new_tokens=2)
    state = SimpleNamespace(global_step=0)
    for step in range(1, 9):
        state.global_step = step
        callback.on_step_end(None, state, None, model=model, processing_class=tokenizer)
    assert [a.name for a in pool.snapshots] == ["snapshot-2", "snapshot-3"]
    assert pool == ["random", *pool.snapshots]
    with pytest.raises(ValueError, match="max_snapshots"):
        OpponentPool(max_snapshots=0)
