"""The v2 driver's old names, for diff scripts written against them: everything lives in
``scripts/clembench_harness.py`` now (``Game(..., version=2)``); new scripts use that."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable

import clembench_harness as harness
from clembench_harness import COUNTS, _images, _number, load_benchmark, write  # noqa: F401  (old names)


def play(benchmark: Any, experiment: dict, instance: dict, replies: list[str], players: int,
         score_names: Iterable[str], roles: dict[str, str]) -> dict[str, Any]:
    return harness.play_v2(benchmark, experiment, instance, replies, players, score_names, roles)


def run(benchmark: Any, instances: Path, cases: harness.Cases, players: int, score_names: Iterable[str],
        roles: dict[str, str]) -> list[dict]:
    game = harness.Game(benchmark.game_name, "", cases, tuple(score_names), roles, version=2, players=players)
    return harness.run(benchmark, instances, game)


def main(doc: str, game: str, folder: str, cases: harness.Cases, players: int, score_names: Iterable[str],
         patch: Callable[[Any], None] = lambda benchmark: None, roles: dict[str, str] | None = None) -> None:
    harness.main(doc, harness.Game(game, folder, cases, tuple(score_names), roles or {}, version=2, players=players,
                                   patch=patch))
