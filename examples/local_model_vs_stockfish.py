"""A local Hugging Face chat model plays chess against Stockfish.

    python examples/local_model_vs_stockfish.py --model Qwen/Qwen2.5-1.5B-Instruct --device auto --skill 0

The model's replies are parsed into moves (``Parse``); an unreadable or illegal move is sent back with the
reason, up to ``--rethinks`` times (``Rethink``); after that the env's rules decide (by default the
offender loses). Needs the ``hf`` extra and a Stockfish binary (``apt-get install stockfish``).
"""

from __future__ import annotations

import argparse

from llm_arena_env import make
from llm_arena_env.agents import StockfishAgent
from llm_arena_env.agents.backends import TransformersBackend
from llm_arena_env.agents.llm import LLMAgent
from llm_arena_env.arena import play_episode
from llm_arena_env.wrappers import Parse, Rethink, env_checker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a local path or Hugging Face Hub id of a chat model")
    parser.add_argument("--device", default="auto", help="cpu, cuda, or auto (default)")
    parser.add_argument("--skill", type=int, default=0, help="Stockfish skill level, 0-20 (default 0)")
    parser.add_argument("--games", type=int, default=2, help="games to play, alternating colours (default 2)")
    parser.add_argument("--rethinks", type=int, default=2, help="retries after a bad move (default 2)")
    parser.add_argument("--max-new-tokens", type=int, default=512)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    env = make("chess")
    backend = TransformersBackend(args.model, device=args.device, max_new_tokens=args.max_new_tokens)
    model = Rethink(Parse(LLMAgent(backend, temperature=0.0)), env_checker(env), max_rethinks=args.rethinks)
    with StockfishAgent(skill=args.skill, time_per_move=0.05) as stockfish:
        for game in range(args.games):
            model_plays = "white" if game % 2 == 0 else "black"
            seats = [model, stockfish] if model_plays == "white" else [stockfish, model]  # white moves first
            record = play_episode(env, seats, seed=args.seed + game)
            tries = sum(len(s.attempts) for s in record.steps if s.player == model_plays)
            moves = sum(1 for s in record.steps if s.player == model_plays and s.accepted)
            print(
                f"game {game + 1}: model as {model_plays}: {record.outcomes[model_plays]} "
                f"({record.end_reason}: {record.end_detail}); {moves} moves played in {tries} model calls"
            )


if __name__ == "__main__":
    main()
