"""What a 135M model does here: SmolLM2-135M-Instruct (the bundled model) against baselines, one table.

SmolLM2 plays through the transformers backend (greedy) as the ``smollm2`` agent spec builds it, against
random on tic-tac-toe and connect four, against Stockfish at skill 0 in chess (random where Stockfish is
missing), with itself in taboo, and alone in wordle and the text map world. Per game it prints the
episodes, the results of SmolLM2's seats, and per move: the share of moves the env accepted ("legal"),
the share legal at the first try, the share of replies the parser could not read, rethinks used, tokens
generated and seconds per move. ``--settings before`` plays with the LLM player the ``hf:`` spec had before
the small-model settings (the env's own prompt, "Final Answer:" format; replies capped at 64 tokens to keep
the run short), so both rows come from the same games and seeds.

Episodes of a game play together (``--concurrency``, default all of them), so SmolLM2's moves go to the
model as one batch; ``--concurrency 1`` plays them one by one. Generation speed (tokens/s, one sequence
and a batch of 8) is printed first.

Run: ``nice python benchmarks/smollm2_baseline.py [--episodes 4] [--settings after before] [--games ...]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, Mapping, Sequence

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from llm_arena_env.agents.base import Attempt, Verdict  # noqa: E402  (after the path is set)

LLM = "smollm2"
#: game -> the seats' specs; "smollm2" marks SmolLM2's seats.
GAMES: dict[str, tuple[str, ...]] = {
    "openspiel/tic_tac_toe": (LLM, "random"),
    "openspiel/connect_four": (LLM, "random"),
    "chess": (LLM, "stockfish:0"),
    "dialogue/taboo": (LLM, LLM),
    "dialogue/wordle": (LLM,),
    "grid/textmapworld": (LLM,),
}
#: make() kwargs that keep the run short: a chess game against Stockfish ends within 40 plies.
GAME_KWARGS: dict[str, dict[str, Any]] = {"chess": {"max_plies": 40}}


def player(settings: str) -> Any:
    from llm_arena_env.agents.bundled import bundled_gguf, small_model_player, transformers_backend

    backend = transformers_backend(str(bundled_gguf()))
    if settings == "after":
        return small_model_player(backend)
    from llm_arena_env.agents.llm import LLMAgent
    from llm_arena_env.wrappers import Parse, Rethink

    return Rethink(Parse(LLMAgent(backend, max_tokens=64)), max_rethinks=3)  # the hf: spec's player before


def generation_speed(backend: Any, tokens: int = 32) -> dict[str, float]:
    """Tokens generated per second, one sequence and a batch of 8 (greedy, ``tokens`` new tokens each)."""
    from llm_arena_env.agents.backends.base import Request

    prompt = ({"role": "user", "content": "Describe a game of chess in a few sentences."},)
    options = {"temperature": 0.0, "max_tokens": tokens}
    speed = {}
    for size in (1, 8):
        start = time.perf_counter()
        done = backend.complete([Request(prompt, options=options)] * size)
        speed[f"batch {size}"] = sum(c.completion_tokens for c in done) / (time.perf_counter() - start)
    return speed


def llm_steps(records: Sequence[Any]) -> list[Any]:
    return [step for r in records for step in r.steps if r.agents.get(step.player) == LLM]


def row(game: str, settings: str, records: Sequence[Any], seconds: float) -> dict[str, Any]:
    """The table's numbers for SmolLM2's seats in ``records``."""
    steps = llm_steps(records)
    attempts = [a for s in steps for a in s.attempts]
    moves = max(len(steps), 1)
    outcomes = [r.outcomes[p] for r in records for p, spec in r.agents.items() if spec == LLM]
    if GAMES[game].count(LLM) > 1:  # self-play: one result per episode (the team's)
        outcomes = [next(iter(r.outcomes.values())) for r in records]
    first_ok = sum(1 for s in steps if len(s.attempts) == 1 and _legal(s.attempts[0]) and s.accepted)
    return {
        "game": game,
        "settings": settings,
        "episodes": len(records),
        "win/draw/loss": "/".join(str(sum(o in group for o in outcomes)) for group in _RESULT_GROUPS),
        "moves": len(steps),
        "legal": sum(s.accepted for s in steps) / moves,
        "first-try legal": first_ok / moves,
        "parse failures": sum(a.verdict is Verdict.UNPARSED for a in attempts) / max(len(attempts), 1),
        "rethinks/move": (len(attempts) - len(steps)) / moves,
        "tokens/move": sum(s.completion_tokens for s in steps) / moves,
        "s/move": seconds / moves,
    }


_RESULT_GROUPS = ({"win", "success"}, {"draw"}, {"loss", "failure", "aborted"})


def _legal(attempt: Attempt) -> bool:
    return attempt.verdict in (Verdict.ACCEPTED, Verdict.UNCHECKED)


def play(game: str, settings: str, episodes: int, concurrency: int, agent: Any) -> tuple[list[Any], float]:
    from llm_arena_env.arena.runner import EpisodeJob, play_many

    seats = GAMES[game]
    if "stockfish:0" in seats:
        from llm_arena_env.agents.stockfish import StockfishNotFoundError, find_stockfish

        try:
            find_stockfish()
        except StockfishNotFoundError:
            seats = tuple("random" if s == "stockfish:0" else s for s in seats)
    jobs = [EpisodeJob(game, GAME_KWARGS.get(game, {}), seed=seed, player_specs=seats, episode_id=f"{seed:04d}")
            for seed in range(episodes)]
    start = time.perf_counter()
    records = play_many(jobs, concurrency=concurrency, progress=False, agents={LLM: agent})
    return records, time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--episodes", type=int, default=4)
    parser.add_argument("--games", nargs="+", default=list(GAMES), choices=list(GAMES))
    parser.add_argument("--settings", nargs="+", default=["after"], choices=["after", "before"])
    parser.add_argument("--concurrency", type=int, default=0, help="episodes played together (default: all)")
    args = parser.parse_args(argv)

    from llm_arena_env.agents.bundled import bundled_gguf, transformers_backend

    start = time.perf_counter()
    backend = transformers_backend(str(bundled_gguf()))
    print(f"model loaded in {time.perf_counter() - start:.1f} s")
    for name, value in generation_speed(backend).items():
        print(f"generation, {name}: {value:.1f} tokens/s")
    rows = []
    for settings in args.settings:
        agent = player(settings)
        for game in args.games:
            records, seconds = play(game, settings, args.episodes, args.concurrency or args.episodes, agent)
            rows.append(row(game, settings, records, seconds))
            print(_format([rows[-1]], header=len(rows) == 1), flush=True)
    print("\n" + _format(rows, header=True, markdown=True))
    return 0


def _format(rows: Sequence[Mapping[str, Any]], *, header: bool, markdown: bool = False) -> str:
    columns = list(rows[0])
    cells = [[_cell(r[c]) for c in columns] for r in rows]
    if markdown:
        lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        return "\n".join(lines + ["| " + " | ".join(c) + " |" for c in cells])
    widths = [max(len(c), 9) for c in columns]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths))] if header else []
    return "\n".join(lines + ["  ".join(c.ljust(w) for c, w in zip(cell, widths)) for cell in cells])


def _cell(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    sys.exit(main())
