"""A run described in a file: the same fields as the flags of ``llm-arena run`` and ``llm-arena tournament``.

```toml
run_name = "ttt-baselines"                 # the folder under results_root; default: derived from the fields
results_root = "results"
games = ["openspiel/tic_tac_toe", { id = "chess", kwargs = { max_plies = 80 } },
         { id = "dialogue/taboo", instances = "all" }]   # or instances = [0, 3, 7], or 5 (a sample)
                                           # selectors too: "all", "dialogue/*", "openspiel/*_poker"
instances = "all"    # or N: every game with an instance set plays all of them (or a seeded sample of N)
game_args = { observation_mode = "text" } # kwargs for every game (a game's own kwargs win), --game-arg
players = ["random", "stockfish:1", "openai:gpt-4o-mini"]
# a player with its own timeout (seconds per request) and retry budget, as openai:<model>,timeout=S,max_retries=N:
# players = ["random", { spec = "openai:o3", timeout = 3600, max_retries = 2 }]
episodes = 10        # per pairing (and per instance)
seed = 0             # episode k of every pairing gets seed + k
concurrency = 8
max_illegal = 2      # rejected actions a player may retry before it forfeits
tournament = true    # round-robin: every pair of players on every game
swap_sides = true    # also with the seats swapped (default: true in tournaments, false otherwise)
executor = "ray"     # "local" (default) or "ray": episodes on a Ray cluster (pip install 'llm-arena-env[ray]')
ray_address = "auto" # the cluster to join (default: a local one); only with executor = "ray"
```

YAML (``.yaml``/``.yml``) takes the same fields and needs PyYAML. Field names may be written with ``-`` as
on the command line (``max-illegal``). An unknown field or a bad value raises :class:`ConfigError`, whose
message names the field.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import random
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Annotated, Any, Collection, Iterator, Literal, Mapping, Sequence, TypeVar, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    field_validator,
)

from llm_arena_env.agents.specs import agent_identity
from llm_arena_env.arena.files import folder_name
from llm_arena_env.arena.jobs import EpisodeJob, JobStream

DEFAULT_RESULTS_ROOT = "results"
ExecutorName = Literal["local", "ray"]
EXECUTOR_NAMES = get_args(ExecutorName)
BaseModelT = TypeVar("BaseModelT", bound="BaseModel")


class ConfigError(ValueError):
    """A run description that cannot be used: the message names the file (if any) and the field."""


@dataclass(frozen=True)
class GameEntry:
    """One game of a run: its id, make() kwargs, and (dialogue games) which instances to play."""

    id: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    instances: str | int | tuple[int, ...] | None = None  # "all", a sample of N, or indices into the instance set


@dataclass(frozen=True)
class RunConfig:
    """What to play: see the module docstring for each field."""

    games: tuple[GameEntry, ...]
    players: tuple[str, ...]
    run_name: str | None = None
    results_root: str = DEFAULT_RESULTS_ROOT
    game_args: Mapping[str, Any] = field(default_factory=dict)
    episodes: int = 1
    seed: int | None = 0
    concurrency: int = 1
    max_illegal: int | None = None
    tournament: bool = False
    swap_sides: bool | None = None
    executor: str = "local"
    ray_address: str | None = None
    instances: str | int | None = None  # "all" or a sample of N, for every game with an instance set

    # ------------------------------------------------------------------ reading

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], **overrides: Any) -> RunConfig:
        """Read a TOML or YAML file; ``overrides`` (fields given on the command line) replace its values."""
        data = read_config_file(path)
        return cls.from_mapping({**_normalized(data, str(path)), **overrides}, source=str(path))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "") -> RunConfig:
        """A config from plain values (a parsed file, or flags); every field is checked."""
        data = _normalized(data, source)
        for name in ("games", "players"):
            if name not in data:
                raise ConfigError(f"{_where(source)}field {name!r} is missing: "
                                  + ("give one or more game ids" if name == "games" else "give the agent specs"))
        checked = _validated(_Fields, data, source)
        values = {name: getattr(checked, name) for name in _Fields.model_fields}
        values.update(games=_games(checked.games, source), players=_players(checked.players, source),
                      game_args=dict(checked.game_args))
        if values.get("ray_address") and values.get("executor", "local") != "ray":
            raise ConfigError(f"{_where(source)}field 'ray_address' applies only with executor = \"ray\"")
        if values.get("tournament"):
            players = values["players"]
            if len(players) < 2 or len(set(players)) != len(players):
                raise ConfigError(f"{_where(source)}field 'players': a tournament needs two or more different "
                                  f"agent specs, got {list(players)}")
        return cls(**values)

    # ------------------------------------------------------------------ derived

    @property
    def name(self) -> str:
        """The run's folder name: ``run_name``, else one made from the fields that decide what is played,
        so that running the same command again finds the same folder."""
        if self.run_name:
            return self.run_name
        how = ("run_name", "results_root", "concurrency", "executor", "ray_address")  # not what is played
        deciding = {k: v for k, v in self.to_dict().items() if k not in how}
        deciding["players"] = [agent_identity(spec) for spec in self.players]  # a longer timeout: the same run
        if deciding["instances"] is None:  # runs named before the field existed keep their folder
            del deciding["instances"]
        digest = hashlib.sha256(json.dumps(deciding, sort_keys=True).encode()).hexdigest()[:8]
        return f"{'tournament' if self.tournament else 'run'}-{digest}"

    @property
    def sides_swapped(self) -> bool:
        return self.tournament if self.swap_sides is None else self.swap_sides

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain values (what ``run.json`` keeps); ``from_mapping`` reads it back."""
        data = asdict(self)
        data["games"] = [
            {"id": g.id, "kwargs": dict(g.kwargs), **({"instances": _plain_instances(g.instances)} if g.instances else {})}
            for g in self.games
        ]
        data["players"] = list(self.players)
        data["game_args"] = dict(self.game_args)
        return data

    def game_kwargs(self, game: GameEntry) -> dict[str, Any]:
        kwargs = {**self.game_args, **game.kwargs}
        if self.max_illegal is not None:
            kwargs["max_illegal_actions"] = self.max_illegal
        return kwargs

    def jobs(self) -> list[EpisodeJob]:
        """Every episode of the run, as a list (see :meth:`plan`, which makes them as they are drawn)."""
        return list(self.plan())

    def plan(self, skip: Collection[tuple[str, tuple[str, ...]]] = ()) -> JobStream:
        """Every episode of the run, made as it is drawn. Tournament: every pair of players on every game, in
        both seat orders (``swap_sides``), ``episodes`` each; otherwise the players in the given seats (and,
        with ``swap_sides``, every rotation of them). Episode k of a pairing has seed ``seed + k``, whatever
        the seats, so that both seat orders play the same games of chance. ``skip`` leaves out the given
        (game, seats) pairings. Each game is made once here, to check its seats and instances and to count
        the episodes; no job is made until drawn. Games, seatings and instances are distinct, so no two
        jobs share a key."""
        blocks: list[tuple[str, dict[str, Any], list[tuple[str, ...]], list[int | None]]] = []
        total = 0
        for game in self.games:
            kwargs = self.game_kwargs(game)
            players, instance_count = _inspect_game(game.id, kwargs)
            seatings = [s for s in self._seatings(game.id, players) if (game.id, s) not in skip]
            instances = self._instances(game, instance_count)
            total += len(seatings) * len(instances) * self.episodes
            if total > MAX_EPISODES:  # a typo must not start a run of years
                raise ConfigError(f"the run would play {total:,} episodes or more, over the limit of "
                                  f"{MAX_EPISODES:,} per run; split it into several runs")
            blocks.append((game.id, kwargs, seatings, instances))

        def make() -> Iterator[EpisodeJob]:
            for game, kwargs, seatings, instances in blocks:
                for specs in seatings:
                    for instance in instances:
                        for k in range(self.episodes):
                            yield self._job(game, kwargs, specs, instance, k)

        setups = tuple(self._job(game, kwargs, specs, instances[0], 0)
                       for game, kwargs, seatings, instances in blocks for specs in seatings)
        return JobStream(make, total, setups)

    def _job(self, game: str, kwargs: Mapping[str, Any], specs: tuple[str, ...], instance: int | None,
             k: int) -> EpisodeJob:
        return EpisodeJob(
            game=game,
            game_kwargs=kwargs,
            seed=None if self.seed is None else self.seed + k,
            options=None if instance is None else {"instance": instance},
            player_specs=specs,
            episode_id=f"{k:04d}" if instance is None else f"i{instance:04d}-{k:04d}",
        )

    def _seatings(self, game: str, players: Sequence[str]) -> list[tuple[str, ...]]:
        count = len(players)
        if self.tournament:
            if count != 2:
                raise ConfigError(f"field 'games': tournaments pair players two by two, but {game} has {count} "
                                  f"player{'s' * (count != 1)} ({', '.join(players)})")
            pairs = [(a, b) for i, a in enumerate(self.players) for b in self.players[i + 1:]]
            seatings = [s for a, b in pairs for s in ([(a, b), (b, a)] if self.sides_swapped else [(a, b)])]
        else:
            if len(self.players) != count:
                raise ConfigError(f"field 'players': {game} has {count} player{'s' * (count != 1)} "
                                  f"({', '.join(players)}), but {len(self.players)} agent spec"
                                  f"{' is' if len(self.players) == 1 else 's are'} given")
            order = tuple(self.players)
            rotations = [order[i:] + order[:i] for i in range(count)] if self.sides_swapped else [order]
            seatings = list(dict.fromkeys(rotations))  # self-play: the swapped seats are the same pairing
        return seatings

    def _instances(self, game: GameEntry, count: int | None) -> list[int | None]:
        if game.instances is None and (self.instances is None or count is None):
            return [None]  # the run-wide choice applies to the games that have instance sets
        choice = game.instances if game.instances is not None else self.instances
        if count is None:
            raise ConfigError(f"field 'games': {game.id} has no instance set, so 'instances' does not apply")
        if choice == "all":
            return list(range(count))
        if isinstance(choice, int):  # a sample, the same for the same game and seed
            rng = random.Random(f"{game.id}|{self.seed}")
            return sorted(rng.sample(range(count), min(choice, count)))
        for index in game.instances:
            if index >= count:
                raise ConfigError(f"field 'games': {game.id} has {count} instances (0 to {count - 1}), "
                                  f"but instance {index} is asked for")
        return list(game.instances)


