"""GRPO on tic-tac-toe with TRL: the model plays whole games (against a random player, or itself) and learns
from the game's return.

    python examples/train_grpo_tictactoe.py                        # CPU: a tiny random model, about a minute
    python examples/train_grpo_tictactoe.py --model Qwen/Qwen2.5-0.5B-Instruct --steps 200 --max-completion-length 64

Each prompt of the dataset names one episode (a seed and a seat); ``GameRollout`` plays it, the model's
replies parsed into moves, and hands TRL the learner's side as one token sequence whose environment
mask hides everything the model did not write. Without ``--model`` a tiny random Llama is built with
``tests/tiny_models.py`` (so it plays badly and loses every game: the run shows the plumbing, not
learning). Needs the ``train`` extra: ``pip install 'llm-arena-env[train]'``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from tiny_model import tiny_model  # beside this file

from llm_arena_env.training.grpo import GameRollout, game_prompt_dataset, game_return_reward

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
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")  # rollout_func is marked experimental in TRL

    import torch
    from trl import GRPOConfig, GRPOTrainer

    with tempfile.TemporaryDirectory() as scratch:
        model = args.model or tiny_model(Path(scratch))
        game_kwargs = {"max_illegal_actions": args.max_illegal_actions}
        dataset = game_prompt_dataset(GAME, seeds=range(1000), game_kwargs=game_kwargs)
        rollout = GameRollout(GAME, opponents=None if args.self_play else args.opponent,
                              self_play=args.self_play, game_kwargs=game_kwargs)
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
        )
        trainer = GRPOTrainer(model=model, reward_funcs=game_return_reward, train_dataset=dataset,
                              rollout_func=rollout, args=config)
        trainer.train()
        trainer.save_model(args.output)
    rewards = [entry["reward"] for entry in trainer.state.log_history if "reward" in entry]
    if rewards:
        print(f"mean game return: first step {rewards[0]:+.2f}, last step {rewards[-1]:+.2f}; "
              f"model saved to {args.output}")


if __name__ == "__main__":
    main()
