"""RunConfig: TOML and YAML files with the CLI's field names, clear errors, and the jobs a run expands to."""

from __future__ import annotations

import sys
from collections import Counter

import pytest

from llm_arena_env.arena.config import ConfigError, GameEntry, RunConfig, read_config_file

TOML = """
run_name = "ladder"
games = ["openspiel/tic_tac_toe", { id = "chess", kwargs = { max_plies = 40 } }]
players = ["random", "stockfish:1"]
episodes = 3
seed = 10
concurrency = 4
max-illegal = 2
tournament = true
"""

YAML = """
run_name: ladder
games:
  - openspiel/tic_tac_toe
  - {id: chess, kwargs: {max_plies: 40}}
players: [random, "stockfish:1"]
episodes: 3
seed: 10
concurrency: 4
max_illegal: 2
tournament: true
"""


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_toml_and_yaml_describe_the_same_run(tmp_path):
    from_toml = RunConfig.from_file(write(tmp_path, "run.toml", TOML))
    from_yaml = RunConfig.from_file(write(tmp_path, "run.yml", YAML))
    assert from_toml == from_yaml
    assert from_toml.games == (GameEntry("openspiel/tic_tac_toe"), GameEntry("chess", {"max_plies": 40}))
    assert (from_toml.max_illegal, from_toml.tournament, from_toml.sides_swapped) == (2, True, True)


def test_flags_override_the_file(tmp_path):
    config = RunConfig.from_file(write(tmp_path, "run.toml", TOML), concurrency=16, episodes=1)
    assert (config.concurrency, config.episodes, config.seed) == (16, 1, 10)


def test_a_config_round_trips_through_its_dict(tmp_path):
    config = RunConfig.from_file(write(tmp_path, "run.toml", TOML))
    assert RunConfig.from_mapping(config.to_dict()) == config


BASE = {"games": ["openspiel/tic_tac_toe"], "players": ["random", "random"]}


@pytest.mark.parametrize("changes, message", [
    ({"episode": 3}, "unknown field 'episode'; did you mean 'episodes'"),
    ({"episodes": 0}, "'episodes' must be >= 1"),
    ({"episodes": "ten"}, "'episodes' must be an integer"),
    ({"episodes": True}, "'episodes' must be an integer"),
    ({"episodes": None}, "'episodes' must be an integer"),
    ({"seed": -1}, "'seed' must be >= 0"),
    ({"concurrency": 2.5}, "'concurrency' must be an integer"),
    ({"max_illegal": -1}, "'max_illegal' must be >= 0"),
    ({"tournament": "yes"}, "'tournament' must be true or false"),
    ({"swap_sides": 1}, "'swap_sides' must be true or false"),
    ({"players": []}, "'players' must be a list"),
    ({"players": ["random", "randon"]}, "unknown agent 'randon'"),
    ({"players": ["random", ""]}, "'players' must be a non-empty string"),
    ({"games": ["chesss"]}, "unknown game 'chesss'. Did you mean 'chess'"),
    ({"games": [{"name": "chess"}]}, "has unknown key 'name'; it takes id, kwargs, instances"),
    ({"games": [{"kwargs": {}}]}, "'games' has an entry without 'id'"),
    ({"games": [{"id": "chess", "kwargs": {"1x": 2}}]}, "not Python names"),
    ({"games": [{"id": "chess", "instances": "some"}]}, "'games.chess.instances' must be \"all\""),
    ({"games": ["chess", "chess"]}, "lists chess more than once"),
    ({"games": [3]}, "neither a game id nor a table"),
    ({"run_name": "../elsewhere"}, "'run_name' must be one folder name"),
    ({"game_args": ["x"]}, "'game_args' must be a table"),
    ({"tournament": True}, "two or more different agent specs"),
])
def test_bad_fields_are_named(changes, message):
    with pytest.raises(ConfigError) as caught:
        RunConfig.from_mapping({**BASE, **changes}, source="run.toml")
    assert str(caught.value).startswith("config run.toml: ")
    assert message in str(caught.value)


@pytest.mark.parametrize("missing", ["games", "players"])
def test_games_and_players_are_required(missing):
    with pytest.raises(ConfigError, match=f"field '{missing}' is missing"):
        RunConfig.from_mapping({k: v for k, v in BASE.items() if k != missing})


