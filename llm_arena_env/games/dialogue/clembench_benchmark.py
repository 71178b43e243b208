"""clembench's benchmark: the games each of its versions counts, and the games here that play them.

clembench marks a game's benchmark versions in its ``clemgame.json`` (``"benchmark": ["2.0", "3.0"]``).
:data:`VERSIONS` is that list as clembench's repositories have it: clp-research/clembench for 2.0 (text)
and multimodal_2.0, clembench/clembench (commit adff278) for 3.0; games marked with no version (cloudgame,
the clean_up variants) and the static benchmarks (bbh, mmlu_pro, ...) are not counted.

A clembench game is played here by the registered game of the same name, ``dialogue/<name>`` or
``grid/<name>``: a game joins the benchmark by being registered under its clembench name, nothing here
lists the ids.

    >>> benchmark_games("3.0")                                          # doctest: +SKIP
    (['dialogue/clean_up', 'dialogue/codenames', ...], ['adventuregame'])
"""

from __future__ import annotations

from typing import Iterable

VERSIONS: dict[str, tuple[str, ...]] = {
    "2.0": ("adventuregame", "codenames", "guesswhat", "imagegame", "matchit_ascii", "privateshared",
            "referencegame", "taboo", "textmapworld", "textmapworld_graphreasoning", "textmapworld_specificroom",
            "wordle", "wordle_withclue", "wordle_withcritic"),
    "multimodal_2.0": ("matchit", "mm_mapworld", "mm_mapworld_graphs", "mm_mapworld_specificroom",
                       "multimodal_referencegame"),
    "3.0": ("adventuregame", "clean_up", "codenames", "dond", "guesswhat", "hot_air_balloon", "imagegame",
            "matchit_ascii", "privateshared", "referencegame", "taboo", "textmapworld", "textmapworld_graphreasoning",
            "textmapworld_specificroom", "wordle", "wordle_withclue", "wordle_withcritic"),
}
KINDS = ("dialogue", "grid")  # the kinds of game a clembench game is registered under


def clembench_id(name: str) -> str | None:
    """The registered game that plays clembench's game ``name``, or None."""
    import llm_arena_env

    ids = {spec.id for spec in llm_arena_env.list_games()}
    return next((f"{kind}/{name}" for kind in KINDS if f"{kind}/{name}" in ids), None)


def benchmark_games(versions: str | Iterable[str] | None = None) -> tuple[list[str], list[str]]:
    """``(game ids here, clembench names not here)`` of the games the benchmark ``versions`` count (one
    version, several, or None for every version), each once, in clembench's order."""
    chosen = list(VERSIONS) if versions is None else [versions] if isinstance(versions, str) else list(versions)
    unknown = [v for v in chosen if v not in VERSIONS]
    if unknown:
        raise ValueError(f"no clembench benchmark {unknown[0]!r}; its versions: {', '.join(VERSIONS)}")
    names = list(dict.fromkeys(name for v in chosen for name in VERSIONS[v]))
    found = {name: clembench_id(name) for name in names}
    return [i for i in found.values() if i], [name for name, i in found.items() if i is None]


def coverage(games: Iterable[str]) -> dict[str, dict[str, list[str]]]:
    """Per benchmark version of which ``games`` (ids) hold any: the games it counts that are not among
    them (``without_episodes``, ids) and those not here at all (``not_here``, clembench's names)."""
    games = set(games)
    found = {}
    for version in VERSIONS:
        ids, missing = benchmark_games(version)
        if games & set(ids):
            found[version] = {"without_episodes": [g for g in ids if g not in games], "not_here": missing}
    return found


def coverage_notes(found: dict[str, dict[str, list[str]]]) -> list[str]:
    """One line per version of :func:`coverage` that counts games the table lacks."""
    return [f"clembench {version} also counts: {', '.join(c['without_episodes'] + c['not_here'])}"
            for version, c in found.items() if c["without_episodes"] or c["not_here"]]


__all__ = ["VERSIONS", "benchmark_games", "clembench_id", "coverage", "coverage_notes"]
