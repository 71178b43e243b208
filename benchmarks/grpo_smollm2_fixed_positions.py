"""Does the GRPO reward reach the model at all? SmolLM2-135M-Instruct trained on a few fixed tic-tac-toe
positions where the player to move wins at once; its greedy move on them, before and after.

    python benchmarks/grpo_smollm2_fixed_positions.py --positions 8 --steps 25 --learning-rate 1e-5

The settings of ``grpo_smollm2_tictactoe.py``'s eighth run: the compact prompt with the legal moves
shuffled, replies held to the legal moves (``legal_only``), each move scored by its exact value under random
play (``playouts="exact"``). The positions come from random games (seeds 0+, up to 7 opening plies, at least
4 legal moves); every step samples 8 replies for each of 2 of them. Printed: the winning moves taken, greedy,
on the training positions and on the held-out "win now" positions of the tactics probe.

Measured 2026-12-02 on an idle 2-core CPU (8.5 s a step), 8 positions, 25 steps (each position about 50
samples): lr 1e-5, training positions 1/8 -> 3/8, held-out 48/113 -> 52/113, sampled reward 0.19 -> 0.78;
lr 5e-5, 1/8 -> 4/8, held-out 48/113 -> 53/113, token entropy 1.9 -> 1.0. The reward teaches the move of a
position seen often; tactics in positions never seen are another matter (the other benchmark).
"""

from __future__ import annotations

import argparse
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--positions", type=int, default=8)
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--learning-rate", type=float, default=1e-5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")

    import torch
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from grpo_smollm2_tictactoe import (COMPACT_PROMPT, GAME, TACTICS_SEEDS, load_smollm2, opening_position,
                                        shuffled_moves_chat, tactic, tactical_rows, tactics, tactics_positions)
    from llm_arena_env.training.grpo import GameRollout, game_return_reward

    torch.set_num_threads(args.threads)
    game_kwargs = {"prompt_template": COMPACT_PROMPT}
    chosen = []  # (row, observation, winning moves): positions with a win for the mover and a real choice
    for row in tactical_rows(range(0, 3_000), game_kwargs):
        env = opening_position(row, game_kwargs)
        kind, right = tactic(env)
        observation = env.observe(row["player"])
        if kind == "win" and len(observation["legal_actions"]) >= 4:
            chosen.append((row, observation, right))
        if len(chosen) == args.positions:
            break
    model, tokenizer = load_smollm2()
    probe = {"training": [("win", o, right) for _, o, right in chosen],
             "held-out": [p for p in tactics_positions(TACTICS_SEEDS, game_kwargs) if p[0] == "win"]}

    def report(label):
        for name, positions in probe.items():
            result = tactics(model, tokenizer, positions, shuffled_moves_chat, 12, ("\n",), None, legal_only=True)
            print(f"{label}, {name} positions: {result.splitlines()[0]}", flush=True)

    report("BEFORE")
    rollout = GameRollout(GAME, opponents="random", samples="turn", game_kwargs=game_kwargs,
                          chat=shuffled_moves_chat, stop=("\n",), continuation="random", playouts="exact",
                          legal_only=True)
    config = GRPOConfig(output_dir="/tmp/grpo-smollm2-fixed", max_steps=args.steps, per_device_train_batch_size=16,
                        num_generations=8, max_completion_length=12, learning_rate=args.learning_rate,
                        logging_steps=1, save_strategy="no", report_to="none", use_cpu=True, seed=0,
                        temperature=1.0, beta=0.0, activation_checkpointing=False, disable_tqdm=True)
    trainer = GRPOTrainer(model=model, processing_class=tokenizer, reward_funcs=[game_return_reward],
                          train_dataset=Dataset.from_list([row for row, *_ in chosen] * 100), rollout_func=rollout,
                          args=config)
    started = time.time()
    trainer.train()
    print(f"trained {args.steps} steps in {time.time() - started:.0f}s")
    logged = [e for e in trainer.state.log_history if "reward" in e]
    for e in logged[:: max(1, len(logged) // 5)]:
        print({k: round(e[k], 3) for k in ("reward", "frac_reward_zero_std", "entropy") if k in e})
    report("AFTER")


if __name__ == "__main__":
    main()