# ---------------------------------------------------------------------------------------------- files


def read_config_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The mapping a TOML (``.toml``) or YAML (``.yaml``, ``.yml``) file holds."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".yaml", ".yml"):
        raise ConfigError(f"config {path}: use a .toml, .yaml or .yml file")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"config {path}: cannot be read ({error})") from None
    data = _parse_toml(text, path) if suffix == ".toml" else _parse_yaml(text, path)
    if not isinstance(data, Mapping):
        raise ConfigError(f"config {path}: expected a mapping of fields at the top, got {type(data).__name__}")
    return dict(data)


def _parse_toml(text: str, path: Path) -> Any:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config {path}: not valid TOML ({error})") from None


def _parse_yaml(text: str, path: Path) -> Any:
    try:
        import yaml
    except ModuleNotFoundError:
        raise ConfigError(f"config {path}: reading YAML needs the PyYAML package (pip install pyyaml), "
                          "or write the config as TOML") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"config {path}: not valid YAML ({' '.join(str(error).split())})") from None


# ---------------------------------------------------------------------------------------------- checks
# Types and ranges are pydantic's to check (_Fields, _Game, _Player); the validators beside them check what
# only this package knows (agent kinds, game ids, folder names, entries listed twice). Every failure becomes
# one ConfigError naming the file and the field.

