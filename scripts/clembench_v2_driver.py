"""Plays scripted cases through a clembench v2 game's own game master and scorer (clemcore 3.3.x).

clembench v2's games (clp-research/clembench: cloudgame, the mm_mapworld family) run on clemcore's legacy
DialogueGameMaster. This driver plays them the way clemcore's sequential runner does (its GameMasterEnv,
each player called on its context, the interactions recorder registered after setup), with every player
that takes a model answered from a scripted list of replies; players the game master makes itself (such as
cloudgame's judge) answer as their code says. Runs in the clemcore venv and imports nothing from
llm_arena_env. The record keeps the replies used, what each scripted player was shown before each reply
(its role as our env names it, the text, the image paths relative to the game folder), the episode scores
named in ``score_names`` (NaN as null), the request counts and how many requests came from players the
game master made itself.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable, Iterable

from clembench_v3_driver import COUNTS, _number, load_benchmark  # the same in both clemcore versions


def _images(context: dict, game_path: str) -> list[str]:
    images = context.get("image") or []
    images = [images] if isinstance(images, str) else list(images)
    return [os.path.relpath(i, game_path) if os.path.isabs(i) else i for i in images]


def play(benchmark: Any, experiment: dict, instance: dict, replies: list[str], players: int,
         score_names: Iterable[str], roles: dict[str, str]) -> dict[str, Any]:
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
            role = roles.get(player.name, roles.get(player.game_role, player.game_role.lower()))
            seen.append({"player": role, "context": context["content"],
                         "images": _images(context, benchmark.game_path)})
            used += 1
        else:
            own += 1
        env.step(player(context))
        if not env.agents:
            break
    scorer = benchmark.create_game_scorer(experiment, instance)
    scorer.compute_scores(recorder.interactions)
    scores = scorer.scores["episode scores"]
    return {
        "replies": replies[:used],  # a case may end before its last reply
        "seen": seen,
        "scores": {k: _number(scores[k]) for k in score_names if k in scores},
        "requests": {k: scores[k] for k in COUNTS if k in scores},  # some scorers log none
        "game_master_requests": own,
    }


def run(benchmark: Any, instances: Path, cases: Callable[[dict, dict], dict[str, list[str]]], players: int,
        score_names: Iterable[str], roles: dict[str, str]) -> list[dict]:
    """Every case of every instance in the file, played through ``benchmark``."""
    data = json.loads(instances.read_text(encoding="utf-8"))
    results = []
    for exp in data["experiments"]:
        experiment = {k: v for k, v in exp.items() if k != "game_instances"}
        for instance in exp["game_instances"]:
            for name, replies in cases(experiment, instance).items():
                record = play(benchmark, experiment, instance, replies, players, score_names, roles)
                results.append({"case": name, "experiment": exp["name"], "game_id": instance["game_id"], **record})
    return results


def write(out: Path, game: str, instances: Path, results: list[dict]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    header = {"game": game, "instances": instances.name, "cases": results}
    out.write_text(json.dumps(header, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    aborted = sum(1 for r in results if r["scores"].get("Aborted") == 1)
    print(f"wrote {out}: {len(results)} cases, {aborted} aborted")


def main(doc: str, game: str, folder: str, cases: Callable[[dict, dict], dict[str, list[str]]], players: int,
         score_names: Iterable[str], patch: Callable[[Any], None] = lambda benchmark: None,
         roles: dict[str, str] | None = None) -> None:
    """The command line of a per-game script: record clembench's verdicts on an instance file, played
    through the game in ``clembench/folder``. ``patch`` may mend clembench's code before play (say so in
    the script); ``roles`` names our player for a clembench player class where it is not the class name
    in lower case (or for a player name, "Player 1", where both players are of one class)."""
    import argparse

    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clembench", type=Path, required=True, help="a checkout of clp-research/clembench")
    parser.add_argument("--instances", type=Path, required=True, help="an instances file in clembench's layout")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    benchmark = load_benchmark(args.clembench, folder)
    patch(benchmark)
    write(args.out, game, args.instances, run(benchmark, args.instances, cases, players, score_names, roles or {}))
