"""Training measurably improves a model: REINFORCE takes a random tiny model from almost never answering
with a legal move to almost always doing so.

The game: connect four, from positions after 0-4 random moves (x or o to move, boards varying with the
seed). A reply is legal when ``env.check_action`` accepts it as it stands (no parser), and a reply is
one token: in the tiny tokenizer the column digits 0-6 are single tokens (connect four takes "3" for
"x3"/"o3"), so the policy's choice is one draw from its whole vocabulary (about 2% legal at random).
The rate is measured by sampling at temperature 1, as in training, on seeds never trained on.

Why connect four and not tic-tac-toe openings: there, o's first move has an occupied cell that a policy
must read off the board to avoid; a tiny model learns the symbol but not the board in a test's budget,
and plateaus at about 92%, too close to the 90% bar to make a steady test.
"""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from llm_arena_env.training.policy_gradient import (  # noqa: E402
    EpisodeReturns,
    LegalMoves,
    Policy,
    legal_move_rate,
    opening_positions,
    reinforce,
)
from tests.tiny_models import build_chat_model  # noqa: E402

SHORT_PROMPT = "You are {player}.\n{board}\nLegal moves: {legal_moves}"  # short prompts keep the test fast
HELD_OUT = range(100_000, 100_200)


def _tiny_policy(tmp_path, **options):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = build_chat_model(tmp_path / "model", seed=0)
    return Policy(AutoModelForCausalLM.from_pretrained(path), AutoTokenizer.from_pretrained(path), **options)


def test_reinforce_raises_the_legal_move_rate_of_a_random_model(tmp_path):
    policy = _tiny_policy(tmp_path, max_new_tokens=1)
    positions = opening_positions("openspiel/connect_four", max_random_moves=4,
                                  game_kwargs={"prompt_template": SHORT_PROMPT})
    initial = legal_move_rate(policy, positions, HELD_OUT, seed=1)

    history = reinforce(policy, LegalMoves(positions), train_seeds=range(5_000), steps=80, batch_size=32,
                        learning_rate=1e-2, seed=0)

    final = legal_move_rate(policy, positions, HELD_OUT, seed=1)
    print(f"legal-move rate on held-out positions: {initial:.3f} before, {final:.3f} after {len(history)} steps")
    assert initial < 0.2, f"a random model should rarely reply with a move, got {initial:.3f}"
    assert final > 0.9, f"legal-move rate {initial:.3f} -> {final:.3f}: training did not get above 90%"
    assert final > initial + 0.5, f"legal-move rate {initial:.3f} -> {final:.3f}: too small an improvement"
    assert history[-1]["reward"] > history[0]["reward"]


def test_positions_differ_by_seed_and_leave_the_model_to_move():
    positions = opening_positions("openspiel/connect_four", max_random_moves=4)
    boards = set()
    for seed in range(20):
        env, player = positions(seed)
        assert env.agent_selection == player
        assert not (env.terminations[player] or env.truncations[player])
        boards.add(env.observe(player)["text"])
    assert len(boards) > 5
    (first, player), (again, _) = positions(3), positions(3)  # a seed names one position
    assert first.observe(player)["text"] == again.observe(player)["text"]


def test_episode_returns_reward_every_generated_token_with_the_game_return(tmp_path):
    policy = _tiny_policy(tmp_path, max_new_tokens=4)
    rollout = EpisodeReturns("openspiel/tic_tac_toe", opponents="random", parser=None,
                             game_kwargs={"prompt_template": SHORT_PROMPT, "max_illegal_actions": 1})
    samples = rollout(policy, [0, 1, 2, 3], sample_seed=0)
    assert len(samples) == 4
    for sample in samples:
        assert len(sample.mask) == len(sample.completion_ids) and sum(sample.mask) >= 1
        assert sample.reward in (-1.0, 0.0, 1.0)
    # A random model's replies are illegal: it forfeits every game, in either seat.
    assert [s.reward for s in samples] == [-1.0] * 4

    history = reinforce(policy, rollout, train_seeds=[0, 1], steps=2, batch_size=4, seed=0)
    assert len(history) == 2 and all(h["loss"] == h["loss"] for h in history)  # finite (not NaN)
