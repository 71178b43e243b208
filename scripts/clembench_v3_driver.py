"""The v3 driver's old names, for diff scripts written against them: everything lives in
``scripts/clembench_harness.py`` now (``Game(..., version=3)``); new scripts use that."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable

import clembench_harness as harness
from clembench_harness import COUNTS, _number, hide_text, load_benchmark, write  # noqa: F401  (old names)


def play(benchmark: Any, experiment: dict, instance: dict, replies: list[str], roles: tuple[str, ...],
         score_names: Iterable[str]) -> dict[str, Any]:
    return harness.play_v3(benchmark, experiment, instance, replies, roles, score_names)


def run(benchmark: Any, instances: Path, cases: harness.Cases, roles: tuple[str, ...], score_names: Iterable[str],
        first: int | None = None) -> list[dict]:
    game = harness.Game(benchmark.game_name, "", cases, tuple(score_names), roles)
    return harness.run(benchmark, instances, game, first)


def main(doc: str, game: str, folder: str, cases: harness.Cases, roles: tuple[str, ...], score_names: Iterable[str],
         *, variants: Iterable[str] = (), patch: Callable[[Any], None] = lambda benchmark: None) -> None:
    harness.main(doc, harness.Game(game, folder, cases, tuple(score_names), roles, patch=patch, variants=tuple(variants)))
