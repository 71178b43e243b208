"""Differential harness: clembench's own game masters and scorers against our envs, on scripted replies.

A developer tool, run by hand (not in CI). It needs a clembench checkout and a separate virtualenv with
the clemcore version clembench pins (3.3.x runs its current games; 3.7.x fails on wordle)::

    git clone https://github.com/clp-research/clembench /tmp/clembench
    python3 -m venv /tmp/clemvenv && /tmp/clemvenv/bin/pip install 'clemcore>=3.3,<3.4' nltk==3.8.1 \
        pettingzoo networkx matplotlib scikit-learn Levenshtein
    apt-get install wordnet-base    # codenames' lemmatizer (NLTK would download WordNet)
    python scripts/clembench_diff.py record --clembench /tmp/clembench --clem-python /tmp/clemvenv/bin/python
    python scripts/clembench_diff.py compare            # our envs against the recorded verdicts

The golden files ``tests/golden/clembench/<game>.json`` hold the cases (written by us: an instance set in
clembench's layout with only content fields, and per case the replies of each player). ``record`` plays
every case through clembench's game master for that game, scores it with clembench's scorer, and writes
clembench's verdict into the case (outcome, Main Score, request counts). Since clembench's game masters
need clembench's prompts, each case's instance is laid over a real instance of the checkout (``template``:
the game folder, file and experiment to take it from): our content fields replace theirs, their prompts
stay in memory only. Nothing of clembench is written to the repository. To add a case, add it to the
game's file and run ``record``.

A game's file may set ``request_count_deviation`` (for the game or one case: the counts clembench defines
otherwise, rows of docs/clembench.md), ``recorder_before_setup`` (codenames), and per case
``template_file`` / ``template_experiment``.

``compare`` replays every golden case through our env (``tests/test_clembench_golden.py`` does the same in
CI) and prints the agreement table per game: cases, outcome, Main Score and request-count agreement.

The clembench side runs inside the clemcore venv: this file re-invokes itself there with ``_clembench``.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "clembench"
COUNTS = ("Request Count", "Parsed Request Count", "Violated Request Count")


# ------------------------------------------------------------------------------------------ clembench side

def _run_clembench(clembench: str, game: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    """Play one case through clembench's game master and scorer (inside the clemcore venv)."""
    import copy
    import logging

    from clemcore.backends.model_registry import Model, ModelSpec
    from clemcore.clemgame import GameBenchmark, GameSpec
    from clemcore.clemgame.envs.pettingzoo.master import GameMasterEnv
    from clemcore.clemgame.recorder import GameInteractionsRecorder

    logging.disable(logging.WARNING)

    class Scripted(Model):
        """A player that sends the given replies in turn (then empty replies, should the game ask more)."""

        def __init__(self, replies: list[str]):
            super().__init__(ModelSpec(model_name="scripted"))
            self.replies = list(replies)

        def generate_response(self, messages):
            text = self.replies.pop(0) if self.replies else ""
            return messages, {"response": text}, text

    template = game["template"]
    game_dir = Path(clembench) / template["dir"]
    spec = next(s for s in GameSpec.from_directory(str(game_dir)) if s.game_name == game["clembench_game"])
    benchmark = GameBenchmark.load_from_spec(spec)
    data = json.loads((game_dir / "in" / case.get("template_file", template["file"])).read_text(encoding="utf-8"))
    ours = {e["name"]: e for e in game["instances"]["experiments"]}[case["experiment"]]
    mine = next(i for i in ours["game_instances"] if i["game_id"] == case["game_id"])
    experiment = next(e for e in data["experiments"] if e["name"] == case.get("template_experiment", template["experiment"]))
    instance = copy.deepcopy(experiment["game_instances"][template.get("index", 0)])
    instance.update(copy.deepcopy({k: v for k, v in mine.items() if k != "game_id"}))  # games mutate them
    experiment = {k: v for k, v in experiment.items() if k != "game_instances"}
    for key, value in ours.items():  # our parameters over theirs, dicts merged one level deep
        if key not in ("name", "game_instances"):
            both = isinstance(value, dict) and isinstance(experiment.get(key), dict)
            experiment[key] = copy.deepcopy({**experiment[key], **value} if both else value)
    models = [Scripted(case["replies"][role]) for role in game["roles"]]
    # played as clemcore's sequential runner plays it: its PettingZoo env, the recorder joining after reset.
    # Games whose scorer needs what their GM logs during setup (codenames' first board status, which
    # clemcore 3.3's runner drops, so that its scorer fails on every episode) get it from the start.
    recorder = GameInteractionsRecorder(spec.game_name, experiment["name"], instance["game_id"], "", {})
    if game.get("recorder_before_setup"):
        create = benchmark.create_game_master

        def create_and_record(*args):
            master = create(*args)
            master.register(recorder)
            return master

        benchmark.create_game_master = create_and_record
    env = GameMasterEnv(benchmark)
    env.reset(options={"player_models": models, "experiment": experiment, "game_instance": instance})
    for player in env.game_master.get_players():
        recorder.log_player(player.name, player.game_role, player.model.name)
    if not game.get("recorder_before_setup"):
        env.game_master.register(recorder)
    for steps, agent in enumerate(env.agent_iter()):
        context, _, termination, truncation, _ = env.last(observe=True)
        response = None if termination or truncation or steps > 200 else env.player_by_agent_id[agent](context)
        env.step(response)
        if steps > 200:
            break
    interactions = recorder.interactions
    scorer = benchmark.create_game_scorer(experiment, instance)
    scorer.compute_scores(interactions)
    scores = scorer.scores["episode scores"]
    return verdict(scores)


