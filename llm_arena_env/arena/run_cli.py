"""``llm-arena run`` and ``llm-arena tournament``: play many episodes into a results folder, resumably.

``cli.build_parser`` adds both with :func:`add_run_parsers`. A run is given by flags or by ``--config FILE``
(TOML or YAML, the same field names; flags given beside a file override its values). Mistakes (bad
arguments, unknown games or agents, a missing API key) end in one line on stderr and exit status 2,
through ``cli.UsageError``; Ctrl-C keeps every finished episode and exits with status 130.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Collection, Sequence

from llm_arena_env.cli_common import EXIT_ERRORS, EXIT_STATUS, MAX_EPISODES, int_at_least
from llm_arena_env.registry import KINDS

RUN_EXAMPLES = """\
examples:
  llm-arena run openspiel/tic_tac_toe --players random random --episodes 20 --seed 0
  llm-arena run chess --players openai:gpt-4o-mini stockfish:1 --episodes 10 --concurrency 8 --swap-sides
  llm-arena run dialogue/taboo --players hf:Qwen/Qwen2.5-0.5B-Instruct hf:Qwen/Qwen2.5-0.5B-Instruct \\
      --episodes 20 --concurrency 16 --run-name taboo-qwen
  llm-arena run --config runs/baselines.toml --concurrency 16     # flags override the file
Running the same command again resumes: finished episodes are kept, the rest are played (and those that
ended in a transport error, unless --no-retry-errors).
"""

TOURNAMENT_EXAMPLES = """\
examples:
  llm-arena tournament chess --players random stockfish:1 stockfish:5 --episodes 10 --run-name sf-ladder
  llm-arena tournament openspiel/connect_four openspiel/tic_tac_toe --players random hf:./my-model \\
      --episodes 50 --concurrency 32
  llm-arena tournament --config runs/ladder.yaml
  llm-arena tournament chess --players random stockfish:1 --episodes 500 --executor ray --ray-address auto
then: llm-arena leaderboard results/sf-ladder --anchor random=0
Every pair of players meets on every game, with the seats swapped (--no-swap-sides: one order only).
"""

EXIT_INTERRUPTED = 130


def add_run_parsers(subparsers: Any) -> None:
    """Add the ``run`` and ``tournament`` commands to ``llm-arena``'s subparsers."""
    raw = argparse.RawDescriptionHelpFormatter
    run = subparsers.add_parser(
        "run", help="play episodes of games between agents, into a results folder (resumable)",
        description="Play the given players, in the given seats, on one or more games; every episode is\n"
                    "written to <results-root>/<run-name>/<game>/<pairing>/<episode>/episode.json.",
        epilog=RUN_EXAMPLES + EXIT_STATUS, formatter_class=raw)
    _add_run_arguments(run, tournament=False)
    run.set_defaults(command=run_command, tournament=False)

    tournament = subparsers.add_parser(
        "tournament", help="round-robin: every pair of players on every game, sides swapped",
        description="Play every pair of players on every game, in both seat orders, N episodes each,\n"
                    "into a results folder (resumable); rate them with `llm-arena leaderboard`.",
        epilog=TOURNAMENT_EXAMPLES + EXIT_STATUS, formatter_class=raw)
    _add_run_arguments(tournament, tournament=True)
    tournament.set_defaults(command=run_command, tournament=True)


