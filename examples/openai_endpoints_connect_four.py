"""Two models behind OpenAI-compatible endpoints play Connect Four.

    export PLAYER_A_API_KEY=sk-...                          # keys come from the environment only
    python examples/openai_endpoints_connect_four.py \
        --model-a gpt-4o-mini \
        --model-b qwen3-8b --base-url-b http://localhost:8000/v1   # e.g. a local vLLM or Ollama server

Each player's endpoint is ``--base-url-X`` (default: PLAYER_X_BASE_URL, else OpenAI's API) and its key
PLAYER_X_API_KEY (else OPENAI_API_KEY; local servers need none). Models default to PLAYER_X_MODEL.
"""

from __future__ import annotations

import argparse
import os

from llm_arena_env import make
from llm_arena_env.agents.backends import OpenAIBackend
from llm_arena_env.agents.llm import LLMAgent
from llm_arena_env.arena import play_episode
from llm_arena_env.wrappers import Parse, Rethink, env_checker


def player(args: argparse.Namespace, seat: str, env) -> tuple[str, Rethink]:
    """The agent of seat "a" or "b": its endpoint's backend, with replies parsed and bad moves retried."""
    prefix = f"PLAYER_{seat.upper()}_"
    model = getattr(args, f"model_{seat}") or os.environ.get(prefix + "MODEL")
    if not model:
        raise SystemExit(f"give --model-{seat} or set {prefix}MODEL")
    backend = OpenAIBackend(
        model,
        base_url=getattr(args, f"base_url_{seat}") or os.environ.get(prefix + "BASE_URL"),
        api_key=os.environ.get(prefix + "API_KEY"),  # None: OPENAI_API_KEY, or none for a local server
        max_tokens=args.max_tokens,
    )
    agent = Rethink(Parse(LLMAgent(backend, temperature=args.temperature)), env_checker(env), max_rethinks=2)
    return backend.name, agent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for seat in "ab":
        parser.add_argument(f"--model-{seat}", help=f"model name (default: PLAYER_{seat.upper()}_MODEL)")
        parser.add_argument(f"--base-url-{seat}", help=f"endpoint (default: PLAYER_{seat.upper()}_BASE_URL or OpenAI)")
    parser.add_argument("--games", type=int, default=2, help="games to play, swapping who starts (default 2)")
    parser.add_argument("--temperature", type=float, default=0.0)
    parser.add_argument("--max-tokens", type=int, default=1024)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    env = make("openspiel/connect_four")
    a, b = player(args, "a", env), player(args, "b", env)
    for game in range(args.games):
        (first, first_agent), (second, second_agent) = (a, b) if game % 2 == 0 else (b, a)
        record = play_episode(env, [first_agent, second_agent], seed=args.seed + game)
        outcome_first, outcome_second = (record.outcomes[p] for p in env.possible_agents)
        print(f"game {game + 1}: {first} ({outcome_first}) vs {second} ({outcome_second}), "
              f"{record.num_steps} steps, {record.end_reason}: {record.end_detail}")


if __name__ == "__main__":
    main()
