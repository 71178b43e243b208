"""GameRollout(samples="turn", continuation=..., playouts=...): a sampled move is scored by the games played
on from it, checked against the exact value OpenSpiel's own game tree gives; or by that exact value."""

from __future__ import annotations

import statistics

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

import llm_arena_env  # noqa: E402
from llm_arena_env.training.generation import eos_token_ids  # noqa: E402
from llm_arena_env.training.grpo import GameRollout, play_opening  # noqa: E402
from llm_arena_env.training.move_values import RandomPlayValues  # noqa: E402
from tests.test_grpo_rollout import KWARGS, FirstLegalMove, tiny  # noqa: E402,F401
from tests.test_training_transport_errors import FailsAfter  # noqa: E402

GAME = "openspiel/tic_tac_toe"


def position(seed: int, player: str, opening: int):
    env = llm_arena_env.make(GAME, **KWARGS)
    env.reset(seed=seed)
    play_opening(env, seed, player, opening)
    return env


class CountingGenerator(FirstLegalMove):
    """FirstLegalMove that counts the replies it was asked for."""

    calls = 0

    def __call__(self, contexts):
        self.calls += len(contexts)
        return super().__call__(contexts)


def test_a_sampled_move_is_scored_by_the_mean_of_random_playouts_near_its_exact_value(tiny):
    _, model, tokenizer = tiny
    learner = CountingGenerator(tokenizer, eos_token_ids(model, tokenizer))
    playouts = 400
    rollout = GameRollout(GAME, opponents="random", game_kwargs=KWARGS, samples="turn", continuation="random",
                          playouts=playouts)
    starts = [(0, "player_0", 0), (7, "player_1", 1), (3, "player_0", 2)]
    out = rollout.play(starts, learner)
    assert learner.calls == len(starts)  # only the sampled move is generated: the rest is played at random
    for i, (seed, player, opening) in enumerate(starts):
        env = position(seed, player, opening)
        state = env.unwrapped.state.clone()
        state.apply_action(int(env.observe(player)["action_mask"].argmax()))  # the learner's first legal move
        seat = int(player[-1])
        exact = RandomPlayValues()(state, seat)
        # each playout returns -1, 0 or 1: the mean of 400 is within 4 standard errors (at most 0.2) of the value
        assert out["game_return"][i] == pytest.approx(exact, abs=0.2), (starts[i], exact)
        assert out["game_return"][i] not in (-1.0, 0.0, 1.0)  # a mean over games, not one game's result
        assert out["accepted_moves"][i] == 1 and out["learner_turns"][i] == 1
        assert out["outcome"][i] in ("win", "loss", "draw")


def test_the_playouts_replay_the_sampled_move_and_differ_after_it(tiny):
    _, model, tokenizer = tiny
    learner = FirstLegalMove(tokenizer, eos_token_ids(model, tokenizer))
    start = [(5, "player_1", 1, 0)]
    one = GameRollout(GAME, opponents="random", game_kwargs=KWARGS, samples="turn", continuation="random")
    many = GameRollout(GAME, opponents="random", game_kwargs=KWARGS, samples="turn", continuation="random",
                       playouts=16)
    single = one.play(start, learner)["game_return"][0]
    lead = many._play(start, learner)[0]
    assert len(lead.playouts) == 15
    sampled = lead.history[:1]  # the learner moves first after the opening: its sampled move
    for copy in lead.playouts:
        assert copy.history[:1] == sampled  # the same position and the same sampled move
        assert copy.env.unwrapped.state.is_terminal()  # each played to the end
    assert len({tuple(copy.history) for copy in (lead, *lead.playouts)}) > 1  # with their own randomness
    assert lead.returns["player_1"] == single  # the first playout is the single-playout game


def test_playouts_left_unfinished_by_a_failed_opponent_call_are_left_out(tiny):
    _, model, tokenizer = tiny
    learner = FirstLegalMove(tokenizer, eos_token_ids(model, tokenizer))
    failing = FailsAfter(moves=0)  # the opponent's first call fails: no sampled move, no playout scored
    out = GameRollout(GAME, opponents=failing, game_kwargs=KWARGS, samples="turn", continuation="random",
                      playouts=4).play([(1, "player_1")], learner)
    assert out["outcome"] == ["error"] and out["env_mask"][0] == [0] * len(out["env_mask"][0])

    flaky = FailsAfter(moves=9)  # fails in the longer playouts only: they are left out of the mean
    rollout = GameRollout(GAME, opponents=flaky, game_kwargs=KWARGS, samples="turn", continuation="random",
                          playouts=4)
    lead = rollout._play([(2, "player_0")], learner)[0]
    scored = lead.scored_playouts()
    assert 0 < len(scored) < 4 and all(e.error is None for e in scored)
    out = rollout._results([lead], learner)
    assert out["game_return"][0] == statistics.fmean(e.returns["player_0"] for e in scored)
    assert out["outcome"][0] != "error"