def _add_run_arguments(parser: argparse.ArgumentParser, *, tournament: bool) -> None:
    # Every default is None, so that only the flags actually given override a config file.
    parser.add_argument("games", nargs="*", metavar="GAME",
                        help="game ids, as `llm-arena list games` shows them, or selectors: all, 'dialogue/*'")
    parser.add_argument("--kind", choices=KINDS,
                        help="only games of this kind (with no GAME: every game of this kind)")
    parser.add_argument("--instances", type=instances_choice, metavar="all|N",
                        help="games with instance sets (dialogue games) play all their instances, or a seeded "
                             "sample of N (default: the game's own choice per episode)")
    parser.add_argument("--clembench", action="append", metavar="DIR",
                        help="a clembench game folder (e.g. clembench/taboo): play every instance of its game(s) "
                             "from its own in/ files; repeatable")
    parser.add_argument("--players", nargs="+", metavar="AGENT",
                        help="agent specs (see `llm-arena list agents`); "
                             + ("two or more, paired round-robin" if tournament else "one per seat, in seat order"))
    parser.add_argument("--config", metavar="FILE", help="read the run from a TOML or YAML file (same field names)")
    parser.add_argument("--episodes", type=int_at_least(1, at_most=MAX_EPISODES), metavar="N",
                        help="episodes per pairing (and per instance) (default 1)")
    parser.add_argument("--seed", type=int_at_least(0), metavar="S",
                        help="episode k of every pairing gets seed S+k (default 0)")
    parser.add_argument("--concurrency", type=int_at_least(1), metavar="N",
                        help="episodes played at once, their model calls batched (default 1)")
    parser.add_argument("--max-illegal", type=int_at_least(0), metavar="N",
                        help="rejected actions a player may retry per turn before it forfeits (game default: 0)")
    parser.add_argument("--game-arg", action="append", metavar="KEY=VALUE",
                        help="a keyword argument of every game (int, float, true/false, none or text); repeatable")
    parser.add_argument("--run-name", metavar="NAME",
                        help="the run's folder (default: derived from the games, players and settings)")
    parser.add_argument("--results-root", metavar="DIR", help="where run folders go (default: results)")
    parser.add_argument("--swap-sides", action=argparse.BooleanOptionalAction, default=None,
                        help="also play with the seats swapped (default: "
                             + ("yes" if tournament else "no") + ")")
    parser.add_argument("--executor", choices=("local", "ray"),
                        help="where episodes are played: this process (default), or a Ray cluster (the ray extra)")
    parser.add_argument("--ray-address", metavar="ADDRESS",
                        help="the Ray cluster to join, e.g. auto or ray://head:10001 (default: start a local one)")
    parser.add_argument("--skip-incompatible", action="store_true",
                        help="skip the pairings an agent cannot play (e.g. Stockfish on a game other than chess) "
                             "instead of refusing the run")
    parser.add_argument("--retry-errors", action=argparse.BooleanOptionalAction, default=True,
                        help="play again the episodes a previous run of this command ended in a transport error "
                             "(default: yes)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--no-transcripts", action="store_true",
                        help="write the episodes only, no HTML transcripts or index page")


# ---------------------------------------------------------------------------------------------- command


def run_command(args: argparse.Namespace) -> int:
    from llm_arena_env.arena.config import ConfigError
    from llm_arena_env.arena.results import ResultsStore
    from llm_arena_env.cli_common import UsageError

    try:
        config = config_from_args(args)
        jobs = _compatible(config, skip=args.skip_incompatible)  # made as they are drawn
        store = ResultsStore(config.results_root, config.name, retry_errors=args.retry_errors,
                             transcripts=not args.no_transcripts)
    except (ConfigError, ValueError) as error:
        raise UsageError(str(error)) from None
    someone_types = any(spec.partition(":")[0] == "human" for spec in config.players)
    if someone_types and config.concurrency > 1:
        raise UsageError("a human plays one game at a time: use --concurrency 1 with a human player")
    if someone_types and (config.executor != "local" or config.ray_address is not None):
        raise UsageError("a human plays at this terminal: use --executor local with a human player")
    what = f"{'tournament' if config.tournament else 'run'} {config.name}"
    code = play_jobs(jobs, store, config.to_dict(), what=what, concurrency=config.concurrency,
                     progress=not (args.no_progress or someone_types), executor=_executor(config))
    if code:
        return code
    records = store.load()
    print(format_summary(records))
    print(f"\nresults: {store.run_dir}   next: llm-arena score {store.run_dir}"
          + (f" / llm-arena leaderboard {store.run_dir}" if config.tournament else ""))
    return report_errors(records)


def report_errors(records: Sequence[Any]) -> int:
    """EXIT_ERRORS, after a line on stderr, where episodes ended in a transport error; else 0."""
    line = error_summary(records)
    if line:
        print(f"llm-arena: {line}; run the same command again to play them", file=sys.stderr)
        return EXIT_ERRORS
    return 0


