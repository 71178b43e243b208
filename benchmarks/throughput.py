"""Games per second of LLM play through ``play_many``: sequential against concurrent, in one run.

A local transformers model (a tiny random Llama built on the fly with ``tests/tiny_models.py``, or any
``--model`` path or hub id) plays ``--games`` short games (tic-tac-toe, LLM against LLM by default) as the
CLI's LLM player does: ``Rethink(Parse(LLMAgent(backend)))``, greedy decoding. The same games are played
sequentially (concurrency 1) and at each ``--concurrency``; for each it prints games/s, generated tokens/s,
the speed-up against the sequential run measured here, the harness overhead (wall time spent outside the
backend's ``complete`` calls, as a share of the wall time: envs, observations, parsing, rethink prompts,
the runner itself) and whether the episodes are move for move the ones played sequentially. With
``--lockstep`` each concurrency is also played by the lockstep runner this one replaced (loaded from git
history, see ``lockstep.py``), in the same run.

Targets on a 2-core CPU with the tiny model: concurrency 16 at least 6x the sequential throughput; harness
overhead under 5% of the wall time; at concurrency 32 at least the lockstep runner's games/s. The speed-up
depends on the answer length: a batch's prefill (the ~500-token prompts) costs in proportion to its size,
while its decoding steps cost little more than one sequence's, so short answers (``--max-new-tokens 16``)
gain less from batching than the default 64.

Run: ``python benchmarks/throughput.py [--model PATH] [--games 64] [--concurrency 8 16 32] [--lockstep]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

REPO = Path(__file__).resolve().parent.parent
LLM = "bench-llm"  # the spec name the jobs give the model player; the agent itself is built here


class TimedBackend:
    """A backend wrapper that adds up the time spent in ``complete`` and the tokens generated."""

    def __init__(self, backend: Any):
        self.backend = backend
        self.name = backend.name
        self.seconds = 0.0
        self.calls = 0
        self.generated = 0

    def complete(self, requests: Sequence[Any]) -> list[Any]:
        start = time.perf_counter()
        try:
            results = self.backend.complete(requests)
        finally:
            self.seconds += time.perf_counter() - start
        self.calls += 1
        self.generated += sum(getattr(r, "completion_tokens", 0) for r in results)
        return results

    def reset(self) -> None:
        self.seconds, self.calls, self.generated = 0.0, 0, 0


@dataclass
class Measure:
    runner: str
    concurrency: int
    wall_s: float
    model_s: float
    calls: int
    generated: int
    games: int
    moves: int
    episodes: list[dict]

    @property
    def games_per_s(self) -> float:
        return self.games / self.wall_s

    @property
    def tokens_per_s(self) -> float:
        return self.generated / self.wall_s

    @property
    def overhead(self) -> float:
        return max(0.0, self.wall_s - self.model_s) / self.wall_s


def build_agent(model: str, *, device: str, max_new_tokens: int, batch_size: int) -> tuple[Any, TimedBackend]:
    from llm_arena_env.agents.backends.transformers_backend import TransformersBackend
    from llm_arena_env.agents.llm import LLMAgent
    from llm_arena_env.wrappers import Parse, Rethink

    timed = TimedBackend(TransformersBackend(model, device=device, max_new_tokens=max_new_tokens,
                                             batch_size=batch_size))
    return Rethink(Parse(LLMAgent(timed, temperature=0.0)), max_rethinks=3), timed


def make_jobs(game: str, games: int, opponent: str, max_illegal: int) -> list[Any]:
    from llm_arena_env.arena.runner import EpisodeJob

    return [EpisodeJob(game, {"max_illegal_actions": max_illegal}, seed, None, (LLM, opponent), f"{seed:04d}")
            for seed in range(games)]


def measure(jobs: list[Any], agent: Any, timed: TimedBackend, concurrency: int, runner: str = "async") -> Measure:
    if runner == "async":
        from llm_arena_env.arena.runner import play_many
    else:
        sys.path.insert(0, str(REPO / "benchmarks"))
        from lockstep import lockstep_runner

        play_many = lockstep_runner().play_many
    timed.reset()
    start = time.perf_counter()
    records = play_many(jobs, concurrency=concurrency, progress=False, agents={LLM: agent})
    wall = time.perf_counter() - start
    episodes = [r.to_dict() for r in records]
    return Measure(runner, concurrency, wall, timed.seconds, timed.calls, timed.generated, len(records),
                   sum(r.num_steps for r in records), episodes)


def same_moves(a: dict, b: dict) -> bool:
    return [(s["player"], s["action"]) for s in a["steps"]] == [(s["player"], s["action"]) for s in b["steps"]]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="a local path or hub id (default: a tiny random model built now)")
    parser.add_argument("--games", type=int, default=64)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 16, 32])
    parser.add_argument("--game", default="openspiel/tic_tac_toe")
    parser.add_argument("--opponent", default=LLM, help=f"the second seat: {LLM} (self-play, default) or a spec")
    parser.add_argument("--max-new-tokens", type=int, default=64,
                        help="the answer budget; the tiny random model never stops early, so every call uses it")
    parser.add_argument("--max-illegal", type=int, default=2, help="retries the env grants after a rejected move")
    parser.add_argument("--lockstep", action="store_true", help="also play each concurrency with the lockstep runner")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (default 1: on a small, shared CPU more threads spin against "
                             "each other and a tiny model gains nothing from them)")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory() as scratch:
        model = args.model
        if model is None:
            from tests.tiny_models import build_chat_model

            model = str(build_chat_model(Path(scratch) / "tiny"))
        agent, timed = build_agent(model, device=args.device, max_new_tokens=args.max_new_tokens,
                                   batch_size=max(args.concurrency))
        jobs = make_jobs(args.game, args.games, args.opponent, args.max_illegal)
        measure(jobs[:4], agent, timed, 4)  # warm-up: first calls allocate and compile kernels
        print(f"model {model if args.model else 'tiny random Llama (tests/tiny_models.py)'} on {args.device}, "
              f"torch threads {torch.get_num_threads()}; {args.games} games of {args.game}, "
              f"{LLM} vs {args.opponent}, max_new_tokens {args.max_new_tokens}, max_illegal {args.max_illegal}")
        sequential = measure(jobs, agent, timed, 1)
        runners = ["async", "lockstep"] if args.lockstep else ["async"]
        runs = [sequential] + [measure(jobs, agent, timed, c, r) for c in args.concurrency for r in runners]

    print(f"{'runner':>8} {'concurrency':>11} {'wall s':>8} {'games/s':>8} {'gen tok/s':>10} {'speed-up':>9} {'overhead':>9} "
          f"{'model calls':>11} {'moves':>6} {'same games':>10}")
    for run in runs:
        same = sum(same_moves(a, b) for a, b in zip(run.episodes, sequential.episodes))
        print(f"{run.runner:>8} {run.concurrency:>11} {run.wall_s:>8.2f} {run.games_per_s:>8.2f} {run.tokens_per_s:>10.0f} "
              f"{run.games_per_s / sequential.games_per_s:>8.2f}x {run.overhead:>8.1%} {run.calls:>11} "
              f"{run.moves:>6} {same:>5}/{run.games:<4}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