def test_continuation_and_playouts_are_checked():
    with pytest.raises(ValueError, match="samples='turn'"):
        GameRollout(GAME, opponents="random", continuation="random")
    with pytest.raises(ValueError, match="samples='turn'"):
        GameRollout(GAME, opponents="random", playouts=4)
    with pytest.raises(ValueError, match="playouts"):
        GameRollout(GAME, opponents="random", samples="turn", playouts=0)
    with pytest.raises(ValueError, match="continuation='random'"):
        GameRollout(GAME, opponents="random", samples="turn", playouts="exact")
    with pytest.raises(ValueError, match="opponents='random'"):
        GameRollout(GAME, opponents="first_legal", samples="turn", continuation="random", playouts="exact")


def test_exact_values_under_random_play_match_the_published_odds_of_random_tic_tac_toe():
    """Random tic-tac-toe: x wins 737/1260 of games, o 363/1260, 160/1260 are drawn (the known result of
    weighting each game by its probability under uniformly random moves)."""
    pyspiel = pytest.importorskip("pyspiel")
    values = RandomPlayValues()
    empty = pyspiel.load_game("tic_tac_toe").new_initial_state()
    assert values(empty, 0) == pytest.approx((737 - 363) / 1260)
    assert values(empty, 1) == pytest.approx((363 - 737) / 1260)
    threat = empty.clone()
    for cell in (0, 3, 1, 4):  # x(0,0) o(1,0) x(0,1) o(1,1): x to move wins at (0,2)
        threat.apply_action(cell)
    after = {}
    for cell in threat.legal_actions():
        child = threat.clone()
        child.apply_action(cell)
        after[cell] = values(child, 0)
    assert after[2] == 1.0 and max(v for c, v in after.items() if c != 2) < 1.0
    assert after[5] > min(after.values())  # blocking o's row is worth more than letting o complete it
    with pytest.raises(ValueError, match="playouts=K"):
        RandomPlayValues(max_positions=1000)(pyspiel.load_game("tic_tac_toe").new_initial_state(), 0)


def test_exact_playouts_score_each_sampled_move_by_its_value_so_agreeing_members_tie(tiny):
    _, model, tokenizer = tiny
    learner = CountingGenerator(tokenizer, eos_token_ids(model, tokenizer))
    rollout = GameRollout(GAME, opponents="random", game_kwargs=KWARGS, samples="turn", continuation="random",
                          playouts="exact")
    starts = [(seed, player, opening, member) for seed, player, opening in [(0, "player_0", 0), (7, "player_1", 3)]
              for member in range(3)]
    out = rollout.play(starts, learner)
    assert learner.calls == len(starts)  # one generation per sample, no playout
    for i, (seed, player, opening, _) in enumerate(starts):
        env = position(seed, player, opening)
        state = env.unwrapped.state.clone()
        state.apply_action(int(env.observe(player)["action_mask"].argmax()))  # FirstLegalMove's move
        expected = RandomPlayValues()(state, int(player[-1]))
        assert out["game_return"][i] == pytest.approx(expected) == out["discounted_return"][i]
    assert len(set(out["game_return"][:3])) == 1 and len(set(out["game_return"][3:])) == 1  # same move, same reward
    assert out["game_return"][0] != out["game_return"][3]
    with pytest.raises(ValueError, match="max_turns"):
        GameRollout(GAME, opponents="random", game_kwargs={**KWARGS, "max_turns": 5}, samples="turn",
                    continuation="random", playouts="exact").play([(0, "player_0")], learner)


class WrongThenFirstLegal(FirstLegalMove):
    """Answers "x(9,9)" (no move) to its first position, the first legal move afterwards."""

    def __init__(self, tokenizer, eos):
        super().__init__(tokenizer, eos)
        self.asked = 0

    def __call__(self, contexts):
        replies = super().__call__(contexts)
        if not self.asked:
            replies[0] = self.tokenizer("x(9,9)", add_special_tokens=False)["input_ids"] + [self.eos_token_ids[0]]
        self.asked += len(contexts)
        return replies


def test_a_rejected_sampled_move_is_retried_by_the_model_not_replaced_by_the_continuation(tiny):
    """With a retry allowed, the model's own retry follows a rejected reply (as in a game): the random
    continuation takes the seat only once the model's move is accepted, so a rejected reply is not scored
    as a random player's legal move."""
    _, model, tokenizer = tiny
    learner = WrongThenFirstLegal(tokenizer, eos_token_ids(model, tokenizer))
    rollout = GameRollout(GAME, opponents="random", game_kwargs={**KWARGS, "max_illegal_actions": 1},
                          samples="turn", continuation="random", playouts=3)
    lead = rollout._play([(4, "player_0")], learner)[0]
    side = lead.sides["player_0"]
    assert [turn.legal for turn in side.turns] == [False, True]  # the rejection, then the model's retry
    assert learner.asked == 2
    first_legal = lead.history[1]
    assert first_legal == side.turns[1].action  # the accepted move is the model's, not the continuation's
    assert all(copy.history[:2] == lead.history[:2] for copy in lead.playouts)
    out = rollout._results([lead], learner)
    assert out["accepted_moves"] == [0]  # the trained sample is the rejected first reply
