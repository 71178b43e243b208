"""Instance sets: the game setups a dialogue game draws its episodes from.

Files use clembench's ``instances.json`` layout, so a clembench instance file for the same game loads as is::

    {"experiments": [{"name": "high_en", <experiment parameters>,
                      "game_instances": [{"game_id": 0, <instance fields>}, ...]}, ...]}

Each game ships its generated set under ``llm_arena_env/games/dialogue/resources/<game>/instances.json``;
``make(id, instances=PATH_OR_DICT)`` plays a user's set instead. ``reset(options={"instance": X})`` picks
one: X is an instance dict, an index into the whole set, or ``(experiment name, game_id)``; without it the
env draws one with its seeded RNG.

Generators: every game module defines ``generate_instances(seed: int = 0) -> dict`` (this layout), listed
in :data:`GENERATORS`. The shipped files are (re)made with::

    python -m llm_arena_env.games.dialogue.instances generate [GAME ...] [--seed 0]
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from llm_arena_env.core.extras import require

RESOURCES = Path(__file__).parent / "resources"


def load_resource(game: str, filename: str) -> dict[str, Any]:
    """A curated JSON resource of ``game``, without its ``"_"``-prefixed entries (notes for people)."""
    data = json.loads((RESOURCES / game / filename).read_text(encoding="utf-8"))
    return {key: value for key, value in data.items() if not key.startswith("_")}


def english_zipf(word: str) -> float:
    """wordfreq's Zipf frequency of ``word`` in English (0 for an unknown word); needs the ``words`` extra."""
    wordfreq = require("wordfreq", extra="words", purpose="generating word-game instances (word frequencies)")
    return wordfreq.zipf_frequency(word, "en")


def frequency_bands(
    words: Sequence[str], bands: Sequence[tuple[str, float, float]], per_band: int, rng: Any
) -> list[tuple[str, list[str]]]:
    """For each ``(name, low, high)`` Zipf-frequency band (wordfreq, English), ``per_band`` of ``words``
    in it, drawn with ``rng`` (a ``random.Random``): the experiments of clembench's word games."""
    chosen = []
    for name, low, high in bands:
        pool = sorted(w for w in words if low <= english_zipf(w) < high)
        chosen.append((name, rng.sample(pool, min(per_band, len(pool)))))
    return chosen

#: game name -> "module:function" of its instance generator.
GENERATORS = {
    "taboo": "llm_arena_env.games.dialogue.taboo:generate_instances",
    "wordle": "llm_arena_env.games.dialogue.wordle:generate_instances",
    "wordle_withclue": "llm_arena_env.games.dialogue.wordle:generate_withclue_instances",
    "wordle_withcritic": "llm_arena_env.games.dialogue.wordle:generate_withcritic_instances",
    "referencegame": "llm_arena_env.games.dialogue.referencegame:generate_instances",
    "imagegame": "llm_arena_env.games.dialogue.imagegame:generate_instances",
    "privateshared": "llm_arena_env.games.dialogue.privateshared:generate_instances",
    "codenames": "llm_arena_env.games.dialogue.codenames:generate_instances",
    "guesswhat": "llm_arena_env.games.dialogue.guesswhat:generate_instances",
    "matchit_ascii": "llm_arena_env.games.dialogue.matchit:generate_instances",
    "dond": "llm_arena_env.games.dialogue.dond:generate_instances",
    "hot_air_balloon": "llm_arena_env.games.dialogue.hot_air_balloon:generate_instances",
    "clean_up": "llm_arena_env.games.dialogue.clean_up:generate_instances",
    "adventuregame": "llm_arena_env.games.dialogue.adventuregame:generate_instances",
    "cloudgame": "llm_arena_env.games.dialogue.cloudgame:generate_instances",
    "mm_mapworld": "llm_arena_env.games.dialogue.mm_mapworld:generate_instances",
    "mm_mapworld_specificroom": "llm_arena_env.games.dialogue.mm_mapworld_specificroom:generate_instances",
    "mm_mapworld_graphs": "llm_arena_env.games.dialogue.mm_mapworld_graphs:generate_instances",
    "multimodal_referencegame": "llm_arena_env.games.dialogue.multimodal_referencegame:generate_instances",
    "matchit": "llm_arena_env.games.dialogue.matchit_images:generate_instances",
}


