"""Differential harness for adventuregame: clembench's own game master and scorer, fed scripted replies.

Runs in a venv with clemcore 3.3.x (the version clp-research/clembench pins) plus ``lark`` and ``jinja2``
(the game's own requirements) against a checkout of https://github.com/clp-research/clembench::

    /tmp/clemvenv/bin/python scripts/clembench_diff_adventuregame.py --clembench /path/to/clembench \\
        --instances llm_arena_env/games/dialogue/resources/adventuregame/instances.json \\
        --out tests/golden/clembench_v2/adventuregame.json

The instance file names its definition files; clembench's interpreter reads them from its game folder's
``resources/definitions``. For an instance file of ours (the shipped one), ``--definitions`` puts our
definition files there for the run (into a temporary copy of clembench's game folder); clembench's code is
not changed. The driver registers its recorder after the game master's setup, which logs the
``adventure_info`` record the scorer reads; the harness hands the scorer that record, made from the instance
as the game master makes it.

Per instance: the optimal commands then "> done" (the perfect player), "> done" at once, half the commands
then done, the goal reached and then undone, the turn limit, each format break (no ">", no ">" saying
"done", a missing plan line in the planning variant, after some moves), a list of rule breaks (an unknown
verb, a verb alone, an unknown thing, a room taken, a thing in another room, taking from the inventory,
punctuation, going where one is...) before the perfect play, the perfect play with a rule broken after
each step (opening twice, taking twice, taking from the inventory...), every take before any put (the
inventory limit), and seeded random commands drawn from the
instance's own words (each with a random plan in the planning variant). ``tests/test_adventuregame.py``
replays the file through ``dialogue/adventuregame``.

The texts the player was shown are left empty in the file (see ``drop_texts``). With ``--v3`` it plays clembench v3's game master (clembench/clembench, in a clemcore 3.7 venv) instead.
With ``--commands-out PATH`` (instead of ``--out``) it records clembench's grammar's reading of seeded
random word sequences instead (``tests/golden/clembench_v2/adventuregame_commands.json``).
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
from pathlib import Path

import clembench_v2_driver as driver

SCORES = ("Main Score", "Aborted", "Lose", "Success", "hallucination_count", "action_parsing_fail",
          "action_resolution_fail", "lark_exception", "malformed_command", "undefined_action_verb",
          "undefined_action", "undefined_repr_str", "manipulating_room", "undefined_argument_type",
          "taking_from_inventory", "other_room_argument", "domain_trait_type_mismatch", "domain_type_discrepancy",
          "world_state_discrepancy", "entity_not_accessible", "entity_state_mismatch", "entity_trait_mismatch",
          "entity_already_inventory", "going_to_current_room", "no_exit_to", "inventory_limit_exceeded",
          "successful_actions", "turn_limit_loss", "turns_over_par", "turn_ratio", "finish_speed",
          "achieved_goal_ratio", "plan_followed_ratio", "plan_average_viability_ratio", "bad_plan_follow_ratio",
          "bad_plan_dismiss_ratio")

RULE_BREAKS = ["fly away", "take", "take unicorn", "take the big red thing", "go to", "take plate?", "look around",
               "examine inventory", "done now", "grab", "open the", "put nothing on the floor"]
VERBS = ["take", "put", "open", "close", "go", "examine", "go to", "take the", "pick up", "drop", "check",
         "enter", "grab", "place", "eat", "look at", "push"]


def _names(instance: dict) -> list[str]:
    """The words the instance's own commands use for things and rooms, plus a few more."""
    names = set()
    for command in instance.get("optimal_commands", []):
        words = command.split(" ", 1)[1:]
        for part in words:
            for piece in part.replace(" on ", "|").replace(" in ", "|").split("|"):
                names.add(piece.strip())
    return sorted(names | {"inventory", "floor", "you", "table", "refrigerator", "cupboard", "kitchen", "bedroom"})


def _reply(command: str, plan: list[str] | None) -> str:
    return f"> {command}" if plan is None else f"> {command}\nNext actions: {', '.join(plan) or 'done'}"


