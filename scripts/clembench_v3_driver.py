"""Plays scripted cases through a clembench v3 game's own game master and scorer (clemcore >=3.7,<4).

Shared by ``scripts/clembench_diff_<game>.py``; runs in the clemcore venv and imports nothing from
llm_arena_env. A case is a list of replies in the order the game asks for them; the record keeps the
replies used, what clembench showed each player before each reply, the outcome, the episode scores named
in ``score_names`` (NaN as null) and the request counts.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import sys
from pathlib import Path
from typing import Any, Callable, Iterable

COUNTS = ("Request Count", "Parsed Request Count", "Violated Request Count")


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


def play(benchmark: Any, experiment: dict, instance: dict, replies: list[str], roles: tuple[str, ...],
         score_names: Iterable[str]) -> dict[str, Any]:
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
    scorer = benchmark.create_game_scorer(experiment, instance)
    scorer.compute_scores(recorder.interactions)
    scores = scorer.scores["episode scores"]
    return {
        "replies": replies[:used],  # a case may end before its last reply
        "seen": seen,
        "outcome": master.state.outcome.value,
        "scores": {k: _number(scores[k]) for k in score_names if k in scores},
        "requests": {k: scores[k] for k in COUNTS},
    }


def run(benchmark: Any, instances: Path, cases: Callable[[dict, dict], dict[str, list[str]]],
        roles: tuple[str, ...], score_names: Iterable[str], first: int | None = None) -> list[dict]:
    """Every case of every instance in the file (of the ``first`` of each experiment), played through ``benchmark``."""
    data = json.loads(instances.read_text(encoding="utf-8"))
    results = []
    for exp in data["experiments"]:
        experiment = {k: v for k, v in exp.items() if k != "game_instances"}
        for instance in exp["game_instances"][:first]:
            for name, replies in cases(experiment, instance).items():
                record = play(benchmark, experiment, instance, replies, roles, score_names)
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
        outcomes[r["outcome"]] = outcomes.get(r["outcome"], 0) + 1
    print(f"wrote {out}: {len(results)} cases, outcomes {outcomes}")


def main(doc: str, game: str, folder: str, cases: Callable[[dict, dict], dict[str, list[str]]],
         roles: tuple[str, ...], score_names: Iterable[str], *, variants: Iterable[str] = (),
         patch: Callable[[Any], None] = lambda benchmark: None) -> None:
    """The command line of a per-game script: record clembench's verdicts on an instance file. ``variants``
    are other games of the same folder (``--game`` picks one); ``patch`` may mend clembench's code before
    play (say so in the script)."""
    import argparse

    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clembench", type=Path, required=True, help="a checkout of clembench/clembench")
    parser.add_argument("--instances", type=Path, required=True, help="an instances file in clembench's layout")
    parser.add_argument("--out", type=Path, required=True)
    if variants:
        parser.add_argument("--game", choices=(game, *variants), default=game, help=f"default {game}")
    parser.add_argument("--first", type=int, metavar="N", help="only the first N instances of each experiment")
    parser.add_argument("--hash-text", action="store_true",
                        help="record the text shown as its SHA-256 (for clembench's own files: its prompts)")
    args = parser.parse_args()
    game = getattr(args, "game", game)
    benchmark = load_benchmark(args.clembench, folder, game)
    patch(benchmark)
    results = run(benchmark, args.instances, cases, roles, score_names, args.first)
    write(args.out, game, args.instances, results, hide_text(results, args.instances) if args.hash_text else None)