@pytest.mark.parametrize("name, text, message", [
    ("run.toml", "games = [", "not valid TOML"),
    ("run.yaml", "games: [chess\n", "not valid YAML"),
    ("run.yaml", "- chess\n", "expected a mapping"),
    ("run.json", "{}", "use a .toml, .yaml or .yml file"),
])
def test_unreadable_files_are_named(tmp_path, name, text, message):
    path = write(tmp_path, name, text)
    with pytest.raises(ConfigError, match=message) as caught:
        read_config_file(path)
    assert str(path) in str(caught.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        RunConfig.from_file(tmp_path / "nope.toml")


def test_yaml_without_pyyaml_says_which_package_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "yaml", None)  # makes `import yaml` fail
    with pytest.raises(ConfigError, match=r"PyYAML package \(pip install pyyaml\)"):
        RunConfig.from_file(write(tmp_path, "run.yaml", YAML))


# ---------------------------------------------------------------------------------------------- jobs


def test_a_tournament_pairs_every_two_players_on_every_game_in_both_seat_orders():
    config = RunConfig(games=(GameEntry("openspiel/tic_tac_toe"), GameEntry("openspiel/connect_four")),
                       players=("a", "b", "c"), episodes=2, seed=5, tournament=True)
    jobs = config.jobs()
    assert len(jobs) == 2 * 3 * 2 * 2  # games x pairs x seat orders x episodes
    pairings = Counter((j.game, j.player_specs) for j in jobs)
    assert set(pairings.values()) == {2}
    for game in ("openspiel/tic_tac_toe", "openspiel/connect_four"):
        for x, y in [("a", "b"), ("a", "c"), ("b", "c")]:
            assert (game, (x, y)) in pairings and (game, (y, x)) in pairings
    assert sorted({j.seed for j in jobs}) == [5, 6]  # episode k of every pairing: seed + k
    assert len({(j.game, j.player_specs, j.episode_id) for j in jobs}) == len(jobs)


def test_a_tournament_can_keep_one_seat_order():
    config = RunConfig((GameEntry("openspiel/tic_tac_toe"),), ("a", "b", "c"), tournament=True, swap_sides=False)
    assert [j.player_specs for j in config.jobs()] == [("a", "b"), ("a", "c"), ("b", "c")]


def test_a_tournament_needs_two_player_games():
    config = RunConfig((GameEntry("dialogue/wordle"),), ("a", "b"), tournament=True)
    with pytest.raises(ConfigError, match="two by two, but dialogue/wordle has 1 player "):
        config.jobs()


def test_a_plain_run_seats_the_players_as_given_and_swaps_on_request():
    game = (GameEntry("openspiel/tic_tac_toe"),)
    assert {j.player_specs for j in RunConfig(game, ("a", "b"), episodes=3).jobs()} == {("a", "b")}
    swapped = RunConfig(game, ("a", "b"), episodes=3, swap_sides=True).jobs()
    assert Counter(j.player_specs for j in swapped) == {("a", "b"): 3, ("b", "a"): 3}
    self_play = RunConfig(game, ("a", "a"), episodes=3, swap_sides=True).jobs()
    assert len(self_play) == 3  # the swapped seats are the same pairing


def test_a_plain_run_needs_one_player_per_seat():
    with pytest.raises(ConfigError, match="'players': openspiel/tic_tac_toe has 2 players .* 3 agent specs"):
        RunConfig((GameEntry("openspiel/tic_tac_toe"),), ("a", "b", "c")).jobs()


def test_kwargs_combine_game_args_the_games_own_and_max_illegal():
    config = RunConfig((GameEntry("chess", {"max_plies": 10}), GameEntry("openspiel/tic_tac_toe")), ("a", "b"),
                       max_illegal=1)
    kwargs = {j.game: j.game_kwargs for j in config.jobs()}
    assert kwargs == {"chess": {"max_plies": 10, "max_illegal_actions": 1},
                      "openspiel/tic_tac_toe": {"max_illegal_actions": 1}}
    both = RunConfig((GameEntry("chess", {"max_plies": 10}),), ("a", "b"), game_args={"max_plies": 5, "x": 1})
    assert both.game_kwargs(both.games[0]) == {"max_plies": 10, "x": 1}  # a game's own kwargs win


def test_bad_kwargs_are_named_with_the_game():
    with pytest.raises(ConfigError, match="could not make 'chess' with colour='red'"):
        RunConfig((GameEntry("chess", {"colour": "red"}),), ("a", "b")).jobs()


def test_instances_expand_into_one_episode_set_each():
    import llm_arena_env

    size = len(llm_arena_env.make("dialogue/taboo").instance_set)
    every = RunConfig((GameEntry("dialogue/taboo", instances="all"),), ("a", "b")).jobs()
    assert [j.options for j in every] == [{"instance": i} for i in range(size)]
    some = RunConfig((GameEntry("dialogue/taboo", instances=(2, 5)),), ("a", "b"), episodes=2).jobs()
    assert [(j.options["instance"], j.seed, j.episode_id) for j in some] == [
        (2, 0, "i0002-0000"), (2, 1, "i0002-0001"), (5, 0, "i0005-0000"), (5, 1, "i0005-0001")]
    with pytest.raises(ConfigError, match=f"has {size} instances"):
        RunConfig((GameEntry("dialogue/taboo", instances=(size,)),), ("a", "b")).jobs()
    with pytest.raises(ConfigError, match="chess has no instance set"):
        RunConfig((GameEntry("chess", instances="all"),), ("a", "b")).jobs()


