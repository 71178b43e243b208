"""Plays scripted cases through a clembench game's own game master and scorer: the clembench side of the
differential tests. Runs in a venv with clemcore and imports nothing from llm_arena_env.

Each ``scripts/clembench_diff_<game>.py`` describes its game with a :class:`Game` (clembench's folder, the
scripted cases, the scores to keep, the roles) and runs :func:`main`; this file is also the single command
line, naming the game first::

    /tmp/clemvenv16/bin/python scripts/clembench_harness.py dond --clembench /path/to/clembench \\
        --instances tests/data/dond_instances.json --out tests/golden/clembench_v3/dond.json

The two lines of clembench differ only in how a game is played, isolated in :func:`play_v3` and
:func:`play_v2`:

- ``version=3``: clembench/clembench's games (clemcore >=3.7,<4), the game master stepped directly, one
  scripted player per role in ``roles``.
- ``version=2``: clp-research/clembench's games (clemcore 3.3.x), through clemcore's ``GameMasterEnv`` as
  its sequential runner plays them; the ``players`` players that take a model answer from the script,
  players the game master makes itself (cloudgame's judge) answer as their code says; ``roles`` maps
  clembench's role names to ours where they are not the role in lower case.

A case is a list of replies in the order the game asks for them; the record keeps the replies used, what
clembench showed each scripted player before each reply (and for multimodal games the pictures), the
outcome (v3), the episode scores named in ``scores`` (NaN as null) and the request counts.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import importlib
import json
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

COUNTS = ("Request Count", "Parsed Request Count", "Violated Request Count")
Cases = Callable[[dict, dict], dict[str, list[str]]]


@dataclass(frozen=True)
class Game:
    """One game of the harness (see the module docstring for ``version``, ``roles`` and ``players``)."""

    name: str  # the game's name, clembench's and ours
    folder: str  # its folder in the clembench checkout
    cases: Cases  # (experiment, instance) -> {case name: replies}
    scores: Sequence[str]  # the episode scores recorded
    roles: Sequence[str] | Mapping[str, str] = ()
    version: int = 3
    players: int = 0  # version 2: how many players take scripted replies
    patch: Callable[[Any], None] = lambda benchmark: None  # mends clembench's code before play (say so in the script)
    variants: Sequence[str] = field(default=())  # other games of the same folder, picked with --game


def load_benchmark(clembench: Path, folder: str, game: str | None = None) -> Any:
    """clembench's GameBenchmark for the game ``game`` (default: named after the folder) in ``clembench/folder``."""
    sys.path.insert(0, str(clembench))
    from clemcore.clemgame import GameBenchmark, GameSpec

    spec = json.loads((clembench / folder / "clemgame.json").read_text())
    if isinstance(spec, list):  # a folder with several games (clean_up)
        spec = next(s for s in spec if s["game_name"] == (game or folder))
    return GameBenchmark.load_from_spec(GameSpec.from_dict({**spec, "game_path": str(clembench / folder)}))


