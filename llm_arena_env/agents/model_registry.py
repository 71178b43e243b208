"""Registered models: a name on the command line stands for a backend, a model id, a key and defaults.

Models are declared in TOML files, read in this order, a later file's entry replacing an earlier one of
the same name:

1. the files the package ships (``llm_arena_env/agents/models.toml``: common providers' models);
2. ``models.toml`` in the user's config folder (``$XDG_CONFIG_HOME/llm-arena``, else ``~/.config/llm-arena``);
3. ``llm-arena-models.toml`` in the working directory;
4. the files named by ``$LLM_ARENA_MODELS`` (separated by the OS path separator).

An entry::

    [models.claude]
    backend = "anthropic"                # `llm-arena list backends`
    model = "claude-sonnet-4-5"          # the provider's model id
    base_url = "https://..."             # optional: another server speaking the API
    key_env = "ANTHROPIC_API_KEY"        # optional: the variable that holds the key (see keys.py)
    key = "anthropic"                    # optional: the key file's entry (default: the backend's name)
    timeout = 120                        # optional, seconds
    thinking_budget = 2048               # any other field is a keyword argument of the backend
    generation = { temperature = 0.0, max_tokens = 512 }
    wrappers = { rethinks = 3, vote = 1 }
    price = { input = 3.0, output = 15.0 }   # optional, USD per million tokens, when the provider reports no cost
    description = "..."
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from llm_arena_env.agents.keys import resolve_credentials, user_config_dir

SHIPPED = Path(__file__).with_name("models.toml")
USER_FILE = "models.toml"
WORKDIR_FILE = "llm-arena-models.toml"
PATHS_ENV = "LLM_ARENA_MODELS"
GENERATION_KEYS = ("temperature", "max_tokens", "top_p", "stop", "seed")
KNOWN = {"backend", "model", "base_url", "key_env", "key", "timeout", "generation", "wrappers", "price", "description"}


@dataclass(frozen=True)
class ModelEntry:
    """One registered model."""

    name: str
    backend: str
    model: str
    base_url: str | None = None
    key_env: str | None = None
    key: str | None = None  # the key file's entry; None: the backend's name
    timeout: float | None = None
    generation: Mapping[str, Any] = field(default_factory=dict)
    backend_options: Mapping[str, Any] = field(default_factory=dict)
    rethinks: int = 3
    vote: int = 1
    price: tuple[float, float] | None = None  # USD per million (input, output) tokens
    description: str = ""
    source: str = ""  # the file it was read from


class RegistryError(ValueError):
    """A registry file that cannot be read or an entry that is wrong; the message names file and entry."""


def registry_files() -> list[Path]:
    """The registry files that exist, in reading order (later ones win)."""
    candidates = [SHIPPED, user_config_dir() / USER_FILE, Path.cwd() / WORKDIR_FILE]
    candidates += [Path(p) for p in os.environ.get(PATHS_ENV, "").split(os.pathsep) if p]
    return [p for p in candidates if p.is_file()]


def load_registry(files: list[Path] | None = None) -> dict[str, ModelEntry]:
    """Every registered model by name."""
    entries: dict[str, ModelEntry] = {}
    for path in registry_files() if files is None else files:
        entries.update(read_registry_file(path))
    return entries


def read_registry_file(path: Path) -> dict[str, ModelEntry]:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise RegistryError(f"model registry {path}: {error}") from None
    models = data.get("models", {})
    unknown = set(data) - {"models"}
    if unknown or not isinstance(models, dict):
        raise RegistryError(f"model registry {path}: expected only [models.NAME] tables, found {sorted(unknown) or 'models'}")
    return {name: _entry(name, fields, str(path)) for name, fields in models.items()}


def _entry(name: str, fields: Any, source: str) -> ModelEntry:
    where = f"model registry {source}, [models.{name}]"
    if not isinstance(fields, dict):
        raise RegistryError(f"{where}: expected a table")
    for required in ("backend", "model"):
        if not isinstance(fields.get(required), str) or not fields[required]:
            raise RegistryError(f"{where}: '{required}' is required (a non-empty string)")
    if not name or any(c.isspace() for c in name):
        raise RegistryError(f"{where}: a model name has no spaces")
    generation = fields.get("generation", {})
    wrappers = fields.get("wrappers", {})
    price = fields.get("price")
    if not isinstance(generation, dict) or not isinstance(wrappers, dict):
        raise RegistryError(f"{where}: 'generation' and 'wrappers' are tables")
    if set(wrappers) - {"rethinks", "vote"}:
        raise RegistryError(f"{where}: wrappers takes rethinks and vote, got {sorted(wrappers)}")
    rethinks, vote = wrappers.get("rethinks", 3), wrappers.get("vote", 1)
    if not (isinstance(rethinks, int) and rethinks >= 0 and isinstance(vote, int) and vote >= 1):
        raise RegistryError(f"{where}: wrappers.rethinks must be an int >= 0 and wrappers.vote an int >= 1")
    if price is not None:
        if not (isinstance(price, dict) and set(price) == {"input", "output"}
                and all(isinstance(v, (int, float)) and v >= 0 for v in price.values())):
            raise RegistryError(f"{where}: price is {{ input = USD, output = USD }} per million tokens")
        price = (float(price["input"]), float(price["output"]))
    timeout = fields.get("timeout")
    if timeout is not None and not (isinstance(timeout, (int, float)) and timeout > 0):
        raise RegistryError(f"{where}: timeout must be a number of seconds > 0")
    for text in ("base_url", "key_env", "key", "description"):
        if text in fields and not isinstance(fields[text], str):
            raise RegistryError(f"{where}: '{text}' must be a string")
    return ModelEntry(
        name=name,
        backend=fields["backend"],
        model=fields["model"],
        base_url=fields.get("base_url"),
        key_env=fields.get("key_env"),
        key=fields.get("key"),
        timeout=timeout,
        generation=dict(generation),
        backend_options={k: v for k, v in fields.items() if k not in KNOWN},
        rethinks=rethinks,
        vote=vote,
        price=price,
        description=fields.get("description", ""),
        source=source,
    )


def lookup(name: str) -> ModelEntry | None:
    return load_registry().get(name)


def make_registered_backend(entry: ModelEntry) -> Any:
    """The backend an entry describes, with its key resolved (environment or key file) and prices applied."""
    from llm_arena_env.agents.backends.catalog import backend_info, make_backend
    info = backend_info(entry.backend)
    kwargs: dict[str, Any] = {**entry.backend_options, **entry.generation}
    if info.remote:
        api_key, key_file_url = resolve_credentials(entry)
        base_url = entry.base_url or key_file_url
        if base_url:
            kwargs["base_url"] = base_url
        if api_key:
            kwargs["api_key"] = api_key
        if entry.timeout is not None:
            kwargs["timeout"] = entry.timeout
    backend = make_backend(entry.backend, entry.model, **kwargs)
    if entry.price is not None:
        from llm_arena_env.agents.backends.priced import Priced

        backend = Priced(backend, *entry.price)
    return backend


def make_registered_agent(entry: ModelEntry, *, seed: int | None = None) -> Any:
    """The entry's player: replies parsed into moves, ``vote`` samples per move, ``rethinks`` more tries."""
    from llm_arena_env.agents.llm import LLMAgent
    from llm_arena_env.wrappers import MajorityVote, Parse, Rethink

    agent: Any = Parse(LLMAgent(make_registered_backend(entry)))
    if entry.vote > 1:
        agent = MajorityVote(agent, n=entry.vote, seed=seed)
    return Rethink(agent, max_rethinks=entry.rethinks)


__all__ = [
    "ModelEntry", "RegistryError", "load_registry", "read_registry_file", "registry_files", "lookup",
    "make_registered_backend", "make_registered_agent", "user_config_dir",
]