def test_the_default_run_name_follows_what_is_played_not_how_fast():
    base = RunConfig((GameEntry("chess"),), ("a", "b"))
    assert base.name == RunConfig((GameEntry("chess"),), ("a", "b"), concurrency=8).name
    assert base.name != RunConfig((GameEntry("chess"),), ("a", "c")).name
    assert base.name.startswith("run-") and RunConfig((GameEntry("chess"),), ("a", "b"), run_name="x").name == "x"


PLAYER_TABLES_TOML = """
games = ["openspiel/tic_tac_toe"]
players = ["random", { spec = "openai:slow@http://127.0.0.1:9/v1", timeout = 3600, max_retries = 2 }]
"""


def test_a_players_table_sets_one_players_timeout_and_retries(tmp_path):
    from llm_arena_env.agents.specs import make_agent

    config = RunConfig.from_file(write(tmp_path, "run.toml", PLAYER_TABLES_TOML))
    assert config.players == ("random", "openai:slow@http://127.0.0.1:9/v1,timeout=3600,max_retries=2")
    backend = make_agent(config.players[1]).agent.agent.backend  # Rethink(Parse(LLMAgent(backend)))
    assert backend.timeout == 3600 and backend._retry.policy.max_attempts == 3
    assert RunConfig.from_mapping(config.to_dict()) == config
    # a longer timeout is the same run (its folder, and the players' names in it)
    plain = RunConfig.from_mapping({"games": ["openspiel/tic_tac_toe"],
                                    "players": ["random", "openai:slow@http://127.0.0.1:9/v1"]})
    assert config.name == plain.name


@pytest.mark.parametrize("table, message", [
    ({"spec": "random", "timeout": 5}, "only openai agents take them"),
    ({"spec": "openai:m", "timeout": 0}, "'players.openai:m.timeout' must be > 0, got 0"),
    ({"spec": "openai:m", "max_retries": 1.5}, "'players.openai:m.max_retries' must be an integer, got 1.5"),
    ({"spec": "openai:m", "max_retries": True}, "'players.openai:m.max_retries' must be an integer, got True"),
    ({"spec": "openai:m,timeout=5", "timeout": 9}, "twice"),
    ({"spec": "openai:m", "temperature": 0}, "unknown key 'temperature'; it takes spec, timeout, max_retries"),
    ({"timeout": 9}, "'players' has an entry without 'spec'"),
])
def test_a_bad_players_table_names_the_field_and_what_is_wrong(table, message):
    with pytest.raises(ConfigError, match=message) as caught:
        RunConfig.from_mapping({**BASE, "players": ["random", table]})
    assert "field 'players" in str(caught.value)


def test_an_instance_listed_twice_is_refused_since_both_would_be_one_episode():
    with pytest.raises(ConfigError, match="lists instance 2 more than once; .*raise 'episodes'"):
        RunConfig.from_mapping({"games": [{"id": "dialogue/taboo", "instances": [2, 5, 2]}], "players": ["a", "b"]})


def test_the_plan_counts_and_checks_without_making_the_jobs():
    config = RunConfig((GameEntry("openspiel/tic_tac_toe"), GameEntry("openspiel/connect_four")),
                       ("a", "b", "c"), episodes=3, tournament=True)
    plan = config.plan()
    assert len(plan) == 2 * 6 * 3 == len(list(plan)) == len(list(plan))  # drawn afresh each time
    assert [(j.game, j.player_specs) for j in plan.setups] == list(dict.fromkeys(
        (j.game, j.player_specs) for j in config.jobs()))
    skipped = config.plan(skip={("openspiel/tic_tac_toe", ("a", "b"))})
    assert len(skipped) == len(list(skipped)) == 33
    assert all((j.game, j.player_specs) != ("openspiel/tic_tac_toe", ("a", "b")) for j in skipped)


def test_every_bad_field_is_named_at_once():
    with pytest.raises(ConfigError) as caught:
        RunConfig.from_mapping({**BASE, "episodes": 0, "tournament": 2}, source="run.toml")
    assert str(caught.value).splitlines() == ["config run.toml: field 'episodes' must be >= 1, got 0",
                                              "config run.toml: field 'tournament' must be true or false, got 2"]
