"""Constrained decoding: GameRollout(legal_only=True) samples replies only among the legal moves, from the
model's own probabilities, so that training's reward is about which move, not how to write one."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

import torch  # noqa: E402

from llm_arena_env.training.evaluate import evaluate  # noqa: E402
from llm_arena_env.training.generation import ModelGenerator, chat_ids, move_token_ids  # noqa: E402
from llm_arena_env.training.grpo import GameRollout, legal_moves  # noqa: E402
from tests.test_grpo_rollout import KWARGS, tiny  # noqa: E402,F401

GAME = "openspiel/tic_tac_toe"


def test_constrained_replies_are_always_one_of_the_allowed_moves_then_the_end(tiny):
    _, model, tokenizer = tiny
    generator = ModelGenerator(model, tokenizer, max_new_tokens=12, temperature=1.0, seed=0)
    moves = [["x(0,0)", "x(1,1)", "x(2,2)"], ["o(0,1)"], ["x(1,0)", "x(1,2)"]]
    contexts = [chat_ids(tokenizer, [{"role": "user", "content": f"Your move, {i}"}]) for i in range(3)] * 10
    allowed = [move_token_ids(tokenizer, m) for m in moves] * 10
    replies = generator(contexts, allowed=allowed)
    chosen = [tokenizer.decode(r, skip_special_tokens=True) for r in replies]
    for reply, text, options in zip(replies, chosen, moves * 10):
        assert text in options and reply[-1] in generator.eos_token_ids
    assert len(set(chosen[0::3])) > 1  # sampled: the three-move row does not always give the same move
    free = [tokenizer.decode(r, skip_special_tokens=True) for r in generator(contexts)]
    assert sum(text in options for text, options in zip(free, moves * 10)) < len(free)  # unconstrained, it rambles


def test_the_constraint_masks_the_models_choice_it_does_not_replace_it(tiny):
    """Greedy, the first token is the allowed one the model itself rates highest."""
    _, model, tokenizer = tiny
    context = chat_ids(tokenizer, [{"role": "user", "content": "Pick a square."}])
    moves = ["x(0,0)", "o(1,1)", "(2,2)", "2", "hello"]
    sequences = move_token_ids(tokenizer, moves)
    with torch.no_grad():
        logits = model(torch.tensor([context])).logits[0, -1]
    firsts = {seq[0] for seq in sequences}
    best = max(firsts, key=lambda token: float(logits[token]))
    reply = ModelGenerator(model, tokenizer, max_new_tokens=12, temperature=0.0)([context], allowed=[sequences])[0]
    assert reply[0] == best
    assert tokenizer.decode(reply, skip_special_tokens=True) in moves


def test_legal_only_games_have_no_illegal_move_where_the_free_model_forfeits(tiny):
    _, model, tokenizer = tiny
    options = dict(seeds=range(6), max_new_tokens=12, game_kwargs=KWARGS)
    free = evaluate(model, tokenizer, GAME, **options)
    constrained = evaluate(model, tokenizer, GAME, legal_only=True, **options)
    assert free.forfeits > 0  # the random tiny model writes no moves
    assert constrained.forfeits == 0 and constrained.legal_moves == constrained.moves > 0


def test_legal_only_needs_listed_legal_moves(tiny):
    _, model, tokenizer = tiny
    with pytest.raises(ValueError, match="lists its legal moves"):
        legal_moves({"text": "Describe the word without saying it."})
    wordle = GameRollout("dialogue/wordle", self_play=True, legal_only=True)  # free-text guesses: no list
    with pytest.raises(ValueError, match="lists its legal moves"):
        wordle.play([(0, "guesser")], ModelGenerator(model, tokenizer, max_new_tokens=4, seed=0))
