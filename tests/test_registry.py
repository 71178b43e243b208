"""make / register / list_games, and the errors a user sees for a wrong id."""

import pytest

import llm_arena_env
from llm_arena_env import registry
from llm_arena_env.registry import UnknownGameError


@pytest.fixture(autouse=True)
def _registry_restored():
    """Games these tests register stay out of the other test modules' registry-wide checks."""
    saved = dict(registry._registry)
    yield
    registry._registry.clear()
    registry._registry.update(saved)


def test_make_builds_a_registered_game_with_overridden_kwargs():
    llm_arena_env.register("test/nim", "tests.test_text_env:Nim", kwargs={"stones": 5}, players=(2,),
                           description="Nim", overwrite=True)
    env = llm_arena_env.make("test/nim")
    env.reset()
    assert env.stones == 5
    env = llm_arena_env.make("test/nim", stones=9)
    env.reset()
    assert env.stones == 9
    assert "test/nim" in [s.id for s in llm_arena_env.list_games(kind="board")]


def test_registering_twice_needs_overwrite():
    llm_arena_env.register("test/twice", "tests.test_text_env:Nim", overwrite=True)
    with pytest.raises(ValueError, match="already registered"):
        llm_arena_env.register("test/twice", "tests.test_text_env:Nim")


def test_a_wrong_id_suggests_the_closest():
    with pytest.raises(UnknownGameError, match="Did you mean 'chess'"):
        llm_arena_env.make("chesss")


def test_a_bare_openspiel_name_suggests_the_namespaced_id():
    with pytest.raises(UnknownGameError, match="openspiel/connect_four"):
        llm_arena_env.make("connect_four")


def test_a_bad_kind_is_refused():
    with pytest.raises(ValueError, match="kind"):
        llm_arena_env.register("test/bad", "x:y", kind="card", overwrite=True)


def test_list_games_covers_the_board_games_of_the_foundation():
    ids = {s.id for s in llm_arena_env.list_games()}
    expected = {"chess"} | {f"openspiel/{name}" for name in (
        "tic_tac_toe", "connect_four", "go", "othello", "breakthrough", "hex", "checkers", "backgammon",
        "dots_and_boxes", "nine_mens_morris", "kuhn_poker", "leduc_poker", "liars_dice", "chess")}
    assert expected <= ids
    assert any(max(s.players) >= 3 for s in llm_arena_env.list_games())


def test_a_made_env_knows_its_id_and_arguments():
    env = llm_arena_env.make("openspiel/connect_four", max_illegal_actions=2)
    assert env.spec.id == "openspiel/connect_four"
    assert env.spec.kwargs["max_illegal_actions"] == 2
    assert llm_arena_env.make("chess").spec.id == "chess"


# Every game the package registers, by id. A game is in the registry because it is listed where its kind
# registers its games, never because its module happened to import: a module that is missing or broken
# fails here and in make(), not by the game silently dropping out.
REGISTERED_IDS = {
    "chess",
    "dialogue/clean_up", "dialogue/cloudgame", "dialogue/codenames", "dialogue/dond", "dialogue/guesswhat",
    "dialogue/hot_air_balloon", "dialogue/imagegame", "dialogue/matchit_ascii", "dialogue/mm_mapworld",
    "dialogue/mm_mapworld_graphs", "dialogue/mm_mapworld_specificroom", "dialogue/privateshared",
    "dialogue/referencegame", "dialogue/taboo", "dialogue/wordle", "dialogue/wordle_withclue",
    "dialogue/wordle_withcritic", "dialogue/adventuregame", "dialogue/matchit", "dialogue/multimodal_referencegame",
    "dialogue/st_clean_up", "dialogue/hybrid_clean_up", "dialogue/mm_clean_up",
    "grid/babyai", "grid/mapworld", "grid/sokoban", "grid/textmapworld", "grid/textmapworld_graphreasoning",
    "grid/textmapworld_specificroom",
    "openspiel/backgammon", "openspiel/breakthrough", "openspiel/checkers", "openspiel/chess",
    "openspiel/chinese_checkers", "openspiel/connect_four", "openspiel/dots_and_boxes", "openspiel/go",
    "openspiel/hex", "openspiel/kuhn_poker", "openspiel/leduc_poker", "openspiel/liars_dice",
    "openspiel/nine_mens_morris", "openspiel/oh_hell", "openspiel/othello", "openspiel/tic_tac_toe",
    "openspiel/universal_poker",
    "poker/holdem_match",
    "social/werewolf",
}


def test_the_registered_games_are_exactly_these():
    from llm_arena_env.games.openspiel.catalog import SINCE_OPENSPIEL_2, _openspiel_major

    expected = set(REGISTERED_IDS)
    if _openspiel_major() < 2:  # OpenSpiel's wheels for Python 3.10 stop at 1.6, which lacks these games
        expected -= {f"openspiel/{name}" for name in SINCE_OPENSPIEL_2}
    registered = {spec.id for spec in llm_arena_env.list_games()
                  if isinstance(spec.entry_point, str) and spec.entry_point.startswith("llm_arena_env.")}
    assert registered == expected  # (games registered by other tests point at their own modules)


def test_every_registered_entry_point_names_a_module_that_exists():
    import importlib.util

    missing = [spec.id for spec in llm_arena_env.list_games() if isinstance(spec.entry_point, str)
               and importlib.util.find_spec(spec.entry_point.partition(":")[0]) is None]
    assert not missing


def test_every_instance_generator_names_a_module_that_exists():
    import importlib.util

    from llm_arena_env.games.dialogue.instances import GENERATORS

    assert [game for game, entry in GENERATORS.items() if importlib.util.find_spec(entry.partition(":")[0]) is None] == []