def cases(experiment: dict, instance: dict) -> dict[str, list[str]]:
    planning = instance.get("variant") == "plan"
    optimal = list(instance["optimal_commands"])
    max_turns = int(instance["max_turns"])

    def play(commands: list[str], plans: list[list[str]] | None = None) -> list[str]:
        if not planning:
            return [_reply(c, None) for c in commands]
        plans = plans or [commands[i + 1:i + 3] for i in range(len(commands))]
        return [_reply(c, p) for c, p in zip(commands, plans)]

    rng = random.Random(f"{experiment['name']}/{instance['game_id']}")
    names = _names(instance)
    out = {
        "perfect": play(optimal + ["done"]),
        "done_at_once": play(["done"]),
        "half_then_done": play(optimal[:len(optimal) // 2] + ["done"]),
        "rule_breaks_then_perfect": play(RULE_BREAKS + optimal + ["done"]),
        "goal_undone": play(optimal + [optimal[-1].replace("put", "take").split(" on ")[0].split(" in ")[0], "done"]),
        "turn_limit": play(["examine " + names[0]] * max_turns),
        "format_no_tag": ["take the " + names[0]],
        "format_no_tag_done": ["I am done"],
        "format_after_moves": play(optimal[:3]) + [optimal[3] if len(optimal) > 3 else "done"],
    }
    fumbling = []
    for command in optimal:  # each step, then what breaks a rule right after it
        fumbling.append(command)
        verb, _, rest = command.partition(" ")
        thing = rest.split(" on ")[0].split(" in ")[0]
        if verb == "open":
            fumbling += [command, f"close {thing}", f"close {thing}", command]
        elif verb == "take":
            fumbling += [command, f"take {thing} from inventory", f"examine {thing}", f"put {thing} in {thing}"]
        elif verb == "go":
            fumbling += [command, f"examine {thing}", f"take {thing}"]
    out["fumbling_then_done"] = play(fumbling + ["done"])
    # every take on the optimal way, no put: the inventory fills (the invlimit experiments' limit)
    out["greedy"] = play([c for c in optimal if not c.startswith("put")] + [c for c in optimal if c.startswith("put")] + ["done"])
    if planning:
        out["format_no_plan"] = ["> " + optimal[0]]
        out["format_plan_later"] = play(optimal[:2]) + ["> " + optimal[2]]
        # a reply with "done" anywhere needs no plan line; it keeps the last plan (a first one would make
        # clembench's game master fail with an IndexError: no plan yet)
        out["plan_done_in_text"] = play(optimal[:1]) + ["> " + optimal[1] + " (done soon)"] + play(optimal[2:] + ["done"])
        out["stale_plan_done"] = play(optimal[:2]) + ["> done"]
        out["plans_followed_badly"] = play(optimal + ["done"], [["fly away"]] * (len(optimal) + 1))
    for k in range(3):
        commands = [f"{rng.choice(VERBS)} {rng.choice(names)}" + (f" on {rng.choice(names)}" if rng.random() < 0.3 else "")
                    for _ in range(rng.randint(5, 15))]
        plans = [[f"{rng.choice(VERBS)} {rng.choice(names)}" for _ in range(rng.randint(1, 3))] for _ in commands]
        mixed = commands + optimal + ["done"]
        out[f"random_{k}"] = play(mixed, plans + [optimal[i + 1:i + 3] for i in range(len(optimal) + 1)] if planning else None)
    return out


def patch_scorer(benchmark) -> None:
    """Give the scorer the ``adventure_info`` record that the game master logs at setup, before the driver's
    recorder is registered (the record as the game master makes it, from the instance)."""
    create = benchmark.create_game_scorer

    def create_game_scorer(experiment: dict, instance: dict):
        scorer = create(experiment, instance)
        compute = scorer.compute_scores
        info = {"variant": instance["variant"], "max_turns": instance["max_turns"],
                "optimal_turns": instance["optimal_turns"], "goal_count": len(set(instance["goal_state"]))}
        scorer.compute_scores = lambda interactions: compute({**interactions, "adventure_info": info})
        return scorer

    benchmark.create_game_scorer = create_game_scorer


def record_commands(game_folder: Path, instances: Path, out: Path, count: int = 1500) -> None:
    """clembench's reading of seeded random word sequences (its grammar, built from the definitions of the
    first instance): ``[[command, parse or null], ...]``, null where lark fails."""
    import json

    sys.path.insert(0, str(game_folder))
    from if_wrapper import AdventureIFInterpreter

    instance = json.loads(instances.read_text())["experiments"][0]["game_instances"][0]
    interpreter = AdventureIFInterpreter(str(game_folder), instance)
    entities = [e["repr_str"] for f in instance["entity_definitions"]
                for e in json.loads((game_folder / "resources" / "definitions" / f).read_text())]
    adjectives = sorted({a for f in instance["entity_definitions"]
                         for e in json.loads((game_folder / "resources" / "definitions" / f).read_text())
                         for a in e.get("possible_adjs", [])})
    words = sorted(set(" ".join(VERBS + entities + adjectives).split()) | {"a", "an", "the", "to", "back", "on", "in",
                                                                          "from", "out", "of", "into", "up", "xyz"})
    rng = random.Random(0)

    def phrase() -> list[str]:  # [determiner] [adjectives] a name, sometimes with a stray word
        out = [rng.choice(["the", "a", "an"])] if rng.random() < 0.4 else []
        out += [rng.choice(adjectives) for _ in range(rng.choice([0, 0, 1, 2]))] if adjectives else []
        out += [rng.choice(entities + ["xyz"])]
        return out + ([rng.choice(words)] if rng.random() < 0.15 else [])

    commands = {" ".join(rng.choice(words) for _ in range(rng.randint(1, 6))) for _ in range(count // 2)}
    for _ in range(count // 2):  # shaped like commands: verb, [preposition], phrase, [preposition phrase]
        parts = [rng.choice(VERBS)] + ([rng.choice(["up", "out", "to", "back"])] if rng.random() < 0.2 else [])
        parts += phrase()
        if rng.random() < 0.5:
            parts += [rng.choice(["on", "in", "from", "out of", "into", "back on"])] + phrase()
        commands.add(" ".join(parts))
    commands = sorted(commands)
    rows = []
    for command in commands:
        try:
            parsed = interpreter.act_transformer.transform(interpreter.act_parser.parse(command))
            parsed = {k: v for k, v in parsed.items() if not k.endswith("_adjs")}  # the interpreter never reads them
        except Exception:  # lark's own exceptions: no reading
            parsed = None
        rows.append([command, parsed])
    out.write_text(json.dumps({"instances": instances.name, "commands": rows}, indent=0) + "\n")
    print(f"wrote {out}: {len(rows)} commands")


def main() -> None:
    argv = sys.argv[1:]
    definitions = None
    if "--definitions" in argv:
        at = argv.index("--definitions")
        definitions = Path(argv[at + 1])
        del argv[at:at + 2]
    clembench = Path(argv[argv.index("--clembench") + 1])
    if definitions is not None:  # a copy of clembench's game folder whose definitions are ours
        work = Path(tempfile.mkdtemp(prefix="adventuregame-"))
        shutil.copytree(clembench / "adventuregame", work / "adventuregame")
        shutil.rmtree(work / "adventuregame" / "resources" / "definitions")
        shutil.copytree(definitions, work / "adventuregame" / "resources" / "definitions")
        argv[argv.index("--clembench") + 1] = str(work)
    if "--commands-out" in argv:  # the grammar's readings only, no episodes
        at = argv.index("--commands-out")
        game = Path(argv[argv.index("--clembench") + 1]) / "adventuregame"
        record_commands(game, Path(argv[argv.index("--instances") + 1]), Path(argv[at + 1]))
        return
    if "--v3" in argv:  # clembench v3 (clemcore 3.7.x) plays the same instance format
        import clembench_v3_driver as v3

        argv.remove("--v3")
        game = Path(argv[argv.index("--clembench") + 1])
        instances, out = Path(argv[argv.index("--instances") + 1]), Path(argv[argv.index("--out") + 1])
        benchmark = v3.load_benchmark(game, "adventuregame")
        patch_scorer(benchmark)
        v3.write(out, "adventuregame", instances, v3.run(benchmark, instances, cases, ("adventurer",), SCORES))
        drop_texts(out)
        return
    sys.argv[1:] = argv
    driver.main(__doc__, "adventuregame", "adventuregame", cases, 1, SCORES, patch=patch_scorer)
    drop_texts(Path(argv[argv.index("--out") + 1]))


def drop_texts(out: Path) -> None:
    """Empty the texts the player was shown (ours are our own descriptions, compared by nothing; clembench's
    would only make the file large) and write one case a line."""
    import json

    data = json.loads(out.read_text(encoding="utf-8"))
    for case in data["cases"]:
        for seen in case["seen"]:
            seen["context"] = ""
    cases = ",\n".join(json.dumps(case, ensure_ascii=False) for case in data.pop("cases"))  # a case a line
    head = json.dumps(data, ensure_ascii=False)[:-1]
    out.write_text(f'{head}, "cases": [\n{cases}\n]}}\n', encoding="utf-8")


if __name__ == "__main__":
    main()
