"""Training measurably improves a model at a skill that depends on the board, which no fixed answer has.

The positions: connect four with every column full but one (``tests/board_positions.one_open_column``,
the open column drawn from the seed), so the one legal reply names that column. A reply is legal when
``env.check_action`` accepts it as it stands (no parser), and a reply is one token: in the tiny tokenizer
the column digits 0-6 are single tokens, so the policy's choice is one draw from its whole vocabulary.
The untrained tiny model almost never answers a digit; the best constant answer is right only where its
column happens to be the open one (about 1 in 7, computed here on the held-out seeds). Rates are measured
by sampling at temperature 1, as in training, on seeds never trained on.

Trained with ``reinforce`` as ``benchmarks/board_skill_learning.py`` measured what it takes: groups of 8
replies per position (each compared with its group's mean), a wrong column scored 0 and no move at all -1
(so that learning the format does not reward the first columns found right), a small entropy bonus, lr
3e-3. Measured there (shared CPU): 0.000 before; 0.315, 0.490, 0.625, 0.660 after 400, 500, 600, 700
steps; best constant 0.185. With a running baseline and +1/-1 the same model stops at 0.33-0.37 or at the
best constant, sure of one column (see the benchmark's docstring).
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
from tests.board_positions import SHORT_PROMPT, best_constant_rate, one_open_column  # noqa: E402
from tests.tiny_models import build_chat_model  # noqa: E402

HELD_OUT = range(100_000, 100_200)


def _tiny_policy(tmp_path, **options):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = build_chat_model(tmp_path / "model", seed=0)
    return Policy(AutoModelForCausalLM.from_pretrained(path), AutoTokenizer.from_pretrained(path), **options)


@pytest.mark.slow  # 700 REINFORCE steps: 259 s in the whole suite on the shared 2-core CPU at load 4-6
def test_reinforce_teaches_a_random_model_to_find_the_one_open_column(tmp_path):
    policy = _tiny_policy(tmp_path, max_new_tokens=1)
    constant = best_constant_rate(one_open_column, HELD_OUT, [str(c) for c in range(7)])
    initial = legal_move_rate(policy, one_open_column, HELD_OUT, seed=1)

    columns = [str(c) for c in range(7)]  # a wrong column is a move, if not a legal one: reward 0, not -1
    history = reinforce(policy, LegalMoves(one_open_column, moves=columns), train_seeds=range(5_000), steps=700,
                        batch_size=32, group_size=8, learning_rate=3e-3, entropy_coef=0.02, seed=0)

    final = legal_move_rate(policy, one_open_column, HELD_OUT, seed=1)
    print(f"open-column rate on held-out positions: {initial:.3f} before, {final:.3f} after {len(history)} steps; "
          f"best constant answer {constant:.3f}")
    assert constant < 0.25, f"the positions should spread the open column over the board, got {constant:.3f}"
    assert initial < 0.05, f"a random model should rarely reply with a move, got {initial:.3f}"
    assert final > 0.5, f"open-column rate {initial:.3f} -> {final:.3f}: training did not get above 0.5"
    assert final > constant + 0.3, f"open-column rate {final:.3f} is not far above the best constant {constant:.3f}"


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
