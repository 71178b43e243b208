"""``llm-arena bench`` and ``llm-arena eval``: clembench's daily loop (``clem run``, ``clem eval``) in one command each.

    llm-arena bench -m claude-sonnet                         # every game of clembench's benchmark, all instances
    llm-arena bench -m claude-sonnet --benchmark 3.0          # the games clembench's v3.0 benchmark counts
    llm-arena bench -m gpt-4o-mini -m gemini-flash -g 'dialogue/wordle*' --instances 5
    llm-arena bench -m my-model -g all --partner claude-sonnet
    llm-arena eval results/                                   # the clemscore table of every model benched there

Without ``-g`` or ``--kind``, ``bench`` plays the games of clembench's benchmark (2.0, multimodal_2.0 and
3.0, or the ``--benchmark`` versions named) that are here, and says which of them are not.

``bench`` puts the model in every seat of every selected game (self-play, as clembench plays its
two-player games), or in the first seat against ``--partner`` with the seats also swapped; every instance
of a game's instance set is played (``--instances N`` plays a seeded sample). Each model gets its own run
folder, ``bench-<model>``, so running the same command again resumes, and ``eval`` puts the models side
by side. ``eval`` reads the clembench-scored episodes (% played, quality score, clemscore per game and
overall, as ``clem eval`` computes them) and writes the table as text, CSV, JSON or Markdown.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from llm_arena_env.cli_common import int_at_least
from llm_arena_env.games.dialogue.clembench_benchmark import VERSIONS, benchmark_games, coverage, coverage_notes
from llm_arena_env.registry import KINDS

if TYPE_CHECKING:
    from llm_arena_env.arena.records import EpisodeRecord


def add_bench_parsers(subparsers: Any) -> None:
    """Add ``bench`` and ``eval`` to ``llm-arena``'s subparsers."""
    from llm_arena_env.arena.run_cli import instances_choice

    raw = argparse.RawDescriptionHelpFormatter
    bench = subparsers.add_parser(
        "bench", help="a model on every instance of every selected game (clembench's `clem run`), resumable",
        description=__doc__, formatter_class=raw)
    bench.add_argument("-m", "--model", action="append", required=True, metavar="MODEL",
                       help="a registered model (`llm-arena list models`) or an agent spec; repeatable")
    bench.add_argument("-g", "--game", nargs="+", default=[], metavar="GAME",
                       help="game ids or selectors (all, 'dialogue/*'); default: every dialogue game")
    bench.add_argument("--kind", choices=KINDS, help="only games of this kind")
    bench.add_argument("--benchmark", action="append", choices=tuple(VERSIONS), metavar="VERSION",
                       help=f"the games clembench's benchmark VERSION counts ({', '.join(VERSIONS)}); repeatable; "
                            "default without -g/--kind: all of them")
    bench.add_argument("--instances", type=instances_choice, default="all", metavar="all|N",
                       help="all instances of each game's instance set (default) or a seeded sample of N")
    bench.add_argument("--partner", metavar="AGENT",
                       help="play against this agent (seats swapped too) instead of self-play")
    bench.add_argument("--episodes", type=int_at_least(1), default=1, metavar="N",
                       help="episodes per instance (per seed in games without instances) (default 1)")
    bench.add_argument("--seed", type=int_at_least(0), default=0, metavar="S", help="first seed (default 0)")
    bench.add_argument("--concurrency", type=int_at_least(1), default=8, metavar="N",
                       help="episodes played at once (default 8)")
    bench.add_argument("--results-root", default="results", metavar="DIR", help="where run folders go")
    bench.add_argument("--no-progress", action="store_true", help="no progress bar")
    bench.add_argument("--no-transcripts", action="store_true",
                       help="write the episodes only, no HTML transcripts or index page")
    bench.set_defaults(command=bench_command)

    evaluate = subparsers.add_parser(
        "eval", help="clembench's clemscore table (%% played, quality, clemscore) of benched models, side by side",
        description="The clemscore table of the clembench-scored episodes under the given folders, a row per\n"
                    "model: clemscore, % played and quality overall, then % played and quality per game.",
        formatter_class=raw)
    evaluate.add_argument("results", nargs="+", help="results folders (a root, or bench-<model> run folders)")
    evaluate.add_argument("--format", choices=("table", "csv", "json", "markdown"), default="table")
    evaluate.add_argument("--output", metavar="FILE", help="write the table to FILE instead of printing it")
    evaluate.set_defaults(command=eval_command)


# ---------------------------------------------------------------------------------------------- bench


def bench_command(args: argparse.Namespace) -> int:
    from llm_arena_env.arena.config import ConfigError
    from llm_arena_env.arena.results import ResultsStore, folder_name
    from llm_arena_env.arena.run_cli import play_jobs, report_errors
    from llm_arena_env.arena.selectors import select_games
    from llm_arena_env.cli_common import UsageError

    try:
        if args.benchmark or not (args.game or args.kind):
            games, missing = benchmark_games(args.benchmark)
            if missing:
                print(f"not here yet, of clembench's benchmark: {', '.join(missing)}", file=sys.stderr)
            games += [g for g in select_games(args.game, args.kind) if g not in games] if args.game else []
        else:
            games = select_games(args.game, args.kind)
    except ValueError as error:
        raise UsageError(str(error)) from None
    runs = []
    for model in dict.fromkeys(args.model):
        try:
            jobs = bench_jobs(model, games, partner=args.partner, instances=args.instances,
                              episodes=args.episodes, seed=args.seed)
        except (ConfigError, ValueError) as error:
            raise UsageError(str(error)) from None
        name = folder_name(f"bench-{model}" + (f"-vs-{args.partner}" if args.partner else ""))
        manifest = {"bench": {"model": model, "partner": args.partner, "games": games, "instances": args.instances,
                              "episodes": args.episodes, "seed": args.seed}}
        store = ResultsStore(args.results_root, name, transcripts=not args.no_transcripts)
        code = play_jobs(jobs, store, manifest, what=f"bench {model}", concurrency=args.concurrency,
                         progress=not args.no_progress)
        if code:
            return code
        runs.append(store.run_dir)
    episodes = _load(runs)
    table = clem_table(episodes)
    print(format_clem_table(table, "table") if table["models"] else "no clembench-scored games were played")
    print(f"\nresults: {' '.join(map(str, runs))}   next: llm-arena eval {args.results_root}")
    return report_errors(episodes)  # episodes that ended in a transport error: not scored, played again next time


