"""Supervised fine-tuning on the winners' side of recorded games, with TRL's SFTTrainer.

    python examples/train_sft_from_results.py                          # CPU: plays a few games, tiny model
    python examples/train_sft_from_results.py --results results/my_run --model Qwen/Qwen2.5-0.5B-Instruct --steps 200

Without ``--results`` it first plays ``--games`` quick tic-tac-toe games (random vs random) into a
results folder, as ``llm-arena run`` would. Then it exports the winning trajectories as SFT rows (what
``llm-arena export --kind sft --outcome win`` writes), and fine-tunes ``--model`` on them. Without
``--model`` a tiny random Llama is built with ``tests/tiny_models.py``. Needs the ``train`` extra:
``pip install 'llm-arena-env[train]'``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from tiny_model import tiny_model  # beside this file

from llm_arena_env.arena.results import ResultsStore
from llm_arena_env.arena.runner import EpisodeJob, play_many
from llm_arena_env.training.export import export
from llm_arena_env.training.sft import losses, train_sft

GAME = "openspiel/tic_tac_toe"


def play_some(root: Path, games: int) -> Path:
    """Play ``games`` random-vs-random games into a results folder; return the run's folder."""
    jobs = [EpisodeJob(GAME, seed=seed, player_specs=("random", "random"), episode_id=f"{seed:04d}")
            for seed in range(games)]
    play_many(jobs, concurrency=8, results=ResultsStore(root, "random-play"), progress=False)
    return root / "random-play"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", help="a results folder (default: play --games games first)")
    parser.add_argument("--model", help="local path or Hub id of a chat model (default: a tiny random model)")
    parser.add_argument("--games", type=int, default=20, help="games to play when no --results is given")
    parser.add_argument("--steps", type=int, default=20, help="training steps (default 20)")
    parser.add_argument("--output", default="sft-from-results", help="where the trained model is saved")
    parser.add_argument("--learning-rate", type=float, default=None, help="default 1e-3 tiny, 2e-5 otherwise")
    args = parser.parse_args()

    import torch

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        results = Path(args.results) if args.results else play_some(scratch / "results", args.games)
        rows = scratch / "wins.jsonl"
        count = export(results, kind="sft", out=rows, outcome="win")
        print(f"{count} winning trajectories exported from {results}")
        model = args.model or tiny_model(scratch)
        learning_rate = args.learning_rate or (2e-5 if args.model else 1e-3)
        trainer = train_sft(rows, model, output_dir=args.output, max_steps=args.steps, learning_rate=learning_rate,
                            config={"use_cpu": not torch.cuda.is_available(), "disable_tqdm": True})
    history = losses(trainer)
    print(f"loss: first step {history[0]:.3f}, last step {history[-1]:.3f}; model saved to {args.output}")


if __name__ == "__main__":
    main()
