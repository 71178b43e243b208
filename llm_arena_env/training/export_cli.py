"""``llm-arena export``: training data from a results directory.

    llm-arena export results/run1 --kind sft --outcome win --out wins.jsonl
    llm-arena export results/run1 --kind rl --game openspiel/tic_tac_toe --format parquet --out rl.parquet
    llm-arena export results/run1 --kind preference --player hf:Qwen/Qwen2.5-0.5B-Instruct --out pairs.jsonl
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from llm_arena_env.training.datasets import ROWS
from llm_arena_env.training.export import FORMATS

EXAMPLES = """\
examples:
  llm-arena export results/run1 --kind sft --outcome win --out wins.jsonl
  llm-arena export results/run1 --kind rl --format parquet --out rl.parquet
  llm-arena export results/run1 --kind preference --game chess --out pairs.jsonl
"""


def add_export_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``export`` command to ``llm-arena``'s subparsers."""
    export = subparsers.add_parser(
        "export", help="write SFT, RL or preference data from a results directory", epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.add_argument("results", help="a results root, a run folder, or one episode.json")
    export.add_argument("--kind", choices=tuple(ROWS), required=True,
                        help="sft: one chat per player and episode; rl: prompt/completion/reward/advantage per "
                             "turn; preference: prompt/chosen/rejected pairs from decision traces")
    export.add_argument("--out", required=True, metavar="FILE", help="where to write the rows")
    export.add_argument("--format", choices=FORMATS, default=None,
                        help="jsonl or parquet (default: from FILE's suffix, else jsonl); parquet needs the train extra")
    export.add_argument("--outcome", nargs="+", default=None, metavar="OUTCOME",
                        help="keep players with these outcomes (win, loss, draw, aborted, success, failure)")
    export.add_argument("--game", nargs="+", default=None, metavar="GAME", help="keep these games (ids or selectors: 'dialogue/*')")
    export.add_argument("--player", nargs="+", default=None, metavar="PLAYER",
                        help="keep these seats (white, player_0) or agent specs (hf:...)")
    export.add_argument("--min-score", type=float, default=None, metavar="X",
                        help="keep episodes whose Main Score (0-100, dialogue games) is at least X")
    export.add_argument("--min-return", type=float, default=None, metavar="X",
                        help="keep players whose episode return is at least X")
    export.add_argument("--decay", type=float, default=None, metavar="D",
                        help="rl: decay of the per-game, per-role running mean of returns (default 0.95)")
    export.set_defaults(command=export_command)
    return export


def export_command(args: argparse.Namespace) -> int:
    from llm_arena_env.cli_common import UsageError
    from llm_arena_env.training.export import export

    from llm_arena_env.arena.selectors import select_games

    try:
        games = select_games(args.game) if args.game else None  # selectors as elsewhere: all, 'dialogue/*'
    except ValueError as error:
        raise UsageError(str(error)) from None
    options: dict[str, Any] = dict(outcome=args.outcome, game=games, player=args.player,
                                   min_score=args.min_score, min_return=args.min_return)
    if args.decay is not None:
        if args.kind != "rl":
            raise UsageError("--decay applies to --kind rl only")
        options["decay"] = args.decay
    try:
        count = export(args.results, kind=args.kind, out=args.out, format=args.format, **options)
    except (FileNotFoundError, ImportError, ValueError) as error:  # ImportError: parquet without the train extra
        raise UsageError(str(error)) from None
    print(f"wrote {count} {args.kind} rows to {args.out}", file=sys.stderr)
    return 0
