"""The fields each dialogue game reads from an instance, checked field by field when instances are loaded.

A clembench ``instances.json`` (or a user's) with a field of the wrong type fails at load time, naming the
game, the experiment, the instance id and the field, instead of a TypeError at reset. The schemas name only
the fields the games read (others pass, as clembench's files carry more) and are strict about types: a
number where a word belongs is an error, not coerced.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Union

from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr, ValidationError


class _Instance(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)

    game_id: Union[StrictInt, StrictStr, None] = None


class Taboo(_Instance):
    target_word: StrictStr
    related_word: list[StrictStr] = []


class Wordle(_Instance):
    target_word: StrictStr
    target_word_clue: Optional[StrictStr] = None


class ReferenceGame(_Instance):
    player_1_target_grid: StrictStr
    player_1_second_grid: StrictStr
    player_1_third_grid: StrictStr
    player_2_first_grid: StrictStr
    player_2_second_grid: StrictStr
    player_2_third_grid: StrictStr
    target_grid_name: Union[StrictStr, list[StrictStr]]
    player_1_prompt_header: Optional[StrictStr] = None
    player_2_prompt_header: Optional[StrictStr] = None


class ImageGame(_Instance):
    target_grid: StrictStr
    grid_dimension: Optional[StrictInt] = None
    player_1_prompt_header: Optional[StrictStr] = None
    player_1_question: Optional[StrictStr] = None
    player_2_prompt_header: Optional[StrictStr] = None


class PrivateShared(_Instance):
    slots: dict[StrictStr, Any]
    tag: Optional[StrictStr] = None
    initial_prompt: Optional[StrictStr] = None
    request_order: Optional[list[StrictStr]] = None
    requests: Optional[dict[StrictStr, Any]] = None
    probes: Optional[dict[StrictStr, dict[StrictStr, Any]]] = None


class Codenames(_Instance):
    board: list[StrictStr]
    assignments: dict[StrictStr, list[StrictStr]]


class GuessWhat(_Instance):
    target_word: StrictStr
    candidate_list: list[StrictStr]


class MatchIt(_Instance):
    grid_a: StrictStr
    grid_b: StrictStr
    decision_turn: Optional[StrictInt] = None


class Dond(_Instance):
    item_types: list[StrictStr]
    item_types_plural: list[StrictStr]
    item_counts: list[StrictInt]
    player_a_values: list[StrictInt]
    player_b_values: list[StrictInt]


class HotAirBalloon(_Instance):
    negotiation_mode: StrictStr
    item_weights: dict[StrictStr, StrictInt]
    player1_preferences: dict[StrictStr, StrictInt]
    player2_preferences: dict[StrictStr, StrictInt]
    max_weight: StrictInt
    max_u1: Union[StrictInt, float]
    max_u2: Union[StrictInt, float]
    max_total_utility: Union[StrictInt, float]
    max_harmonic: Union[StrictInt, float]
    patience: StrictInt
    empty_turn_limit: StrictInt
    strategic_reasoning: bool
    require_argument: bool
    player1_initial_prompt: StrictStr
    player2_initial_prompt: StrictStr
    agree_tag: StrictStr
    refusal_tag: StrictStr
    proposal_tag: StrictStr
    argument_tag: StrictStr
    strategic_reasoning_tag: StrictStr
    pareto_optima_sets: Optional[list[list[StrictStr]]] = None


class CleanUp(_Instance):
    modality: Optional[StrictStr] = None
    max_penalties: StrictInt
    max_rounds: StrictInt
    background: StrictStr
    objects_1: list[dict[StrictStr, Any]]
    objects_2: list[dict[StrictStr, Any]]
    p1_initial_prompt: StrictStr
    p2_initial_prompt: StrictStr
    intermittent_prompts: dict[StrictStr, Any]
    say_pattern: StrictStr
    move_pattern: StrictStr
    parse_errors: dict[StrictStr, Any]
    move_messages: dict[StrictStr, Any]
    terminate_question: StrictStr
    terminate_answer: StrictStr


class CloudGame(_Instance):
    image: StrictStr
    prompt: StrictStr


class MmMapWorld(_Instance):
    nodes: list[StrictStr]
    edges: list[StrictStr]
    imgs: dict[StrictStr, StrictStr]
    start: StrictStr
    initial_prompt: StrictStr
    success_response: StrictStr
    invalid_response: StrictStr
    response_regex: StrictStr
    done_regex: StrictStr
    move_regex: StrictStr


class MmMapWorldSpecificRoom(MmMapWorld):
    target: StrictStr
    target_cat: StrictStr
    dist: StrictInt


class MultimodalReferenceGame(_Instance):
    player_1_first_image: StrictStr
    player_1_second_image: StrictStr
    player_1_third_image: StrictStr
    player_2_first_image: StrictStr
    player_2_second_image: StrictStr
    player_2_third_image: StrictStr
    target_image_name: list[StrictStr]  # clembench's files list every name of the target ("first", "1st", "1")
    player_1_prompt_header: Optional[StrictStr] = None
    player_2_prompt_header: Optional[StrictStr] = None
    player_1_response_pattern: Optional[StrictStr] = None
    player_2_response_pattern: Optional[StrictStr] = None


class MatchItImages(_Instance):
    image_a: StrictStr
    image_b: StrictStr
    decision_turn: Optional[StrictInt] = None


class AdventureGame(_Instance):
    variant: StrictStr
    prompt: StrictStr
    initial_state: list[StrictStr]
    goal_state: list[StrictStr]
    max_turns: StrictInt
    optimal_turns: StrictInt
    optimal_commands: list[StrictStr] = []
    action_definitions: list[StrictStr]
    room_definitions: list[StrictStr]
    entity_definitions: list[StrictStr]
    domain_definitions: list[StrictStr]


#: DialogueEnv.game_name (its resources folder) -> the schema of its instances.
SCHEMAS: dict[str, type[_Instance]] = {
    "taboo": Taboo,
    "wordle": Wordle,
    "wordle_withclue": Wordle,
    "wordle_withcritic": Wordle,
    "referencegame": ReferenceGame,
    "imagegame": ImageGame,
    "privateshared": PrivateShared,
    "codenames": Codenames,
    "guesswhat": GuessWhat,
    "matchit_ascii": MatchIt,
    "dond": Dond,
    "hot_air_balloon": HotAirBalloon,
    "clean_up": CleanUp,
    "adventuregame": AdventureGame,
    "st_clean_up": CleanUp,
    "hybrid_clean_up": CleanUp,
    "mm_clean_up": CleanUp,
    "cloudgame": CloudGame,
    "mm_mapworld": MmMapWorld,
    "mm_mapworld_specificroom": MmMapWorldSpecificRoom,
    "mm_mapworld_graphs": MmMapWorld,
    "multimodal_referencegame": MultimodalReferenceGame,
    "matchit": MatchItImages,
}


def check_instance(game: str, instance: Mapping[str, Any], experiment: str = "") -> None:
    """Raise ``ValueError`` naming the game, experiment, instance id and field where ``instance`` does not
    fit ``game``'s schema; games without a schema accept anything."""
    schema = SCHEMAS.get(game)
    if schema is None:
        return
    if not isinstance(instance, Mapping):
        raise ValueError(f"{game}: an instance is a dict of fields, got {type(instance).__name__}")
    try:
        schema.model_validate(dict(instance))
    except ValidationError as error:
        where = f"{game} instance {instance.get('game_id', '?')!r}" + (f" of experiment {experiment!r}" if experiment else "")
        raise ValueError(f"{where}: {_problems(error)}") from None


def _problems(error: ValidationError) -> str:
    """One ``field 'x': ...`` per field; the branches of a union (``str | list[str]``) joined with "or"."""
    found: dict[str, list[str]] = {}
    shown: dict[str, str] = {}
    for e in error.errors():
        # a union adds the branch it tried to the location ('str', 'list[str]'): not part of the field's path
        path = ".".join(str(p) for p in e["loc"] if isinstance(p, int) or p not in _TYPE_TAGS and "[" not in p)
        found.setdefault(path, []).append("missing" if e["type"] == "missing" else e["msg"].lower())
        value = repr(e.get("input"))
        shown[path] = value if len(value) <= 60 else value[:57] + "..."
    return "; ".join(f"field {path!r}: {' or '.join(dict.fromkeys(msgs))}"
                     + ("" if msgs == ["missing"] else f", got {shown[path]}") for path, msgs in found.items())


_TYPE_TAGS = frozenset({"str", "int", "float", "bool", "dict", "list", "none"})
