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
from typing import Any, Callable, Collection, Iterator, Mapping, Sequence

from llm_arena_env.agents.specs import agent_identity
from llm_arena_env.arena.results import folder_name
from llm_arena_env.arena.jobs import EpisodeJob, JobStream

DEFAULT_RESULTS_ROOT = "results"
EXECUTOR_NAMES = ("local", "ray")


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
        values: dict[str, Any] = {}
        for name, check in _CHECKS.items():
            if name not in data:
                continue
            nullable = data[name] is None and name in _NULLABLE
            values[name] = None if nullable else check(data[name], _Field(name, source))
        for name in ("games", "players"):
            if name not in values:
                raise ConfigError(f"{_where(source)}field {name!r} is missing: "
                                  + ("give one or more game ids" if name == "games" else "give the agent specs"))
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


@dataclass(frozen=True)
class _Field:
    name: str
    source: str

    def error(self, message: str) -> ConfigError:
        return ConfigError(f"{_where(self.source)}field {self.name!r} {message}")


def _where(source: str) -> str:
    return f"config {source}: " if source else ""


def _normalized(data: Mapping[str, Any], source: str) -> dict[str, Any]:
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


def _int(minimum: int) -> Callable[[Any, _Field], int]:
    def check(value: Any, where: _Field) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise where.error(f"must be an integer >= {minimum}, got {value!r}")
        if value < minimum:
            raise where.error(f"must be >= {minimum}, got {value}")
        return value

    return check


def _bool(value: Any, where: _Field) -> bool:
    if not isinstance(value, bool):
        raise where.error(f"must be true or false, got {value!r}")
    return value


def _executor(value: Any, where: _Field) -> str:
    if value not in EXECUTOR_NAMES:
        raise where.error(f"must be one of {', '.join(map(repr, EXECUTOR_NAMES))}, got {value!r}")
    return value


def _text(value: Any, where: _Field) -> str:
    if not isinstance(value, str) or not value.strip():
        raise where.error(f"must be a non-empty string, got {value!r}")
    return value.strip()


def _run_name(value: Any, where: _Field) -> str:
    name = _text(value, where)
    if folder_name(name) != name:
        raise where.error(f"must be one folder name of letters, digits and ._+=- characters, got {name!r}")
    return name


def _kwargs(value: Any, where: _Field) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise where.error(f"must be a table of keyword arguments, got {value!r}")
    bad = [k for k in value if not (isinstance(k, str) and k.isidentifier())]
    if bad:
        raise where.error(f"has keys that are not Python names: {', '.join(repr(k) for k in bad)}")
    return dict(value)


def _player_table(item: Mapping[str, Any], where: _Field) -> str:
    """``{spec = "openai:o3", timeout = 3600, max_retries = 2}`` as the spec string that says the same
    (``openai:o3,timeout=3600,max_retries=2``), so everything after reading sees one kind of player."""
    from llm_arena_env.agents.specs import TRANSPORT_KINDS, TRANSPORT_OPTIONS

    unknown = sorted(set(item) - {"spec", *TRANSPORT_OPTIONS})
    if unknown or "spec" not in item:
        raise where.error(f"has a player table with keys {sorted(item)}; it takes spec (required), "
                          f"{', '.join(TRANSPORT_OPTIONS)}")
    spec = _text(item["spec"], where)
    options = {name: item[name] for name in TRANSPORT_OPTIONS if name in item}
    kind = spec.partition(":")[0]
    if options and kind not in TRANSPORT_KINDS:
        raise where.error(f"sets {', '.join(options)} for {spec!r}, but only {', '.join(sorted(TRANSPORT_KINDS))} "
                          "agents take them")
    for name, value in options.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (
                name == "timeout" and value == 0) or (TRANSPORT_OPTIONS[name] is int and not isinstance(value, int)):
            want = "a number of seconds > 0" if name == "timeout" else "a whole number >= 0"
            raise where.error(f"sets {name} of {spec!r} to {value!r}; it must be {want}")
        if f",{name}=" in spec.replace(" ", ""):
            raise where.error(f"sets {name} of {spec!r} twice (in the spec and in the table)")
    return spec + "".join(f",{name}={value}" for name, value in options.items())


