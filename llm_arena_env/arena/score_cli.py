"""``llm-arena score`` and ``llm-arena leaderboard``: the statistics and the ratings of a results folder.

``cli.build_parser`` adds both with :func:`add_score_parsers`. Mistakes (a missing path, a folder without
episodes, a bad ``--anchor``) end in one line on stderr and exit status 2, through ``cli.UsageError``.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from llm_arena_env.arena.records import EpisodeRecord

SCORE_EXAMPLES = """\
examples:
  llm-arena score results/
  llm-arena score results/my-run --game openspiel/connect_four
  llm-arena score results/my-run --json stats.json --csv stats.csv
"""

LEADERBOARD_EXAMPLES = """\
examples:
  llm-arena leaderboard results/my-run
  llm-arena leaderboard results/ --anchor random=0 --bootstrap 1000 --out leaderboard/
  llm-arena leaderboard results/ --anchor stockfish:1=1200 --anchor stockfish:5=1800 --game chess
"""

_RESULTS_HELP = "a results folder (the root, one run, or any folder below) or one episode.json"
_MAX_WARNINGS = 5  # unreadable episode files named one by one; beyond that, a count


def add_score_parsers(subparsers: Any) -> None:
    """Add the ``score`` and ``leaderboard`` commands to ``llm-arena``'s subparsers."""
    raw = argparse.RawDescriptionHelpFormatter
    score = subparsers.add_parser(
        "score", help="per game and player: results, illegal moves, parse failures, tokens, latency, clemscore",
        description="Statistics per game and player of the episodes in a results folder;\n"
                    "for dialogue games also clembench's % played, quality score and clemscore.",
        epilog=SCORE_EXAMPLES, formatter_class=raw)
    score.add_argument("results", help=_RESULTS_HELP)
    _add_game_filter(score)
    score.add_argument("--json", metavar="FILE", help="also write the statistics to FILE as JSON")
    score.add_argument("--csv", metavar="FILE", help="also write the statistics table to FILE as CSV")
    score.set_defaults(command=score_command)

    board = subparsers.add_parser(
        "leaderboard", help="Elo and Bradley-Terry ratings with bootstrap intervals: table, CSV, JSON, PNG",
        description="Rate the players of the competitive episodes in a results folder (Bradley-Terry by\n"
                    "maximum likelihood, and Elo), print the table and write leaderboard.csv, .json and .png.",
        epilog=LEADERBOARD_EXAMPLES, formatter_class=raw)
    board.add_argument("results", help=_RESULTS_HELP)
    _add_game_filter(board)
    board.add_argument("--anchor", action="append", default=[], type=parse_anchor, metavar="AGENT=RATING",
                       help="pin an agent spec at a rating so runs are comparable (e.g. random=0); repeatable")
    board.add_argument("--bootstrap", type=_non_negative_int, default=1000, metavar="N",
                       help="bootstrap samples for the 95%% intervals; 0 for none (default 1000)")
    board.add_argument("--seed", type=_non_negative_int, default=0, metavar="S",
                       help="seed of the bootstrap's resampling (default 0)")
    board.add_argument("--k", type=_positive_float, default=None, metavar="K", help="Elo's K factor (default 16)")
    board.add_argument("--out", metavar="DIR", default=None,
                       help="where to write the files (default: a `leaderboard` folder in the results folder)")
    board.set_defaults(command=leaderboard_command)


def _add_game_filter(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--game", action="append", default=[], metavar="GAME",
                        help="only the episodes of this game id or selector ('dialogue/*'); repeatable")


# ---------------------------------------------------------------------------------------------- commands


def score_command(args: argparse.Namespace) -> int:
    from llm_arena_env.arena.leaderboard import format_stats, stats_csv, to_json
    from llm_arena_env.arena.stats import episode_stats

    stats = episode_stats(load_results(args.results, args.game))
    print(format_stats(stats))
    if args.json:
        _write(args.json, to_json(stats.to_dict()).encode())
    if args.csv:
        _write(args.csv, stats_csv(stats).encode())
    return 0