def verdict(scores: dict[str, Any]) -> dict[str, Any]:
    """What we compare: the outcome class, the Main Score and the request counts of an episode."""
    def number(value: Any) -> Any:
        if value is None:
            return None
        value = float(value)
        return None if math.isnan(value) else round(value, 4)

    outcome = "aborted" if scores.get("Aborted") else "success" if scores.get("Success") else "lose"
    return {"outcome": outcome, "Main Score": number(scores.get("Main Score")),
            **{name: number(scores.get(name)) for name in COUNTS}}


def _clembench_main(clembench: str, game_file: str) -> None:
    game = json.loads(Path(game_file).read_text(encoding="utf-8"))
    out = []
    for case in game["cases"]:
        try:
            out.append(_run_clembench(clembench, game, case))
        except Exception as error:  # a crash inside clembench is a finding too
            import traceback

            out.append({"outcome": "crash", "error": f"{type(error).__name__}: {error}"[:300]})
            print(traceback.format_exc(), file=sys.stderr)
    json.dump(out, sys.stdout)


# ------------------------------------------------------------------------------------------ our side

def play_ours(game: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    """Play one case through our env and return the same verdict."""
    sys.path.insert(0, str(ROOT))
    import llm_arena_env

    env = llm_arena_env.make(game["env_id"], instances=game["instances"], **game.get("env_kwargs", {}))
    env.reset(seed=0, options={"instance": (case["experiment"], case["game_id"])})
    queues = {role: list(replies) for role, replies in case["replies"].items()}
    roles = game.get("agent_roles", {})
    for _ in range(500):
        if env.unwrapped.result is not None:
            break
        queue = queues.get(roles.get(env.agent_selection, env.agent_selection), [])
        env.step(queue.pop(0) if queue else "")
    # the scores every seat's info carries at the end (Aborted included, which TextEnv adds there)
    scores = next((info["scores"] for info in env.infos.values() if "scores" in info), {})
    return verdict(scores)


def agreement(game: dict[str, Any]) -> dict[str, int]:
    """Per game: how many golden cases agree on outcome, Main Score and request counts."""
    row = {"cases": 0, "outcome": 0, "Main Score": 0, "requests": 0}
    for case in game["cases"]:
        if case.get("clembench", {}).get("outcome") in (None, "crash"):
            continue
        ours, theirs = play_ours(game, case), case["clembench"]
        row["cases"] += 1
        row["outcome"] += ours["outcome"] == theirs["outcome"]
        row["Main Score"] += _same(ours["Main Score"], theirs["Main Score"])
        row["requests"] += all(_same(ours[n], theirs[n]) for n in COUNTS)
        if ours != theirs:
            print(f"  {game['env_id']} {case['name']}: ours {ours} clembench {theirs}", file=sys.stderr)
    return row


def _same(a: Any, b: Any) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-3)


# ------------------------------------------------------------------------------------------ commands

