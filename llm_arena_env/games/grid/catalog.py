"""Registers the grid games. Entry points are lazy: minigrid and the level generators load on ``make``."""

from __future__ import annotations

from typing import Callable

ALL_MODES = ("text", "image", "text+image", "tensor")
FREE_TEXT_MODES = ("text", "image", "text+image")  # a game with free-text replies has no tensor form
_MAPWORLD = "llm_arena_env.games.grid.mapworld.env:MapWorldEnv"
_WALKER = "llm_arena_env.games.grid.mapworld.env:scripted_move"


def register_grid_games(register: Callable[..., object]) -> None:
    """Add every grid game to the registry through ``register`` (the registry's own function)."""
    register(
        "grid/textmapworld", _MAPWORLD, kind="grid", players=(1,), observation_modes=ALL_MODES,
        description="Explore a seeded map of named rooms with GO: <direction> and DONE; "
                    "scored on exploration, efficiency and their harmonic mean.",
        scripted_player=_WALKER,
    )
    register(
        "grid/textmapworld_graphreasoning", _MAPWORLD, kwargs={"ask_graph": True}, kind="grid", players=(1,),
        observation_modes=FREE_TEXT_MODES,
        description="Text map world in which the player also reports the graph of rooms it has explored; "
                    "the report is scored against the true explored graph.",
        scripted_player=_WALKER,
    )
    register(
        "grid/textmapworld_specificroom", _MAPWORLD, kwargs={"task": "find"}, kind="grid", players=(1,),
        observation_modes=ALL_MODES,
        description="Text map world in which the player must find a named room and say DONE there.",
        scripted_player=_WALKER,
    )
    register(
        "grid/mapworld", "llm_arena_env.games.grid.mapworld.two_roles:make_mapworld",
        kwargs={"observation_mode": "image"}, kind="grid", players=(1, 2), observation_modes=ALL_MODES,
        description="Find a room in a house whose rooms are pictures: alone (roles=1, the walker sees each room) "
                    "or as a team (roles=2, a describer sees the room and tells the walker; no tensor form).",
        scripted_player="llm_arena_env.games.grid.mapworld.two_roles:scripted_move",
    )
    register(
        "grid/sokoban", "llm_arena_env.games.grid.sokoban.env:SokobanEnv", kind="grid", players=(1,),
        observation_modes=ALL_MODES,
        description="Sokoban on seeded levels solvable by construction, with deadlock detection and an "
                    "optimal solver for scoring.",
        scripted_player="llm_arena_env.games.grid.sokoban.env:scripted_move",
    )
    register(
        "grid/babyai", "llm_arena_env.games.grid.babyai:BabyAIEnv", kind="grid", players=(1,),
        observation_modes=ALL_MODES,
        description="BabyAI missions (go to, pick up, open, put next to) on the minigrid package, with a text "
                    "description of the agent's view and minigrid's own pictures.",
        scripted_player="llm_arena_env.games.grid.babyai:scripted_move",
    )
