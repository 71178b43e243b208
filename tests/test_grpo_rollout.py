"""GameRollout, the TRL rollout_func: token sequences, environment masks, rewards, self-play, and one
GRPOTrainer step on CPU with a tiny model."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

import llm_arena_env  # noqa: E402
from llm_arena_env.agents.random_agent import RandomAgent  # noqa: E402
from llm_arena_env.arena.episode import play_episode  # noqa: E402
from llm_arena_env.arena.runner import SEAT_SEED_STRIDE  # noqa: E402
from llm_arena_env.training.generation import ModelGenerator, eos_token_ids  # noqa: E402
from llm_arena_env.training.grpo import (  # noqa: E402
    GameRollout,
    episode_key,
    game_prompt_rows,
    game_return_reward,
    legal_move_reward,
    member_seed,
    play_opening,
    read_episode_key,
    read_episode_start,
)
from tests.tiny_models import build_chat_model  # noqa: E402

GAME = "openspiel/tic_tac_toe"
SHORT_PROMPT = "You are {player}.\n{board}\nLegal moves: {legal_moves}"
KWARGS = {"prompt_template": SHORT_PROMPT}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = build_chat_model(tmp_path_factory.mktemp("grpo") / "model", seed=0)
    return path, AutoModelForCausalLM.from_pretrained(path), AutoTokenizer.from_pretrained(path)


class FirstLegalMove:
    """A scripted 'model': reads the last 'Legal moves:' line of its context and answers the first move."""

    def __init__(self, tokenizer, eos):
        self.tokenizer, self.eos_token_ids = tokenizer, eos

    def __call__(self, contexts):
        replies = []
        for context in contexts:
            text = self.tokenizer.decode(context)
            move = re.findall(r"Legal moves: (.+)", text)[-1].split(", ")[0]
            replies.append(self.tokenizer(move, add_special_tokens=False)["input_ids"] + [self.eos_token_ids[0]])
        return replies


class FirstLegalAgent:
    def act(self, observation):
        return observation["legal_actions"][0]


def runs(mask):
    """(value, start, end) of each run of equal values in a 0/1 mask."""
    out, start = [], 0
    for i in range(1, len(mask) + 1):
        if i == len(mask) or mask[i] != mask[start]:
            out.append((mask[start], start, i))
            start = i
    return out


# ---------------------------------------------------------------------------------------------- prompts


def test_prompt_rows_name_one_episode_and_seat_each():
    rows = game_prompt_rows(GAME, seeds=[5, 6])
    expected = [(5, "player_0"), (5, "player_1"), (6, "player_0"), (6, "player_1")]
    assert [(r["seed"], r["player"]) for r in rows] == expected
    assert read_episode_key(rows[1]["prompt"]) == (GAME, 5, "player_1")
    assert game_prompt_rows(GAME, seeds=[1], players=["player_1"])[0]["player"] == "player_1"
    with pytest.raises(ValueError, match="players must be"):
        game_prompt_rows(GAME, seeds=[1], players=["white"])
    with pytest.raises(ValueError, match="game_prompt_dataset"):
        read_episode_key([{"role": "user", "content": "hi"}])


def test_rollout_options_are_checked():
    with pytest.raises(ValueError, match="either opponents"):
        GameRollout(GAME)
    with pytest.raises(ValueError, match="either opponents"):
        GameRollout(GAME, opponents="random", self_play=True)
    with pytest.raises(ValueError, match="names no agent"):
        GameRollout("openspiel/kuhn_poker", opponents={"player_0": "random"}, game_kwargs={"players": 3})
    rollout = GameRollout(GAME, opponents="random")
    with pytest.raises(ValueError, match="plays 'openspiel/tic_tac_toe'"):
        rollout([episode_key("chess", 0, "white")], trainer=None)


# ---------------------------------------------------------------------------------------------- episodes


def test_rewards_are_the_returns_of_the_same_games_played_by_the_arena(tiny):
    _, model, tokenizer = tiny
    learner = FirstLegalMove(tokenizer, eos_token_ids(model, tokenizer))
    starts = [(seed, player) for seed in range(4) for player in ("player_0", "player_1")]
    out = GameRollout(GAME, opponents="random", game_kwargs=KWARGS).play(starts, learner)

    for i, (seed, player) in enumerate(starts):
        env = llm_arena_env.make(GAME, **KWARGS)
        seat = 1 - ["player_0", "player_1"].index(player)
        agents = {player: FirstLegalAgent(), f"player_{seat}": RandomAgent(seed=seed * SEAT_SEED_STRIDE + seat)}
        record = play_episode(env, agents, seed=seed)
        assert out["game_return"][i] == record.rewards[player]
        assert out["outcome"][i] == record.outcomes[player]
        assert out["learner_turns"][i] == sum(step.player == player for step in record.steps)
        assert out["illegal_actions"][i] == 0
    assert set(out["outcome"]) <= {"win", "loss", "draw"}
    assert game_return_reward(completions=[None] * len(starts), game_return=out["game_return"]) == out["game_return"]


def test_sequences_hold_the_learners_replies_unmasked_and_the_env_text_masked(tiny):
    _, model, tokenizer = tiny
    learner = FirstLegalMove(tokenizer, eos_token_ids(model, tokenizer))
    out = GameRollout(GAME, opponents="random", game_kwargs=KWARGS).play([(7, "player_0")], learner)
    prompt, completion, mask = out["prompt_ids"][0], out["completion_ids"][0], out["env_mask"][0]
    assert out["logprobs"] is None
    assert len(completion) == len(mask) and set(mask) == {0, 1}
    assert tokenizer.decode(prompt).startswith("<|im_start|>user\nYou are player_0 (x, moving first).")
    assert tokenizer.decode(prompt).endswith("<|im_start|>assistant\n")

    pieces = [(value, tokenizer.decode(completion[a:b])) for value, a, b in runs(mask)]
    replies = [text for value, text in pieces if value == 1]
    shown = [text for value, text in pieces if value == 0]
    assert len(replies) == out["learner_turns"][0] and len(shown) == len(replies) - 1
    assert all(re.fullmatch(r"x\(\d,\d\)<\|im_end\|>", r) for r in replies)  # exactly what was generated
    for text in shown:  # the env's next view: a new user turn, then the assistant header
        assert text.startswith("\n<|im_start|>user\nYou are player_0") and text.endswith("<|im_start|>assistant\n")
    # The opponent's moves reach the learner only as env text: its o marks appear on the boards shown.
    assert "o" in shown[-1].split("Legal moves")[0].split("You are player_0 (x, moving first).")[1]


def test_self_play_puts_the_model_in_every_seat(tiny):
    _, model, tokenizer = tiny
    learner = FirstLegalMove(tokenizer, eos_token_ids(model, tokenizer))
    out = GameRollout(GAME, self_play=True, game_kwargs=KWARGS).play([(0, "player_0"), (0, "player_1")], learner)
    record = play_episode(llm_arena_env.make(GAME, **KWARGS), [FirstLegalAgent(), FirstLegalAgent()], seed=0)
    assert out["game_return"] == [record.rewards["player_0"], record.rewards["player_1"]]
    assert out["learner_turns"] == [sum(s.player == p for s in record.steps) for p in ("player_0", "player_1")]
    assert sum(out["game_return"]) == 0  # zero-sum: the same game seen from both seats


def test_a_random_model_forfeits_and_sees_the_rejection_masked(tiny):
    _, model, tokenizer = tiny
    generator = ModelGenerator(model, tokenizer, max_new_tokens=6, seed=0)
    rollout = GameRollout(GAME, opponents=RandomAgent(seed=0), parser=None,
                          game_kwargs={**KWARGS, "max_illegal_actions": 1})
    out = rollout.play([(0, "player_0"), (1, "player_1"), (2, "player_0")], generator)
    assert len(out["prompt_ids"]) == len(out["completion_ids"]) == len(out["env_mask"]) == 3
    for completion, mask, turns in zip(out["completion_ids"], out["env_mask"], out["learner_turns"]):
        assert len(completion) == len(mask)
        assert turns == 2 and 2 <= sum(mask) <= 12  # two replies of at most 6 tokens
        masked = tokenizer.decode([t for t, m in zip(completion, mask) if m == 0])
        assert "was rejected" in masked and "Please try again." in masked
    assert out["game_return"] == [-1.0, -1.0, -1.0] and out["outcome"] == ["loss"] * 3
    assert out["illegal_actions"] == [2, 2, 2]


# ---------------------------------------------------------------------------------------------- TRL


def test_one_grpo_trainer_step_on_cpu(tiny, tmp_path, monkeypatch):
    import torch
    from trl import GRPOConfig, GRPOTrainer

    from llm_arena_env.training.grpo import game_prompt_dataset

    monkeypatch.setenv("TRL_EXPERIMENTAL_SILENCE", "1")
    path, _, _ = tiny
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model, tokenizer = AutoModelForCausalLM.from_pretrained(path), AutoTokenizer.from_pretrained(path)
    dataset = game_prompt_dataset(GAME, seeds=range(2), game_kwargs=KWARGS)
    rollout = GameRollout(GAME, opponents="random", parser=None, game_kwargs={**KWARGS, "max_illegal_actions": 1})

    def varied(completion_ids, **_):
        """A reward that differs between completions, so group advantages are non-zero and weights move."""
        return [len(set(ids)) / len(ids) for ids in completion_ids]

    args = GRPOConfig(output_dir=str(tmp_path / "out"), per_device_train_batch_size=4, num_generations=4,
                      max_completion_length=4, max_steps=1, learning_rate=1e-2, use_cpu=True, report_to="none",
                      logging_steps=1, save_strategy="no", disable_tqdm=True, seed=0)
    trainer = GRPOTrainer(model=model, processing_class=tokenizer, reward_funcs=[game_return_reward, varied],
                          train_dataset=dataset, rollout_func=rollout, args=args)
    seen = {}
    score = trainer._generate_and_score_completions

    def spy(inputs):
        output = score(inputs)
        seen.update(output)
        return output

    monkeypatch.setattr(trainer, "_generate_and_score_completions", spy)
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    trainer.train()

    logged = trainer.state.log_history[0]
    assert logged["rewards/game_return_reward/mean"] == -1.0  # the random model forfeits every game
    # TRL took the env mask as its loss mask: replies in, env text out.
    assert "tool_mask" in seen
    for row, completion_mask in zip(seen["tool_mask"].tolist(), seen["completion_mask"].tolist()):
        kept = [m for m, c in zip(row, completion_mask) if c]
        assert 0 in kept and 1 in kept and sum(kept) <= 2 * 4
    assert any(not torch.equal(before[name], p.detach()) for name, p in trainer.model.named_parameters())


# ---------------------------------------------------------------------------------------------- groups, turns, openings


def test_group_members_share_the_position_but_meet_different_opponents(tiny):
    _, model, tokenizer = tiny
    learner = FirstLegalMove(tokenizer, eos_token_ids(model, tokenizer))  # deterministic: only opponents differ
    rollout = GameRollout(GAME, opponents="random", game_kwargs=KWARGS)
    starts = [(seed, "player_0", 0, member) for seed in range(4) for member in range(8)]
    out = rollout.play(starts, learner)
    groups = [out["game_return"][i:i + 8] for i in range(0, len(starts), 8)]
    assert sum(len(set(g)) > 1 for g in groups) >= 3  # reward spread in (almost) every group
    for i in range(0, len(starts), 8):  # the first prompt of every member is the same position
        assert len({tuple(p) for p in out["prompt_ids"][i:i + 8]}) == 1
    # member 0 is the arena's episode; the same start replays the same game
    assert rollout.play(starts[:1], learner)["completion_ids"] == out["completion_ids"][:1]
    assert member_seed(5, 1, 0) == 5 * SEAT_SEED_STRIDE + 1 and member_seed(5, 1, 1) != member_seed(5, 1, 2)


def test_trl_copies_of_one_prompt_become_numbered_members(tiny, monkeypatch):
    seen = []
    rollout = GameRollout(GAME, opponents="random", game_kwargs=KWARGS)
    monkeypatch.setattr(rollout, "play", lambda starts, generator: seen.extend(starts))
    monkeypatch.setattr("llm_arena_env.training.grpo.TrainerGenerator", lambda trainer, **_: None)
    a, b = episode_key(GAME, 1, "player_0"), episode_key(GAME, 2, "player_1", opening=2)
    rollout([a, a, a, b, b], trainer=None)
    assert seen == [(1, "player_0", 0, 0), (1, "player_0", 0, 1), (1, "player_0", 0, 2),
                    (2, "player_1", 2, 0), (2, "player_1", 2, 1)]


def test_openings_vary_the_start_and_leave_the_rows_seat_to_move():
    rows = game_prompt_rows(GAME, seeds=range(30), max_opening_moves=4)
    assert len({r["opening"] for r in rows}) >= 3
    for row in rows:
        env = llm_arena_env.make(GAME)
        env.reset(seed=row["seed"])
        assert play_opening(env, row["seed"], row["player"], row["opening"]) == row["opening"]
        assert env.agent_selection == row["player"]
        assert sum(env.observe(row["player"])["action_mask"]) == 9 - row["opening"]
        assert read_episode_start(row["prompt"]) == (GAME, row["seed"], row["player"], row["opening"])


def test_turn_samples_are_one_move_each_with_the_games_return(tiny):
    _, model, tokenizer = tiny
    learner = FirstLegalMove(tokenizer, eos_token_ids(model, tokenizer))
    rollout = GameRollout(GAME, opponents="random", game_kwargs=KWARGS, samples="turn", gamma=0.5)
    starts = [(seed, "player_0", 2) for seed in range(3)]
    out = rollout.play(starts, learner)
    turns = rollout.play_turns(starts, learner)
    for i, (seed, player, opening) in enumerate(starts):
        env = llm_arena_env.make(GAME, **KWARGS)
        env.reset(seed=seed)
        play_opening(env, seed, player, opening)
        from llm_arena_env.training.generation import chat_ids, observation_messages

        assert out["prompt_ids"][i] == chat_ids(tokenizer, observation_messages(env.observe(player)))
        move = tokenizer.decode(out["completion_ids"][i], skip_special_tokens=True)
        assert move == env.observe(player)["legal_actions"][0]  # one move, not the whole game
        assert out["env_mask"][i] == [1] * len(out["completion_ids"][i])
        assert out["accepted_moves"][i] == 1
        mine = [t for t in turns[sum(out["learner_turns"][:i]):sum(out["learner_turns"][:i + 1])]]
        assert [t["game_return"] for t in mine] == [out["game_return"][i]] * out["learner_turns"][i]
        assert mine[-1]["discounted_return"] == out["game_return"][i]
        assert out["discounted_return"][i] == out["game_return"][i] * 0.5 ** (out["learner_turns"][i] - 1)
    assert legal_move_reward(completions=[None] * 3, accepted_moves=out["accepted_moves"]) == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="samples"):
        GameRollout(GAME, opponents="random", samples="moves")


@pytest.mark.parametrize("samples", ["turn", "episode"])
def test_the_model_is_prompted_with_the_chat_given(tiny, samples):
    """chat=move_only_observation_messages: the model is asked as the smollm2 player asks (moves listed
    first, "move only"), in training samples and in their prompts alike."""
    from llm_arena_env.training.generation import chat_ids, move_only_observation_messages

    _, model, tokenizer = tiny
    learner = FirstLegalMove(tokenizer, eos_token_ids(model, tokenizer))
    rollout = GameRollout(GAME, opponents="random", game_kwargs=KWARGS, samples=samples,
                          chat=move_only_observation_messages)
    out = rollout.play([(3, "player_1")], learner)
    env = llm_arena_env.make(GAME, **KWARGS)
    env.reset(seed=3)
    env.step(RandomAgent(seed=3 * SEAT_SEED_STRIDE).act(env.observe("player_0")))  # the random first move
    expected = chat_ids(tokenizer, move_only_observation_messages(env.observe("player_1")))
    assert out["prompt_ids"][0] == expected
    text = tokenizer.decode(out["prompt_ids"][0])
    assert "move only" in text and "Pick one move from this list" in text
    assert out["accepted_moves"][0] >= 1  # the move read from the listed moves was played


def test_one_grpo_trainer_step_on_single_move_samples(tiny, tmp_path, monkeypatch):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer

    from llm_arena_env.training.grpo import game_prompt_dataset

    monkeypatch.setenv("TRL_EXPERIMENTAL_SILENCE", "1")
    path, _, _ = tiny
    model, tokenizer = AutoModelForCausalLM.from_pretrained(path), AutoTokenizer.from_pretrained(path)
    dataset = game_prompt_dataset(GAME, seeds=range(4), game_kwargs=KWARGS, max_opening_moves=3)
    rollout = GameRollout(GAME, opponents="random", parser=None, game_kwargs=KWARGS, samples="turn")

    def varied(completion_ids, **_):
        """Differs between sampled replies, so the group advantages are non-zero and the weights move."""
        return [float(ids[0] % 7) for ids in completion_ids]

    args = GRPOConfig(output_dir=str(tmp_path / "out"), per_device_train_batch_size=4, num_generations=4,
                      max_completion_length=3, max_steps=1, learning_rate=1e-2, use_cpu=True, report_to="none",
                      logging_steps=1, save_strategy="no", disable_tqdm=True, seed=0, reward_weights=[1.0, 0.1, 1.0])
    trainer = GRPOTrainer(model=model, processing_class=tokenizer, train_dataset=dataset, rollout_func=rollout,
                          reward_funcs=[game_return_reward, legal_move_reward, varied], args=args)
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    trainer.train()
    logged = trainer.state.log_history[0]
    assert logged["completions/max_length"] <= 3  # one reply per sample, not a game
    assert logged["rewards/legal_move_reward/mean"] == 0.0  # the random model's replies are never moves
    assert any(not torch.equal(before[name], p.detach()) for name, p in trainer.model.named_parameters())


def test_replies_end_with_their_first_stop_token(tiny):
    from llm_arena_env.training.generation import stop_token_ids

    _, model, tokenizer = tiny
    stops = stop_token_ids(tokenizer, ["e"])
    assert stops and all("e" in tokenizer.decode([i]) for i in stops)
    assert not set(stops) & set(tokenizer.all_special_ids)
    context = tokenizer("You are x. Legal moves: x(0,0)", add_special_tokens=False)["input_ids"]
    free = ModelGenerator(model, tokenizer, max_new_tokens=24, temperature=1.0, seed=0)([context] * 8)
    cut = ModelGenerator(model, tokenizer, max_new_tokens=24, temperature=1.0, seed=0, stop=["e"])([context] * 8)
    assert any(set(reply) & set(stops) for reply in free)  # the stop string comes up in free replies
    for reply, whole in zip(cut, free):
        assert reply == whole[:len(reply)]  # the same sample, cut
        first = next((i for i, token in enumerate(whole) if token in stops), None)
        assert len(reply) == (len(whole) if first is None else first + 1)
