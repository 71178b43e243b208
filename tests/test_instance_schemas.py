"""Instance files are checked field by field when loaded: a wrong type names the game, instance and field."""

from __future__ import annotations

import copy

import pytest

import llm_arena_env
from llm_arena_env.games.dialogue.schemas import SCHEMAS

DIALOGUE_GAMES = [spec.id for spec in llm_arena_env.list_games("dialogue")]


def wrong_value(right) -> object:
    """A value of another JSON type than ``right`` (a number for text, text for numbers and containers)."""
    return 12345 if isinstance(right, str) else "not-a-" + type(right).__name__


def test_every_dialogue_game_with_instances_has_a_schema():
    names = {llm_arena_env.make(game).game_name for game in DIALOGUE_GAMES}
    assert names - {""} <= set(SCHEMAS)


@pytest.mark.parametrize("game", DIALOGUE_GAMES)
def test_a_field_of_the_wrong_type_is_refused_at_load_naming_game_instance_and_field(game):
    env = llm_arena_env.make(game)
    name = env.game_name
    if name not in SCHEMAS:
        pytest.skip(f"{game} has no instance set")
    data = env.instance_set.to_dict()
    experiment = data["experiments"][0]
    instance = experiment["game_instances"][0]
    fields = [f for f in SCHEMAS[name].model_fields if f != "game_id" and f in instance]
    assert fields, f"{game}'s shipped instances carry none of the fields its schema checks"
    llm_arena_env.make(game, instances=copy.deepcopy(data))  # untouched: loads
    for field in fields:
        broken = copy.deepcopy(data)
        broken["experiments"][0]["game_instances"][0][field] = wrong_value(instance[field])
        with pytest.raises(ValueError) as caught:
            llm_arena_env.make(game, instances=broken)
        message = str(caught.value)
        assert name in message and repr(instance["game_id"]) in message and repr(field) in message, message
        assert repr(experiment["name"]) in message


def test_a_missing_field_and_an_instance_given_at_reset_are_checked_too():
    with pytest.raises(ValueError, match=r"taboo instance 7 of experiment 'x': field 'target_word': missing"):
        llm_arena_env.make("dialogue/taboo",
                           instances={"experiments": [{"name": "x", "game_instances": [{"game_id": 7, "related_word": []}]}]})
    env = llm_arena_env.make("dialogue/taboo")
    with pytest.raises(ValueError, match=r"field 'related_word'"):
        env.reset(options={"instance": {"game_id": 1, "target_word": "cat", "related_word": "dog"}})


def test_the_cli_reports_a_bad_instance_file_in_one_line(tmp_path, capsys):
    import json

    from llm_arena_env.cli import EXIT_USAGE, main

    path = tmp_path / "instances.json"
    path.write_text(json.dumps({"experiments": [{"name": "e", "game_instances": [{"game_id": 3, "target_word": 5}]}]}))
    code = main(["play", "dialogue/taboo", "--players", "random", "random", "--game-arg", f"instances={path}"])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE and "taboo instance 3 of experiment 'e': field 'target_word'" in err
    assert len(err.strip().splitlines()) == 1