def leaderboard_command(args: argparse.Namespace) -> int:
    from llm_arena_env.arena.leaderboard import build_leaderboard, format_leaderboard, write_leaderboard
    from llm_arena_env.arena.ratings import DEFAULT_K

    episodes = load_results(args.results, args.game)
    anchors = dict(args.anchor)
    if len(anchors) != len(args.anchor):
        raise _usage("--anchor names the same agent twice")
    try:
        board = build_leaderboard(episodes, anchors=anchors, bootstrap=args.bootstrap, seed=args.seed,
                                  k=args.k or DEFAULT_K, progress=True)
    except ValueError as error:  # nothing to rate, or an anchor on no rated player
        raise _usage(str(error)) from None
    print(format_leaderboard(board))
    out = Path(args.out) if args.out else _default_out(Path(args.results))
    try:
        paths = write_leaderboard(board, out)
    except OSError as error:
        raise _usage(f"cannot write the leaderboard to {out}: {error.strerror or error}") from None
    print(f"wrote {', '.join(str(p) for p in paths.values())}")
    return 0


# ---------------------------------------------------------------------------------------------- helpers


def load_results(path: str, games: Sequence[str] = ()) -> list[EpisodeRecord]:
    """The episodes under ``path`` (of ``games`` only, where given); unreadable files are reported on
    stderr and skipped. No episode at all is a usage error."""
    from llm_arena_env.arena.records import EpisodeRecord
    from llm_arena_env.arena.results import load_episodes

    if not Path(path).exists():
        raise _usage(f"no results at {path}: no such file or folder")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            episodes = [EpisodeRecord.from_dict(e) for e in load_episodes(path)]
        except OSError as error:
            raise _usage(f"cannot read the results at {path}: {error.strerror or error}") from None
    _report_warnings([str(w.message) for w in caught])
    if not episodes:
        raise _usage(f"no episodes found under {path} (it holds no readable episode.json)")
    if games:
        found = sorted({e.game for e in episodes})
        from fnmatch import fnmatchcase

        patterns = ["*" if g == "all" else g for g in games]  # selectors as elsewhere: all, dialogue/*
        episodes = [e for e in episodes if any(fnmatchcase(e.game, p) for p in patterns)]
        if not episodes:
            raise _usage(f"no episodes of {', '.join(games)} under {path}; its games: {', '.join(found)}")
    return episodes


def _report_warnings(messages: Sequence[str]) -> None:
    for message in messages[:_MAX_WARNINGS]:
        print(f"llm-arena: warning: {message}", file=sys.stderr)
    if len(messages) > _MAX_WARNINGS:
        print(f"llm-arena: warning: ... and {len(messages) - _MAX_WARNINGS} more", file=sys.stderr)


def _default_out(results: Path) -> Path:
    return (results if results.is_dir() else results.parent) / "leaderboard"


def _write(path: str, data: bytes) -> None:
    from llm_arena_env.arena.files import atomic_write

    target = Path(path)
    try:
        atomic_write(target, data)
    except OSError as error:
        raise _usage(f"cannot write {target}: {error.strerror or error}") from None


def _usage(message: str) -> Exception:
    from llm_arena_env.cli_common import UsageError

    return UsageError(message)


def parse_anchor(text: str) -> tuple[str, float]:
    """``"AGENT=RATING"`` (an agent spec, then a finite number after the last ``=``) as a pair."""
    player, sep, value = text.rpartition("=")
    player = player.strip()
    if not sep or not player:
        raise argparse.ArgumentTypeError(f"expected AGENT=RATING (e.g. random=0), got {text!r}")
    try:
        rating = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"the rating in {text!r} is not a number") from None
    if not math.isfinite(rating):
        raise argparse.ArgumentTypeError(f"the rating in {text!r} must be finite")
    return player, rating


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value
