"""Steps per second of random chess: our env, PettingZoo's chess_v6, and raw python-chess, in one run.

Every player picks a random legal id. (a) ours: the acting player calls ``env.last()``, which builds the full
text observation (prompt with FEN, board, pieces and history; ``legal_actions`` in SAN; the action mask);
(b) PettingZoo's ``classic.chess_v6`` played the same way (its observations are tensors); (c) raw
python-chess: list the legal moves, push a random one, start again on mate, stalemate, insufficient
material or the fifty-move rule, no observation at all. The three take turns in short slices and are timed
in CPU seconds of this process, so other work on a busy machine changes the ratios little. Prints steps/s
and the ratios ours/chess_v6 and raw/ours; then ``benchmarks/openspiel_speed.py``'s table.

Run: ``python benchmarks/env_speed.py [CPU seconds per way]``.
"""

from __future__ import annotations

import random
import sys
from typing import Iterator

import openspiel_speed  # beside this file, as is timing.py
from timing import SLICE_S, aec_steps, measure


def _raw_steps(rnd: random.Random) -> Iterator[None]:
    """Random plies on a python-chess board, no observations; yields after each ply."""
    import chess

    while True:
        board = chess.Board()
        while True:
            legal = list(board.generate_legal_moves())
            if not legal or board.halfmove_clock >= 100 or board.is_insufficient_material():
                break
            board.push(legal[rnd.randrange(len(legal))])
            yield


def bench_chess(seconds: float = 3.0) -> dict[str, float]:
    """Steps/s of (a) our chess env, (b) PettingZoo's chess_v6, (c) raw python-chess, and the ratios."""
    from pettingzoo.classic import chess_v6

    import llm_arena_env

    row = measure(
        {
            "ours": aec_steps(llm_arena_env.make("chess"), random.Random(0)),
            "chess_v6": aec_steps(chess_v6.env(), random.Random(0)),
            "raw": _raw_steps(random.Random(0)),
        },
        seconds,
    )
    row["ours/chess_v6"] = row["ours"] / row["chess_v6"]
    row["raw/ours"] = row["raw"] / row["ours"]
    return row


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    seconds = float(args[0]) if args else 3.0
    print(f"random chess, {seconds:g} CPU s per way, in {SLICE_S:g} s turns; player moves per CPU second")
    row = bench_chess(seconds)
    print(f"{'ours (text)':>13}{'chess_v6':>10}{'raw chess':>11}{'ours/chess_v6':>15}{'raw/ours':>10}")
    print(
        f"{row['ours']:>13,.0f}{row['chess_v6']:>10,.0f}{row['raw']:>11,.0f}{row['ours/chess_v6']:>15.2f}{row['raw/ours']:>10.2f}"
    )
    print()
    openspiel_speed.main([str(seconds)])


if __name__ == "__main__":
    main()
