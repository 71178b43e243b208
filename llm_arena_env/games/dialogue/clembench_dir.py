"""A clembench game directory -> the games here that play it, each with that directory's instance file.

clembench keeps each game in a folder with a ``clemgame.json`` (one game, or a list: ``wordle`` holds
three) and its instance sets under ``in/`` (``instances.json``, or the file the spec names under
``"instances"``)::

    >>> clembench_games("/path/to/clembench/wordle")                  # doctest: +SKIP
    [('dialogue/wordle', '/path/to/clembench/wordle/in/instances.json'),
     ('dialogue/wordle_withclue', '/path/to/clembench/wordle/in/instances_withclue.json'), ...]

``llm-arena run --clembench DIR`` plays every instance of every game found there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from llm_arena_env.games.dialogue.clembench_benchmark import KINDS, clembench_id


def clembench_games(directory: str | Path) -> list[tuple[str, str]]:
    """``(game id, instance file)`` for each game of the clembench game folder ``directory`` (a ValueError
    says what is missing or which game has no counterpart here)."""
    folder = Path(directory)
    spec_file = folder / "clemgame.json"
    if not spec_file.is_file():
        raise ValueError(f"{folder} is not a clembench game folder: it has no clemgame.json")
    specs = json.loads(spec_file.read_text(encoding="utf-8"))
    games = []
    for spec in specs if isinstance(specs, list) else [specs]:
        name = spec.get("game_name")
        game = clembench_id(str(name))
        if game is None:
            raise ValueError(f"clembench game {name!r} in {folder} has no counterpart here (none is registered "
                             f"as {' or '.join(f'{k}/{name}' for k in KINDS)})")
        path = folder / "in" / f"{spec.get('instances') or 'instances'}.json"
        if not path.is_file():
            raise ValueError(f"clembench game {name!r}: its instance file {path} is missing")
        games.append((game, str(path)))
    return games


def checkout_instances(folder: str, clembench: str | Path | None, instances: Any,
                       default: str = "instances.json") -> tuple[Path | None, Any]:
    """``(clembench, instances)`` of a game played from a clembench checkout: ``clembench=`` names the
    checkout, whose ``<folder>/in/<default>`` is the default instances; without it, an instances path
    ``<clembench>/<folder>/in/<file>.json`` implies the checkout."""
    if clembench is not None:
        if not (Path(clembench) / folder).is_dir():
            raise ValueError(f"clembench={str(clembench)!r} has no {folder} folder: give a clembench checkout")
        return Path(clembench), Path(clembench) / folder / "in" / default if instances is None else instances
    if isinstance(instances, (str, Path)) and Path(instances).resolve().parent.parent.name == folder:
        return Path(instances).resolve().parent.parent.parent, instances
    return None, instances