def play_jobs(jobs: Collection[Any], store: Any, manifest: dict[str, Any], *, what: str, concurrency: int,
              progress: bool, executor: Any = "local") -> int:
    """Play ``jobs`` into ``store`` (resuming), report on stderr; 0, EXIT_ERRORS when a fatal model error
    stopped the run, or 130 when interrupted. Mistakes raise ``cli.UsageError`` with what is saved."""
    from llm_arena_env.arena.ray_executor import RayNotInstalledError
    from llm_arena_env.arena.results import ResultsConflictError
    from llm_arena_env.arena.runner import AgentBuildError, AgentError, FatalModelError, GameBuildError, play_many
    from llm_arena_env.cli_common import UsageError

    problem = unwritable(store.root)
    if problem:
        raise UsageError(f"--results-root {store.root}: {problem}")
    try:  # a new run has none, and its jobs need not be drawn to say so
        already = sum(store.finished(job) for job in jobs) if store.run_dir.exists() else 0
    except ResultsConflictError as error:
        raise UsageError(str(error)) from None
    print(f"{what}: {len(jobs)} episodes" + (f" ({already} already played)" if already else "")
          + f" -> {store.run_dir}", file=sys.stderr)
    store.manifest_on_first_episode(manifest)
    try:
        play_many(jobs, concurrency=concurrency, results=store, progress=progress, executor=executor,
                  keep_records=False)  # every record is in the store; none held in memory
    except (AgentBuildError, GameBuildError, ResultsConflictError, RayNotInstalledError) as error:
        raise UsageError(str(error)) from None
    except FatalModelError as error:
        store.write_index()
        done = already + store.written
        print(f"llm-arena: error: run stopped: {error}; {done} of {len(jobs)} episodes are saved in "
              f"{store.run_dir}; fix it and run the same command again", file=sys.stderr)
        return EXIT_ERRORS
    except AgentError as error:
        done = already + store.written
        raise UsageError(f"{error} ({done} of {len(jobs)} episodes are saved in {store.run_dir})") from None
    except KeyboardInterrupt:
        store.write_index()
        done = already + store.written
        print(f"\ninterrupted: {done} of {len(jobs)} episodes are saved in {store.run_dir}; "
              "run the same command again to play the rest", file=sys.stderr)
        return EXIT_INTERRUPTED
    store.write_index()
    if store.transcript_failures:
        print(f"warning: {store.transcript_failures} transcripts could not be written "
              f"(first: {store.first_transcript_error}); the episodes are kept", file=sys.stderr)
    return 0


def error_summary(records: Sequence[Any]) -> str:
    """One line on the episodes (records or their dicts) that ended in a transport error, and why; "" if none."""
    from llm_arena_env.arena.records import EpisodeError, as_record

    unknown = EpisodeError("?", "?", "?", "?")  # an error episode whose record says nothing of the failure
    errors = [r.error or unknown for r in map(as_record, records) if r.is_error]
    if not errors:
        return ""
    kinds = Counter(e.kind for e in errors)
    first = errors[0]
    return (f"{len(errors)} of {len(records)} episodes ended in error, not scored "
            f"({', '.join(f'{k}: {n}' for k, n in kinds.most_common())}; first: {first.agent}: {first.message})")