def _players(value: Any, where: _Field) -> tuple[str, ...]:
    from llm_arena_env.agents.specs import AGENT_SPECS

    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Sequence) or not items:
        raise where.error(f"must be a list of agent specs, got {value!r}")
    from llm_arena_env.agents.model_registry import load_registry

    specs = tuple(_player_table(item, where) if isinstance(item, Mapping) else _text(item, where) for item in items)
    for spec in specs:
        kind = spec.partition(":")[0]
        if kind not in AGENT_SPECS and spec not in load_registry():
            raise where.error(f"names unknown agent {spec!r}; known kinds: {', '.join(sorted(AGENT_SPECS))} "
                              "(see `llm-arena list agents`), nor is it a registered model (`llm-arena list models`)")
    return specs


_GAME_KEYS = ("id", "kwargs", "instances")


def _games(value: Any, where: _Field) -> tuple[GameEntry, ...]:
    items = [value] if isinstance(value, (str, Mapping)) else value
    if not isinstance(items, Sequence) or not items:
        raise where.error(f"must be a list of game ids or {{id, kwargs, instances}} tables, got {value!r}")
    games = tuple(_game(entry, where) for item in items for entry in _expanded(item, where))
    ids = [g.id for g in games]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise where.error(f"lists {', '.join(repeated)} more than once; a run plays each game once "
                          "(put other kwargs of the same game in another run)")
    return games


def _expanded(item: Any, where: _Field) -> list[Any]:
    """A selector (``all``, ``dialogue/*``) as one entry per game it names; anything else as it is."""
    from llm_arena_env.arena.selectors import is_selector, select_games

    game_id = item if isinstance(item, str) else item.get("id") if isinstance(item, Mapping) else None
    if not isinstance(game_id, str) or not is_selector(game_id):
        return [item]
    try:
        ids = select_games([game_id])
    except ValueError as error:
        raise where.error(str(error)) from None
    return [i if isinstance(item, str) else {**item, "id": i} for i in ids]


def _game(item: Any, where: _Field) -> GameEntry:
    if isinstance(item, str):
        item = {"id": item}
    if not isinstance(item, Mapping):
        raise where.error(f"has an entry that is neither a game id nor a table: {item!r}")
    unknown = [k for k in item if k not in _GAME_KEYS]
    if unknown:
        raise where.error(f"has an entry with unknown keys {unknown} (a game entry takes {', '.join(_GAME_KEYS)})")
    if "id" not in item:
        raise where.error(f"has an entry without an 'id': {dict(item)!r}")
    game_id = _text(item["id"], where)
    _check_game_id(game_id, where)
    kwargs = _kwargs(item.get("kwargs") or {}, _Field(f"{where.name}.{game_id}.kwargs", where.source))
    return GameEntry(game_id, kwargs, _instance_choice(item.get("instances"), _Field(f"{where.name}.{game_id}.instances", where.source)))


def _instance_choice(value: Any, where: _Field) -> str | int | tuple[int, ...] | None:
    if value is None or value == "all":
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return _int(1)(value, where)  # a sample of this many
    if isinstance(value, Sequence) and not isinstance(value, str) and value:
        indices = tuple(_int(0)(v, where) for v in value)
        repeated = sorted({i for i in indices if indices.count(i) > 1})
        if repeated:  # each would be played into the same folder
            raise where.error(f"lists instance{'s' * (len(repeated) > 1)} {', '.join(map(str, repeated))} more "
                              "than once; to play an instance more often, raise 'episodes'")
        return indices
    raise where.error(f"must be \"all\", a number of instances to sample, or a list of instance indices, got {value!r}")


def _instances_field(value: Any, where: _Field) -> str | int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    choice = _instance_choice(value, where)
    if choice is None or isinstance(choice, tuple):
        raise where.error(f"must be \"all\" or a number of instances to sample, got {value!r}")
    return choice


def _check_game_id(game_id: str, where: _Field) -> None:
    import llm_arena_env

    try:
        llm_arena_env.spec(game_id)
    except llm_arena_env.UnknownGameError as error:
        raise where.error(f"names an unknown game: {error}") from None


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


_CHECKS: dict[str, Callable[[Any, _Field], Any]] = {
    "games": _games,
    "players": _players,
    "run_name": _run_name,
    "results_root": _text,
    "game_args": _kwargs,
    "episodes": _int(1),
    "seed": _int(0),
    "concurrency": _int(1),
    "max_illegal": _int(0),
    "tournament": _bool,
    "swap_sides": _bool,
    "executor": _executor,
    "ray_address": _text,
    "instances": _instances_field,
}
_NULLABLE = frozenset({"run_name", "seed", "max_illegal", "swap_sides", "ray_address", "instances"})

__all__ = ["RunConfig", "GameEntry", "ConfigError", "read_config_file", "DEFAULT_RESULTS_ROOT"]