def _number(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _scores(benchmark: Any, experiment: dict, instance: dict, interactions: dict, names: Iterable[str]) -> tuple[dict, dict]:
    scorer = benchmark.create_game_scorer(experiment, instance)
    scorer.compute_scores(interactions)
    scores = scorer.scores["episode scores"]
    return ({k: _number(scores[k]) for k in names if k in scores},
            {k: scores[k] for k in COUNTS if k in scores})  # some v2 scorers log no counts


def play_v3(benchmark: Any, experiment: dict, instance: dict, replies: list[str], roles: Sequence[str],
            score_names: Iterable[str]) -> dict[str, Any]:
    """One case through a clembench v3 game master (clemcore >=3.7,<4)."""
    from clemcore.backends.model_registry import CustomResponseModel
    from clemcore.clemgame.recorder import GameInteractionsRecorder

    instance = copy.deepcopy(instance)  # clean_up's game master moves the instance's own objects
    master = benchmark.create_game_master(experiment, [CustomResponseModel() for _ in roles])
    master.setup(**instance)
    recorder = GameInteractionsRecorder(benchmark.game_name, experiment["name"], instance["game_id"], "", {})
    master.register(recorder)
    master.before_game()
    players = {p.name: role for p, role in zip(master.get_players(), roles)}
    seen, done, used = [], False, 0
    while not done:
        if used == len(replies):
            raise RuntimeError(f"the game asks for reply {used + 1}, the case has {len(replies)}")
        player = master.current_player
        context = master.get_context_for(player)
        if hasattr(player, "prepare_context"):  # clean_up's players put their last result first when asked
            context = player.prepare_context(dict(context))
        shown = {"player": players[player.name], "context": context["content"]}
        if context.get("image"):  # how many pictures came with the text (multimodal variants)
            shown["images"] = len(context["image"]) if isinstance(context["image"], list) else 1
        seen.append(shown)
        done, _ = master.step(replies[used])
        used += 1
    scores, requests = _scores(benchmark, experiment, instance, recorder.interactions, score_names)
    return {
        "replies": replies[:used],  # a case may end before its last reply
        "seen": seen,
        "outcome": master.state.outcome.value,
        "scores": scores,
        "requests": requests,
    }


def _images(context: dict, game_path: str) -> list[str]:
    images = context.get("image") or []
    images = [images] if isinstance(images, str) else list(images)
    return [os.path.relpath(i, game_path) if os.path.isabs(i) else i for i in images]


def play_v2(benchmark: Any, experiment: dict, instance: dict, replies: list[str], players: int,
            score_names: Iterable[str], roles: Mapping[str, str]) -> dict[str, Any]:
    """One case through a clembench v2 game master (clemcore 3.3.x), as its sequential runner plays it."""
    from clemcore.backends.model_registry import CustomResponseModel
    from clemcore.clemgame.envs.pettingzoo.master import GameMasterEnv
    from clemcore.clemgame.recorder import GameInteractionsRecorder

    models = [CustomResponseModel() for _ in range(players)]
    env = GameMasterEnv(benchmark)
    env.reset(options={"player_models": models, "experiment": experiment, "game_instance": instance})
    master = env.game_master
    recorder = GameInteractionsRecorder(benchmark.game_name, experiment["name"], instance["game_id"], "", {})
    for player in master.get_players():
        recorder.log_player(player.name, player.game_role, player.model.name)
    master.register(recorder)
    scripted = iter(replies)
    seen, used, own = [], 0, 0
    for agent in env.agent_iter():
        context, _, termination, truncation, _ = env.last(observe=True)
        if termination or truncation:
            env.step(None)
            continue
        player = env.player_by_agent_id[agent]
        if any(player.model is m for m in models):
            if used == len(replies):
                raise RuntimeError(f"the game asks for reply {used + 1}, the case has {len(replies)}")
            player._custom_response = lambda _context: next(scripted)
            seen.append({"player": roles.get(player.name, roles.get(player.game_role, player.game_role.lower())), "context": context["content"],
                         "images": _images(context, benchmark.game_path)})
            used += 1
        else:
            own += 1
        env.step(player(context))
        if not env.agents:
            break
    scores, requests = _scores(benchmark, experiment, instance, recorder.interactions, score_names)
    return {
        "replies": replies[:used],  # a case may end before its last reply
        "seen": seen,
        "scores": scores,
        "requests": requests,
        "game_master_requests": own,
    }


def play(benchmark: Any, game: Game, experiment: dict, instance: dict, replies: list[str]) -> dict[str, Any]:
    """One case of ``game``, played by its clembench line's rules."""
    if game.version == 2:
        return play_v2(benchmark, experiment, instance, replies, game.players, game.scores, dict(game.roles))
    return play_v3(benchmark, experiment, instance, replies, tuple(game.roles), game.scores)


def run(benchmark: Any, instances: Path, game: Game, first: int | None = None) -> list[dict]:
    """Every case of every instance in the file (of the ``first`` of each experiment), played through ``benchmark``."""
    data = json.loads(instances.read_text(encoding="utf-8"))
    results = []
    for exp in data["experiments"]:
        experiment = {k: v for k, v in exp.items() if k != "game_instances"}
        for instance in exp["game_instances"][:first]:
            for name, replies in game.cases(experiment, instance).items():
                record = play(benchmark, game, experiment, instance, replies)
                results.append({"case": name, "experiment": exp["name"], "game_id": instance["game_id"], **record})
    return results


def hide_text(results: list[dict], instances: Path) -> dict[str, str]:
    """Replace the text shown to the players by its SHA-256, for recordings on clembench's own files (its
    prompts are not ours to commit); the header then names the file's SHA-256 for the replay to check."""
    for record in results:
        for shown in record["seen"]:
            shown["context_sha256"] = hashlib.sha256(shown.pop("context").encode("utf-8")).hexdigest()
    return {"instances_sha256": hashlib.sha256(instances.read_bytes()).hexdigest()}


def write(out: Path, game: str, instances: Path, results: list[dict], extra: dict | None = None) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    header = {"game": game, "instances": instances.name, **(extra or {}), "cases": results}
    out.write_text(json.dumps(header, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    outcomes: dict[str, int] = {}
    for r in results:
        outcome = r.get("outcome") or ("aborted" if r["scores"].get("Aborted") == 1 else "played")
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    print(f"wrote {out}: {len(results)} cases, outcomes {outcomes}")


def main(doc: str, game: Game, argv: Sequence[str] | None = None) -> None:
    """The command line of a per-game script: record clembench's verdicts on an instance file."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clembench", type=Path, required=True, help="a clembench checkout")
    parser.add_argument("--instances", type=Path, required=True, help="an instances file in clembench's layout")
    parser.add_argument("--out", type=Path, required=True)
    if game.variants:
        parser.add_argument("--game", choices=(game.name, *game.variants), default=game.name, help=f"default {game.name}")
    parser.add_argument("--first", type=int, metavar="N", help="only the first N instances of each experiment")
    parser.add_argument("--hash-text", action="store_true",
                        help="record the text shown as its SHA-256 (for clembench's own files: its prompts)")
    args = parser.parse_args(argv)
    name = getattr(args, "game", game.name)
    benchmark = load_benchmark(args.clembench, game.folder, name)
    game.patch(benchmark)
    results = run(benchmark, args.instances, game, args.first)
    write(args.out, name, args.instances, results, hide_text(results, args.instances) if args.hash_text else None)


def _cli(argv: Sequence[str]) -> None:
    """``clembench_harness.py GAME ARGS``: the per-game script ``clembench_diff_GAME.py``'s command line."""
    games = sorted(p.stem.removeprefix("clembench_diff_") for p in Path(__file__).parent.glob("clembench_diff_*.py"))
    if not argv or argv[0] not in games:
        sys.exit(f"usage: clembench_harness.py GAME --clembench DIR --instances FILE --out FILE\ngames: {', '.join(games)}")
    sys.path.insert(0, str(Path(__file__).parent))
    module = importlib.import_module(f"clembench_diff_{argv[0]}")
    main(module.__doc__, module.GAME, argv[1:])


if __name__ == "__main__":
    _cli(sys.argv[1:])