def unwritable(folder: Path) -> str:
    """Why run folders cannot be made under ``folder`` ("" where they can), found out by making (and
    removing) an empty one in its nearest existing ancestor, so that nothing is left behind."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is a file, not a folder"
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".llm-arena-check-", dir=existing))
    except OSError as error:
        return f"cannot make folders in {existing}: {error.strerror or error}"
    return ""


def _compatible(config: Any, *, skip: bool) -> Any:
    """The run's jobs (a JobStream) whose agents can play their game, judged once per pairing; the others
    refused in one line, or skipped (``skip``)."""
    from llm_arena_env.arena.runner import incompatibility, pairing_name
    from llm_arena_env.cli_common import UsageError

    plan = config.plan()
    bad = {(job.game, job.player_specs): (pairing_name(job), reason)
           for job in plan.setups if (reason := incompatibility(job))}
    if bad and not skip:
        first, reason = next(iter(bad.values()))
        more = f" (and {len(bad) - 1} more pairings)" if len(bad) > 1 else ""
        raise UsageError(f"{first} cannot be played: {reason}{more}; leave that player out, or pass "
                         "--skip-incompatible to skip such pairings")
    for pairing, reason in bad.values():
        print(f"skipping {pairing} ({reason})", file=sys.stderr)
    if len(bad) == len(plan.setups):
        raise UsageError("no pairing is left to play: every one has an agent that cannot play its game")
    return config.plan(skip=bad) if bad else plan


def _executor(config: Any) -> Any:
    """What plays the run: the executor's name, or the Ray executor bound to the address given."""
    if config.ray_address is None:
        return config.executor
    from llm_arena_env.arena.ray_executor import ray_executor

    return ray_executor(config.ray_address)


def config_from_args(args: argparse.Namespace) -> Any:
    """The RunConfig the flags (and ``--config`` file) describe; flags given win over the file."""
    from llm_arena_env.arena.config import RunConfig
    from llm_arena_env.cli_common import UsageError, parse_game_args

    from llm_arena_env.arena.selectors import select_games

    given: dict[str, Any] = {}
    if args.games or args.kind:
        try:
            given["games"] = select_games(list(args.games), args.kind)
        except ValueError as error:
            raise UsageError(str(error)) from None
    if getattr(args, "clembench", None):
        from llm_arena_env.games.dialogue.clembench_dir import clembench_games

        try:
            found = [(game, path) for folder in args.clembench for game, path in clembench_games(folder)]
        except ValueError as error:
            raise UsageError(str(error)) from None
        given["games"] = given.get("games", []) + [
            {"id": game, "kwargs": {"instances": path}, "instances": "all"} for game, path in found]
    for name in ("players", "episodes", "seed", "concurrency", "max_illegal", "run_name", "results_root",
                 "swap_sides", "executor", "ray_address", "instances"):
        value = getattr(args, name)
        if value is not None:
            given[name] = value
    if args.game_arg:
        given["game_args"] = parse_game_args(args.game_arg)
    if args.tournament:
        given["tournament"] = True
    if args.config:
        return RunConfig.from_file(args.config, **given)
    if not given.get("games"):
        raise UsageError("name one or more games (see `llm-arena list games`), or give --config FILE")
    if not args.players:
        raise UsageError("give the players with --players AGENT ... (see `llm-arena list agents`), "
                         "or give --config FILE")
    return RunConfig.from_mapping(given)


def instances_choice(text: str) -> str | int:
    """An argparse type: ``all`` or a number of instances >= 1."""
    return text if text == "all" else int_at_least(1)(text)


def format_summary(records: Sequence[Any]) -> str:
    """A row per game and pairing: episodes, and each seat's wins-draws-losses (other outcomes named).
    ``records``: episode records or their dicts."""
    from llm_arena_env.arena.records import EpisodeRecord, as_record
    from llm_arena_env.text_table import format_table
    from llm_arena_env.core.outcome import Outcome

    groups: dict[tuple[str, tuple[tuple[str, str], ...]], list[EpisodeRecord]] = defaultdict(list)
    for record in map(as_record, records):
        groups[(record.game, tuple(record.agents.items()))].append(record)
    rows = []
    for (game, seats), episodes in sorted(groups.items()):
        parts = []
        for player, spec in seats:
            counts = Counter(str(r.outcomes.get(player, "?")) for r in episodes)
            wdl = "-".join(str(counts.pop(o.value, 0)) for o in (Outcome.WIN, Outcome.DRAW, Outcome.LOSS))
            others = "".join(f" {n} {o}" for o, n in sorted(counts.items()))
            parts.append(f"{spec} {wdl}{others}")
        rows.append((game, " vs ".join(spec for _, spec in seats), len(episodes), ", ".join(parts)))
    return format_table(("game", "pairing (seat order)", "episodes", "win-draw-loss per seat"), rows)