@dataclass(frozen=True)
class Experiment:
    """One experiment: its parameters (every key but ``game_instances``) and its instances."""

    name: str
    params: Mapping[str, Any]
    instances: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class InstanceSet:
    """The experiments of one game, in file order."""

    experiments: tuple[Experiment, ...]

    def __len__(self) -> int:
        return sum(len(e.instances) for e in self.experiments)

    def entries(self) -> list[tuple[Experiment, Mapping[str, Any]]]:
        """Every (experiment, instance) pair, in file order: what an int index counts through."""
        return [(e, instance) for e in self.experiments for instance in e.instances]

    def find(self, experiment: str, game_id: Any) -> tuple[Experiment, Mapping[str, Any]]:
        for exp in self.experiments:
            if exp.name == experiment:
                for instance in exp.instances:
                    if instance.get("game_id") == game_id:
                        return exp, instance
                raise ValueError(f"experiment {experiment!r} has no game_id {game_id!r}")
        names = ", ".join(repr(e.name) for e in self.experiments)
        raise ValueError(f"no experiment {experiment!r}; this set has {names}")

    def to_dict(self) -> dict[str, Any]:
        return {"experiments": [{"name": e.name, **e.params, "game_instances": [dict(i) for i in e.instances]}
                                for e in self.experiments]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "InstanceSet":
        """Read clembench's layout; a bare list of instances is one experiment named "default"."""
        if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
            data = {"experiments": [{"name": "default", "game_instances": list(data)}]}
        if not isinstance(data, Mapping) or not isinstance(data.get("experiments"), list):
            raise ValueError("an instance set is {'experiments': [{'name': ..., 'game_instances': [...]}, ...]}")
        experiments = []
        for index, exp in enumerate(data["experiments"]):
            instances = exp.get("game_instances") if isinstance(exp, Mapping) else None
            if not isinstance(instances, list) or not all(isinstance(i, Mapping) for i in instances):
                raise ValueError(f"experiment {index} needs a list of instance dicts under 'game_instances'")
            params = {k: v for k, v in exp.items() if k not in ("name", "game_instances")}
            experiments.append(Experiment(str(exp.get("name", index)), params, tuple(instances)))
        return cls(tuple(experiments))


def load_instances(source: "str | Path | Mapping[str, Any] | Sequence[Any] | InstanceSet") -> InstanceSet:
    """An instance set from a file path, a dict in clembench's layout, a list of instances, or a set."""
    if isinstance(source, InstanceSet):
        return source
    if isinstance(source, (str, Path)):
        with open(source, encoding="utf-8") as file:
            return InstanceSet.from_dict(json.load(file))
    return InstanceSet.from_dict(source)


@functools.lru_cache(maxsize=None)
def shipped_instances(game: str) -> InstanceSet:
    """The instance set the package ships for ``game`` (empty if there is none)."""
    path = RESOURCES / game / "instances.json"
    return load_instances(path) if path.exists() else InstanceSet(())


def choose(instances: InstanceSet, choice: Any, rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(experiment params, instance)`` for a reset's ``instance`` option (see the module docstring)."""
    if isinstance(choice, Mapping):
        return {}, dict(choice)
    entries = instances.entries()
    if choice is None:
        if not entries:
            return {}, {}
        experiment, instance = entries[int(rng.integers(len(entries)))]
    elif isinstance(choice, (int, np.integer)) and not isinstance(choice, bool):
        if not -len(entries) <= choice < len(entries) or not entries:
            raise ValueError(f"instance index {choice} is out of range: this set has {len(entries)} instances")
        experiment, instance = entries[int(choice)]
    elif isinstance(choice, (tuple, list)) and len(choice) == 2:
        experiment, instance = instances.find(str(choice[0]), choice[1])
    else:
        raise ValueError("options['instance'] is an instance dict, an index, or (experiment name, game_id); "
                         f"got {choice!r}")
    return {"name": experiment.name, **experiment.params}, dict(instance)


def generate(game: str, seed: int = 0) -> dict[str, Any]:
    """Run ``game``'s instance generator."""
    module_name, _, function = GENERATORS[game].partition(":")
    return getattr(importlib.import_module(module_name), function)(seed=seed)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m llm_arena_env.games.dialogue.instances")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write resources/<game>/instances.json")
    gen.add_argument("games", nargs="*", help=f"default: all of {', '.join(GENERATORS)}")
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--out", type=Path, default=RESOURCES, help="folder that gets <game>/instances.json")
    args = parser.parse_args(argv)
    for game in args.games or list(GENERATORS):
        if game not in GENERATORS:
            parser.error(f"unknown game {game!r}")
        data = generate(game, args.seed)
        path = args.out / game / "instances.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {path} ({len(load_instances(data))} instances)")


if __name__ == "__main__":
    main()
