"""The evaluator: full games on held-out seeds, counted per move and per game, with intervals."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

import llm_arena_env  # noqa: E402
from llm_arena_env.agents.random_agent import RandomAgent  # noqa: E402
from llm_arena_env.arena.episode import play_episode  # noqa: E402
from llm_arena_env.arena.runner import SEAT_SEED_STRIDE  # noqa: E402
from llm_arena_env.training.evaluate import Evaluation, evaluate, evaluation_callback, wilson_interval  # noqa: E402
from llm_arena_env.training.generation import eos_token_ids  # noqa: E402
from tests.test_grpo_rollout import KWARGS, FirstLegalAgent, FirstLegalMove  # noqa: E402
from tests.tiny_models import build_chat_model  # noqa: E402

GAME = "openspiel/tic_tac_toe"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = build_chat_model(tmp_path_factory.mktemp("evaluate") / "model", seed=0)
    return AutoModelForCausalLM.from_pretrained(path), AutoTokenizer.from_pretrained(path)


def test_wilson_intervals_match_the_textbook_values():
    assert wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson_interval(200, 200) == pytest.approx((0.9812, 1.0), abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_results_are_those_of_the_same_games_played_by_the_arena(tiny):
    model, tokenizer = tiny
    scripted = FirstLegalMove(tokenizer, eos_token_ids(model, tokenizer))
    result = evaluate(None, tokenizer, GAME, seeds=range(500, 510), game_kwargs=KWARGS, generator=scripted)

    expected = {"win": 0, "draw": 0, "loss": 0}
    moves = 0
    for seed in range(500, 510):
        for seat, player in enumerate(("player_0", "player_1")):
            other = f"player_{1 - seat}"
            agents = {player: FirstLegalAgent(), other: RandomAgent(seed=seed * SEAT_SEED_STRIDE + 1 - seat)}
            record = play_episode(llm_arena_env.make(GAME, **KWARGS), agents, seed=seed)
            expected[str(record.outcomes[player])] += 1
            moves += sum(step.player == player for step in record.steps)
    assert (result.wins, result.draws, result.losses) == (expected["win"], expected["draw"], expected["loss"])
    assert result.games == 20 and result.moves == moves == result.legal_moves
    assert result.forfeits == 0 and result.legal_move_rate == 1.0


def test_a_random_model_forfeits_every_game_and_the_figures_say_so(tiny):
    model, tokenizer = tiny
    result = evaluate(model, tokenizer, GAME, seeds=range(3), game_kwargs=KWARGS, max_new_tokens=4)
    assert result == Evaluation(games=6, moves=6, legal_moves=0, forfeits=6, wins=0, draws=0, losses=6)
    assert result.rate("forfeits") == 1.0 and result.interval("forfeits")[0] > 0.5
    assert result.metrics()["eval_legal_move_rate"] == 0.0
    assert "forfeits" in result.table() and "(6/6)" in result.table()


def test_the_callback_evaluates_every_n_steps_and_logs_the_figures(tiny):
    from types import SimpleNamespace

    model, tokenizer = tiny
    callback = evaluation_callback(GAME, seeds=[1], every=2, game_kwargs=KWARGS, max_new_tokens=2)
    state = SimpleNamespace(global_step=0, log_history=[])
    for step in (1, 2, 3):
        state.global_step = step
        callback.on_step_end(None, state, None, model=model, processing_class=tokenizer)
    callback.on_train_end(None, state, None, model=model, processing_class=tokenizer)
    assert [step for step, _ in callback.results] == [2, 3]
    assert [entry["step"] for entry in state.log_history] == [2, 3]
    assert state.log_history[0]["eval_forfeit_rate"] == 1.0
    with pytest.raises(ValueError, match="every"):
        evaluation_callback(GAME, seeds=[1], every=0)
