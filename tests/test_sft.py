"""SFT on exported winning trajectories: rows in, a few SFTTrainer steps, the loss goes down."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")

import llm_arena_env  # noqa: E402
from llm_arena_env.agents.random_agent import RandomAgent  # noqa: E402
from llm_arena_env.arena.episode import play_episode  # noqa: E402
from llm_arena_env.training.export import export  # noqa: E402
from llm_arena_env.training.sft import assistant_only_possible, losses, sft_training_dataset, train_sft  # noqa: E402
from tests.tiny_models import build_chat_model  # noqa: E402

# The tiny model's ChatML template with {% generation %} markers, so the loss can cover the replies only.
MARKED_TEMPLATE = (
    "{% for m in messages %}{% if m['role'] == 'assistant' %}<|im_start|>assistant\n"
    "{% generation %}{{ m['content'] }}<|im_end|>{% endgeneration %}\n"
    "{% else %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


@pytest.fixture(scope="module")
def episodes():
    """Random-vs-random tic-tac-toe with short prompts: most games have a winner."""
    records = []
    for seed in range(12):
        env = llm_arena_env.make("openspiel/tic_tac_toe", prompt_template="{board}\nLegal moves: {legal_moves}")
        records.append(play_episode(env, [RandomAgent(seed=2 * seed), RandomAgent(seed=2 * seed + 1)], seed=seed))
    return [r.to_dict() for r in records]


def test_rows_from_results_keep_the_winners_side(episodes, tmp_path):
    winners = sum(1 for e in episodes for outcome in e["outcomes"].values() if outcome == "win")
    assert winners >= 6
    table = sft_training_dataset(episodes)
    assert len(table) == winners and table.column_names == ["messages"]
    roles = {m["role"] for row in table for m in row["messages"]}
    assert roles == {"user", "assistant"}
    assert len(sft_training_dataset(episodes, filters={})) == 2 * len(episodes)  # every player's side
    with pytest.raises(ValueError, match="no SFT rows"):
        sft_training_dataset(episodes, filters={"outcome": "aborted"})
    rows = tmp_path / "rows.jsonl"
    export(episodes, kind="sft", out=rows, outcome="win")
    assert sft_training_dataset(rows)["messages"] == table["messages"]
    with pytest.raises(ValueError, match="SFT rows already"):
        sft_training_dataset([{"messages": []}], filters={"outcome": "win"})


def test_a_few_sft_steps_on_exported_wins_lower_the_loss(episodes, tmp_path):
    from transformers import AutoTokenizer

    path = build_chat_model(tmp_path / "model", seed=0)
    tokenizer = AutoTokenizer.from_pretrained(path)
    tokenizer.chat_template = MARKED_TEMPLATE
    rows = tmp_path / "wins.jsonl"
    assert export(episodes, kind="sft", out=rows, outcome="win") >= 6

    trainer = train_sft(rows, str(path), tokenizer=tokenizer, output_dir=tmp_path / "out", max_steps=12,
                        learning_rate=3e-3, batch_size=4, config={"use_cpu": True, "seed": 0, "disable_tqdm": True})

    assert trainer.args.assistant_only_loss  # chosen because the template marks the replies
    history = losses(trainer)
    print("SFT losses:", [round(x, 2) for x in history])
    assert len(history) == 12
    assert sum(history[-3:]) / 3 < sum(history[:3]) / 3 - 0.5, history
    assert (tmp_path / "out" / "config.json").exists()


def test_assistant_only_loss_is_chosen_from_the_template(tmp_path):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(build_chat_model(tmp_path / "model", seed=0))
    assert not assistant_only_possible(tokenizer)  # plain ChatML without markers: TRL cannot patch it
    tokenizer.chat_template = MARKED_TEMPLATE
    assert assistant_only_possible(tokenizer)
