"""clembench's benchmark list (which games each version counts), the games here that play them, and the
clemscore table's word on the ones it lacks.

The list is clembench's own: the ``benchmark`` field of every ``clemgame.json`` (clp-research/clembench for
2.0 and multimodal_2.0, clembench/clembench at adff278 for 3.0). With CLEMBENCH_V3 (and CLEMBENCH_V2) naming
checkouts, the test reads them and compares; the counts below are pinned either way."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

import llm_arena_env
from llm_arena_env import registry
from llm_arena_env.arena.bench_cli import clem_table, format_clem_table
from llm_arena_env.games.dialogue.clembench_benchmark import VERSIONS, benchmark_games, clembench_id, coverage
from llm_arena_env.games.dialogue.clembench_dir import clembench_games

# Games other helpers are adding in parallel; every other game clembench's benchmark counts is here.
PENDING = {"adventuregame", "matchit", "multimodal_referencegame"}


def test_the_pinned_list_has_clembenchs_counts_and_games():
    assert {v: len(games) for v, games in VERSIONS.items()} == {"2.0": 14, "multimodal_2.0": 5, "3.0": 17}
    assert {"dond", "hot_air_balloon", "clean_up"} <= set(VERSIONS["3.0"]) - set(VERSIONS["2.0"])
    uncounted = {"cloudgame", "mm_clean_up", "hybrid_clean_up", "st_clean_up", "hellogame", "bbh", "mmlu_pro"}
    assert not uncounted & {g for games in VERSIONS.values() for g in games}


@pytest.mark.parametrize("variable, versions", [("CLEMBENCH_V3", ("3.0",)), ("CLEMBENCH_V2", ("2.0", "multimodal_2.0"))])
def test_the_pinned_list_is_what_the_checkout_marks(variable, versions):
    checkout = os.environ.get(variable)
    if not checkout:
        pytest.skip(f"set {variable} to a clembench checkout to compare with its clemgame.json files")
    marked: dict[str, set[str]] = {v: set() for v in versions}
    for path in Path(checkout).rglob("clemgame.json"):
        specs = json.loads(path.read_text(encoding="utf-8"))
        for spec in specs if isinstance(specs, list) else [specs]:
            for version in set(spec.get("benchmark", [])) & set(versions):
                marked[version].add(spec["game_name"])
    assert marked == {v: set(VERSIONS[v]) for v in versions}


def test_every_game_clembench_counts_is_here_but_those_being_added():
    _, missing = benchmark_games()
    assert set(missing) <= PENDING
    ids, _ = benchmark_games("3.0")
    assert {"dialogue/dond", "dialogue/hot_air_balloon", "dialogue/clean_up", "grid/textmapworld"} <= set(ids)
    with pytest.raises(ValueError, match="no clembench benchmark '9.9'"):
        benchmark_games("9.9")


def test_a_game_joins_the_benchmark_by_being_registered_under_its_clembench_name(monkeypatch):
    taboo = llm_arena_env.spec("dialogue/taboo")
    monkeypatch.setitem(registry._registry, "dialogue/adventuregame", dataclasses.replace(taboo, id="dialogue/adventuregame"))
    assert clembench_id("adventuregame") == "dialogue/adventuregame"
    ids, missing = benchmark_games("2.0")
    assert "dialogue/adventuregame" in ids and "adventuregame" not in missing


def test_clembench_folders_of_the_variants_map_to_their_games(tmp_path):
    folder = tmp_path / "clean_up"
    (folder / "in").mkdir(parents=True)
    names = ["clean_up", "mm_clean_up", "hybrid_clean_up", "st_clean_up"]
    (folder / "clemgame.json").write_text(json.dumps(
        [{"game_name": n, **({"instances": f"{n.removesuffix('_clean_up')}_instances"} if n != "clean_up" else {})}
         for n in names]), encoding="utf-8")
    for name in ("instances", "mm_instances", "hybrid_instances", "st_instances"):
        (folder / "in" / f"{name}.json").write_text("{}", encoding="utf-8")
    assert [game for game, _ in clembench_games(folder)] == [f"dialogue/{n}" for n in names]


def _episode(game: str, score: float) -> dict:
    return {"game": game, "seed": 0, "agents": {"p": "m"}, "steps": [], "outcomes": {"p": "success"}, "rewards": {},
            "scores": {"Aborted": 0, "Success": 1, "Main Score": score}, "end_reason": "game_over", "end_detail": "",
            "num_steps": 0}


def test_the_clemscore_table_names_the_benchmarks_games_it_lacks():
    table = clem_table([_episode(g, 50.0) for g in benchmark_games("3.0")[0] if g != "dialogue/dond"])
    assert table["benchmark"]["3.0"]["without_episodes"] == ["dialogue/dond"]
    assert set(table["benchmark"]["3.0"]["not_here"]) <= PENDING
    assert "multimodal_2.0" not in table["benchmark"]  # no multimodal game was played
    text = format_clem_table(table, "table")
    assert "clembench 3.0 also counts: dialogue/dond" in text
    assert coverage([]) == {}
