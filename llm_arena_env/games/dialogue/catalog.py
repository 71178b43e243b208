"""The dialogue games of the registry: ``make("dialogue/<name>")``, kind "dialogue".

Every game of :data:`DIALOGUE_GAMES` is registered; its module is imported when the game is first made
(a missing module is an error there, never a game silently left out: tests/test_registry.py pins the ids).
"""

from __future__ import annotations

from typing import Any, Callable

_PACKAGE = "llm_arena_env.games.dialogue"

# id, "module:class", players (one count), observation modes, description
DIALOGUE_GAMES: tuple[tuple[str, str, int, tuple[str, ...], str], ...] = (
    ("taboo", "taboo:TabooEnv", 2, ("text",),
     "clembench taboo: a describer gives CLUE:s without the target or related words, a guesser GUESS:es; 3 rounds."),
    ("wordle", "wordle:WordleEnv", 1, ("text",),
     "clembench wordle: guess a 5-letter word in 6 tries from letter-colour feedback."),
    ("wordle_withclue", "wordle:WordleWithClueEnv", 1, ("text",),
     "clembench wordle with a clue about the target word."),
    ("wordle_withcritic", "wordle:WordleWithCriticEnv", 2, ("text",),
     "clembench wordle with a clue and a critic who agrees or disagrees before each guess is committed."),
    ("referencegame", "referencegame:ReferenceGameEnv", 2, ("text", "image", "text+image"),
     "clembench reference game: describe the target among three 5x5 grids, the other player picks it."),
    ("imagegame", "imagegame:ImageGameEnv", 2, ("text",),
     "clembench image game: a giver describes a 5x5 letter grid step by step, a follower redraws it."),
    ("privateshared", "privateshared:PrivateSharedEnv", 1, ("text",),
     "clembench private/shared: answer slot questions and yes/no probes about what is private and shared."),
    ("codenames", "codenames:CodenamesEnv", 2, ("text",),
     "clembench codenames: a cluegiver and a guesser against a scripted opponent team."),
    ("guesswhat", "guesswhat:GuessWhatEnv", 2, ("text",),
     "clembench guess what: yes/no questions or a guess among 8 candidate words."),
    ("matchit_ascii", "matchit:MatchItEnv", 2, ("text",),
     "clembench match it (ASCII): two players ask each other about their grids and decide if they are the same."),
    ("dond", "dond:DondEnv", 2, ("text",),
     "clembench v3 Deal or No Deal: negotiate how to split items valued differently, then make secret proposals."),
    ("hot_air_balloon", "hot_air_balloon:HotAirBalloonEnv", 2, ("text",),
     "clembench v3 hot air balloon: agree on which items stay aboard under a weight limit, by tagged proposals."),
    ("clean_up", "clean_up:CleanUpEnv", 2, ("text",),
     "clembench v3 clean up (text): align the objects on two hidden grids by messages and moves."),
    ("adventuregame", "adventuregame:AdventureGameEnv", 1, ("text",),
     "clembench adventuregame: a text adventure; reach the goal facts by > commands (go, open, take, put...), then > done."),
    ("st_clean_up", "clean_up_variants:StCleanUpEnv", 2, ("text",),
     "clembench v3 clean up on a semantic grid: align objects around background anchors, by messages and moves."),
    ("hybrid_clean_up", "clean_up_variants:HybridCleanUpEnv", 2, ("text", "image", "text+image"),
     "clembench v3 clean up with each text grid shown as a picture: align the objects by messages and moves."),
    ("mm_clean_up", "clean_up_variants:MmCleanUpEnv", 2, ("text", "image", "text+image"),
     "clembench v3 clean up on a picture: align icons at pixel coordinates on two hidden boards."),
    ("cloudgame", "cloudgame:CloudGameEnv", 1, ("text", "image", "text+image"),
     "clembench cloud game (multimodal): say Yes or No to whether a picture shows clouds, then chickens."),
    ("mm_mapworld", "mm_mapworld:MmMapWorldEnv", 1, ("text", "image", "text+image"),
     "clembench multimodal map world: walk through rooms shown as pictures until every one is visited, then DONE."),
    ("mm_mapworld_specificroom", "mm_mapworld_specificroom:MmMapWorldSpecificRoomEnv", 1, ("text", "image", "text+image"),
     "clembench multimodal map world with a goal: find the room of a named kind among rooms shown as pictures."),
    ("mm_mapworld_graphs", "mm_mapworld_graphs:MmMapWorldGraphsEnv", 1, ("text", "image", "text+image"),
     "clembench multimodal map world in which the walker also draws the map of the rooms it has seen."),
    ("multimodal_referencegame", "multimodal_referencegame:MultimodalReferenceGameEnv", 2, ("text", "image", "text+image"),
     "clembench multimodal reference game: describe the target among three pictures, the other player picks it."),
    ("matchit", "matchit_images:MatchItImagesEnv", 2, ("text", "image", "text+image"),
     "clembench match it (pictures): two players ask each other about their pictures and decide if they are the same."),
)

#: Games whose pictures are the point: their observations carry them unless asked otherwise.
PICTURE_GAMES = frozenset({"cloudgame", "mm_mapworld", "mm_mapworld_specificroom", "mm_mapworld_graphs",
                           "multimodal_referencegame", "matchit", "hybrid_clean_up", "mm_clean_up"})


def register_dialogue_games(register: Callable[..., Any]) -> None:
    """Register every dialogue game of :data:`DIALOGUE_GAMES`."""
    for name, entry, players, modes, description in DIALOGUE_GAMES:
        module, _, cls = entry.partition(":")
        kwargs = {"observation_mode": "text+image"} if name in PICTURE_GAMES else None
        register(f"dialogue/{name}", f"{_PACKAGE}.{module}:{cls}", kwargs=kwargs, kind="dialogue", players=(players,),
                 observation_modes=modes, description=description,
                 scripted_player=f"{_PACKAGE}.{module}:scripted_move")  # every game module defines one