def bench_jobs(model: str, games: Sequence[str], *, partner: str | None, instances: str | int, episodes: int,
               seed: int) -> list[Any]:
    """Every episode of a bench: per game, the model in every seat (or against ``partner``, both ways)."""
    from llm_arena_env.arena.config import RunConfig, _inspect_game

    jobs: list[Any] = []
    for game in games:
        seats = len(_inspect_game(game, {})[0])
        players = [model] * seats if partner is None or seats == 1 else [model] + [partner] * (seats - 1)
        config = RunConfig.from_mapping({
            "games": [game], "players": players, "instances": instances, "episodes": episodes, "seed": seed,
            "swap_sides": partner is not None and seats > 1,
        })
        jobs += config.jobs()
    return jobs


# ---------------------------------------------------------------------------------------------- eval


def eval_command(args: argparse.Namespace) -> int:
    from llm_arena_env.cli_common import UsageError

    table = clem_table(_load(args.results))
    if not table["models"]:
        raise UsageError(f"no clembench-scored episodes under {', '.join(args.results)} "
                         "(board and grid games are scored by `llm-arena score`)")
    text = format_clem_table(table, args.format)
    if args.output:
        from llm_arena_env.arena.files import atomic_write

        atomic_write(Path(args.output), text if text.endswith("\n") else text + "\n")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        print(text)
    return 0


def _load(paths: Sequence[Any]) -> list[EpisodeRecord]:
    from llm_arena_env.arena.score_cli import load_results

    return [e for p in paths for e in load_results(str(p))]


def clem_table(episodes: Sequence[EpisodeRecord | Mapping[str, Any]]) -> dict[str, Any]:
    """clembench's results: per model, clemscore, % played and quality overall and per game (NaN as None).
    ``episodes``: records or their dicts."""
    from llm_arena_env.arena.records import as_record
    from llm_arena_env.arena.stats import clembench_scores, is_clembench_scored, without_nan
    from llm_arena_env.games.dialogue.scores import aggregate

    scored = [clembench_scores(e) for e in map(as_record, episodes) if is_clembench_scored(e)]
    if not scored:
        return {"games": [], "models": [], "benchmark": {}}
    benchmark = aggregate(scored)
    games = sorted({game for game, _ in benchmark.games})
    models = []
    for player in sorted(benchmark.players.values(), key=lambda p: (-_key(p.clemscore), p.player)):
        per_game = {}
        for game in games:
            summary = benchmark.games.get((game, player.player))
            per_game[game] = None if summary is None else {
                "episodes": summary.episodes, "played": summary.played, "quality": summary.quality}
        models.append({"model": player.player, "clemscore": player.clemscore, "played": player.played,
                       "quality": player.quality, "games": per_game})
    return without_nan({"games": games, "models": models, "benchmark": coverage(games)})


def _key(value: float) -> float:
    return -math.inf if value is None or math.isnan(value) else value


def format_clem_table(table: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(table, indent=2)
    headers = ["model", "clemscore", "% played", "quality"]
    for game in table["games"]:
        short = game.split("/")[-1]
        headers += [f"{short} % played", f"{short} quality"]
    rows = []
    for m in table["models"]:
        row = [m["model"], _fmt(m["clemscore"]), _fmt(m["played"]), _fmt(m["quality"])]
        for game in table["games"]:
            g = m["games"][game]
            row += ["-", "-"] if g is None else [_fmt(g["played"]), _fmt(g["quality"])]
        rows.append(row)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows([headers, *rows])
        return buffer.getvalue()
    if fmt == "markdown":
        cells = [[_markdown_cell(c) for c in r] for r in [headers, *rows]]
        lines = ["| " + " | ".join(cells[0]) + " |", "|" + "|".join(["---"] + ["---:"] * (len(headers) - 1)) + "|"]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in cells[1:]])
    # In a terminal, the wide table is unreadable past a few games: the overall table, then a row per game and model.
    from llm_arena_env.text_table import format_table

    overall = format_table(headers[:4], [row[:4] for row in rows], left=1)
    per_game = [(game, m["model"], g["episodes"], _fmt(g["played"]), _fmt(g["quality"]))
                for game in table["games"] for m in table["models"] if (g := m["games"][game]) is not None]
    notes = coverage_notes(table.get("benchmark", {}))
    return "\n\n".join([overall, format_table(("game", "model", "episodes", "% played", "quality"), per_game, left=2),
                        *(["\n".join(notes)] if notes else [])])


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _markdown_cell(text: str) -> str:
    """A cell that cannot break the table or inject markup: pipes and HTML escaped, one line."""
    import html

    return html.escape(" ".join(str(text).split())).replace("|", "\\|")


__all__ = ["add_bench_parsers", "bench_jobs", "clem_table", "format_clem_table"]
