"""GRPO on tic-tac-toe with TRL: the model plays whole games (against a random player, or itself) and learns
from the game's return.

    python examples/train_grpo_tictactoe.py                        # CPU: a tiny random model, about a minute
    python examples/train_grpo_tictactoe.py --model Qwen/Qwen2.5-0.5B-Instruct --steps 200 --max-completion-length 64

Each prompt of the dataset names a starting position (a seed, a seat, 0-4 random opening plies);
``GameRollout(samples="turn")`` has the model make one move there (the sample TRL trains on), and
``--playouts`` games are played on from it by a random player in the model's seat (``--continuation
model``: by the model itself, one game); the mean return is the move's reward. The members of a GRPO
group share the position and sample their own moves, so their rewards differ by how good the move is; a
bonus per accepted move (``--legal-bonus``) shapes the reward. ``--samples episode`` trains on the whole
game as one sequence instead. The model is
evaluated in full games on held-out seeds before training and every ``--eval-every`` steps (legal-move
rate per move, forfeits, wins/draws/losses with 95% intervals). Without ``--model`` a tiny random Llama
is built with ``tests/tiny_models.py`` (it forfeits every game: the run shows the plumbing, not
learning; ``benchmarks/grpo_smollm2_tictactoe.py`` trains a real model). Needs the ``train`` extra.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from tiny_model import tiny_model  # beside this file

from llm_arena_env.training.evaluate import evaluate, evaluation_callback
from llm_arena_env.training.grpo import GameRollout, game_prompt_dataset, game_return_reward, legal_move_reward

GAME = "openspiel/tic_tac_toe"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="local path or Hub id of a chat model (default: a tiny random model)")
    parser.add_argument("--steps", type=int, default=20, help="training steps (default 20)")
    parser.add_argument("--output", default="grpo-tictactoe", help="where the trained model is saved")
    parser.add_argument("--opponent", default="random", help="agent spec of the opponent (default random)")
    parser.add_argument("--self-play", action="store_true", help="the model plays both seats")
    parser.add_argument("--num-generations", type=int, default=4, help="games per prompt (GRPO group size)")
    parser.add_argument("--max-completion-length", type=int, default=16, help="tokens per reply")
    parser.add_argument("--max-illegal-actions", type=int, default=1, help="retries after an illegal move")
    parser.add_argument("--learning-rate", type=float, default=1e-5)
    parser.add_argument("--samples", choices=("turn", "episode"), default="turn", help="one move or one game per sample")
    parser.add_argument("--legal-bonus", type=float, default=0.5, help="reward weight of each accepted move")
    parser.add_argument("--continuation", default="random",
                        help="who plays the model's seat after its sampled move (agent spec), or 'model'")
    parser.add_argument("--playouts", type=lambda v: v if v == "exact" else int(v), default=8,
                        help="games played on from each sampled move, or 'exact' (the move's exact value under "
                             "random play, from OpenSpiel's game tree; with a random opponent and continuation)")
    parser.add_argument("--legal-only", action="store_true",
                        help="sample replies only among the legal moves, in training and evaluation")
    parser.add_argument("--eval-every", type=int, default=10, help="evaluate every N steps")
    parser.add_argument("--eval-seeds", type=int, default=20, help="held-out seeds (x2 seats) per evaluation")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")  # rollout_func is marked experimental in TRL

    import torch
    from trl import GRPOConfig, GRPOTrainer

    with tempfile.TemporaryDirectory() as scratch:
        model = args.model or tiny_model(Path(scratch))
        game_kwargs = {"max_illegal_actions": args.max_illegal_actions}
        dataset = game_prompt_dataset(GAME, seeds=range(1000), game_kwargs=game_kwargs,
                                      max_opening_moves=4 if args.samples == "turn" else 0)
        turn = args.samples == "turn"
        scoring = dict(continuation=None if args.continuation == "model" else args.continuation,
                       playouts=args.playouts) if turn else {}
        rollout = GameRollout(GAME, opponents=None if args.self_play else args.opponent, self_play=args.self_play,
                              game_kwargs=game_kwargs, samples=args.samples, legal_only=args.legal_only, **scoring)
        held_out = range(1_000_000, 1_000_000 + args.eval_seeds)  # never trained on
        judge = dict(seeds=held_out, opponents=args.opponent, game_kwargs=game_kwargs,
                     max_new_tokens=args.max_completion_length, legal_only=args.legal_only)
        config = GRPOConfig(
            output_dir=args.output,
            max_steps=args.steps,
            per_device_train_batch_size=args.num_generations,
            num_generations=args.num_generations,
            max_completion_length=args.max_completion_length,
            learning_rate=args.learning_rate,
            logging_steps=1,
            save_strategy="no",
            report_to="none",
            use_cpu=not torch.cuda.is_available(),
            bf16=torch.cuda.is_available() and torch.cuda.is_bf16_supported(),
            seed=args.seed,
            reward_weights=[1.0, args.legal_bonus],
            activation_checkpointing=torch.cuda.is_available(),  # TRL's default; on a CPU it only costs time
        )
        callback = evaluation_callback(GAME, every=args.eval_every, **judge)
        trainer = GRPOTrainer(model=model, reward_funcs=[game_return_reward, legal_move_reward],
                              train_dataset=dataset, rollout_func=rollout, args=config, callbacks=[callback])
        before = evaluate(trainer.model, trainer.processing_class, GAME, **judge)
        print(f"before training ({before.games} held-out games):\n{before.table()}")
        trainer.train()
        step, after = callback.results[-1]
        print(f"after {step} steps:\n{after.table()}")
        trainer.save_model(args.output)
    rewards = [entry["reward"] for entry in trainer.state.log_history if "reward" in entry]
    if rewards:
        print(f"mean game return: first step {rewards[0]:+.2f}, last step {rewards[-1]:+.2f}; "
              f"model saved to {args.output}")


if __name__ == "__main__":
    main()