def _nltk_env() -> dict[str, str]:
    """clembench's taboo downloads NLTK's English stop words at import; offline, our own list stands in
    (resources/taboo/stopwords.txt: the same function words), put where NLTK looks for it, with WordNet."""
    import os
    import tempfile

    home = Path(tempfile.gettempdir()) / "clembench_diff_nltk"
    target = home / "corpora" / "stopwords" / "english"
    target.parent.mkdir(parents=True, exist_ok=True)
    source = ROOT / "llm_arena_env" / "games" / "dialogue" / "resources" / "taboo" / "stopwords.txt"
    words = [w for line in source.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
             for w in line.split()]
    target.write_text("\n".join(words) + "\n", encoding="utf-8")
    _wordnet(home / "corpora" / "wordnet")
    return {**os.environ, "NLTK_DATA": str(home)}


# WordNet 3.0's lexicographer files (lexnames(5WN)): number, name, syntactic category. Debian's
# wordnet-base package has the database but not this index, which NLTK's reader opens first.
_LEXNAMES = ("adj.all 3, adj.pert 3, adv.all 4, noun.Tops 1, noun.act 1, noun.animal 1, noun.artifact 1, "
             "noun.attribute 1, noun.body 1, noun.cognition 1, noun.communication 1, noun.event 1, "
             "noun.feeling 1, noun.food 1, noun.group 1, noun.location 1, noun.motive 1, noun.object 1, "
             "noun.person 1, noun.phenomenon 1, noun.plant 1, noun.possession 1, noun.process 1, "
             "noun.quantity 1, noun.relation 1, noun.shape 1, noun.state 1, noun.substance 1, noun.time 1, "
             "verb.body 2, verb.change 2, verb.cognition 2, verb.communication 2, verb.competition 2, "
             "verb.consumption 2, verb.contact 2, verb.creation 2, verb.emotion 2, verb.motion 2, "
             "verb.perception 2, verb.possession 2, verb.social 2, verb.stative 2, verb.weather 2, adj.ppl 3")


def _wordnet(folder: Path, source: Path = Path("/usr/share/wordnet")) -> None:
    """clembench's codenames lemmatizes with NLTK's WordNet, which it downloads; offline, Debian's
    ``wordnet-base`` (apt-get install wordnet-base) has the same database files."""
    if not source.is_dir():
        print("note: no /usr/share/wordnet (apt-get install wordnet-base); codenames will crash", file=sys.stderr)
        return
    folder.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.is_file() and not (folder / path.name).exists():
            (folder / path.name).symlink_to(path)
    lines = [f"{i:02d}\t{entry.split()[0]}\t{entry.split()[1]}" for i, entry in enumerate(_LEXNAMES.split(", "))]
    (folder / "lexnames").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="scripts/clembench_diff.py")
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="run clembench on the cases of tests/golden/clembench/, keep its verdicts")
    rec.add_argument("--clembench", required=True, help="a clembench checkout")
    rec.add_argument("--clem-python", required=True, help="python of a venv with clemcore 3.3.x")
    rec.add_argument("games", nargs="*")
    cmp_ = sub.add_parser("compare", help="replay the golden cases through our envs; print the agreement table")
    cmp_.add_argument("games", nargs="*")
    inner = sub.add_parser("_clembench")
    inner.add_argument("clembench")
    inner.add_argument("game_file")
    args = parser.parse_args(argv)
    if args.command == "_clembench":
        _clembench_main(args.clembench, args.game_file)
        return
    if args.command == "record":
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for path in sorted(GOLDEN.glob("*.json")):
            if args.games and path.stem not in args.games:
                continue
            game = json.loads(path.read_text(encoding="utf-8"))
            done = subprocess.run([args.clem_python, __file__, "_clembench", args.clembench, str(path)],
                                  capture_output=True, text=True, check=True, cwd="/tmp", env=_nltk_env())
            for case, result in zip(game["cases"], json.loads(done.stdout)):
                case["clembench"] = result
            path.write_text(json.dumps(game, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"recorded {path.stem}: {len(game['cases'])} cases")
    print(f"{'game':28} {'cases':>5} {'outcome':>8} {'Main Score':>10} {'requests':>8}")
    for path in sorted(GOLDEN.glob("*.json")):
        name = path.stem
        if args.games and name not in args.games:
            continue
        row = agreement(json.loads(path.read_text(encoding="utf-8")))
        print(f"{name:28} {row['cases']:>5} {row['outcome']:>8} {row['Main Score']:>10} {row['requests']:>8}")


if __name__ == "__main__":
    main()
