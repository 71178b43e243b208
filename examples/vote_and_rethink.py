"""A model plays chess against a random mover, with majority voting and rethinking switched on.

    export OPENAI_BASE_URL=http://localhost:8000/v1   # any OpenAI-compatible server (default: OpenAI's API)
    export OPENAI_API_KEY=sk-...                      # local servers need none
    python examples/vote_and_rethink.py --model qwen3-8b --samples 5 --rethinks 3

For each move the model is sampled --samples times in one batched call and the most voted legal-looking
move is played; a move that cannot be parsed or is illegal goes back to the model with the chess rule it
broke, up to --rethinks times, before the env's own illegal-move rule (forfeit) applies.
"""

from __future__ import annotations

import argparse
import os

from llm_arena_env import make
from llm_arena_env.agents import RandomAgent
from llm_arena_env.agents.backends import OpenAIBackend
from llm_arena_env.agents.llm import LLMAgent
from llm_arena_env.agents.prompts import prompt_options
from llm_arena_env.arena import StepRecord, play_episode
from llm_arena_env.wrappers import MajorityVote, Parse, Rethink, env_checker


def show(step: StepRecord) -> None:
    """One line per move: the move, and for the model its votes and how often it was asked again."""
    votes = [dict(a.votes) for a in step.attempts if a.votes]
    rethinks = sum(1 for a in step.attempts if a.feedback)
    detail = f"  votes {votes[-1]}, {rethinks} rethinks" if votes else ""
    print(f"{step.player:>5}: {step.action:<8}{'' if step.accepted else ' REJECTED: ' + step.rejection}{detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=os.environ.get("OPENAI_MODEL"), help="model name (default: OPENAI_MODEL)")
    parser.add_argument("--base-url", default=os.environ.get("OPENAI_BASE_URL"), help="endpoint (default: OPENAI_BASE_URL or OpenAI)")
    parser.add_argument("--samples", type=int, default=5, help="replies sampled per move for the vote")
    parser.add_argument("--rethinks", type=int, default=3, help="times a bad move is sent back with the reason")
    parser.add_argument("--temperature", type=float, default=0.7, help="sampling temperature (votes need > 0)")
    parser.add_argument("--max-tokens", type=int, default=2048)
    parser.add_argument("--max-plies", type=int, default=40, help="stop the game (a draw) after this many half-moves")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not args.model:
        raise SystemExit("give --model or set OPENAI_MODEL")

    env = make("chess", max_plies=args.max_plies, **prompt_options("chess", state=("fen", "board"), legal_moves=False))
    backend = OpenAIBackend(args.model, base_url=args.base_url, max_tokens=args.max_tokens)
    model = LLMAgent(backend, temperature=args.temperature)
    agent = Rethink(MajorityVote(Parse(model, seed=args.seed), n=args.samples, seed=args.seed),
                    checker=env_checker(env), max_rethinks=args.rethinks, feedback="reason")
    record = play_episode(env, {"white": agent, "black": RandomAgent(seed=args.seed)}, seed=args.seed, on_step=show)
    print(f"\n{backend.name} as White: {record.outcomes['white']} ({record.end_detail}) after {record.num_steps} moves")


if __name__ == "__main__":
    main()