Text = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1)]


def _python_names(value: dict[str, Any]) -> dict[str, Any]:
    bad = [key for key in value if not key.isidentifier()]
    if bad:
        raise ValueError(f"has keys that are not Python names: {', '.join(repr(k) for k in bad)}")
    return value


Kwargs = Annotated[dict[StrictStr, Any], AfterValidator(_python_names)]


def _instance_choice(value: Any) -> str | int | tuple[int, ...] | None:
    """``"all"``, a number of instances to sample (>= 1), or a list of distinct instance indices."""
    if value is None or value == "all":
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    if (isinstance(value, Sequence) and not isinstance(value, str) and value
            and all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in value)):
        repeated = sorted({i for i in value if list(value).count(i) > 1})
        if repeated:  # each would be played into the same folder
            raise ValueError(f"lists instance{'s' * (len(repeated) > 1)} {', '.join(map(str, repeated))} more "
                             "than once; to play an instance more often, raise 'episodes'")
        return tuple(value)
    raise ValueError(f"must be \"all\", a number of instances to sample, or a list of instance indices, got {value!r}")


def _known_game(game_id: str) -> str:
    import llm_arena_env

    try:
        llm_arena_env.spec(game_id)
    except llm_arena_env.UnknownGameError as error:
        raise ValueError(f"names an unknown game: {error}") from None
    return game_id


class _Game(BaseModel):
    """A ``games`` entry: ``"chess"`` or ``{id = "chess", kwargs = {...}, instances = ...}``."""

    model_config = ConfigDict(extra="forbid")
    id: Annotated[Text, AfterValidator(_known_game)]
    kwargs: Kwargs | None = None
    instances: Annotated[Any, AfterValidator(_instance_choice)] = None


class _Player(BaseModel):
    """A ``players`` table: ``{spec = "openai:o3", timeout = 3600, max_retries = 2}``."""

    model_config = ConfigDict(extra="forbid")
    spec: Text
    timeout: Annotated[float, Field(gt=0, strict=True)] | None = None
    max_retries: Annotated[StrictInt, Field(ge=0)] | None = None


class _Fields(BaseModel):
    """The fields of a run (see the module docstring); games and players are checked entry by entry."""

    model_config = ConfigDict(extra="forbid")
    games: Annotated[list[Any], Field(min_length=1)]
    players: Annotated[list[Any], Field(min_length=1)]
    run_name: Text | None = None
    results_root: Text = DEFAULT_RESULTS_ROOT
    game_args: Kwargs = {}
    episodes: Annotated[StrictInt, Field(ge=1)] = 1
    seed: Annotated[StrictInt, Field(ge=0)] | None = 0
    concurrency: Annotated[StrictInt, Field(ge=1)] = 1
    max_illegal: Annotated[StrictInt, Field(ge=0)] | None = None
    tournament: StrictBool = False
    swap_sides: StrictBool | None = None
    executor: ExecutorName = "local"
    ray_address: Text | None = None
    instances: Annotated[Any, AfterValidator(_instance_choice)] = None

    @field_validator("games", "players", mode="before")
    @classmethod
    def _one_or_a_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, (str, Mapping)) else value

    @field_validator("instances", mode="before")
    @classmethod
    def _number_or_all(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        if isinstance(value, Sequence) and not isinstance(value, str):
            raise ValueError(f"must be \"all\" or a number of instances to sample, got {value!r}")
        return value

    @field_validator("run_name")
    @classmethod
    def _one_folder(cls, name: str | None) -> str | None:
        if name is not None and folder_name(name) != name:
            raise ValueError(f"must be one folder name of letters, digits and ._+=- characters, got {name!r}")
        return name


def _validated(model: type[BaseModelT], data: Any, source: str, field_name: str = "") -> BaseModelT:
    """``model`` checked by pydantic; its errors as one :class:`ConfigError`, a line per problem, each naming
    the file and the field (``field_name`` is where ``data`` stands in the run, e.g. ``games.chess``)."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        lines = [_problem(problem, model, field_name) for problem in error.errors()]
        raise ConfigError("\n".join(f"{_where(source)}{line}" for line in dict.fromkeys(lines))) from None


def _problem(problem: Any, model: type[BaseModel], field_name: str) -> str:
    """One pydantic error in the words of this module: ``field 'episodes' must be >= 1, got 0``."""
    path = [str(part) for part in problem["loc"] if not isinstance(part, int)]
    name = ".".join([field_name, *path] if field_name else path)
    kind, context, got = problem["type"], problem.get("ctx") or {}, problem.get("input")
    if kind == "extra_forbidden":
        owner = field_name or "the run"
        return f"field {owner!r} has unknown key {path[-1]!r}; it takes {', '.join(model.model_fields)}"
    if kind == "missing":
        return f"field {field_name!r} has an entry without {path[-1]!r}" if field_name else f"field {name!r} is missing"
    if kind in ("greater_than_equal", "greater_than"):
        sign, bound = (">=", context["ge"]) if kind == "greater_than_equal" else (">", context["gt"])
        return f"field {name!r} must be {sign} {bound:g}, got {got!r}"
    if kind == "value_error":
        return f"field {name!r} {context['error']}"
    if kind == "literal_error":
        return f"field {name!r} must be one of {context['expected'].replace(' or ', ', ')}, got {got!r}"
    return f"field {name!r} must be {_EXPECTED.get(kind, problem['msg'].lower())}, got {got!r}"


#: What a value of the wrong type should have been, by pydantic's error type.
_EXPECTED = {
    "string_type": "a non-empty string",
    "string_too_short": "a non-empty string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a table of keyword arguments",
    "list_type": "a list",
    "too_short": "a list with at least one entry",
}


def _games(items: list[Any], source: str) -> tuple[GameEntry, ...]:
    entries = [entry for item in items for entry in _expanded(item, source)]
    games = []
    for entry in entries:
        if isinstance(entry, str):
            entry = {"id": entry}
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{_where(source)}field 'games' has an entry that is neither a game id nor a table: "
                              f"{entry!r}")
        game_id = entry.get("id")
        game = _validated(_Game, entry, source, f"games.{game_id}" if isinstance(game_id, str) else "games")
        games.append(GameEntry(game.id, dict(game.kwargs or {}), game.instances))
    ids = [g.id for g in games]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ConfigError(f"{_where(source)}field 'games' lists {', '.join(repeated)} more than once; a run plays "
                          "each game once (put other kwargs of the same game in another run)")
    return tuple(games)


def _expanded(item: Any, source: str) -> list[Any]:
    """A selector (``all``, ``dialogue/*``) as one entry per game it names; anything else as it is."""
    from llm_arena_env.arena.selectors import is_selector, select_games

    game_id = item if isinstance(item, str) else item.get("id") if isinstance(item, Mapping) else None
    if not isinstance(game_id, str) or not is_selector(game_id):
        return [item]
    try:
        ids = select_games([game_id])
    except ValueError as error:
        raise ConfigError(f"{_where(source)}field 'games' {error}") from None
    return [i if isinstance(item, str) else {**item, "id": i} for i in ids]


def _players(items: list[Any], source: str) -> tuple[str, ...]:
    from llm_arena_env.agents.model_registry import load_registry
    from llm_arena_env.agents.specs import AGENT_SPECS

    specs = tuple(_player_table(item, source) if isinstance(item, Mapping) else _spec(item, source) for item in items)
    for spec in specs:
        if spec.partition(":")[0] not in AGENT_SPECS and spec not in load_registry():
            raise ConfigError(f"{_where(source)}field 'players' names unknown agent {spec!r}; known kinds: "
                              f"{', '.join(sorted(AGENT_SPECS))} (see `llm-arena list agents`), nor is it a "
                              "registered model (`llm-arena list models`)")
    return specs


def _spec(item: Any, source: str) -> str:
    if not isinstance(item, str) or not item.strip():
        raise ConfigError(f"{_where(source)}field 'players' must be a non-empty string or a table, got {item!r}")
    return item.strip()


def _player_table(item: Mapping[str, Any], source: str) -> str:
    """``{spec = "openai:o3", timeout = 3600, max_retries = 2}`` as the spec string that says the same
    (``openai:o3,timeout=3600,max_retries=2``), so everything after reading sees one kind of player."""
    from llm_arena_env.agents.specs import TRANSPORT_KINDS

    spec = item.get("spec")
    table = _validated(_Player, item, source, f"players.{spec}" if isinstance(spec, str) else "players")
    options = {name: item[name] for name in ("timeout", "max_retries") if getattr(table, name) is not None}
    where = f"{_where(source)}field 'players.{table.spec}'"
    if options and table.spec.partition(":")[0] not in TRANSPORT_KINDS:
        raise ConfigError(f"{where} sets {', '.join(options)}, but only {', '.join(sorted(TRANSPORT_KINDS))} "
                          "agents take them")
    for name in options:
        if f",{name}=" in table.spec.replace(" ", ""):
            raise ConfigError(f"{where} sets {name} twice (in the spec and in the table)")
    return table.spec + "".join(f",{name}={value}" for name, value in options.items())


def _where(source: str) -> str:
    return f"config {source}: " if source else ""


def _normalized(data: Mapping[str, Any], source: str) -> dict[str, Any]:
    """``data`` with ``-`` in field names read as ``_``; an unknown field is an error naming the closest."""
    known = [f.name for f in fields(RunConfig)]
    result: dict[str, Any] = {}
    for key, value in data.items():
        name = str(key).replace("-", "_")
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(f"{_where(source)}unknown field {key!r}{hint} (fields: {', '.join(known)})")
        result[name] = value
    return result


#: The most episodes one run plays (a larger benchmark is several runs).
MAX_EPISODES = 100_000


def _plain_instances(instances: str | tuple[int, ...] | None) -> Any:
    return list(instances) if isinstance(instances, tuple) else instances


def _inspect_game(game: str, kwargs: Mapping[str, Any]) -> tuple[list[str], int | None]:
    """The game's players and the size of its instance set (None where it has none), from one made env."""
    from llm_arena_env.registry import GameMakeError, make_game

    try:
        env = make_game(game, kwargs)
    except GameMakeError as error:
        raise ConfigError(f"field 'games': {error}") from None
    try:
        instance_set = getattr(env, "instance_set", None)
        return list(env.possible_agents), None if instance_set is None else len(instance_set)
    finally:
        env.close()


__all__ = ["RunConfig", "GameEntry", "ConfigError", "read_config_file", "DEFAULT_RESULTS_ROOT"]
